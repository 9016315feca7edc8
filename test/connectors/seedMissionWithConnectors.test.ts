// Seed 000 through the service with the real connectors against msw: Prepare's coverage comes
// from the GitHub and Linear inspectors, PR #47's checks and review (read by the GitHub
// connector) open the final gate, and the two follow-ups are filed in Linear by the `trackers`
// feed consumer, surviving a Linear outage without loss or duplicates.
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import { GitHubApi } from '../../src/connectors/github/githubApi.js';
import { attachPullRequestEvidence } from '../../src/connectors/github/pullRequestEvidence.js';
import { GitHubPullRequestReader } from '../../src/connectors/github/pullRequestReader.js';
import { GitHubRepositoryInspector } from '../../src/connectors/github/repositoryInspector.js';
import { LinearApi } from '../../src/connectors/linear/linearApi.js';
import { LinearTracker } from '../../src/connectors/linear/linearTracker.js';
import { ClosePullRequestStep } from '../../src/connectors/github/closePullRequestStep.js';
import { rollbackWithConnectors } from '../../src/connectors/rollback.js';
import { TrackerSync } from '../../src/connectors/trackerSync.js';
import { FeedWorker } from '../../src/feedWorker.js';
import { refusal } from '../support/refusal.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { SECURITY_LEAD, SEED_PLAY_1, SEED_POLICY, signOffTruths, executeSeedPhases } from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN, SEED_INTENT } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';
import { checkRun, fakeGitHubHandlers, fakeGitHubState, GITHUB_API, OWNER, REPO, type FakeGitHubState } from './fakeGitHub.js';
import { fakeLinearHandlers, fakeLinearState, LINEAR_API, linear, linearError, type FakeLinearState } from './fakeLinear.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const MINUTE = 60_000;
const fast = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, budgetMs: 1_000 };

