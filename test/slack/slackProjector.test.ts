// The `slack` feed consumer on its own: a test clock, the real feed and FeedWorker, and the
// fake Web API. Coalescing is checked deterministically here (the HTTP tests check it in real time).
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import { FeedWorker } from '../../src/feedWorker.js';
import { briefCard } from '../../src/slack/briefCard.js';
import { executionStatus } from '../../src/slack/executionStatus.js';
import { missionLoader, SlackProjector, surfacesOf } from '../../src/slack/slackProjector.js';
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

  it('coalesces edits of one message to one per second, latest state winning', async () => {
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
    clock.advance(1000);
    await worker.runOnce();
    const final = await service.getMission({ missionId: requested.id });
    const statusTs = [...fake.messages.values()].find((m) => JSON.stringify(m.blocks) === JSON.stringify(executionStatus(final).blocks))?.ts;
    expect(statusTs).toBeDefined();
    const edits = fake.callsTo('chat.update').filter((c) => c.args.ts === statusTs);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    expect(edits.length).toBeLessThanOrEqual(3);
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
