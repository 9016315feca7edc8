// Where an assistant's mission lives in Slack and how approvers hear of its requests: the
// `slack` feed consumer on its own (real feed and FeedWorker, test clock, the fake Web API).
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actors.js';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import type { Mission } from '../../src/domain/mission.js';
import { MissionService } from '../../src/domain/missionService.js';
import { FeedWorker } from '../../src/feedWorker.js';
import { ACTION_IDS } from '../../src/slack/actionIds.js';
import { approvalDirectMessage } from '../../src/slack/approvalMessage.js';
import { briefCard } from '../../src/slack/briefCard.js';
import { InMemorySlackMessageStore, type SlackMessageRecord, type SlackMessageStore } from '../../src/slack/slackMessageStore.js';
import { missionLoader, SlackProjector } from '../../src/slack/slackProjector.js';
import { createSlackWebClient } from '../../src/slack/slackWebApi.js';
import { PrismaSlackMessageStore } from '../../src/storage/prismaSlackMessageStore.js';
import { openTestDatabase, PROVIDERS } from '../support/databases.js';
import { FakeSlack, type StoredMessage } from '../support/fakeSlack.js';
import { SECURITY_LEAD, SEED_PLAY_1, SEED_POLICY } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

const logger = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ANONYMOUS_TOKEN: Actor = { kind: 'mcp_token', id: 'ci-bot' };

async function setup(
  provider: (typeof PROVIDERS)[number],
  opts: { defaultChannel?: string; approvers?: string[]; wrapStore?: (store: SlackMessageStore) => SlackMessageStore } = {},
) {
  const db = await openTestDatabase(provider);
  const fake = new FakeSlack();
  await fake.start();
  cleanups.push(async () => {
    await fake.stop();
    await db.destroy();
  });
  const clock = new TestClock();
  const service = new MissionService({
    repository: db.missions,
    clock,
    ids: sequentialIds(),
    drafter: deterministicBriefDrafter,
    approvalPolicy: { ...SEED_POLICY, ...(opts.approvers ? { approvers: opts.approvers } : {}) },
  });
  const baseStore = new PrismaSlackMessageStore(db);
  const projector = new SlackProjector({
    loadMission: missionLoader((input) => service.getMission(input)),
    client: createSlackWebClient(fake.token, { slackApiUrl: fake.apiUrl, logger, retryConfig: { retries: 0 } }),
    store: opts.wrapStore ? opts.wrapStore(baseStore) : baseStore,
    clock,
    logger,
    home: { defaultChannel: opts.defaultChannel ?? null },
  });
  const worker = new FeedWorker({ feed: db.feed, clock, logger, consumers: [projector], backoffBaseMs: 1000 });
  return { db, fake, clock, service, projector, worker, store: baseStore };
}

/** An assistant's mission from intent to an open approval request on the seed's critical-risk play (Jordan is excluded from approving it). */
async function assistantMissionAwaitingApproval(service: MissionService, clock: TestClock, actor: Actor = ASSISTANT): Promise<Mission> {
  const started = await service.startMission({ intent: 'Fix the JWT refresh race and add CSRF protection' }, actor);
  const id = started.id;
  await service.lockBrief({ missionId: id }, actor);
  await service.selectToolkits({ missionId: id, toolkits: [{ toolkitId: 'github' }] }, actor);
  await service.recordCoverage({ missionId: id, toolkitId: 'github', status: 'ready', summary: 'Repository inspected read-only' }, actor);
  // No connector is configured here: a person accepts what an assistant reported.
  if (actor.kind !== 'slack_user') await service.acceptReportedCoverage({ missionId: id }, JORDAN);
  await service.confirmToolkits({ missionId: id }, actor);
  const proposed = await service.proposePlays({ missionId: id, plays: [SEED_PLAY_1] }, actor);
  const playId = proposed.plays.find((p) => p.title === SEED_PLAY_1.title)!.id;
  clock.advance(60_000);
  return service.requestApproval({ missionId: id, playId }, actor);
}

