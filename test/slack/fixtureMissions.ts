// Real missions at every stage the Slack messages render, produced by the real service on a
// fresh SQLite database with a test clock and sequential ids (so every id and time is stable).
// Journey A is seed 000 end to end; B is rejected once, then fails a phase and rolls back;
// C is cancelled while awaiting approval; D, E and F end (cancelled, failed, rolled back)
// in the middle of a running phase with a review alert still open.
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import type { Mission, MissionSummary } from '../../src/domain/mission.js';
import { MissionService } from '../../src/domain/missionService.js';
import { GITHUB_CONNECTOR } from '../../src/connectors/github/pullRequestEvidence.js';
import { closeMonitoringWindow, type DeploymentState, type DeploymentStatusFacts } from '../../src/domain/releaseRules.js';
import { openTestDatabase } from '../support/databases.js';
import {
  reportSeedPhase,
  SECURITY_LEAD,
  SEED_ARTIFACTS,
  SEED_PHASES,
  SEED_PLAY_1,
  SEED_PLAY_2,
  SEED_PLAY_3,
  SEED_POLICY,
  SEED_REVIEW,
  seedToApprovalRequested,
  signOffTruths,
  seedToReflecting,
  executeSeedPhasesOneAndTwo,
  executeSeedPhases,
  reportDeployment,
} from '../support/seedJourney.js';
import { ADVISOR, ASSISTANT, JORDAN, SEED_INTENT } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

export interface SlackFixtures {
  briefDrafted: Mission;
  briefEdited: Mission;
  toolkitsRecommended: Mission;
  toolkitsInspected: Mission;
  playsRanked: Mission;
  approvalPending: Mission;
  approvalPartial: Mission;
  approvalDecided: Mission;
  executingMidPhase: Mission;
  alertResolved: Mission;
  reflecting: Mission;
  /** Feedback rated 5 and follow-ups recorded, not yet pinned. */
  feedbackGiven: Mission;
  done: Mission;
  approvalRejected: Mission;
  executionFailedPhase: Mission;
  rolledBack: Mission;
  cancelled: Mission;
  /** No connector token: GitHub and Slack selected and inspected, coverage below the threshold. */
  toolkitsBelowThreshold: Mission;
  /** Jordan overrode the coverage with a reason: planning, the override on record. */
  coverageOverridden: Mission;
  /** Every phase done, no review recorded: the advisor overrode the code-review check. */
  gateOverridden: Mission;
  /** The same mission completed: its closing summary lists both overrides. */
  completedWithOverrides: Mission;
  /** Ended while phase 1 was running and a review alert was open. */
  cancelledMidPhase: Mission;
  failedMidPhase: Mission;
  rolledBackMidPhase: Mission;
  /** Stage 5, from GitHub's deployment statuses: preview live, canary 10% live, 50% deploying. */
  releaseCanary: Mission;
  /** Production live after 10% and 50%: monitoring, undo available through the production deploy. */
  releaseMonitoring: Mission;
  /** The monitoring window ended healthy. */
  releaseWatched: Mission;
  /** A canary step failed: a review alert is open. */
  releaseFailed: Mission;
  /** All missions as /mission list shows them, most recent first. */
  summaries: MissionSummary[];
}

const MINUTE = 60_000;
const CONNECTOR = { kind: 'system' as const, id: 'linear-connector' };

