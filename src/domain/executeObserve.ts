// Execute & Observe: an executor (an assistant over MCP) reports phases, steps, test runs,
// alerts and deviations; people resolve review alerts; gates decide when a phase and the
// mission are done; evidence is hashed; the undo plan stays available until completion.
import { approvalsGiven, awaitedApprovers } from './approvalPolicy.js';
import { MissionError } from './errors.js';
import {
  appendArtifact,
  artifactCount,
  bundleManifest,
  hashArtifactContent,
  holdsEveryArtifact,
  verifyEvidence,
  type ArtifactKind,
  type ArtifactRecord,
  type ReviewEvidence,
} from './evidence.js';
import {
  alertCounts,
  appendAlert,
  appendDeviation,
  appendStep,
  appendTestRun,
  summarize,
  type AlertType,
  type Deviation,
  type DeviationRule,
  type Execution,
  type PhaseProgress,
  replaceAlert,
  type Severity,
  type ValidatorAlert,
} from './execution.js';
import type { Mission } from './mission.js';
import { transition, type MissionCommand } from './missionCommand.js';
import { endMonitoring, releaseUndoOpen } from './releaseRules.js';
import type { Play } from './plays.js';
import { evaluateFinalGate, evaluatePhaseGate, explainGate, type GateRequirements } from './qualityGates.js';
import { plural } from './text/englishLists.js';

/** Sets up execution of the approved play; called when the approval completes. */
export function startExecution(mission: Mission, cmd: MissionCommand): Mission {
  const play = approvedPlay(mission);
  const execution: Execution = {
    playId: play.id,
    startedAt: cmd.at,
    completedAt: null,
    phases: play.phases.map((phase, index) => ({
      phaseId: phase.id,
      index,
      name: phase.name,
      status: 'pending',
      startedAt: null,
      completedAt: null,
      failureReason: null,
      steps: [],
      testRuns: [],
      history: summarize([], []),
      gate: null,
    })),
    alerts: [],
    deviations: [],
    undo: { status: 'available', requestedBy: null, reason: null, stepsRun: [], requestedAt: null },
    finalGate: null,
  };
  cmd.events.add('execution_started', { play_id: play.id, phases: play.phases.length, estimated_duration_mins: play.estimatedDurationMinutes });
  cmd.events.add('undo_available', { play_id: play.id, steps: play.undoPlan.steps });
  return { ...mission, execution };
}

export function approvedPlay(mission: Mission): Play {
  const play = mission.plays.find((p) => p.status === 'approved');
  if (!play) throw new MissionError('precondition_failed', 'No play has been approved for this mission.', { state: mission.state });
  return play;
}

/** Refuses anything reported outside execution, saying what the mission waits for and who can unblock it. */
export function requireExecuting(mission: Mission, what: string): Execution {
  if (mission.state === 'executing' && mission.execution) return mission.execution;
  const request = mission.approval;
  let why: string;
  switch (mission.state) {
    case 'awaiting_approval': {
      const missing = request ? request.required - approvalsGiven(request) : 1;
      const who = request ? awaitedApprovers(request) : 'an approver';
      why = `the play is waiting for approval: ${plural(missing, 'more approval')} from ${who} (only a person can approve; ask in the mission's Slack thread).`;
      break;
    }
    case 'planning':
      why = 'no play is approved yet: select a play and request approval first.';
      break;
    case 'defining':
    case 'preparing':
      why = 'the mission is still being defined and prepared: lock the brief, confirm toolkits, then choose a play and get it approved.';
      break;
    default:
      why = `execution is over (the mission is ${mission.state}).`;
  }
  throw new MissionError('transition_refused', `Cannot ${what}: ${why}`, {
    state: mission.state,
    allowed: [],
    waitingFor: mission.state === 'awaiting_approval' ? (request?.eligibleApprovers ?? []) : [],
  });
}

function findPhase(execution: Execution, phaseId: string): PhaseProgress {
  const phase = execution.phases.find((p) => p.phaseId === phaseId);
  if (!phase) {
    throw new MissionError(
      'invalid_input',
      `phaseId: the approved play has no phase "${phaseId}". Phases: ${execution.phases.map((p) => p.phaseId).join(', ')}.`,
      {
        field: 'phaseId',
      },
    );
  }
  return phase;
}

