// What Slack users expect besides `/mission`: the "Start a mission" message shortcut and
// @-mentions start missions; buttons of a finished mission refuse before any modal opens;
// refusals of App Home clicks appear on the Home; times read in each person's time zone.
// Every request is signed and shaped as Slack sends it, every click built from what the bot posted.
import { afterEach, describe, expect, it } from 'vitest';
import { MissionError } from '../../src/domain/errors.js';
import type { Mission } from '../../src/domain/mission.js';
import { finishedMissionRefusal } from '../../src/slack/actionHandlers.js';
import { ACTION_IDS, VIEW_IDS } from '../../src/slack/actionIds.js';
import { briefCard } from '../../src/slack/briefCard.js';
import { intentFromMessage, plainTextFromSlack } from '../../src/slack/incomingText.js';
import { MAX_INTENT_LENGTH } from '../../src/domain/missionInputs.js';
import { START_MISSION_SHORTCUT } from '../../src/slack/shortcutHandlers.js';
import { PROVIDERS } from '../support/databases.js';
import type { RecordedCall, StoredMessage } from '../support/fakeSlack.js';
import { OUTSIDER, SECURITY_LEAD, seedToApprovalRequested } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';
import { CHANNEL, eventually, openBotHarness, type BotHarness } from './slackHarness.js';

const ENV = { SLACK_APPROVERS: [ADVISOR.id, SECURITY_LEAD.id].join(',') };
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

let bot: BotHarness | null = null;
afterEach(async () => {
  await bot?.close();
  bot = null;
});

const responses = (b: BotHarness, id: string) => b.fake.calls.filter((c) => c.method === 'response_url' && c.args.id === id);
const replyTo = (b: BotHarness, id: string) =>
  eventually(() => {
    const [reply] = responses(b, id);
    expect(reply).toBeDefined();
    return reply!;
  });
const settle = () => new Promise((resolve) => setTimeout(resolve, 400));
const allMissions = async (b: BotHarness) => (await b.app.missions.listMissions({})).missions;
const mention = (user: string, text: string, extra: Record<string, unknown> = {}) => ({
  type: 'app_mention',
  user,
  text,
  ts: `${Date.now() / 1000}`,
  channel: CHANNEL,
  ...extra,
});
const posts = (b: BotHarness) => b.fake.callsTo('chat.postMessage');

async function briefCardPosted(b: BotHarness): Promise<{ mission: Mission; post: RecordedCall }> {
  return eventually(async () => {
    const [summary] = await allMissions(b);
    expect(summary).toBeDefined();
    const mission = await b.app.missions.getMission({ missionId: summary!.id });
    const post = posts(b).find((c) => JSON.stringify(c.args.blocks).includes(mission.id));
    expect(post).toBeDefined();
    return { mission, post: post! };
  });
}

/** The message the bot shows now with `actionId` on it, frozen as a person's open Slack window shows it. */
const shownWith = (b: BotHarness, actionId: string) =>
  eventually(() => {
    const [m] = b.messagesWith(actionId);
    expect(m).toBeDefined();
    return { ...m!, blocks: structuredClone(m!.blocks) } as StoredMessage;
  });