export async function buildSlackFixtures(): Promise<SlackFixtures> {
  const db = await openTestDatabase('sqlite');
  try {
    const clock = new TestClock('2025-10-15T09:47:00.000Z');
    const service = new MissionService({
      repository: db.missions,
      clock,
      ids: sequentialIds(),
      drafter: deterministicBriefDrafter,
      approvalPolicy: SEED_POLICY,
    });
    const a = await journeyA(service, clock);
    const b = await journeyB(service, clock);
    const cancelled = await journeyC(service, clock);
    const d = await journeyD(service, clock);
    const cancelledMidPhase = await endedMidPhase(service, clock, (id) =>
      service.cancelMission({ missionId: id, reason: 'The incident this was for was resolved upstream' }, JORDAN),
    );
    const failedMidPhase = await endedMidPhase(service, clock, (id) =>
      service.failMission({ missionId: id, reason: 'The staging database is gone; nothing can be verified' }, JORDAN),
    );
    const rolledBackMidPhase = await endedMidPhase(service, clock, (id) =>
      service.requestRollback({ missionId: id, reason: 'Refresh tokens leaked in logs; undo now' }, JORDAN),
    );
    const { missions: summaries } = await service.listMissions({ limit: 20 });
    // After the list: release missions are not in /mission list's fixture.
    const release = await journeyRelease(service, clock);
    return { ...a, ...b, cancelled, ...d, cancelledMidPhase, failedMidPhase, rolledBackMidPhase, ...release, summaries };
  } finally {
    await db.destroy();
  }
}

/** A mission completed with the seed's evidence, then its release as GitHub reports the deployment statuses. */
async function journeyRelease(service: MissionService, clock: TestClock) {
  const reflectingMission = async () => (await seedToReflecting(service, clock)).id;
  const deploy = (id: string, deploymentId: number, environment: string, state: DeploymentState, extra: Partial<DeploymentStatusFacts> = {}) =>
    reportDeployment(service, id, deploymentId, environment, state, extra);
  const id = await reflectingMission();
  await deploy(id, 901, 'Preview', 'success', { url: 'https://preview-auth-refactor.vercel.app', transientEnvironment: true });
  clock.advance(MINUTE);
  await deploy(id, 902, 'production-canary', 'success', { description: '10%' });
  clock.advance(15 * MINUTE);
  const releaseCanary = await deploy(id, 903, 'production-canary', 'in_progress', { description: '50%' });
  await deploy(id, 903, 'production-canary', 'success', { description: '50%' });
  clock.advance(15 * MINUTE);
  const releaseMonitoring = await deploy(id, 904, 'production', 'success', { productionEnvironment: true, url: 'https://app.legaltech.example' });
  clock.advance(61 * MINUTE);
  const releaseWatched = await service.mutate(id, GITHUB_CONNECTOR, (mission, cmd) => closeMonitoringWindow(mission, cmd));
  const failing = await reflectingMission();
  const releaseFailed = await deploy(failing, 920, 'production-canary', 'failure', { description: '10%: error rate 4% on /api/auth/refresh' });
  return { releaseCanary, releaseMonitoring, releaseWatched, releaseFailed };
}