function requireRunning(execution: Execution, phaseId: string, what: string): PhaseProgress {
  const phase = findPhase(execution, phaseId);
  if (phase.status !== 'running') {
    const hint =
      phase.status === 'pending' ? 'report that the phase started first' : phase.status === 'completed' ? 'it is already completed' : 'start it again to retry';
    throw new MissionError('precondition_failed', `Cannot ${what}: phase "${phase.name}" is ${phase.status} (${hint}).`, {
      field: 'phaseId',
      phaseStatus: phase.status,
    });
  }
  return phase;
}

function withPhase(mission: Mission, execution: Execution, phase: PhaseProgress): Mission {
  return { ...mission, execution: { ...execution, phases: execution.phases.map((p) => (p.phaseId === phase.phaseId ? phase : p)) } };
}

export function startPhase(mission: Mission, input: { phaseId: string }, cmd: MissionCommand): Mission {
  const execution = requireExecuting(mission, 'start a phase');
  const phase = findPhase(execution, input.phaseId);
  if (phase.status === 'running') return mission;
  if (phase.status === 'completed') {
    throw new MissionError('precondition_failed', `Phase "${phase.name}" is already completed.`, { field: 'phaseId' });
  }
  const unfinished = execution.phases.slice(0, phase.index).filter((p) => p.status !== 'completed');
  if (unfinished.length > 0) {
    throw new MissionError(
      'precondition_failed',
      `Phases run in the order of the approved play: complete ${unfinished.map((p) => `"${p.name}"`).join(', ')} before starting "${phase.name}".`,
      {
        field: 'phaseId',
      },
    );
  }
  cmd.events.add('execution_phase_started', { phase: phase.index + 1, phase_id: phase.phaseId, name: phase.name, retry: phase.status === 'failed' });
  return withPhase(mission, execution, { ...phase, status: 'running', startedAt: phase.startedAt ?? cmd.at, failureReason: null });
}

export interface StepReportInput {
  phaseId: string;
  stepId: string;
  title?: string | undefined;
  durationMs: number;
  counts: Record<string, number>;
  commit?: string | undefined;
  /** Required when the step is not in the approved play. */
  deviation?: { rule: DeviationRule; reason: string } | undefined;
}

export function reportStep(mission: Mission, input: StepReportInput, cmd: MissionCommand): Mission {
  const execution = requireExecuting(mission, 'report a step');
  const phase = requireRunning(execution, input.phaseId, 'report a step');
  const planned = approvedPlay(mission)
    .phases.find((p) => p.id === phase.phaseId)
    ?.steps.find((s) => s.id === input.stepId);
  if (!planned && !input.deviation) {
    throw new MissionError(
      'invalid_input',
      `stepId: "${input.stepId}" is not a step of phase "${phase.name}" in the approved play. If it is extra work, report it with deviation.rule (1 bug fix, 2 missing critical piece, 3 blocker, 4 architectural change) and deviation.reason. Planned steps: ${
        approvedPlay(mission)
          .phases.find((p) => p.id === phase.phaseId)
          ?.steps.map((s) => s.id)
          .join(', ') || 'none'
      }.`,
      { field: 'stepId' },
    );
  }
  const step = {
    stepId: input.stepId,
    title: input.title ?? planned?.title ?? input.stepId,
    inPlan: planned !== undefined,
    durationMs: input.durationMs,
    counts: input.counts,
    commit: input.commit ?? null,
    at: cmd.at,
  };
  // Counts go first so an executor's count can never overwrite the fields the log relies on.
  cmd.events.add('execution_step_completed', {
    ...input.counts,
    phase: phase.index + 1,
    phase_id: phase.phaseId,
    step: input.stepId,
    duration_ms: input.durationMs,
    in_plan: step.inPlan,
  });
  // Storage appends exactly this row; the document keeps the latest steps and the summary.
  const appended = appendStep(phase, step);
  cmd.writes.steps.push({ phaseId: phase.phaseId, position: appended.position, step });
  let next = withPhase(mission, execution, appended.phase);
  if (!planned && input.deviation) {
    next = recordDeviation(
      next,
      { phaseId: phase.phaseId, rule: input.deviation.rule, description: step.title, reason: input.deviation.reason, stepId: input.stepId },
      cmd,
    );
  }
  return next;
}

