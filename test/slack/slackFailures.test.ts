// Slack must never fail silently: hostile text, replays, Slack answering badly after doing the
// work, a bot that is not in the channel, and messages Slack refuses for good. Every request is
// signed and shaped as Slack sends it; the Web API is the local fake.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedWorker } from '../../src/feedWorker.js';
import { ACTION_IDS } from '../../src/slack/actionIds.js';
import { briefCard } from '../../src/slack/briefCard.js';
import { toolkitMessage } from '../../src/slack/toolkitMessage.js';
import { missionLoader, SlackProjector } from '../../src/slack/slackProjector.js';
import { createSlackWebClient, POST_RETRY } from '../../src/slack/slackWebApi.js';
import { PrismaSlackMessageStore } from '../../src/storage/prismaSlackMessageStore.js';
import { openTestDatabase, PROVIDERS, type Provider } from '../support/databases.js';
import { FakeSlack } from '../support/fakeSlack.js';
import { seedService } from '../support/seedJourney.js';
import { JORDAN } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';
import { CHANNEL, eventually, openBotHarness, type BotHarness } from './slackHarness.js';

const logger = pino({ level: 'silent' });
let bot: BotHarness | null = null;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await bot?.close();
  bot = null;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The `slack` feed consumer on its own, on a test clock, wired as the front door wires it (a post client that never retries), with short Web API timeouts. */
async function openProjector(provider: Provider) {
  const db = await openTestDatabase(provider);
  const fake = new FakeSlack();
  await fake.start();
  cleanups.push(async () => {
    await fake.stop();
    await db.destroy();
  });
  const clock = new TestClock();
  const service = seedService(db.missions, clock);
  const projector = new SlackProjector({
    loadMission: missionLoader((input) => service.getMission(input)),
    client: createSlackWebClient(fake.token, { slackApiUrl: fake.apiUrl, logger, retryConfig: { retries: 0 }, timeoutMs: 500 }),
    postClient: createSlackWebClient(fake.token, { slackApiUrl: fake.apiUrl, logger, retryConfig: POST_RETRY, timeoutMs: 500 }),
    store: new PrismaSlackMessageStore(db),
    clock,
    logger,
  });
  const worker = new FeedWorker({ feed: db.feed, clock, logger, consumers: [projector], backoffBaseMs: 1000 });
  return { db, fake, clock, service, projector, worker };
}

/** Top-level messages in the fake that are a mission's brief card. */
const briefCards = (fake: FakeSlack) =>
  [...fake.messages.values()].filter((m) => m.threadTs === null && JSON.stringify(m.blocks).includes(ACTION_IDS.briefAcceptAll));

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
/** An Events API delivery as Slack sends it. */
const eventBody = (eventId: string, event: Record<string, unknown>) =>
  JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T0FAKE',
    api_app_id: 'A0MISSION',
    event: { ...event, event_ts: `${nowSec()}.000100` },
    type: 'event_callback',
    event_id: eventId,
    event_time: nowSec(),
    authorizations: [{ team_id: 'T0FAKE', user_id: 'U0BOT', is_bot: true }],
  });
