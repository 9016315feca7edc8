// The seed 000 mission (Jordan's auth refactor) as service calls, stage by stage, so tests can
// start from any point of the journey. Names, numbers and ids follow the seed.
import type { Mission } from '../../src/domain/mission.js';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import type { MissionRepository } from '../../src/domain/missionRepository.js';
import { MissionService } from '../../src/domain/missionService.js';
import {
  ADVISOR,
  ASSISTANT,
  JORDAN,
  SECURITY_LEAD,
  SEED_ARTIFACTS,
  SEED_INTENT,
  SEED_PHASES,
  SEED_PLAY_1,
  SEED_PLAY_2,
  SEED_PLAY_3,
  SEED_POLICY,
  SEED_REVIEW,
  type SeedPhaseReport,
} from '../../src/demo/seedMission.js';
import { sequentialIds, type TestClock } from './testRuntime.js';
import type { PlayDraft } from '../../src/domain/plays.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/domain/actors.js';
import { uatItems } from '../../src/domain/verification.js';
import { VerificationService } from '../../src/domain/verificationService.js';
import { GITHUB_CONNECTOR } from '../../src/connectors/github/pullRequestEvidence.js';
import { applyGitHubEvent } from '../../src/domain/githubEvents.js';
import type { DeploymentState, DeploymentStatusFacts } from '../../src/domain/releaseRules.js';

export {
  OUTSIDER,
  SECURITY_LEAD,
  SEED_ARTIFACTS,
  SEED_PHASES,
  SEED_PLAY_1,
  SEED_PLAY_2,
  SEED_PLAY_3,
  SEED_POLICY,
  SEED_REVIEW,
} from '../../src/demo/seedMission.js';

const MINUTE = 60_000;

/** The service as the seed runs it: the built-in drafter, sequential ids and the seed's approval policy. */
export function seedService(repository: MissionRepository, clock: TestClock): MissionService {
  return new MissionService({ repository, clock, ids: sequentialIds(), drafter: deterministicBriefDrafter, approvalPolicy: SEED_POLICY });
}

/** Define and Prepare as in the seed: Jordan's edits, GitHub and Linear selected and inspected, plays on the table. */
export async function seedToPlanning(
  service: MissionService,
  clock: TestClock,
  intent: string = SEED_INTENT,
  githubInspection: { status: 'ready' | 'needs_data' | 'degraded'; summary: string; metrics: Record<string, string | number | boolean> } = {
    status: 'ready',
    summary: '23 auth files, 127 tests, 82% coverage',
    metrics: { files_analyzed: 23, test_count: 127, coverage: 0.82 },
  },
): Promise<Mission> {
  let mission = await service.startMission({ intent, channelId: 'C0MISSIONS', threadTs: '1697362020.000100' }, JORDAN);
  const id = mission.id;
  clock.advance(2 * MINUTE);
  await service.editChip(
    { missionId: id, kind: 'kpis', items: ['Session persistence >99.9%', 'Logout success rate 100%', 'Vulnerability count 0', 'Test coverage ≥90%'] },
    JORDAN,
  );
  const safeguards = mission.brief.chips.find((c) => c.kind === 'safeguards')?.items ?? [];
  await service.editChip({ missionId: id, kind: 'safeguards', items: [...safeguards, 'No direct database schema changes without migration review'] }, JORDAN);
  await service.lockBrief({ missionId: id }, JORDAN);
  clock.advance(4 * MINUTE);
  await service.selectToolkits({ missionId: id, toolkits: [{ toolkitId: 'github' }, { toolkitId: 'linear' }] }, JORDAN);
  await service.recordCoverage({ missionId: id, toolkitId: 'github', ...githubInspection }, ASSISTANT);
  await service.recordCoverage({ missionId: id, toolkitId: 'linear', status: 'ready', summary: 'Team ENG found; follow-ups can be filed' }, ASSISTANT);
  // No connector inspected these: the assistant's report counts once a person accepts it in Slack.
  await service.acceptReportedCoverage({ missionId: id }, JORDAN);
  clock.advance(6 * MINUTE);
  mission = await service.confirmToolkits({ missionId: id }, JORDAN);
  return mission;
}

/** Plan & Approve as in the seed: the assistant's three plays, two dismissed, Play 1 selected and approved by two people. */
export async function seedToApprovalRequested(service: MissionService, clock: TestClock, play1: PlayDraft = SEED_PLAY_1): Promise<Mission> {
  const planning = await seedToPlanning(service, clock);
  const id = planning.id;
  const proposed = await service.proposePlays({ missionId: id, plays: [play1, SEED_PLAY_2, SEED_PLAY_3] }, ASSISTANT);
  const byTitle = (title: string) => proposed.plays.find((p) => p.source === 'assistant' && p.title === title)!.id;
  await service.dismissPlay({ missionId: id, playId: byTitle(SEED_PLAY_2.title), reason: 'migration_risk: too risky for a 72-hour deadline' }, JORDAN);
  await service.dismissPlay({ missionId: id, playId: byTitle(SEED_PLAY_3.title), reason: 'incomplete_fix: wants a comprehensive fix, not a band-aid' }, JORDAN);
  await service.selectPlay({ missionId: id, playId: byTitle(play1.title) }, JORDAN);
  clock.advance(10 * MINUTE);
  return service.requestApproval({ missionId: id, note: 'Automated PR will request code review before merge' }, JORDAN);
}

/** `play1`: the play approved in place of the seed's Play 1 (same title), e.g. with other must-haves. */
export async function seedToExecuting(service: MissionService, clock: TestClock, play1: PlayDraft = SEED_PLAY_1): Promise<Mission> {
  const requested = await seedToApprovalRequested(service, clock, play1);
  clock.advance(3 * MINUTE);
  await service.decideApproval({ missionId: requested.id, decision: 'approve' }, ADVISOR);
  return service.decideApproval({ missionId: requested.id, decision: 'approve' }, SECURITY_LEAD);
}