export function reportTestRun(
  mission: Mission,
  input: { phaseId: string; total: number; passing: number; failing?: number | undefined; coverage?: number | undefined; suite?: string | undefined },
  cmd: MissionCommand,
): Mission {
  const execution = requireExecuting(mission, 'report a test run');
  const phase = requireRunning(execution, input.phaseId, 'report a test run');
  const failing = input.failing ?? input.total - input.passing;
  if (input.passing + failing > input.total) {
    throw new MissionError(
      'invalid_input',
      `passing (${input.passing}) plus failing (${failing}) is more than total (${input.total}). Report the counts of one run.`,
      { field: 'total' },
    );
  }
  const run = { total: input.total, passing: input.passing, failing, coverage: input.coverage ?? null, suite: input.suite ?? null, at: cmd.at };
  cmd.events.add('test_suite_run', {
    phase: phase.index + 1,
    phase_id: phase.phaseId,
    tests_total: run.total,
    tests_passing: run.passing,
    tests_failing: failing,
    coverage: run.coverage,
  });
  // Storage appends exactly this row; earlier runs are never written again.
  const appended = appendTestRun(phase, run);
  cmd.writes.testRuns.push({ phaseId: phase.phaseId, position: appended.position, run });
  return withPhase(mission, execution, appended.phase);
}

export function raiseAlert(
  mission: Mission,
  input: { phaseId: string; type: AlertType; severity: Severity; description: string },
  cmd: MissionCommand,
): Mission {
  const execution = requireExecuting(mission, 'raise a validator alert');
  const phase = findPhase(execution, input.phaseId);
  const alert: ValidatorAlert = {
    id: cmd.newId('alr'),
    phaseId: phase.phaseId,
    type: input.type,
    severity: input.severity,
    description: input.description,
    status: input.type === 'auto_fix' ? 'applied' : 'open',
    raisedBy: cmd.actor,
    raisedAt: cmd.at,
    resolution: null,
  };
  cmd.events.add('validator_alert_raised', {
    alert_id: alert.id,
    phase: phase.index + 1,
    phase_id: phase.phaseId,
    alert_type: alert.type,
    severity: alert.severity,
    description: alert.description,
  });
  return { ...mission, execution: appendAlert(execution, alert) };
}

/** A person accepts a review_required alert (the phase may go on) or blocks it (the phase fails). */
/**
 * A person accepts or blocks a review alert. `acceptRefusal` is why this actor may not accept
 * it (from `alertAcceptRefusal`: high and critical alerts need an approver of that risk), or
 * null; anyone who is a person may block, since stopping is always safe.
 */
export function resolveAlert(
  mission: Mission,
  input: { alertId: string; outcome: 'accepted' | 'blocked'; note: string },
  acceptRefusal: string | null,
  cmd: MissionCommand,
): Mission {
  const execution = requireAlertsResolvable(mission);
  if (cmd.actor.kind !== 'slack_user') {
    throw new MissionError('permission_denied', 'Only a person can resolve a review alert; ask someone in the mission thread.', { field: 'actor' });
  }
  const alert = execution.alerts.find((a) => a.id === input.alertId);
  if (!alert) {
    // Decided alerts beyond the latest RECENT_HISTORY live in the log only: say so rather than "no alert".
    const older = alertCounts(execution).raised > execution.alerts.length ? ' (or it was decided long ago: older decisions are in its history)' : '';
    throw new MissionError('invalid_input', `alertId: no alert "${input.alertId}" on this mission${older}.`, { field: 'alertId' });
  }
  if (alert.type !== 'review_required')
    throw new MissionError('precondition_failed', 'Auto-fix alerts are applied when raised and need no resolution.', { field: 'alertId' });
  if (alert.status !== 'open') {
    throw new MissionError(
      'already_decided',
      `This alert was already ${alert.status === 'resolved' ? 'accepted' : 'blocked'} by ${alert.resolution?.by.id} at ${alert.resolution?.at}.`,
      {
        field: 'alertId',
      },
    );
  }
  if (input.outcome === 'accepted' && acceptRefusal) {
    throw new MissionError('permission_denied', acceptRefusal, { field: 'outcome', severity: alert.severity, alertId: alert.id });
  }
  const resolved: ValidatorAlert = {
    ...alert,
    status: input.outcome === 'accepted' ? 'resolved' : 'blocked',
    resolution: { by: cmd.actor, outcome: input.outcome, note: input.note, at: cmd.at },
  };
  cmd.events.add('validator_alert_resolved', { alert_id: alert.id, phase_id: alert.phaseId, outcome: input.outcome, note: input.note });
  let next: Mission = { ...mission, execution: replaceAlert(execution, resolved) };
  // After completion there is no phase to stop: a blocked release alert is recorded, and undo is the rollback.
  if (input.outcome === 'blocked' && mission.state === 'executing') {
    const phase = findPhase(next.execution!, alert.phaseId);
    cmd.events.add('execution_paused', { phase_id: phase.phaseId, reason: `review alert blocked: ${alert.description}` });
    next = withPhase(next, next.execution!, { ...phase, status: 'failed', failureReason: `Blocked by ${cmd.actor.id}: ${input.note}` });
  }
  return next;
}

