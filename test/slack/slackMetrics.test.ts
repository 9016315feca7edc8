// /metrics counts the bot's calls to the Slack Web API, and failed ones apart; a delivery
// Slack refuses for good is parked, counted, and recorded on the mission.
import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../support/databases.js';
import { JORDAN } from '../support/seedMission.js';
import { eventually, openBotHarness, type BotHarness } from './slackHarness.js';

let bot: BotHarness | null = null;
afterEach(async () => {
  await bot?.close();
  bot = null;
});

const counted = (text: string, outcome: string) =>
  Number(new RegExp(`^mission_control_external_calls_total\\{service="slack",outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);

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

  it('parks a delivery Slack refuses for good, and the mission and /metrics say so', async () => {
    bot = await openBotHarness(provider);
    bot.fake.failNext(1, { status: 200, error: 'not_in_channel' }, ['chat.postMessage']);
    const mission = await bot.app.missions.startMission({ intent: 'Fix the flaky login test in CI', channelId: 'C0PRIVATE' }, JORDAN);
    const failed = await eventually(async () => {
      const events = await bot!.app.missions.events({ missionId: mission.id });
      const event = events.find((e) => e.type === 'connector_call_failed');
      expect(event).toBeDefined();
      return event!;
    });
    expect(failed.payload).toMatchObject({ toolkit_id: 'slack', operation: 'deliver thread messages' });
    expect(String((failed.payload as { error: string }).error)).toContain('not_in_channel');
    const text = await (await fetch(bot.eventsUrl.replace('/slack/events', '/metrics'))).text();
    expect(text).toMatch(/^mission_control_outbox_dead\{consumer="slack"\} 1$/m);
    // Refused for good: tried once, not retried, nothing shown in Slack.
    expect(bot.fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(bot.fake.messages.size).toBe(0);
  });
});