async function journeyA(service: MissionService, clock: TestClock) {
  const briefDrafted = await service.startMission({ intent: SEED_INTENT, channelId: 'C0MISSIONS', threadTs: '1697362020.000100' }, JORDAN);
  const id = briefDrafted.id;
  clock.advance(2 * MINUTE);
  await service.editChip(
    { missionId: id, kind: 'kpis', items: ['Session persistence >99.9%', 'Logout success rate 100%', 'Vulnerability count 0', 'Test coverage ≥90%'] },
    JORDAN,
  );
  const safeguards = briefDrafted.brief.chips.find((c) => c.kind === 'safeguards')!.items;
  const briefEdited = await service.editChip(
    { missionId: id, kind: 'safeguards', items: [...safeguards, 'No direct database schema changes without migration review'] },
    JORDAN,
  );
  const toolkitsRecommended = await service.lockBrief({ missionId: id }, JORDAN);
  clock.advance(4 * MINUTE);
  await service.selectToolkits({ missionId: id, toolkits: [{ toolkitId: 'github' }, { toolkitId: 'linear', defer: true }] }, JORDAN);
  const toolkitsInspected = await service.recordCoverage(
    {
      missionId: id,
      toolkitId: 'github',
      status: 'ready',
      summary: '23 auth files, 127 tests, 82% coverage',
      metrics: { files_analyzed: 23, test_count: 127, coverage: 0.82 },
    },
    ASSISTANT,
  );
  // No connector inspected GitHub: the toolkits message shows the report; Jordan accepts it.
  await service.acceptReportedCoverage({ missionId: id }, JORDAN);
  clock.advance(6 * MINUTE);
  await service.confirmToolkits({ missionId: id }, JORDAN);
  const proposed = await service.proposePlays({ missionId: id, plays: [SEED_PLAY_1, SEED_PLAY_2, SEED_PLAY_3] }, ASSISTANT);
  const byTitle = (title: string) => proposed.plays.find((p) => p.source === 'assistant' && p.title === title)!.id;
  await service.dismissPlay({ missionId: id, playId: byTitle(SEED_PLAY_2.title), reason: 'migration_risk: too risky for a 72-hour deadline' }, JORDAN);
  await service.dismissPlay({ missionId: id, playId: byTitle(SEED_PLAY_3.title), reason: 'incomplete_fix: wants a comprehensive fix, not a band-aid' }, JORDAN);
  const playsRanked = await service.selectPlay({ missionId: id, playId: byTitle(SEED_PLAY_1.title) }, JORDAN);
  clock.advance(10 * MINUTE);
  const approvalPending = await service.requestApproval({ missionId: id, note: 'Automated PR will request code review before merge' }, JORDAN);
  clock.advance(3 * MINUTE);
  const approvalPartial = await service.decideApproval({ missionId: id, decision: 'approve' }, ADVISOR);
  clock.advance(2 * MINUTE);
  const approvalDecided = await service.decideApproval({ missionId: id, decision: 'approve' }, SECURITY_LEAD);

  // Phases 1 and 2 as in the seed, with the validator's auto-fixes and one extra step.
  await executeSeedPhasesOneAndTwo(service, clock, id);

  // Phase 3 mid-way: two steps done, the webhook exemption waiting for a person.
  await service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: 'csrf_protection' }, ASSISTANT);
  const phase3 = SEED_PHASES[2]!;
  for (const [stepId, durationMs, counts] of phase3.steps.slice(0, 2)) {
    clock.advance(durationMs);
    await service.reportProgress({ missionId: id, kind: 'step_completed', phaseId: 'csrf_protection', stepId, durationMs, counts: counts ?? {} }, ASSISTANT);
  }
  const executingMidPhase = await service.reportProgress(
    {
      missionId: id,
      kind: 'validator_alert',
      phaseId: 'csrf_protection',
      type: 'review_required',
      severity: 'medium',
      description: '/api/webhooks/stripe should be exempt from CSRF (webhook endpoint)',
    },
    ASSISTANT,
  );
  const alertId = executingMidPhase.execution!.alerts.find((al) => al.type === 'review_required')!.id;
  for (const [stepId, durationMs, counts] of phase3.steps.slice(2)) {
    clock.advance(durationMs);
    await service.reportProgress({ missionId: id, kind: 'step_completed', phaseId: 'csrf_protection', stepId, durationMs, counts: counts ?? {} }, ASSISTANT);
  }
  await service.reportProgress(
    { missionId: id, kind: 'test_run', phaseId: 'csrf_protection', total: 162, passing: 162, coverage: 0.9, suite: 'vitest' },
    ASSISTANT,
  );
  clock.advance(4 * MINUTE);
  const alertResolved = await service.resolveAlert(
    { missionId: id, alertId, outcome: 'accepted', note: 'Confirmed: webhooks are exempt; comment added in code' },
    JORDAN,
  );
  await service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: 'csrf_protection' }, ASSISTANT);
  for (const phase of SEED_PHASES.slice(3)) {
    await reportSeedPhase(service, clock, id, phase);
    if (phase.phaseId === 'testing_deployment') {
      for (const artifact of SEED_ARTIFACTS) await service.attachEvidence({ missionId: id, phaseId: 'testing_deployment', ...artifact }, ASSISTANT);
    }
    await service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: phase.phaseId }, ASSISTANT);
  }
  await service.attachEvidence({ missionId: id, ...SEED_REVIEW }, JORDAN);
  clock.advance(6 * MINUTE);
  await signOffTruths(service, id);
  const reflecting = await service.completeMission({ missionId: id }, ASSISTANT);

  await service.submitFeedback(
    {
      missionId: id,
      rating: 5,
      effortSavedHours: 14,
      comments: 'The phased approach gave me confidence at each step.',
      suggestedImprovements: 'Deeper Linear integration.',
    },
    JORDAN,
  );
  const withFollowUp = await service.addFollowUp({ missionId: id, title: 'Add rate limiting to login endpoint', priority: 'medium' }, JORDAN);
  await service.addFollowUp({ missionId: id, title: 'Document revocation cleanup job in README', priority: 'low' }, ASSISTANT);
  const feedbackGiven = await service.recordFollowUpIssue(
    {
      missionId: id,
      followUpId: withFollowUp.reflection.followUps[0]!.id,
      externalId: 'ENG-124',
      url: 'https://linear.app/acme/issue/ENG-124',
      tracker: 'linear',
    },
    CONNECTOR,
  );
  await service.pinToLibrary(
    {
      missionId: id,
      tags: ['authentication', 'security', 'jwt-refresh', 'csrf-protection', 'nextjs', 'supabase', 'production-ready'],
      note: 'Comprehensive auth refactor for Next.js + Supabase apps.',
    },
    JORDAN,
  );
  clock.advance(5 * MINUTE);
  const done = await service.submitRetrospective(
    { missionId: id, wentWell: ['Validator caught the DB index and webhook exemption'], toImprove: ['Deeper Linear integration'] },
    JORDAN,
  );
  return {
    briefDrafted,
    briefEdited,
    toolkitsRecommended,
    toolkitsInspected,
    playsRanked,
    approvalPending,
    approvalPartial,
    approvalDecided,
    executingMidPhase,
    alertResolved,
    reflecting,
    feedbackGiven,
    done,
  };
}