/**
 * Review alerts are resolved while the mission executes, and after completion too: a deployment
 * that fails during the release or its monitoring window raises one on a reflecting mission, and
 * it may still be open when the mission is closed. A person acknowledges it (or rolls back while undo is open).
 */
function requireAlertsResolvable(mission: Mission): Execution {
  if ((mission.state === 'reflecting' || mission.state === 'done') && mission.execution?.completedAt) return mission.execution;
  return requireExecuting(mission, 'resolve an alert');
}

/** Rule 4 (architectural change) stops for a person: it raises a review_required alert on its phase. */
export function recordDeviation(
  mission: Mission,
  input: { phaseId: string; rule: DeviationRule; description: string; reason: string; stepId?: string | undefined },
  cmd: MissionCommand,
): Mission {
  const execution = requireExecuting(mission, 'record a deviation');
  const phase = findPhase(execution, input.phaseId);
  const deviation: Deviation = {
    id: cmd.newId('dev'),
    phaseId: phase.phaseId,
    rule: input.rule,
    description: input.description,
    reason: input.reason,
    stepId: input.stepId ?? null,
    at: cmd.at,
  };
  cmd.events.add('deviation_recorded', {
    deviation_id: deviation.id,
    phase_id: phase.phaseId,
    rule: deviation.rule,
    description: deviation.description,
    reason: deviation.reason,
    step: deviation.stepId,
  });
  const next: Mission = { ...mission, execution: appendDeviation(execution, deviation) };
  if (input.rule !== 4) return next;
  return raiseAlert(
    next,
    {
      phaseId: phase.phaseId,
      type: 'review_required',
      severity: 'high',
      description: `Architectural change outside the approved play: ${input.description} (${input.reason})`,
    },
    cmd,
  );
}

/** Completes a phase when its gate passes; a failing gate refuses with what is missing and changes nothing. */
export function completePhase(mission: Mission, input: { phaseId: string }, requirements: GateRequirements, cmd: MissionCommand): Mission {
  const execution = requireExecuting(mission, 'complete a phase');
  const phase = requireRunning(execution, input.phaseId, 'complete the phase');
  const gate = evaluatePhaseGate(execution, phase, requirements, cmd.at);
  if (!gate.passed) {
    throw new MissionError('gate_failed', `Phase "${phase.name}" cannot complete: its quality gate failed. ${explainGate(gate)}`, { field: 'phaseId', gate });
  }
  const durationMins = Math.round((cmd.now.getTime() - Date.parse(phase.startedAt ?? cmd.at)) / 60_000);
  cmd.events.add('execution_phase_completed', {
    phase: phase.index + 1,
    phase_id: phase.phaseId,
    duration_mins: durationMins,
    status: 'success',
    gate_checks: gate.checks.map((c) => c.id),
  });
  return withPhase(mission, execution, { ...phase, status: 'completed', completedAt: cmd.at, gate });
}