describe.each(PROVIDERS)('Slack entry points and finished missions (%s)', (provider) => {
  it('"Start a mission" on a message starts one in that channel, from the message text and its link', async () => {
    bot = await openBotHarness(provider, ENV);
    const source = bot.fake.postAsPerson(
      CHANNEL,
      OUTSIDER.id,
      'Checkout fails for EU cards &amp; retries time out, see <https://status.example.com/eu|the status page> cc <@U0ADVISOR>',
    );
    const res = await bot.shortcut(source, START_MISSION_SHORTCUT, JORDAN, { responseUrlId: 'shortcut' });
    expect(res.status).toBe(200);

    const { mission, post } = await briefCardPosted(bot);
    const permalink = bot.fake.callsTo('chat.getPermalink')[0]!.response!.permalink as string;
    expect(permalink).toBe(`https://fake.slack.com/archives/${CHANNEL}/p${source.ts.replace('.', '')}`);
    expect(mission.intent).toBe(
      `Checkout fails for EU cards & retries time out, see the status page (https://status.example.com/eu) cc @U0ADVISOR\n\nFrom ${permalink}`,
    );
    expect(mission.requester).toMatchObject({ kind: 'slack_user', id: JORDAN.id });
    expect(mission.channelId).toBe(CHANNEL);
    // The mission's thread hangs under its own brief card, not under the message it came from.
    expect(post.args.channel).toBe(CHANNEL);
    expect(post.args.thread_ts).toBeUndefined();
    expect(post.args.blocks).toEqual(briefCard(mission).blocks);
    expect(responses(bot, 'shortcut')).toEqual([]);
  });

  it('refuses a message without text, at once and only to the person, and starts nothing', async () => {
    bot = await openBotHarness(provider, ENV);
    const source = bot.fake.postAsPerson(CHANNEL, OUTSIDER.id, '');
    await bot.shortcut(source, START_MISSION_SHORTCUT, JORDAN, { responseUrlId: 'empty' });
    const reply = await replyTo(bot, 'empty');
    expect(reply.args).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(reply.args.text)).toContain('no text to start a mission from');
    await settle();
    expect(await allMissions(bot)).toEqual([]);
    expect(posts(bot)).toEqual([]);
  });

  it('in a channel the bot is not in: the mission is created and the person is told to invite the bot', async () => {
    bot = await openBotHarness(provider, ENV);
    const source = bot.fake.postAsPerson('C0ELSEWHERE', OUTSIDER.id, 'Rotate the leaked staging credentials today');
    bot.fake.closedChannels.set('C0ELSEWHERE', 'not_in_channel');
    await bot.shortcut(source, START_MISSION_SHORTCUT, JORDAN, { responseUrlId: 'closed' });
    const reply = await replyTo(bot, 'closed');
    expect(String(reply.args.text)).toContain('/invite @Mission Control');
    const [summary] = await allMissions(bot);
    const mission = await bot.app.missions.getMission({ missionId: summary!.id });
    expect(mission.channelId).toBe('C0ELSEWHERE');
    // Slack gave no link (the bot cannot see the channel): the intent still says where it came from.
    expect(mission.intent).toBe(`Rotate the leaked staging credentials today\n\nFrom the message ${source.ts} in channel C0ELSEWHERE`);
  });

  it('@Mission Control <intent> starts a mission in that channel; a redelivered event does not start a second', async () => {
    bot = await openBotHarness(provider, ENV);
    const event = mention(JORDAN.id, '<@U0BOT> Fix the flaky login test in CI &amp; make it fail loudly');
    expect((await bot.event(event, { eventId: 'Ev0MENTION' })).status).toBe(200);
    const { mission, post } = await briefCardPosted(bot);
    expect(mission.intent).toBe('Fix the flaky login test in CI & make it fail loudly');
    expect(mission.requester).toMatchObject({ kind: 'slack_user', id: JORDAN.id });
    expect(post.args).toMatchObject({ channel: CHANNEL });
    expect(post.args.thread_ts).toBeUndefined();
    // Slack retries an event it thinks was not acknowledged: same event_id, X-Slack-Retry-Num.
    expect((await bot.event(event, { eventId: 'Ev0MENTION', headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })).status).toBe(200);
    await settle();
    expect(await allMissions(bot)).toHaveLength(1);
  });

  it('@Mission Control help (or the mention alone) answers the commands to that person only; bots are ignored', async () => {
    bot = await openBotHarness(provider, ENV);
    await bot.event(mention(ADVISOR.id, '<@U0BOT> help'));
    await bot.event(mention(SECURITY_LEAD.id, '<@U0BOT>'));
    const ephemerals = await eventually(() => {
      const calls = bot!.fake.callsTo('chat.postEphemeral');
      expect(calls).toHaveLength(2);
      return calls;
    });
    expect(ephemerals.map((c) => c.args.user).sort()).toEqual([ADVISOR.id, SECURITY_LEAD.id].sort());
    for (const call of ephemerals) {
      expect(call.args.channel).toBe(CHANNEL);
      expect(JSON.stringify(call.args.blocks)).toContain('`/mission <intent>` — start a mission');
    }
    // Subcommands that need `/mission` say so.
    await bot.event(mention(JORDAN.id, '<@U0BOT> status msn_0042'));
    await eventually(() => expect(JSON.stringify(bot!.fake.callsTo('chat.postEphemeral')[2]?.args.blocks)).toContain('`/mission status msn_0042`'));
    await bot.event(mention(JORDAN.id, '<@U0BOT> Deploy the canary on every merge', { bot_id: 'B0OTHER', user: undefined }));
    await settle();
    expect(await allMissions(bot)).toEqual([]);
    expect(posts(bot)).toEqual([]);
  });

  it('a reply Slack will not show ephemerally (the person left the channel) arrives as a DM in the Messages tab', async () => {
    bot = await openBotHarness(provider, ENV);
    bot.fake.failNext(1, { status: 200, error: 'user_not_in_channel' }, ['chat.postEphemeral']);
    await bot.event(mention(ADVISOR.id, '<@U0BOT> ab'));
    const dm = await eventually(() => {
      const [call] = posts(bot!);
      expect(call).toBeDefined();
      return call!;
    });
    expect(dm.args.channel).toBe(ADVISOR.id);
    expect(String(dm.args.text)).toContain('Unknown subcommand');
    expect(await allMissions(bot)).toEqual([]);
  });

  it('buttons of a cancelled mission refuse at once, with why, and open no modal', async () => {
    bot = await openBotHarness(provider, ENV);
    const service = bot.app.missions;
    const requested = await seedToApprovalRequested(service, new TestClock());
    const approval = await shownWith(bot, ACTION_IDS.approvalReject);
    await service.decideApproval({ missionId: requested.id, decision: 'approve' }, ADVISOR);
    await service.decideApproval({ missionId: requested.id, decision: 'approve' }, SECURITY_LEAD);
    await service.reportProgress({ missionId: requested.id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
    await service.reportProgress(
      {
        missionId: requested.id,
        kind: 'validator_alert',
        phaseId: 'jwt_refresh_fix',
        type: 'review_required',
        severity: 'high',
        description: 'Refresh tokens are written to the request log',
      },
      ASSISTANT,
    );
    const status = await shownWith(bot, ACTION_IDS.rollback);
    const alert = await shownWith(bot, ACTION_IDS.alertResolve);

    // Cancelled through /mission cancel and its modal.
    await bot.command(`cancel ${requested.id}`, JORDAN);
    const modal = await eventually(() => {
      const [v] = bot!.fake.views;
      expect(v?.view.callback_id).toBe(VIEW_IDS.cancelMission);
      return v!;
    });
    await bot.submitView(modal.view, { reason: { reason: { type: 'plain_text_input', value: 'The incident was resolved upstream' } } }, JORDAN);
    await eventually(async () => expect((await service.getMission({ missionId: requested.id })).state).toBe('cancelled'));
    const before = await service.getMission({ missionId: requested.id });

    // Stale windows still show Reject, Rollback, Resolve and Block.
    const clicks: Array<[StoredMessage, string, typeof JORDAN]> = [
      [approval, ACTION_IDS.approvalReject, ADVISOR],
      [status, ACTION_IDS.rollback, JORDAN],
      [alert, ACTION_IDS.alertResolve, JORDAN],
      [alert, ACTION_IDS.alertBlock, SECURITY_LEAD],
    ];
    for (const [message, actionId, user] of clicks) await bot.click(message, actionId, user, { responseUrlId: actionId });
    for (const [, actionId] of clicks) {
      const reply = await replyTo(bot, actionId);
      expect(reply.args.response_type).toBe('ephemeral');
      expect(String(reply.args.text)).toContain(`This mission was cancelled`);
      expect(String(reply.args.text)).toContain(`/mission status ${requested.id}`);
      // The moment it ended reads in the person's time zone (a date token), the notification text in UTC.
      expect(JSON.stringify(reply.args.blocks)).toMatch(/<!date\^\d+\^\{date_short_pretty\} at \{time\}\|/);
      expect(JSON.stringify(reply.args)).not.toMatch(ISO);
    }
    // `/mission cancel` again: told the same way through the command's response_url, no modal.
    await bot.command(`cancel ${requested.id}`, JORDAN);
    await eventually(() =>
      expect(String(bot!.fake.calls.filter((c) => c.method === 'response_url').at(-1)?.args.text)).toContain('This mission was cancelled'),
    );
    expect(bot.fake.views.filter((v) => v.method === 'views.open')).toHaveLength(1);
    expect((await service.getMission({ missionId: requested.id })).version).toBe(before.version);
  });

  it('a refused click on the App Home is shown on the Home, with the time in the reader’s zone', async () => {
    bot = await openBotHarness(provider, ENV);
    const service = bot.app.missions;
    const mission = await seedToApprovalRequested(service, new TestClock());
    await bot.event({ type: 'app_home_opened', user: ADVISOR.id, channel: 'D0ADVISOR', tab: 'home' });
    const home = await eventually(() => {
      const v = bot!.fake.views.find((x) => x.method === 'views.publish' && x.userId === ADVISOR.id);
      expect(JSON.stringify(v?.view)).toContain(ACTION_IDS.approvalApprove);
      return structuredClone(v!.view);
    });

    // Approve from the Home: the Home is published again without the request.
    await bot.clickView(home, ACTION_IDS.approvalApprove, ADVISOR);
    await eventually(async () => expect((await service.getMission({ missionId: mission.id })).approval!.decisions).toHaveLength(1));
    const published = () => bot!.fake.views.filter((x) => x.method === 'views.publish' && x.userId === ADVISOR.id);
    await eventually(() => expect(published()).toHaveLength(2));
    expect(JSON.stringify(published()[1]!.view)).not.toContain(ACTION_IDS.approvalApprove);

    // The stale Home (another tab, a slow client) clicked again: the refusal is at the top of the Home.
    await bot.clickView(home, ACTION_IDS.approvalApprove, ADVISOR);
    const refused = await eventually(() => {
      expect(published()).toHaveLength(3);
      return published()[2]!.view as { blocks: Array<{ type: string; text?: { text: string } }> };
    });
    const notice = refused.blocks[1]!;
    expect(notice.type).toBe('section');
    expect(notice.text!.text).toMatch(/^⚠️ You already approved this request at <!date\^\d+\^\{date_short_pretty\} at \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC>/);
    expect(JSON.stringify(refused)).not.toMatch(ISO);

    // Reject on a Home whose mission was cancelled meanwhile: refused on the Home, no modal.
    await bot.command(`cancel ${mission.id}`, JORDAN);
    const cancelModal = await eventually(() => {
      const [v] = bot!.fake.views.filter((x) => x.method === 'views.open');
      expect(v).toBeDefined();
      return v!;
    });
    await bot.submitView(cancelModal.view, { reason: { reason: { type: 'plain_text_input', value: 'Superseded' } } }, JORDAN);
    await eventually(async () => expect((await service.getMission({ missionId: mission.id })).state).toBe('cancelled'));
    await bot.clickView(home, ACTION_IDS.approvalReject, ADVISOR);
    await eventually(() => expect(published()).toHaveLength(4));
    expect((published()[3]!.view as { blocks: Array<{ text?: { text: string } }> }).blocks[1]!.text!.text).toContain('This mission was cancelled');
    expect(bot.fake.views.filter((v) => v.method === 'views.open')).toHaveLength(1);
    // Nothing went to a DM or a channel: the Home is where the person is looking.
    expect(bot.fake.callsTo('chat.postEphemeral')).toEqual([]);
    expect(posts(bot).filter((c) => c.args.channel === ADVISOR.id)).toEqual([]);
  });
});

describe('finishedMissionRefusal', () => {
  const mission = (state: Mission['state']) => ({ id: 'msn_0001', state, updatedAt: new Date('2025-10-15T13:06:00.000Z') }) as Mission;

  it('lets feedback and the library pin through on a done mission, and nothing else on a finished one', () => {
    expect(finishedMissionRefusal(mission('done'), ACTION_IDS.feedbackOpen)).toBeNull();
    expect(finishedMissionRefusal(mission('done'), ACTION_IDS.pinOpen)).toBeNull();
    expect(finishedMissionRefusal(mission('executing'), ACTION_IDS.rollback)).toBeNull();
    for (const state of ['cancelled', 'failed', 'rolled_back'] as const) {
      for (const actionId of [ACTION_IDS.feedbackOpen, ACTION_IDS.approvalReject, ACTION_IDS.rollback, ACTION_IDS.missionCancel, ACTION_IDS.briefEditChip]) {
        expect(finishedMissionRefusal(mission(state), actionId)).toBeInstanceOf(MissionError);
      }
    }
    expect(finishedMissionRefusal(mission('done'), ACTION_IDS.rollback)?.message).toMatch(/^This mission is done \(last change 2025-10-15T13:06:00.000Z\)/);
    expect(finishedMissionRefusal(mission('rolled_back'), ACTION_IDS.alertResolve)?.message).toMatch(/^This mission was rolled back/);
  });
});

describe('intentFromMessage', () => {
  it('cuts a message longer than an intent may be, keeping where it came from', () => {
    const intent = intentFromMessage('word '.repeat(10_000), 'https://fake.slack.com/archives/C1/p1');
    expect(intent.length).toBeLessThanOrEqual(MAX_INTENT_LENGTH);
    expect(intent).toMatch(/…\n\nFrom https:\/\/fake\.slack\.com\/archives\/C1\/p1$/);
  });
});

describe('plainTextFromSlack', () => {
  it('turns Slack markup into the words a person sees', () => {
    expect(
      plainTextFromSlack(
        '<@U1> and <@U2|ana> in <#C1|ops> <!here> <!subteam^S1|@oncall> <https://x.example/a?b=1&amp;c=2|docs> <mailto:a@b.c> &lt;3 &amp; more',
      ),
    ).toBe('@U1 and @ana in #ops @here @oncall docs (https://x.example/a?b=1&c=2) mailto:a@b.c <3 & more');
  });
});