async function journeyB(service: MissionService, clock: TestClock) {
  clock.advance(60 * MINUTE);
  const requested = await seedToApprovalRequested(service, clock);
  const id = requested.id;
  clock.advance(5 * MINUTE);
  const approvalRejected = await service.decideApproval(
    { missionId: id, decision: 'reject', reason: 'Split the CSRF work into its own mission; this is too much for one change.' },
    SECURITY_LEAD,
  );
  clock.advance(5 * MINUTE);
  await service.requestApproval({ missionId: id, playId: requested.approval!.playId, note: 'Second attempt after review' }, JORDAN);
  await service.decideApproval({ missionId: id, decision: 'approve' }, ADVISOR);
  await service.decideApproval({ missionId: id, decision: 'approve' }, SECURITY_LEAD);
  await reportSeedPhase(service, clock, id, SEED_PHASES[0]!);
  await service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
  await service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: 'token_revocation' }, ASSISTANT);
  for (const [stepId, durationMs] of SEED_PHASES[1]!.steps.slice(0, 2)) {
    clock.advance(durationMs);
    await service.reportProgress({ missionId: id, kind: 'step_completed', phaseId: 'token_revocation', stepId, durationMs }, ASSISTANT);
  }
  await service.reportProgress(
    { missionId: id, kind: 'test_run', phaseId: 'token_revocation', total: 141, passing: 138, coverage: 0.86, suite: 'vitest' },
    ASSISTANT,
  );
  clock.advance(3 * MINUTE);
  const executionFailedPhase = await service.reportProgress(
    {
      missionId: id,
      kind: 'phase_failed',
      phaseId: 'token_revocation',
      reason: 'Migration locks auth.sessions for 40 s on the staging copy; zero downtime would be broken.',
    },
    ASSISTANT,
  );
  clock.advance(2 * MINUTE);
  const rolledBack = await service.requestRollback(
    {
      missionId: id,
      reason: 'Zero-downtime safeguard at risk; rethink the migration.',
      stepsRun: [{ step: 'Close PR and delete branch', outcome: 'done', detail: 'PR #48 closed, branch deleted' }],
    },
    JORDAN,
  );
  return { approvalRejected, executionFailedPhase, rolledBack };
}