export function failPhase(mission: Mission, input: { phaseId: string; reason: string }, cmd: MissionCommand): Mission {
  const execution = requireExecuting(mission, 'fail a phase');
  const phase = requireRunning(execution, input.phaseId, 'fail the phase');
  cmd.events.add('execution_phase_completed', {
    phase: phase.index + 1,
    phase_id: phase.phaseId,
    duration_mins: Math.round((cmd.now.getTime() - Date.parse(phase.startedAt ?? cmd.at)) / 60_000),
    status: 'failed',
    reason: input.reason,
  });
  return withPhase(mission, execution, { ...phase, status: 'failed', failureReason: input.reason });
}

export interface EvidenceInput {
  name: string;
  kind: ArtifactKind;
  /** The artifact's content as text: markdown, canonical JSON, file text, or for a link the URL. */
  content: string;
  mediaType: string;
  url?: string | undefined;
  phaseId?: string | undefined;
  review?: ReviewEvidence | undefined;
  checks?: ArtifactRecord['checks'] | undefined;
}

/** Hashes and records an artifact; its content is stored beside the mission, once. */
export function attachEvidence(mission: Mission, input: EvidenceInput, cmd: MissionCommand): Mission {
  if (mission.state !== 'executing' && mission.state !== 'reflecting') requireExecuting(mission, 'attach evidence');
  if (input.phaseId && mission.execution) findPhase(mission.execution, input.phaseId);
  const artifact: ArtifactRecord = {
    id: cmd.newId('art'),
    name: input.name,
    kind: input.kind,
    mediaType: input.mediaType,
    sha256: hashArtifactContent(input.content),
    sizeBytes: new TextEncoder().encode(input.content).length,
    url: input.url ?? null,
    phaseId: input.phaseId ?? null,
    review: input.review ?? null,
    checks: input.checks ?? null,
    attachedBy: cmd.actor,
    attachedAt: cmd.at,
  };
  // A document from before the window lists every artifact: their rows get records now, before any leaves the list.
  if (mission.evidence.count === undefined) {
    cmd.writes.artifactRecords = mission.evidence.artifacts.map((record, position) => ({ id: record.id, position, record }));
  }
  cmd.writes.artifacts.push({
    id: artifact.id,
    name: artifact.name,
    kind: artifact.kind,
    sha256: artifact.sha256,
    content: input.content,
    attachedAt: cmd.now,
    position: artifactCount(mission.evidence),
    record: artifact,
  });
  cmd.events.add('evidence_attached', {
    artifact_id: artifact.id,
    name: artifact.name,
    kind: artifact.kind,
    sha256: artifact.sha256,
    size_bytes: artifact.sizeBytes,
    review: artifact.review?.state ?? null,
  });
  const evidence = appendArtifact(mission.evidence, artifact);
  // Evidence added while reflecting (a merged PR, a late review) gets a fresh bundle, on the record:
  // the sealed bundle lists every artifact attached before (completion sealed them all, and each
  // later one resealed), so the new bundle is its entries and this artifact.
  const sealed = mission.evidence.bundle?.entries ?? mission.evidence.artifacts;
  const bundle = mission.state === 'reflecting' ? sealBundle([...sealed, artifact], mission, cmd) : mission.evidence.bundle;
  return { ...mission, evidence: { ...evidence, bundle } };
}

/**
 * Every artifact of the mission: `read` (its rows, read before the command ran) with any the
 * document holds that the read missed (attached since); the document alone when it holds them all.
 * Refused (evidence_tampered) when they fall short of the mission's count.
 */
function everyArtifactOf(mission: Mission, read: readonly ArtifactRecord[]): readonly ArtifactRecord[] {
  if (holdsEveryArtifact(mission.evidence)) return mission.evidence.artifacts;
  const known = new Set(read.map((a) => a.id));
  const all = [...read, ...mission.evidence.artifacts.filter((a) => !known.has(a.id))];
  // Anything attached since the read is among the document's latest; a shortfall is a row gone from storage.
  if (all.length !== artifactCount(mission.evidence)) {
    throw new MissionError(
      'evidence_tampered',
      `Evidence does not match what was attached: the mission records ${artifactCount(mission.evidence)} artifacts, but storage holds ${all.length}. Investigate before completing.`,
      { problems: [{ artifactId: null, problem: 'artifacts missing from storage' }] },
    );
  }
  return all;
}

