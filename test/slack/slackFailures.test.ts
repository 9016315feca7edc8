// Slack must never fail silently: hostile text, replays, Slack answering badly after doing the
// work, a bot that is not in the channel, and messages Slack refuses for good. Every request is
// signed and shaped as Slack sends it; the Web API is the local fake.
import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../support/databases.js';
import { JORDAN } from '../support/seedMission.js';
import { CHANNEL, eventually, openBotHarness, type BotHarness } from './slackHarness.js';

let bot: BotHarness | null = null;
afterEach(async () => {
  await bot?.close();
  bot = null;
});

const FORM = 'application/x-www-form-urlencoded';
const nowSec = () => Math.floor(Date.now() / 1000);
const commandBody = (b: BotHarness, text: string, channel = CHANNEL) =>
  new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0FAKE',
    team_domain: 'fake',
    channel_id: channel,
    channel_name: 'missions',
    user_id: JORDAN.id,
    user_name: JORDAN.name ?? JORDAN.id,
    command: '/mission',
    text,
    api_app_id: 'A0MISSION',
    response_url: b.fake.responseUrl('replayed'),
    trigger_id: 'trigger-replayed',
  }).toString();
const missionCount = async (b: BotHarness) => (await b.app.missions.listMissions({})).missions.length;
/** Gives the after-ack work of a request that should not have started anything a chance to show itself. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe.each(PROVIDERS)('Slack never fails silently (%s)', (provider) => {
  it('posts hostile intent text escaped in the brief card’s fallback text, never as a live mention or link', async () => {
    bot = await openBotHarness(provider);
    const intent = 'Fix login <!channel> <@U0EVIL> <https://evil.example|click to approve> & more';
    expect((await bot.command(intent, JORDAN)).status).toBe(200);
    const post = await eventually(() => {
      const [call] = bot!.fake.callsTo('chat.postMessage');
      expect(call).toBeDefined();
      return call!;
    });
    const text = String(post.args.text);
    expect(text).toContain('&lt;!channel&gt; &lt;@U0EVIL&gt; &lt;https://evil.example|click to approve&gt; &amp; more');
    expect(text).not.toMatch(/<[!@h]/);
  });

  describe('replays', () => {
    it('handles a signed /mission once when the same request arrives twice; the second is refused with 409', async () => {
      bot = await openBotHarness(provider);
      const body = commandBody(bot, 'Fix the flaky login test');
      const timestamp = nowSec();
      expect((await bot.signedPost(body, FORM, { timestamp })).status).toBe(200);
      await eventually(async () => expect(await missionCount(bot!)).toBe(1));
      const replay = await bot.signedPost(body, FORM, { timestamp });
      expect(replay.status).toBe(409);
      expect(replay.text).toContain('received already');
      await settle();
      expect(await missionCount(bot)).toBe(1);
      await eventually(() => expect(bot!.fake.callsTo('chat.postMessage')).toHaveLength(1));
    });

    it('refuses a signed request stamped 6 minutes or a day in the future with 401, and starts nothing', async () => {
      bot = await openBotHarness(provider);
      for (const ahead of [6 * 60, 24 * 60 * 60]) {
        const res = await bot.signedPost(commandBody(bot, 'Fix the flaky login test'), FORM, { timestamp: nowSec() + ahead });
        expect(res.status).toBe(401);
        expect(res.text).toContain('more than 5 minutes in the future');
      }
      await settle();
      expect(await missionCount(bot)).toBe(0);
      expect(bot.fake.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
      // Within the window ahead (a server clock a little behind Slack's) is still accepted.
      expect((await bot.signedPost(commandBody(bot, 'Fix the flaky login test'), FORM, { timestamp: nowSec() + 4 * 60 })).status).toBe(200);
      await eventually(async () => expect(await missionCount(bot!)).toBe(1));
    });

    it('acknowledges a redelivered Events API event (same event_id, X-Slack-Retry-Num) without handling it again', async () => {
      bot = await openBotHarness(provider);
      const event = (id: string) =>
        JSON.stringify({
          token: 'legacy-verification-token',
          team_id: 'T0FAKE',
          api_app_id: 'A0MISSION',
          event: { type: 'app_home_opened', user: JORDAN.id, channel: 'D0JORDAN', tab: 'home', event_ts: `${nowSec()}.000100` },
          type: 'event_callback',
          event_id: id,
          event_time: nowSec(),
          authorizations: [{ team_id: 'T0FAKE', user_id: 'U0BOT', is_bot: true }],
        });
      expect((await bot.signedPost(event('Ev0FIRST'), 'application/json')).status).toBe(200);
      await eventually(() => expect(bot!.fake.callsTo('views.publish')).toHaveLength(1));
      const retry = await bot.signedPost(event('Ev0FIRST'), 'application/json', { timestamp: nowSec() + 1, headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
      expect(retry.status).toBe(200);
      expect((await bot.signedPost(event('Ev0OTHER'), 'application/json')).status).toBe(200);
      await eventually(() => expect(bot!.fake.callsTo('views.publish')).toHaveLength(2));
      await settle();
      expect(bot.fake.callsTo('views.publish')).toHaveLength(2);
    });
  });
});
