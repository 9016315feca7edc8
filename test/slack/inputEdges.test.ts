// Text no store can keep, through Slack: a /mission intent with a NUL character (which Slack
// form-encodes as %00) is refused naming the field, and nothing is written or posted.
import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../support/databases.js';
import { JORDAN } from '../support/seedMission.js';
import { eventually, openBotHarness, type BotHarness } from './slackHarness.js';

let bot: BotHarness | null = null;
afterEach(async () => {
  await bot?.close();
  bot = null;
});

describe.each(PROVIDERS)('bad text through Slack on %s', (provider) => {
  it('refuses a /mission intent with a NUL character, names the field, and starts nothing', async () => {
    bot = await openBotHarness(provider, { SLACK_APPROVERS: JORDAN.id });
    const res = await bot.command('Fix the flaky\u0000 login test in CI', JORDAN);
    expect(res.status).toBe(200);
    const said = await eventually(() => {
      const text = [
        res.text,
        ...bot!.fake.calls.filter((c) => c.method === 'response_url' || c.method === 'chat.postEphemeral').map((c) => JSON.stringify(c.args)),
      ].join('\n');
      expect(text).toMatch(/intent contains a NUL character/);
      return text;
    });
    expect(said).not.toMatch(/went wrong on our side/);
    expect((await bot.app.missions.listMissions({})).missions).toEqual([]);
    expect(bot.fake.callsTo('chat.postMessage')).toEqual([]);
  });
});