const responses = (b: BotHarness) => b.fake.calls.filter((c) => c.method === 'response_url');
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
      const event = (id: string) => eventBody(id, { type: 'app_home_opened', user: JORDAN.id, channel: 'D0JORDAN', tab: 'home' });
      expect((await bot.signedPost(event('Ev0FIRST'), 'application/json')).status).toBe(200);
      await eventually(() => expect(bot!.fake.callsTo('views.publish')).toHaveLength(1));
      const retry = await bot.signedPost(event('Ev0FIRST'), 'application/json', {
        timestamp: nowSec() + 1,
        headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
      });
      expect(retry.status).toBe(200);
      expect((await bot.signedPost(event('Ev0OTHER'), 'application/json')).status).toBe(200);
      await eventually(() => expect(bot!.fake.callsTo('views.publish')).toHaveLength(2));
      await settle();
      expect(bot.fake.callsTo('views.publish')).toHaveLength(2);
    });
  });

  describe('duplicate cards', () => {
    it('posts exactly one brief card when Slack posts it but answers 500; the card keeps working', async () => {
      bot = await openBotHarness(provider);
      bot.fake.failNext(1, { status: 500, afterDoing: true }, ['chat.postMessage']);
      await bot.command('Fix the flaky login test', JORDAN);
      // The post failed as far as the bot knows; the feed's retry finds it by its metadata instead of posting again.
      await eventually(() => expect(bot!.fake.callsTo('conversations.history').length).toBeGreaterThanOrEqual(1));
      const [card] = await eventually(() => {
        const cards = briefCards(bot!.fake);
        expect(cards).toHaveLength(1);
        return cards;
      });
      expect(bot.fake.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
      expect((await bot.click(card!, ACTION_IDS.briefAcceptAll, JORDAN)).status).toBe(200);
      await eventually(() => expect(bot!.messagesWith(ACTION_IDS.toolkitsConfirm).map((m) => m.threadTs)).toEqual([card!.ts]));
      // Still one message outside the thread: the card (by now it may show the accepted brief, without the button).
      expect([...bot.fake.messages.values()].filter((m) => m.threadTs === null).map((m) => m.ts)).toEqual([card!.ts]);
      expect(bot.fake.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(2);
    });

    it('posts exactly one card when Slack posts it but never answers (the call times out)', async () => {
      const { fake, clock, service, worker } = await openProjector(provider);
      const mission = await service.startMission({ intent: 'Fix the flaky login test', channelId: CHANNEL }, JORDAN);
      fake.failNext(1, { status: 'timeout' }, ['chat.postMessage']);
      await worker.runOnce();
      expect(fake.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
      expect(briefCards(fake)).toHaveLength(1);
      clock.advance(60_000);
      await worker.runOnce();
      expect(fake.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
      expect(fake.callsTo('conversations.history')).toHaveLength(1);
      expect(briefCards(fake).map((m) => m.blocks)).toEqual([briefCard(mission).blocks]);
    });
  });

  describe('bot not in the channel', () => {
    const PRIVATE = 'C0PRIVATE';
    const joined = (b: BotHarness, user: string, id: string) =>
      b.signedPost(
        eventBody(id, { type: 'member_joined_channel', user, channel: PRIVATE, channel_type: 'G', team: 'T0FAKE', inviter: JORDAN.id }),
        'application/json',
      );

    it('tells the person at once through response_url to invite the bot, and posts the card by itself once the bot joins', async () => {
      bot = await openBotHarness(provider);
      bot.fake.closedChannels.set(PRIVATE, 'channel_not_found');
      expect((await bot.command('Fix the flaky login test', JORDAN, { channel: PRIVATE })).status).toBe(200);
      const told = await eventually(() => {
        const reply = responses(bot!).at(-1);
        expect(reply).toBeDefined();
        return reply!;
      });
      const [summary] = (await bot.app.missions.listMissions({})).missions;
      expect(told.args).toMatchObject({ response_type: 'ephemeral' });
      expect(String(told.args.text)).toContain('/invite @Mission Control');
      expect(String(told.args.text)).toContain(summary!.id);
      expect(bot.fake.messages.size).toBe(0);
      // The reply goes out while the delivery is handled; the feed parks it just after.
      await eventually(async () => expect(await bot!.app.db.feed.parked('slack')).toEqual([expect.objectContaining({ missionId: summary!.id })]));

      // Someone else joining changes nothing; the bot joining brings the card.
      bot.fake.closedChannels.delete(PRIVATE);
      expect((await joined(bot, 'U0SOMEONE', 'Ev0HUMAN')).status).toBe(200);
      await settle();
      expect(bot.fake.messages.size).toBe(0);
      expect((await joined(bot, 'U0BOT', 'Ev0BOT')).status).toBe(200);
      const [card] = await eventually(() => {
        const cards = briefCards(bot!.fake);
        expect(cards).toHaveLength(1);
        return cards;
      });
      expect(card!.channel).toBe(PRIVATE);
      expect(await bot.app.db.feed.parked('slack')).toEqual([]);
    });

    it('/mission status tries a parked thread again: it tells the person again while the bot is out, and posts once it is in', async () => {
      bot = await openBotHarness(provider);
      bot.fake.closedChannels.set(PRIVATE, 'not_in_channel');
      await bot.command('Fix the flaky login test', JORDAN, { channel: PRIVATE });
      await eventually(() => expect(responses(bot!)).toHaveLength(1));
      const [summary] = (await bot.app.missions.listMissions({})).missions;

      await bot.command(`status ${summary!.id}`, JORDAN, { channel: PRIVATE });
      await eventually(() => expect(responses(bot!).filter((r) => String(r.args.text).includes('/invite @Mission Control'))).toHaveLength(2));
      expect(bot.fake.messages.size).toBe(0);

      bot.fake.closedChannels.delete(PRIVATE);
      await bot.command(`status ${summary!.id}`, JORDAN, { channel: PRIVATE });
      await eventually(() => expect(briefCards(bot!.fake)).toHaveLength(1));
      await settle();
      expect(responses(bot).filter((r) => String(r.args.text).includes('/invite @Mission Control'))).toHaveLength(2);
    });
  });

  describe('one refused message', () => {
    it('shows a message Slack refuses as too long in a short version with its buttons; the thread goes on and the mission records it', async () => {
      bot = await openBotHarness(provider);
      await bot.command('Fix the flaky login test', JORDAN);
      const [card] = await eventually(() => {
        const cards = briefCards(bot!.fake);
        expect(cards).toHaveLength(1);
        return cards;
      });
      bot.fake.failNext(1, { status: 200, error: 'msg_too_long' }, ['chat.postMessage']);
      await bot.click(card!, ACTION_IDS.briefAcceptAll, JORDAN);
      // The toolkits message was refused once; its short version still carries Confirm toolkits.
      const [toolkits] = await eventually(() => {
        const found = bot!.messagesWith(ACTION_IDS.toolkitsConfirm);
        expect(found).toHaveLength(1);
        return found;
      });
      expect(toolkits!.threadTs).toBe(card!.ts);
      expect(JSON.stringify(toolkits!.blocks)).toContain('msg_too_long');
      const [summary] = (await bot.app.missions.listMissions({})).missions;
      await eventually(async () => {
        const events = await bot!.app.missions.events({ missionId: summary!.id });
        expect(events.find((e) => e.type === 'connector_call_failed')?.payload).toMatchObject({
          toolkit_id: 'slack',
          error: expect.stringContaining('msg_too_long'),
        });
      });
      expect(await bot.app.db.feed.parked('slack')).toEqual([]);
      // The thread is not frozen: the next change (here a cancellation, as an assistant would send it) reaches every message, the refused one in full again.
      const cancelled = await bot.app.missions.cancelMission({ missionId: summary!.id, reason: 'Wrong repository' }, JORDAN);
      await eventually(() => {
        expect(card!.blocks).toEqual(briefCard(cancelled).blocks);
        expect(toolkits!.blocks).toEqual(toolkitMessage(cancelled).blocks);
      });
    });

    it('posts a message anew when Slack will not edit it (cant_update_message), and records it', async () => {
      bot = await openBotHarness(provider);
      await bot.command('Fix the flaky login test', JORDAN);
      const [card] = await eventually(() => {
        const cards = briefCards(bot!.fake);
        expect(cards).toHaveLength(1);
        return cards;
      });
      bot.fake.failNext(1, { status: 200, error: 'cant_update_message' }, ['chat.update']);
      await bot.click(card!, ACTION_IDS.briefAcceptAll, JORDAN);
      const [summary] = (await bot.app.missions.listMissions({})).missions;
      await eventually(async () => {
        const locked = await bot!.app.missions.getMission({ missionId: summary!.id });
        const top = [...bot!.fake.messages.values()].filter((m) => m.threadTs === null);
        expect(top.map((m) => m.blocks)).toContainEqual(briefCard(locked).blocks);
        expect(bot!.messagesWith(ACTION_IDS.toolkitsConfirm)).toHaveLength(1);
      });
      await eventually(async () => {
        const events = await bot!.app.missions.events({ missionId: summary!.id });
        expect(events.find((e) => e.type === 'connector_call_failed')?.payload).toMatchObject({ error: expect.stringContaining('cant_update_message') });
      });
      expect(await bot.app.db.feed.parked('slack')).toEqual([]);
    });
  });
});
