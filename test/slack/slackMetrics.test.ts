// /metrics counts the bot's calls to the Slack Web API, and failed ones apart.
import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../support/databases.js';
import { JORDAN } from '../support/seedMission.js';
import { eventually, openBotHarness, type BotHarness } from './slackHarness.js';

let bot: BotHarness | null = null;
afterEach(async () => {
  await bot?.close();
  bot = null;
});

const counted = (text: string, outcome: string) => Number(new RegExp(`^mission_control_external_calls_total\\{service="slack",outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);

describe.each(PROVIDERS)('Slack call metrics (%s)', (provider) => {
  it('counts successful and failed Web API calls', async () => {
    bot = await openBotHarness(provider);
    bot.fake.failNext(1, { status: 429, retryAfter: 1 }, ['chat.postMessage']);
    await bot.command('Fix the flaky login test in CI', JORDAN);
    await eventually(() => expect(bot!.fake.callsTo('chat.postMessage')).toHaveLength(1));
    const metricsUrl = bot.eventsUrl.replace('/slack/events', '/metrics');
    const text = await (await fetch(metricsUrl)).text();
    expect(counted(text, 'failed')).toBe(1);
    expect(counted(text, 'ok')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^mission_control_external_call_duration_seconds_count\{service="slack"\} \d+$/m);
  });
});