async function journeyC(service: MissionService, clock: TestClock): Promise<Mission> {
  clock.advance(30 * MINUTE);
  const requested = await seedToApprovalRequested(service, clock);
  clock.advance(MINUTE);
  return service.cancelMission({ missionId: requested.id, reason: 'Duplicate of an earlier mission' }, JORDAN);
}

/** Prepare without connector tokens, cleared by a coverage override; then a gate override by an approver. */
async function journeyD(service: MissionService, clock: TestClock) {
  clock.advance(30 * MINUTE);
  const started = await service.startMission({ intent: SEED_INTENT, channelId: 'C0MISSIONS', threadTs: '1697365620.000100' }, JORDAN);
  const id = started.id;
  await service.lockBrief({ missionId: id }, JORDAN);
  await service.selectToolkits({ missionId: id, toolkits: [{ toolkitId: 'github' }, { toolkitId: 'slack' }] }, JORDAN);
  const toolkitsBelowThreshold = await service.inspectCoverage({ missionId: id }, JORDAN);
  clock.advance(MINUTE);
  const coverageOverridden = await service.overrideCoverage(
    { missionId: id, reason: 'No GitHub token in this workspace; the team reviews the diff by hand.' },
    JORDAN,
  );
  const proposed = await service.proposePlays({ missionId: id, plays: [SEED_PLAY_1] }, ASSISTANT);
  const playId = proposed.plays.find((p) => p.source === 'assistant')!.id;
  await service.requestApproval({ missionId: id, playId }, JORDAN);
  await service.decideApproval({ missionId: id, decision: 'approve' }, ADVISOR);
  await service.decideApproval({ missionId: id, decision: 'approve' }, SECURITY_LEAD);
  await executeSeedPhases(service, clock, id);
  clock.advance(2 * MINUTE);
  const gateOverridden = await service.overrideGate(
    { missionId: id, checkId: 'code_review', reason: 'Reviewed in a pairing session; no pull request exists yet.' },
    ADVISOR,
  );
  clock.advance(MINUTE);
  await signOffTruths(service, id);
  const completedWithOverrides = await service.completeMission({ missionId: id }, ASSISTANT);
  return { toolkitsBelowThreshold, coverageOverridden, gateOverridden, completedWithOverrides };
}

/** Approved, phase 1 running with one step done and a review alert open, then ended by `end`. */
async function endedMidPhase(service: MissionService, clock: TestClock, end: (missionId: string) => Promise<Mission>): Promise<Mission> {
  clock.advance(30 * MINUTE);
  const requested = await seedToApprovalRequested(service, clock);
  const id = requested.id;
  await service.decideApproval({ missionId: id, decision: 'approve' }, ADVISOR);
  await service.decideApproval({ missionId: id, decision: 'approve' }, SECURITY_LEAD);
  await service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
  const [stepId, durationMs] = SEED_PHASES[0]!.steps[0]!;
  clock.advance(durationMs);
  await service.reportProgress({ missionId: id, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId, durationMs }, ASSISTANT);
  await service.reportProgress(
    {
      missionId: id,
      kind: 'validator_alert',
      phaseId: 'jwt_refresh_fix',
      type: 'review_required',
      severity: 'high',
      description: 'Refresh tokens are written to the request log',
    },
    ASSISTANT,
  );
  clock.advance(2 * MINUTE);
  return end(id);
}