function sealBundle(artifacts: readonly Pick<ArtifactRecord, 'id' | 'name' | 'sha256'>[], mission: Mission, cmd: MissionCommand) {
  const bundle = bundleManifest(artifacts, cmd.at);
  cmd.events.add('evidence_bundle_generated', { mission_id: mission.id, artifact_count: bundle.artifactCount, total_hash: bundle.manifestSha256 });
  return bundle;
}

/**
 * Ends execution: the mission-level gate must pass and every stored artifact must still
 * match its hash. Then the evidence bundle is sealed, undo closes, and Reflect begins.
 */
export function completeExecution(
  mission: Mission,
  requirements: GateRequirements,
  evidence: { artifacts: readonly ArtifactRecord[]; contents: ReadonlyMap<string, string> },
  cmd: MissionCommand,
): Mission {
  const execution = requireExecuting(mission, 'complete the mission');
  const artifacts = everyArtifactOf(mission, evidence.artifacts);
  const integrity = verifyEvidence(artifacts, evidence.contents, null);
  if (!integrity.ok) {
    throw new MissionError(
      'evidence_tampered',
      `Evidence does not match what was attached: ${integrity.problems.map((p) => p.problem).join('; ')}. Re-attach the artifact or investigate before completing.`,
      {
        problems: integrity.problems,
      },
    );
  }
  const gate = evaluateFinalGate(execution, mission.evidence.artifacts, requirements, cmd.at);
  if (!gate.passed) {
    throw new MissionError(
      'gate_failed',
      `The mission cannot complete: its quality gate failed. ${explainGate(gate)} An approver can override a check with a reason ("Override gate" in the mission thread).`,
      { gate },
    );
  }
  const bundle = sealBundle(artifacts, mission, cmd);
  const durationMins = Math.round((cmd.now.getTime() - Date.parse(execution.startedAt)) / 60_000);
  cmd.events.add('mission_completed', {
    play_id: execution.playId,
    phases_completed: execution.phases.length,
    duration_mins: durationMins,
    gate_checks: gate.checks.length,
  });
  const moved = transition(mission, 'complete_execution', cmd.events);
  return {
    ...moved,
    evidence: { ...mission.evidence, bundle },
    execution: { ...execution, completedAt: cmd.at, finalGate: gate, undo: { ...execution.undo, status: 'expired' } },
  };
}

export interface RollbackInput {
  reason: string;
  /** Undo steps the executor or a connector already carried out; the rest are left for a person. */
  stepsRun?: Array<{ step: string; outcome: 'done' | 'failed'; detail: string }> | undefined;
}

export function rollBack(mission: Mission, input: RollbackInput, cmd: MissionCommand): Mission {
  // After completion, undo stays available while production is watched (releaseRules.ts).
  const releaseUndo = mission.state === 'reflecting' && mission.execution !== null && releaseUndoOpen(mission, cmd.now);
  const execution = releaseUndo ? endMonitoring(mission.execution!, 'rolled_back', cmd) : requireExecuting(mission, 'roll back');
  const play = approvedPlay(mission);
  cmd.events.add('undo_requested', { play_id: play.id, reason: input.reason });
  const reported = new Map((input.stepsRun ?? []).map((s) => [s.step, s]));
  const stepsRun = play.undoPlan.steps.map(
    (step) => reported.get(step) ?? { step, outcome: 'manual' as const, detail: 'No connector carries this step out; a person must do it.' },
  );
  for (const extra of input.stepsRun ?? []) if (!play.undoPlan.steps.includes(extra.step)) stepsRun.push(extra);
  cmd.events.add('undo_completed', { play_id: play.id, steps: stepsRun.map((s) => ({ step: s.step, outcome: s.outcome })) });
  const moved = transition(mission, 'roll_back', cmd.events);
  return { ...moved, execution: { ...execution, undo: { status: 'executed', requestedBy: cmd.actor, reason: input.reason, stepsRun, requestedAt: cmd.at } } };
}

export function failMission(mission: Mission, input: { reason: string }, cmd: MissionCommand): Mission {
  const execution = requireExecuting(mission, 'mark the mission failed');
  cmd.events.add('mission_failed', { reason: input.reason, phases_completed: execution.phases.filter((p) => p.status === 'completed').length });
  const moved = transition(mission, 'fail', cmd.events);
  return { ...moved, execution: { ...execution, completedAt: cmd.at } };
}