const buttonsOf = (message: StoredMessage) => JSON.stringify(message.blocks).match(/"action_id":"[^"]+"/g) ?? [];
const dmsIn = (fake: FakeSlack, channel: string) =>
  [...fake.messages.values()].filter(
    (m) =>
      m.channel === channel &&
      m.threadTs === null &&
      (m.metadata as { event_payload?: { surface?: string } })?.event_payload?.surface?.startsWith('dm:approval:'),
  );

describe.each(PROVIDERS)('assistant-started missions in Slack (%s)', (provider) => {
  it('lives in a DM with the person the token acts for when no default channel is set', async () => {
    const { fake, service, worker } = await setup(provider);
    const mission = await service.startMission({ intent: 'Add retries to the sync job' }, ASSISTANT);
    await worker.runOnce();
    expect(fake.callsTo('conversations.open').map((c) => c.args.users)).toEqual(['U0JORDAN']);
    const posted = [...fake.messages.values()];
    expect(posted.map((m) => ({ channel: m.channel, threadTs: m.threadTs, blocks: m.blocks }))).toEqual([
      { channel: 'D0JORDAN', threadTs: null, blocks: briefCard(mission).blocks },
    ]);
    // Later surfaces go to the card's thread in the same DM.
    await service.lockBrief({ missionId: mission.id }, ASSISTANT);
    await worker.runOnce();
    const replies = [...fake.messages.values()].filter((m) => m.threadTs === posted[0]!.ts);
    expect(replies.map((m) => m.channel)).toEqual(['D0JORDAN']);
  });

  it('lives in SLACK_DEFAULT_CHANNEL when set, and nowhere for a token that acts for nobody without one', async () => {
    const { fake, service, worker } = await setup(provider, { defaultChannel: 'C0DEFAULT' });
    const mission = await service.startMission({ intent: 'Add retries to the sync job' }, ASSISTANT);
    await worker.runOnce();
    expect(fake.callsTo('conversations.open')).toEqual([]);
    expect([...fake.messages.values()].map((m) => ({ channel: m.channel, threadTs: m.threadTs, blocks: m.blocks }))).toEqual([
      { channel: 'C0DEFAULT', threadTs: null, blocks: briefCard(mission).blocks },
    ]);

    const other = await setup(provider);
    await other.service.startMission({ intent: 'Add retries to the sync job' }, ANONYMOUS_TOKEN);
    await other.worker.runOnce();
    expect(other.fake.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
    expect(await other.db.feed.stats('slack', other.clock.now())).toMatchObject({ pending: 0, dead: 0 });
  });

  it('sends each eligible approver one DM with Approve and Reject, and shows the outcome there once decided', async () => {
    const { fake, clock, service, worker } = await setup(provider);
    const requested = await assistantMissionAwaitingApproval(service, clock);
    await worker.runOnce();
    // Jordan requested (through his assistant) a critical-risk play: he is not asked.
    expect(requested.approval!.eligibleApprovers).toEqual([ADVISOR.id, SECURITY_LEAD.id]);
    for (const approver of [ADVISOR, SECURITY_LEAD]) {
      const [dm, ...more] = dmsIn(fake, `D${approver.id.slice(1)}`);
      expect(more).toEqual([]);
      expect(dm!.blocks).toEqual(approvalDirectMessage(requested, requested.approval!.id, { channelId: 'D0JORDAN' }).blocks);
      expect(buttonsOf(dm!)).toEqual([
        `"action_id":"${ACTION_IDS.approvalApprove}"`,
        `"action_id":"${ACTION_IDS.approvalReject}"`,
        `"action_id":"${ACTION_IDS.playView}"`,
      ]);
    }
    expect(dmsIn(fake, 'D0JORDAN')).toEqual([]);
    // The requester's DM thread carries the request too.
    expect([...fake.messages.values()].filter((m) => m.channel === 'D0JORDAN' && m.text.startsWith('Approval needed'))).toHaveLength(1);

    // Re-running delivers nothing twice.
    clock.advance(5_000);
    await service.recordApprovalDenied({ missionId: requested.id, reason: 'not an approver' }, JORDAN);
    await worker.runOnce();
    expect(fake.callsTo('chat.postMessage').filter((c) => String(c.args.channel).startsWith('D0') && c.args.channel !== 'D0JORDAN')).toHaveLength(2);

    clock.advance(5_000);
    await service.decideApproval({ missionId: requested.id, decision: 'approve' }, ADVISOR);
    await service.decideApproval({ missionId: requested.id, decision: 'reject', reason: 'Needs a load test first' }, SECURITY_LEAD);
    await worker.runOnce();
    for (const approver of [ADVISOR, SECURITY_LEAD]) {
      const [dm] = dmsIn(fake, `D${approver.id.slice(1)}`);
      expect(buttonsOf(dm!)).toEqual([]);
      expect(JSON.stringify(dm!.blocks)).toContain('*Rejected* by <@U0SECLEAD>');
      expect(dm!.text).toMatch(/rejected\.$/);
    }
  });

  it('reads the message records once per delivery: the DMs name the thread the same delivery just posted', async () => {
    let lists = 0;
    const { fake, clock, service, worker } = await setup(provider, {
      wrapStore: (store) => ({
        list: (missionId) => {
          lists += 1;
          return store.list(missionId);
        },
        put: (record) => store.put(record),
        putAll: (records) => store.putAll(records),
      }),
    });
    const requested = await assistantMissionAwaitingApproval(service, clock);
    await worker.runOnce();
    expect(lists).toBe(1);
    const [dm] = dmsIn(fake, `D${ADVISOR.id.slice(1)}`);
    expect(dm!.blocks).toEqual(approvalDirectMessage(requested, requested.approval!.id, { channelId: 'D0JORDAN' }).blocks);
  });

  it("DMs the approvers even while the mission's thread cannot be delivered, and skips a person Slack cannot reach", async () => {
    const { fake, clock, service, worker, db } = await setup(provider, { defaultChannel: 'C0DEFAULT', approvers: [ADVISOR.id, SECURITY_LEAD.id, 'U0GONE'] });
    fake.unknownUsers.add('U0GONE');
    const requested = await assistantMissionAwaitingApproval(service, clock);
    expect(requested.approval!.eligibleApprovers).toEqual([ADVISOR.id, SECURITY_LEAD.id, 'U0GONE']);
    // Slack fails the brief card's post: the thread waits for a retry, the approvers do not.
    fake.failNext(1, { status: 500 }, ['chat.postMessage']);
    await worker.runOnce();
    expect([...fake.messages.values()].filter((m) => m.channel === 'C0DEFAULT')).toEqual([]);
    expect(dmsIn(fake, 'D0ADVISOR')).toHaveLength(1);
    expect(dmsIn(fake, 'D0SECLEAD')).toHaveLength(1);
    const gone = await db.prisma.slackMessage.findFirst({ where: { surface: `dm:approval:${requested.approval!.id}:U0GONE` } });
    expect(gone).toMatchObject({ ts: '', contentHash: 'undeliverable:user_not_found' });
    expect(await db.feed.stats('slack', clock.now())).toMatchObject({ dead: 0 });

    const opens = fake.callsTo('conversations.open').filter((c) => c.args.users === 'U0GONE').length;
    clock.advance(3_600_000);
    await worker.runOnce();
    // The retry posts the thread, adds no DM, and does not ask Slack about the unreachable person again.
    expect([...fake.messages.values()].filter((m) => m.channel === 'C0DEFAULT').map((m) => m.text)).toEqual([
      expect.any(String),
      expect.any(String),
      expect.any(String),
      expect.stringMatching(/^Approval needed/),
    ]);
    expect(fake.callsTo('conversations.open').filter((c) => c.args.users === 'U0GONE')).toHaveLength(opens);
    expect(dmsIn(fake, 'D0ADVISOR')).toHaveLength(1);
    expect(dmsIn(fake, 'D0SECLEAD')).toHaveLength(1);
    expect(await db.feed.stats('slack', clock.now())).toMatchObject({ pending: 0, dead: 0 });
  });

  it('still DMs the approvers when the bot is not in SLACK_DEFAULT_CHANNEL, and parks the thread for a person to fix', async () => {
    const { fake, clock, service, worker, db } = await setup(provider, { defaultChannel: 'C0PRIVATE' });
    fake.channelsWithoutBot.add('C0PRIVATE');
    await assistantMissionAwaitingApproval(service, clock);
    await worker.runOnce();
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0PRIVATE').map((c) => c.response?.error)).toEqual([
      'not_in_channel',
    ]);
    expect(dmsIn(fake, 'D0ADVISOR')).toHaveLength(1);
    expect(dmsIn(fake, 'D0SECLEAD')).toHaveLength(1);
    // Retrying cannot help until someone invites the bot: the delivery is parked (feed retry re-drives it).
    expect(await db.feed.stats('slack', clock.now())).toMatchObject({ dead: 1 });
  });

  it('posts one DM per approver when the process dies between Slack accepting it and recording it', async () => {
    let crashOnce = true;
    const { fake, clock, service, worker } = await setup(provider, {
      wrapStore: (store) => ({
        list: (missionId) => store.list(missionId),
        async put(record: SlackMessageRecord) {
          // Slack has the DM, but the process dies before its ts is stored.
          if (crashOnce && record.surface.startsWith('dm:') && record.ts !== '') {
            crashOnce = false;
            throw new Error('process died');
          }
          await store.put(record);
        },
        putAll: (records) => store.putAll(records),
      }),
    });
    await assistantMissionAwaitingApproval(service, clock);
    await worker.runOnce();
    clock.advance(60_000);
    await worker.runOnce();
    expect(crashOnce).toBe(false);
    expect(dmsIn(fake, 'D0ADVISOR')).toHaveLength(1);
    expect(dmsIn(fake, 'D0SECLEAD')).toHaveLength(1);
    expect(fake.callsTo('conversations.history').length).toBeGreaterThan(0);
  });

  it('with no approvers, DMs nobody and tells the requester approvers are needed', async () => {
    const { fake, clock, service } = await setup(provider, { approvers: [] });
    const mission = await service.startMission({ intent: 'Add retries to the sync job' }, ASSISTANT);
    // The stored policy (another change) lets such a request wait; here the request is shaped as it will be.
    const requested: Mission = {
      ...mission,
      approval: {
        id: 'apr_1',
        playId: 'play_x',
        riskLevel: 'low',
        required: 1,
        eligibleApprovers: [],
        requestedBy: ASSISTANT,
        requestedAt: clock.now().toISOString(),
        expiresAt: clock.now().toISOString(),
        status: 'requested',
        decisions: [],
        decidedAt: null,
        note: null,
      },
    };
    const projector = new SlackProjector({
      loadMission: async () => requested,
      client: createSlackWebClient(fake.token, { slackApiUrl: fake.apiUrl, logger, retryConfig: { retries: 0 } }),
      store: new InMemorySlackMessageStore(),
      clock,
      logger,
    });
    await projector.project(mission.id);
    expect(fake.callsTo('conversations.open').map((c) => c.args.users)).toEqual(['U0JORDAN']);
    const inDm = [...fake.messages.values()].filter((m) => m.channel === 'D0JORDAN');
    expect(inDm).toHaveLength(2);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.args.channel !== 'D0JORDAN')).toEqual([]);
    expect(JSON.stringify(inDm[1]!.blocks)).toMatch(/nobody can approve low-risk plays yet/i);
  });
});
