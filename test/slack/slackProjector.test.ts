// The `slack` feed consumer on its own: a test clock, the real feed and FeedWorker, and the
// fake Web API. Coalescing is checked deterministically here (the HTTP tests check it in real time).
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import { FeedWorker } from '../../src/feedWorker.js';
import { briefCard } from '../../src/slack/briefCard.js';
import { executionStatus } from '../../src/slack/executionStatus.js';
import { alertMessage } from '../../src/slack/alertMessage.js';
import type { Mission } from '../../src/domain/mission.js';
import { SEED_PHASES } from '../../src/demo/seedMission.js';
import { RECENT_HISTORY } from '../../src/domain/execution.js';
import { contentHash, DEFAULT_PROGRESS_EDIT_MS, missionLoader, SlackProjector, surfacesOf } from '../../src/slack/slackProjector.js';
import { createSlackWebClient, SlackDeliveryError } from '../../src/slack/slackWebApi.js';
import { PrismaSlackMessageStore } from '../../src/storage/prismaSlackMessageStore.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { FakeSlack } from '../support/fakeSlack.js';
import { SEED_POLICY, seedToApprovalRequested } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

const logger = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Posts and edits: what Slack's rate limits and the economy target count. */
function slackWrites(fake: FakeSlack) {
  return fake.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');
}

/** The message in the fake showing exactly the status of `mission`, if Slack shows it. */
function statusMessage(fake: FakeSlack, mission: Mission) {
  const blocks = JSON.stringify(executionStatus(mission).blocks);
  return [...fake.messages.values()].find((m) => JSON.stringify(m.blocks) === blocks);
}

async function setup(provider: (typeof PROVIDERS)[number]) {
  const db: TestDatabase = await openTestDatabase(provider);
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
    approvalPolicy: { ...SEED_POLICY, requiredApprovals: { ...SEED_POLICY.requiredApprovals, critical: 1 } },
  });
  const projector = new SlackProjector({
    loadMission: missionLoader((input) => service.getMission(input)),
    client: createSlackWebClient(fake.token, { slackApiUrl: fake.apiUrl, logger, retryConfig: { retries: 0 } }),
    store: new PrismaSlackMessageStore(db),
    clock,
    logger,
  });
  const worker = new FeedWorker({ feed: db.feed, clock, logger, consumers: [projector], backoffBaseMs: 1000 });
  return { db, fake, clock, service, projector, worker };
}