/** The assistant's reports for one phase: start, steps, the test run; completion is left to the caller. */
export async function reportSeedPhase(service: MissionService, clock: TestClock, missionId: string, phase: SeedPhaseReport): Promise<void> {
  await service.reportProgress({ missionId, kind: 'phase_started', phaseId: phase.phaseId }, ASSISTANT);
  for (const [stepId, durationMs, counts] of phase.steps) {
    clock.advance(durationMs);
    await service.reportProgress({ missionId, kind: 'step_completed', phaseId: phase.phaseId, stepId, durationMs, counts: counts ?? {} }, ASSISTANT);
  }
  if (phase.tests) {
    await service.reportProgress(
      {
        missionId,
        kind: 'test_run',
        phaseId: phase.phaseId,
        total: phase.tests.total,
        passing: phase.tests.total,
        coverage: phase.tests.coverage,
        suite: 'vitest',
      },
      ASSISTANT,
    );
  }
  clock.advance(phase.minutes * MINUTE - phase.steps.reduce((sum, [, ms]) => sum + ms, 0));
}

/**
 * All five phases reported and completed in order. `withArtifacts`: the seed's evidence is attached
 * during the last phase (testing_deployment), as in the seed.
 */
export async function executeSeedPhases(
  service: MissionService,
  clock: TestClock,
  missionId: string,
  { withArtifacts = false }: { withArtifacts?: boolean } = {},
): Promise<Mission> {
  let mission: Mission | undefined;
  for (const phase of SEED_PHASES) {
    await reportSeedPhase(service, clock, missionId, phase);
    if (withArtifacts && phase.phaseId === 'testing_deployment')
      for (const artifact of SEED_ARTIFACTS) await service.attachEvidence({ missionId, phaseId: phase.phaseId, ...artifact }, ASSISTANT);
    mission = await service.reportProgress({ missionId, kind: 'phase_completed', phaseId: phase.phaseId }, ASSISTANT);
  }
  return mission!;
}

/** Phases 1 and 2 as in the seed, completed, with the validator's two auto-fixes and the extra rate-limiting step (a deviation). */
export async function executeSeedPhasesOneAndTwo(service: MissionService, clock: TestClock, missionId: string): Promise<Mission> {
  await reportSeedPhase(service, clock, missionId, SEED_PHASES[0]!);
  const autoFix = (phaseId: string, description: string) =>
    service.reportProgress({ missionId, kind: 'validator_alert', phaseId, type: 'auto_fix', severity: 'low', description }, ASSISTANT);
  await autoFix('jwt_refresh_fix', 'Added exponential backoff for refresh retries');
  await service.reportProgress(
    {
      missionId,
      kind: 'step_completed',
      phaseId: 'jwt_refresh_fix',
      stepId: 'add_rate_limiting',
      title: 'Added rate limiting to refresh attempts',
      durationMs: 4100,
      deviation: { rule: 2, reason: 'Prevent brute force token refresh' },
    },
    ASSISTANT,
  );
  await service.reportProgress({ missionId, kind: 'phase_completed', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
  await reportSeedPhase(service, clock, missionId, SEED_PHASES[1]!);
  await autoFix('token_revocation', 'Added database index on token_hash');
  return service.reportProgress({ missionId, kind: 'phase_completed', phaseId: 'token_revocation' }, ASSISTANT);
}

/** Executed, reviewed by Jordan (the seed's PR review), truths signed off and completed: the mission reflects. */
export async function seedToReflecting(service: MissionService, clock: TestClock): Promise<Mission> {
  const { id } = await seedToExecuting(service, clock);
  await executeSeedPhases(service, clock, id);
  await service.attachEvidence({ missionId: id, ...SEED_REVIEW }, JORDAN);
  await signOffTruths(service, id);
  return service.completeMission({ missionId: id }, ASSISTANT);
}

/** A person marks every observable truth of the executed play Pass in UAT (what completion requires). */
export async function signOffTruths(service: MissionService, missionId: string, person: Actor = JORDAN): Promise<Mission> {
  const uat = new VerificationService(service, null, SYSTEM_ACTOR);
  let mission = await service.getMission({ missionId });
  for (const item of uatItems(mission).filter((i) => i.source === 'truth')) {
    mission = await uat.recordUatResult({ missionId, itemId: item.id, outcome: 'pass', note: 'Tried it on the preview' }, person);
  }
  return mission;
}

/**
 * A deployment status as GitHub reports it for the seed repository, applied by the GitHub
 * connector (the mission named by its marker); `extra` sets the rest (url, description, ...).
 */
export function reportDeployment(
  service: MissionService,
  missionId: string,
  deploymentId: number,
  environment: string,
  state: DeploymentState,
  extra: Partial<DeploymentStatusFacts> = {},
): Promise<Mission> {
  return service.mutate(missionId, GITHUB_CONNECTOR, (mission, cmd) =>
    applyGitHubEvent(
      mission,
      {
        kind: 'deployment',
        deployment: {
          repository: 'jordan-nakamura/legaltech-mvp',
          deploymentId: String(deploymentId),
          environment,
          state,
          url: null,
          description: null,
          sha: 'f0e1d2c3b4a5968778695a4b3c2d1e0f98765432',
          ref: 'main',
          productionEnvironment: environment === 'production',
          transientEnvironment: false,
          missionIds: [missionId],
          ...extra,
        },
      },
      60,
      cmd,
    ),
  );
}