describe.each(PROVIDERS)('seed 000 with the GitHub and Linear connectors on %s', (provider) => {
  let db: TestDatabase;
  let clock: TestClock;
  let service: MissionService;
  let github: FakeGitHubState;
  let linearState: FakeLinearState;
  let reader: GitHubPullRequestReader;
  let worker: FeedWorker;
  let closePr: ClosePullRequestStep;

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    clock = new TestClock('2025-10-15T09:47:00.000Z');
    github = fakeGitHubState();
    linearState = fakeLinearState();
    server.use(...fakeGitHubHandlers(github), ...fakeLinearHandlers(linearState));
    const githubApi = new GitHubApi({ token: 'ghp_test', baseUrl: GITHUB_API, retry: fast });
    const linearTracker = new LinearTracker({ api: new LinearApi({ apiKey: 'lin_api_test', apiUrl: LINEAR_API, retry: fast }), teamKey: 'ENG' });
    reader = new GitHubPullRequestReader(githubApi, { owner: OWNER, repo: REPO });
    closePr = new ClosePullRequestStep(githubApi, { owner: OWNER, repo: REPO });
    service = new MissionService({
      repository: db.missions,
      clock,
      ids: sequentialIds(),
      drafter: deterministicBriefDrafter,
      approvalPolicy: SEED_POLICY,
      inspectors: [new GitHubRepositoryInspector({ api: githubApi, defaultRepository: { owner: OWNER, repo: REPO } }), linearTracker],
    });
    const logger = pino({ level: 'silent' });
    const trackers = new TrackerSync({ service, trackers: { linear: linearTracker }, linkedIssues: linearTracker, logger });
    worker = new FeedWorker({ feed: db.feed, clock, logger, consumers: [trackers], owner: 'test-worker', backoffBaseMs: 1_000, backoffMaxMs: 60_000 });
  });
  afterEach(async () => {
    await worker.stop();
    await db.destroy();
  });

  it('Prepare shows repository coverage, PR checks and review open the gate, follow-ups land in Linear', async () => {
    // Define: the seed's intent, with the Linear issue the team tracks the work in.
    let mission = await service.startMission({ intent: `${SEED_INTENT}\nTracked in Linear ENG-123`, channelId: 'C0MISSIONS' }, JORDAN);
    const id = mission.id;
    // Inspectors see the brief (not the raw intent), so Jordan names the issue in the scope chip.
    const scope = mission.brief.chips.find((c) => c.kind === 'scope')!.items;
    await service.editChip({ missionId: id, kind: 'scope', items: [...scope, 'Tracked in Linear ENG-123'] }, JORDAN);
    await service.lockBrief({ missionId: id }, JORDAN);
    await service.selectToolkits({ missionId: id, toolkits: [{ toolkitId: 'github' }, { toolkitId: 'linear' }] }, JORDAN);

    // Prepare: "Inspect Codebase Coverage" runs the connectors' read-only inspections.
    mission = await service.inspectCoverage({ missionId: id }, JORDAN);
    const [githubCoverage, linearCoverage] = mission.coverage.entries;
    expect(githubCoverage).toMatchObject({
      toolkitId: 'github',
      status: 'ready',
      metrics: { repository: 'jordan-nakamura/legaltech-mvp', required_reviews: 2, test_files: 127, dependencies: 11 },
    });
    expect(githubCoverage!.metrics.files_analyzed).toBeGreaterThan(0);
    expect(githubCoverage!.summary).toContain('default branch main protected (2 required reviews, required checks: ci / test, ci / typecheck)');
    expect(linearCoverage).toMatchObject({
      toolkitId: 'linear',
      status: 'ready',
      summary: 'Team ENG (Engineering) found; follow-ups can be filed; linked issue ENG-123 is Todo.',
    });
    const previews = (await service.events({ missionId: id })).filter((e) => e.type === 'data_preview_generated');
    expect(previews.map((e) => (e.payload as { source: string }).source)).toEqual(['github', 'linear']);
    expect(github.requests.every((r) => r.startsWith('GET '))).toBe(true);
    await service.confirmToolkits({ missionId: id }, JORDAN);

    // Plan & Approve.
    const proposed = await service.proposePlays({ missionId: id, plays: [SEED_PLAY_1] }, ASSISTANT);
    await service.selectPlay({ missionId: id, playId: proposed.plays.find((p) => p.title === SEED_PLAY_1.title)!.id }, JORDAN);
    await service.requestApproval({ missionId: id }, JORDAN);
    await service.decideApproval({ missionId: id, decision: 'approve' }, ADVISOR);
    await service.decideApproval({ missionId: id, decision: 'approve' }, SECURITY_LEAD);

    // The feed moves the linked issue as the mission moves.
    await worker.runOnce();
    expect(linearState.issues[0]).toMatchObject({ identifier: 'ENG-123', stateId: 'st-progress' });

    // Execute: five phases, then PR #47.
    await executeSeedPhases(service, clock, id);
    const noEvidence = await refusal(service.completeMission({ missionId: id }, ASSISTANT));
    expect(noEvidence.message).toContain('Code review approved');

    // While CI runs, nothing is attached (a pending check would hold the gate shut for good).
    const running = github.checkRuns;
    github.checkRuns = [checkRun('ci / test', null, 'in_progress'), ...running.slice(1)];
    const pending = await attachPullRequestEvidence(service, reader, {
      missionId: id,
      pullRequest: 'https://github.com/jordan-nakamura/legaltech-mvp/pull/47',
      phaseId: 'testing_deployment',
    });
    expect(pending).toMatchObject({ attached: false, reason: expect.stringContaining('ci / test') });
    github.checkRuns = running;
    const linked = await attachPullRequestEvidence(service, reader, {
      missionId: id,
      pullRequest: 'https://github.com/jordan-nakamura/legaltech-mvp/pull/47',
      phaseId: 'testing_deployment',
    });
    expect(linked.attached).toBe(true);
    if (!linked.attached) throw new Error('unreachable');
    expect(linked.artifact).toMatchObject({
      name: 'GitHub Pull Request #47',
      kind: 'link',
      url: 'https://github.com/jordan-nakamura/legaltech-mvp/pull/47',
      review: { state: 'approved', reviewer: 'advisor_001' },
      attachedBy: { kind: 'system', id: 'github-connector' },
    });
    // The same snapshot again is not a second artifact.
    const again = await attachPullRequestEvidence(service, reader, { missionId: id, pullRequest: '#47' });
    expect(again.attached && again.artifact.id).toBe(linked.artifact.id);

    clock.advance(6 * MINUTE);
    await signOffTruths(service, id);
    const completed = await service.completeMission({ missionId: id }, ASSISTANT);
    expect(completed.state).toBe('reflecting');
    expect(completed.execution!.finalGate!.checks.filter((c) => ['code_review', 'ci_checks'].includes(c.id)).map((c) => [c.id, c.passed, c.detail])).toEqual([
      ['code_review', true, 'approved by advisor_001 (GitHub Pull Request #47)'],
      ['ci_checks', true, '3 checks passing, as GitHub reported'],
    ]);

    // Reflect: two follow-ups while Linear is down. They stay queued on the mission.
    await service.submitFeedback({ missionId: id, rating: 5, effortSavedHours: 14 }, JORDAN);
    await service.addFollowUp({ missionId: id, title: 'Add rate limiting to login endpoint', priority: 'medium' }, JORDAN);
    await service.addFollowUp({ missionId: id, title: 'Document revocation cleanup job in README', priority: 'low' }, ASSISTANT);
    server.use(
      linear.query('FollowUpIssueByKey', () =>
        HttpResponse.json(linearError('internal error', 'INTERNAL_SERVER_ERROR', 'Internal server error', 'Something went wrong.', 500), { status: 500 }),
      ),
      linear.query('LinkedIssue', () =>
        HttpResponse.json(linearError('internal error', 'INTERNAL_SERVER_ERROR', 'Internal server error', 'Something went wrong.', 500), { status: 503 }),
      ),
    );
    await worker.runOnce();
    mission = await service.getMission({ missionId: id });
    expect(mission.reflection.followUps.map((f) => f.externalId)).toEqual([null, null]);
    expect(await db.feed.stats('trackers', clock.now())).toMatchObject({ pending: 1, dead: 0 });
    expect(linearState.issues).toHaveLength(1);
    // The mission says Linear is degraded, once, however many retries fail.
    expect(mission.toolkits.find((t) => t.toolkitId === 'linear')!.authStatus).toBe('degraded');
    clock.advance(2 * MINUTE);
    await worker.runOnce();
    const outage = (await service.events({ missionId: id })).filter((e) => e.type === 'connector_call_failed');
    expect(outage.map((e) => [e.actor.id, (e.payload as { toolkit_id: string }).toolkit_id])).toEqual([['linear-connector', 'linear']]);

    // Linear answers again; the retry comes after the backoff.
    server.resetHandlers(...fakeGitHubHandlers(github), ...fakeLinearHandlers(linearState));
    clock.advance(2 * MINUTE);
    await worker.runOnce();
    mission = await service.getMission({ missionId: id });
    expect(mission.toolkits.find((t) => t.toolkitId === 'linear')!.authStatus).toBe('ready');
    expect(mission.reflection.followUps.map((f) => [f.title, f.tracker, f.externalId, f.url])).toEqual([
      ['Add rate limiting to login endpoint', 'linear', 'ENG-124', 'https://linear.app/legaltech/issue/ENG-124/add-rate-limiting-to-login-endpoint'],
      ['Document revocation cleanup job in README', 'linear', 'ENG-125', 'https://linear.app/legaltech/issue/ENG-125/document-revocation-cleanup-job-in-readm'],
    ]);
    expect(linearState.issues.map((i) => [i.identifier, i.priority])).toEqual([
      ['ENG-123', 1],
      ['ENG-124', 3],
      ['ENG-125', 4],
    ]);
    expect(linearState.issues[0]!.stateId).toBe('st-review');
    const created = (await service.events({ missionId: id })).filter((e) => e.type === 'follow_up_issue_created');
    expect(created.map((e) => [(e.payload as { issue_id: string }).issue_id, e.actor])).toEqual([
      ['ENG-124', { kind: 'system', id: 'linear-connector' }],
      ['ENG-125', { kind: 'system', id: 'linear-connector' }],
    ]);

    // Handling the mission again files nothing twice; closing it moves the linked issue to Done.
    await service.submitRetrospective({ missionId: id, wentWell: ['Phased approach'], toImprove: [] }, JORDAN);
    await worker.runOnce();
    expect(linearState.issues).toHaveLength(3);
    expect(linearState.issues[0]!.stateId).toBe('st-done');
    expect(await db.feed.stats('trackers', clock.now())).toMatchObject({ pending: 0, dead: 0 });
  });

  it('a person’s rollback closes the PR and deletes its branch, and leaves the other undo steps to people', async () => {
    let mission = await service.startMission({ intent: SEED_INTENT, channelId: 'C0MISSIONS' }, JORDAN);
    const id = mission.id;
    await service.lockBrief({ missionId: id }, JORDAN);
    await service.selectToolkits({ missionId: id, toolkits: [{ toolkitId: 'github' }, { toolkitId: 'linear' }] }, JORDAN);
    await service.inspectCoverage({ missionId: id }, JORDAN);
    await service.confirmToolkits({ missionId: id }, JORDAN);
    const proposed = await service.proposePlays({ missionId: id, plays: [SEED_PLAY_1] }, ASSISTANT);
    await service.selectPlay({ missionId: id, playId: proposed.plays.find((p) => p.title === SEED_PLAY_1.title)!.id }, JORDAN);
    await service.requestApproval({ missionId: id }, JORDAN);
    await service.decideApproval({ missionId: id, decision: 'approve' }, ADVISOR);
    await service.decideApproval({ missionId: id, decision: 'approve' }, SECURITY_LEAD);
    await attachPullRequestEvidence(service, reader, { missionId: id, pullRequest: '#47' });

    mission = await rollbackWithConnectors(service, [closePr], { missionId: id, reason: 'Preview QA found logouts' }, JORDAN);
    expect(mission.state).toBe('rolled_back');
    expect(mission.execution!.undo.stepsRun.map((s) => [s.step, s.outcome])).toEqual([
      ['Close PR and delete branch', 'done'],
      ['Disable feature flags', 'manual'],
      ['Revert migrations if schema changed', 'manual'],
      ['Rollback Vercel deployment to previous version', 'manual'],
    ]);
    expect(github.pullState).toBe('closed');
    expect(github.deletedRefs).toEqual(['heads/feat/auth-refactor-mission-2025-10']);
    expect(github.requests.filter((r) => !r.startsWith('GET '))).toEqual([
      'PATCH /repos/jordan-nakamura/legaltech-mvp/pulls/47',
      'DELETE /repos/jordan-nakamura/legaltech-mvp/git/refs/heads%2Ffeat%2Fauth-refactor-mission-2025-10',
    ]);
  });
});