describe.each(PROVIDERS)('SlackProjector (%s)', (provider) => {
  it('posts each surface once, in thread order, and edits only what changed', async () => {
    const { fake, clock, service, worker } = await setup(provider);
    const mission = await seedToApprovalRequested(service, clock);
    await worker.runOnce();
    const allPosts = fake.callsTo('chat.postMessage');
    const posts = allPosts.filter((p) => p.args.channel === 'C0MISSIONS');
    expect(posts.map((p) => JSON.stringify(p.args.blocks))).toEqual(surfacesOf(mission).map((s) => JSON.stringify(s.render().blocks)));
    expect(posts.every((p) => p.args.thread_ts === mission.threadTs)).toBe(true);
    // Besides the thread, each eligible approver got the request directly.
    expect(allPosts.filter((p) => p.args.channel !== 'C0MISSIONS').map((p) => p.args.channel)).toEqual(['D0ADVISOR', 'D0SECLEAD']);
    expect(fake.callsTo('chat.update')).toEqual([]);
    // Nothing changed: another pass makes no call at all.
    await service.recordApprovalDenied({ missionId: mission.id, reason: 'not an approver' }, JORDAN);
    clock.advance(5000);
    await worker.runOnce();
    expect(fake.calls.filter((c) => c.method.startsWith('chat.'))).toHaveLength(allPosts.length);
  });

  it('coalesces a burst of progress into one edit showing the latest state', async () => {
    const { fake, clock, service, worker } = await setup(provider);
    const requested = await seedToApprovalRequested(service, clock);
    await service.decideApproval({ missionId: requested.id, decision: 'approve' }, ADVISOR);
    await service.reportProgress({ missionId: requested.id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
    await worker.runOnce();
    clock.advance(2000);
    for (let i = 1; i <= 100; i++) {
      await service.reportProgress(
        { missionId: requested.id, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId: 'write_tests', durationMs: i, counts: { iteration: i } },
        ASSISTANT,
      );
      await worker.runOnce();
      clock.advance(15); // 100 reports in 1.5 s
    }
    expect(fake.callsTo('chat.update')).toEqual([]);
    // The feed was told when to come back: the progress interval after the status was posted.
    clock.advance(DEFAULT_PROGRESS_EDIT_MS);
    await worker.runOnce();
    const final = await service.getMission({ missionId: requested.id });
    const statusTs = [...fake.messages.values()].find((m) => JSON.stringify(m.blocks) === JSON.stringify(executionStatus(final).blocks))?.ts;
    expect(statusTs).toBeDefined();
    expect(fake.callsTo('chat.update').filter((c) => c.args.ts === statusTs)).toHaveLength(1);
  });

  it('costs at most 15 Slack calls for 100 progress reports one a second (steps, test runs, model spend), and the last report shows', async () => {
    const { fake, clock, service, worker } = await setup(provider);
    const requested = await seedToApprovalRequested(service, clock);
    await service.decideApproval({ missionId: requested.id, decision: 'approve' }, ADVISOR);
    await service.reportProgress({ missionId: requested.id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
    await worker.runOnce();
    const before = slackWrites(fake).length;
    for (let i = 1; i <= 100; i++) {
      clock.advance(1000);
      const report =
        i % 12 === 6
          ? { kind: 'usage' as const, model: 'claude-sonnet-4-5', inputTokens: 12_000, outputTokens: 3_400, costUsd: 0.087 }
          : i % 3 === 0
            ? { kind: 'test_run' as const, phaseId: 'jwt_refresh_fix', total: 100 + i, passing: 100 + i, coverage: 0.8, suite: 'vitest' }
            : { kind: 'step_completed' as const, phaseId: 'jwt_refresh_fix', stepId: 'write_tests', durationMs: 1000, counts: { tests_added: i } };
      await service.reportProgress({ missionId: requested.id, ...report }, ASSISTANT);
      await worker.runOnce();
    }
    // Reports stop: the last state arrives when the feed calls back, within the progress interval.
    clock.advance(DEFAULT_PROGRESS_EDIT_MS);
    await worker.runOnce();
    const writes = slackWrites(fake).slice(before);
    expect(writes.length).toBeLessThanOrEqual(15);
    expect(writes.length).toBeGreaterThanOrEqual(5);
    const final = await service.getMission({ missionId: requested.id });
    const status = statusMessage(fake, final);
    expect(status).toBeDefined();
    expect(status!.text).toContain('199/199 tests passing'); // the last test run (report 99)
    expect(JSON.stringify(status!.blocks)).toContain('tests added 100');
    // The brief card shows the model spend (a progress change too) as of the last usage report.
    expect(final.models!.total.calls).toBe(8);
    expect([...fake.messages.values()].some((m) => JSON.stringify(m.blocks) === JSON.stringify(briefCard(final).blocks))).toBe(true);
    // Nothing is left to send.
    clock.advance(60_000);
    await worker.runOnce();
    expect(slackWrites(fake).length).toBe(before + writes.length);
  });

  it('shows a completed phase and a raised review alert within a second, even right after a progress edit', async () => {
    const { fake, clock, service, worker } = await setup(provider);
    const requested = await seedToApprovalRequested(service, clock);
    const missionId = requested.id;
    await service.decideApproval({ missionId, decision: 'approve' }, ADVISOR);
    await service.reportProgress({ missionId, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
    await worker.runOnce();
    const [phase] = SEED_PHASES;
    for (const [stepId, durationMs, counts] of phase!.steps) {
      clock.advance(DEFAULT_PROGRESS_EDIT_MS);
      await service.reportProgress({ missionId, kind: 'step_completed', phaseId: phase!.phaseId, stepId, durationMs, counts: counts ?? {} }, ASSISTANT);
      await worker.runOnce();
    }
    clock.advance(DEFAULT_PROGRESS_EDIT_MS);
    await service.reportProgress(
      { missionId, kind: 'test_run', phaseId: phase!.phaseId, total: 139, passing: 139, coverage: 0.87, suite: 'vitest' },
      ASSISTANT,
    );
    await worker.runOnce();
    const progressEdited = await service.getMission({ missionId });
    expect(statusMessage(fake, progressEdited)).toBeDefined();

    // One second after that progress edit, the phase completes: shown at once, not after the progress interval.
    clock.advance(1000);
    const completed = await service.reportProgress({ missionId, kind: 'phase_completed', phaseId: phase!.phaseId }, ASSISTANT);
    await worker.runOnce();
    expect(completed.execution!.phases[0]!.status).toBe('completed');
    expect(statusMessage(fake, completed)).toBeDefined();

    // A second later the assistant raises a review alert: its own message is posted and the status shows it waiting, at once.
    clock.advance(1000);
    await service.reportProgress({ missionId, kind: 'phase_started', phaseId: 'token_revocation' }, ASSISTANT);
    const raised = await service.reportProgress(
      { missionId, kind: 'validator_alert', phaseId: 'token_revocation', type: 'review_required', severity: 'high', description: 'Revocation list unbounded' },
      ASSISTANT,
    );
    await worker.runOnce();
    expect(statusMessage(fake, raised)).toBeDefined();
    const alert = raised.execution!.alerts.at(-1)!;
    expect([...fake.messages.values()].some((m) => JSON.stringify(m.blocks) === JSON.stringify(alertMessage(raised, alert.id).blocks))).toBe(true);

    // A step right after the alert only moves progress along: it waits, and arrives when the feed calls back.
    clock.advance(1000);
    const stepped = await service.reportProgress(
      { missionId, kind: 'step_completed', phaseId: 'token_revocation', stepId: 'create_migration', durationMs: 8400, counts: {} },
      ASSISTANT,
    );
    await worker.runOnce();
    expect(statusMessage(fake, stepped)).toBeUndefined();
    clock.advance(DEFAULT_PROGRESS_EDIT_MS);
    await worker.runOnce();
    expect(statusMessage(fake, stepped)).toBeDefined();
  });

  it('leaves the message of a decided alert that left the mission window as it was: not posted again, not edited', async () => {
    const { fake, clock, service, worker } = await setup(provider);
    const requested = await seedToApprovalRequested(service, clock);
    const missionId = requested.id;
    await service.decideApproval({ missionId, decision: 'approve' }, ADVISOR);
    await service.reportProgress({ missionId, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
    const raised = await service.reportProgress(
      { missionId, kind: 'validator_alert', phaseId: 'jwt_refresh_fix', type: 'review_required', severity: 'low', description: 'Check the retry header' },
      ASSISTANT,
    );
    const alertId = raised.execution!.alerts.at(-1)!.id;
    await worker.runOnce();
    clock.advance(2000);
    const decided = await service.resolveAlert({ missionId, alertId, outcome: 'accepted', note: 'Looked fine' }, JORDAN);
    await worker.runOnce();
    const final = JSON.stringify(alertMessage(decided, alertId).blocks);
    const shown = [...fake.messages.values()].find((m) => JSON.stringify(m.blocks) === final);
    expect(shown).toBeDefined();
    const writesToAlert = () => slackWrites(fake).filter((c) => c.args.ts === shown!.ts || String(c.args.text ?? '').includes('Check the retry header'));
    const before = writesToAlert().length;

    for (let i = 0; i <= RECENT_HISTORY; i++) {
      clock.advance(1000);
      await service.reportProgress(
        { missionId, kind: 'validator_alert', phaseId: 'jwt_refresh_fix', type: 'auto_fix', severity: 'low', description: `Lint ${i}` },
        ASSISTANT,
      );
    }
    const later = await service.getMission({ missionId });
    expect(later.execution!.alerts.some((a) => a.id === alertId)).toBe(false);
    clock.advance(DEFAULT_PROGRESS_EDIT_MS);
    await worker.runOnce();
    expect(writesToAlert()).toHaveLength(before);
    expect(JSON.stringify(fake.messages.get(shown!.ts)?.blocks ?? shown!.blocks)).toBe(final);
  });

  it('hands a long Retry-After back to the feed, and posts nothing for a mission with no home in Slack', async () => {
    const { fake, service, projector } = await setup(provider);
    const mission = await service.startMission({ intent: 'Fix the flaky login test', channelId: 'C0MISSIONS' }, JORDAN);
    fake.failNext(1, { status: 429, retryAfter: 30 });
    const error = await projector.project(mission.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackDeliveryError);
    expect((error as SlackDeliveryError).retryAfterMs).toBe(30_000);
    expect(fake.messages.size).toBe(0);
    await projector.project(mission.id);
    expect([...fake.messages.values()].map((m) => m.blocks)).toEqual([briefCard(mission).blocks]);

    // No channel, a token acting for nobody, no SLACK_DEFAULT_CHANNEL: no thread anywhere.
    const overMcp = await service.startMission({ intent: 'Add retries to the sync job' }, { kind: 'mcp_token', id: 'ci-bot' });
    const calls = fake.calls.length;
    await expect(projector.project(overMcp.id)).resolves.toBeUndefined();
    expect(fake.calls.length).toBe(calls);
  });

  it('two instances taking turns on a mission: each shows what the other posted, and one delivering claim after claim reads the records once', async () => {
    const { db, fake, clock, service } = await setup(provider);
    // Each instance: its own projector and worker on the same feed and tables, counting record reads.
    const instance = () => {
      const store = new PrismaSlackMessageStore(db);
      const reads = { count: 0 };
      const counted = {
        list: (id: string) => {
          reads.count++;
          return store.list(id);
        },
        put: (r: Parameters<typeof store.put>[0]) => store.put(r),
        putAll: (rs: Parameters<typeof store.putAll>[0]) => store.putAll(rs),
      };
      const projector = new SlackProjector({
        loadMission: missionLoader((input) => service.getMission(input)),
        client: createSlackWebClient(fake.token, { slackApiUrl: fake.apiUrl, logger, retryConfig: { retries: 0 } }),
        store: counted,
        clock,
        logger,
      });
      return { reads, worker: new FeedWorker({ feed: db.feed, clock, logger, consumers: [projector] }) };
    };
    const a = instance();
    const b = instance();
    const requested = await seedToApprovalRequested(service, clock);
    expect(await a.worker.runOnce()).toBe(1);
    // Approved: B delivers it and posts the run instructions and the status under the thread.
    await service.decideApproval({ missionId: requested.id, decision: 'approve' }, ADVISOR);
    clock.advance(60_000);
    expect(await b.worker.runOnce()).toBe(1);
    expect(b.reads.count).toBe(1);
    const postsAfterB = fake.callsTo('chat.postMessage').length;
    // A's next delivery must not trust its own copy from before B's: it reads, and posts nothing again.
    await service.reportProgress({ missionId: requested.id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
    clock.advance(60_000);
    expect(await a.worker.runOnce()).toBe(1);
    expect(a.reads.count).toBe(2);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(postsAfterB);
    // Claim after claim on A alone: no read, and Slack still shows each report.
    for (let i = 1; i <= 3; i++) {
      await service.reportProgress(
        { missionId: requested.id, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId: 'write_tests', durationMs: i },
        ASSISTANT,
      );
      clock.advance(60_000);
      expect(await a.worker.runOnce()).toBe(1);
      expect(statusMessage(fake, await service.getMission({ missionId: requested.id }))).toBeDefined();
    }
    expect(a.reads.count).toBe(2);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(postsAfterB);
    // Back to B: its copy is three claims old, so it reads before it edits.
    await service.reportProgress(
      { missionId: requested.id, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId: 'write_tests', durationMs: 9 },
      ASSISTANT,
    );
    clock.advance(60_000);
    expect(await b.worker.runOnce()).toBe(1);
    expect(b.reads.count).toBe(2);
    expect(statusMessage(fake, await service.getMission({ missionId: requested.id }))).toBeDefined();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(postsAfterB);
  });

  it("writes a round's edit records together once the round ends; when that write fails, the next delivery edits again from what is stored", async () => {
    const { db, fake, clock, service } = await setup(provider);
    const store = new PrismaSlackMessageStore(db);
    const calls = { list: 0, put: 0, putAll: [] as number[] };
    let failWrite = false;
    const projector = new SlackProjector({
      loadMission: missionLoader((input) => service.getMission(input)),
      client: createSlackWebClient(fake.token, { slackApiUrl: fake.apiUrl, logger, retryConfig: { retries: 0 } }),
      store: {
        list: (id) => {
          calls.list++;
          return store.list(id);
        },
        put: (record) => {
          calls.put++;
          return store.put(record);
        },
        putAll: async (records) => {
          calls.putAll.push(records.length);
          if (failWrite) throw new Error('disk full');
          await store.putAll(records);
        },
      },
      clock,
      logger,
    });
    const worker = new FeedWorker({ feed: db.feed, clock, logger, consumers: [projector] });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const requested = await seedToApprovalRequested(service, clock);
      await service.decideApproval({ missionId: requested.id, decision: 'approve' }, ADVISOR);
      await service.reportProgress({ missionId: requested.id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
      ids.push(requested.id);
    }
    await worker.runOnce();
    const step = async (durationMs: number) => {
      for (const missionId of ids)
        await service.reportProgress({ missionId, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId: 'write_tests', durationMs }, ASSISTANT);
      clock.advance(60_000);
    };
    /** The status records as stored, against the status each mission shows now. */
    const storedStatus = async () =>
      Promise.all(
        ids.map(async (missionId) => {
          const record = (await store.list(missionId)).find((r) => r.surface === 'status');
          return record?.contentHash === contentHash(executionStatus(await service.getMission({ missionId })));
        }),
      );

    // Both statuses edited in one round: their records written by one putAll, none one by one.
    await step(1);
    const [puts, updates] = [calls.put, fake.callsTo('chat.update').length];
    expect(await worker.runOnce()).toBe(2);
    expect(fake.callsTo('chat.update')).toHaveLength(updates + 2);
    expect(calls.put).toBe(puts);
    expect(calls.putAll.at(-1)).toBe(2);
    expect(await storedStatus()).toEqual([true, true]);
    for (const missionId of ids) expect(statusMessage(fake, await service.getMission({ missionId }))).toBeDefined();

    // The write fails: Slack shows the edits, the records do not, and the deliveries stay unsettled.
    failWrite = true;
    await step(2);
    const reads = calls.list;
    expect(await worker.runOnce()).toBe(2);
    expect(await storedStatus()).toEqual([false, false]);
    expect(await db.feed.stats('slack', clock.now())).toMatchObject({ pending: 2, dead: 0 });
    // Once the leases end: each delivery reads what is stored (not its own copy) and edits the status to match it.
    failWrite = false;
    clock.advance(30_001);
    expect(await worker.runOnce()).toBe(2);
    expect(calls.list).toBe(reads + 2);
    expect(await storedStatus()).toEqual([true, true]);
    expect(await db.feed.stats('slack', clock.now())).toMatchObject({ pending: 0, dead: 0 });
    for (const missionId of ids) expect(statusMessage(fake, await service.getMission({ missionId }))).toBeDefined();
  });

  it('posts a message again when it was deleted in Slack', async () => {
    const { fake, clock, service, projector } = await setup(provider);
    const mission = await service.startMission({ intent: 'Fix the flaky login test', channelId: 'C0MISSIONS' }, JORDAN);
    await projector.project(mission.id);
    const [first] = fake.messages.keys();
    fake.messages.delete(first!);
    clock.advance(2000);
    const locked = await service.lockBrief({ missionId: mission.id }, JORDAN);
    await projector.project(mission.id);
    const brief = [...fake.messages.values()].find((m) => m.threadTs === null)!;
    expect(brief.ts).not.toBe(first);
    expect(brief.blocks).toEqual(briefCard(locked).blocks);
    // The toolkits message joins the new card's thread.
    expect([...fake.messages.values()].filter((m) => m.threadTs === brief.ts)).toHaveLength(1);
  });
});
