// Execution as reported by an executor (an assistant over MCP): phases, steps, test runs,
// validator alerts and deviations from the play.
import type { Actor } from './actors.js';
import type { ExecutorDispatch } from './executorDispatch.js';
import type { TrackedPullRequest } from './githubEvents.js';
import type { Release } from './releaseRules.js';
import type { MustHaveVerification, UatResult } from './verification.js';

export type PhaseStatus = 'pending' | 'running' | 'completed' | 'failed';

export interface StepReport {
  stepId: string;
  title: string;
  /** False when the step was not in the approved play (then a deviation is recorded too). */
  inPlan: boolean;
  durationMs: number;
  /** Counts the executor reported, e.g. files_modified, tests_added. */
  counts: Record<string, number>;
  commit: string | null;
  at: string;
}

export interface TestRun {
  total: number;
  passing: number;
  failing: number;
  /** 0..1, when measured. */
  coverage: number | null;
  suite: string | null;
  at: string;
}

export type GateCheckId =
  | 'tests_reported'
  | 'tests_passing'
  | 'coverage_target'
  | 'no_open_review_alerts'
  | 'code_review'
  | 'ci_checks'
  | 'all_phases_completed';

export interface GateCheck {
  id: GateCheckId;
  label: string;
  passed: boolean;
  /** What was found, or what is missing and how to fix it. */
  detail: string;
  /** Set when an approver overrode this check: it counts towards the gate, but is never shown as a pass. */
  overridden?: { by: Actor; reason: string; at: string };
}

/** An approver's decision to let a gate check count although it does not pass (recorded as `gate_overridden`). */
export interface GateOverride {
  id: string;
  /** The phase whose gate it applies to; null for the mission (final) gate. */
  phaseId: string | null;
  checkId: GateCheckId;
  reason: string;
  by: Actor;
  at: string;
}

export interface GateResult {
  scope: 'phase' | 'mission';
  phaseId: string | null;
  passed: boolean;
  checks: GateCheck[];
  evaluatedAt: string;
}

export interface PhaseProgress {
  phaseId: string;
  index: number;
  name: string;
  status: PhaseStatus;
  startedAt: string | null;
  completedAt: string | null;
  failureReason: string | null;
  /**
   * The phase's latest steps, oldest first: at most RECENT_HISTORY of them. Every step is in the
   * mission's history (`stepPage`); `history` has the counts and sums over all of them.
   */
  steps: StepReport[];
  /** The phase's latest test runs, oldest first: at most RECENT_HISTORY (all of them: `testRunPage`). */
  testRuns: TestRun[];
  /**
   * Summaries over the phase's whole history, kept up to date as steps and runs are appended, so
   * that loading a mission reads a bounded document. Absent on phases recorded before it existed,
   * whose `steps` and `testRuns` then hold the whole history (read it with `phaseHistory`).
   */
  history?: PhaseHistory;
  gate: GateResult | null;
}

/** How many of a phase's latest steps and test runs the mission document keeps. */
export const RECENT_HISTORY = 20;

/** What readers need from a phase's whole history, maintained as entries are appended. */
export interface PhaseHistory {
  /** Steps reported in the phase; also the position the next one is stored at. */
  stepCount: number;
  /** Test runs reported in the phase; also the position the next one is stored at. */
  testRunCount: number;
  /** The latest run that measured coverage, however old. */
  latestCoveredRun: TestRun | null;
  /** Each count the executor reported (files_modified, tests_added, ...) summed over every step. */
  countTotals: Record<string, number>;
  /** The latest report of each step of the approved play (bounded by the play), in first-report order. */
  plannedStepReports: StepReport[];
  /** Steps reported that were not in the play (the latest are among `steps`). */
  extraStepCount: number;
}

/** The phase's history summary; a phase from before summaries carries its whole history in its lists. */
export function phaseHistory(phase: PhaseProgress): PhaseHistory {
  if (phase.history) return phase.history;
  return summarize(phase.steps, phase.testRuns);
}

/** The summary of complete lists of steps and runs (used when an old document is upgraded, and by phaseHistory). */
export function summarize(steps: readonly StepReport[], runs: readonly TestRun[]): PhaseHistory {
  let history: PhaseHistory = {
    stepCount: 0,
    testRunCount: runs.length,
    latestCoveredRun: [...runs].reverse().find((r) => r.coverage !== null) ?? null,
    countTotals: {},
    plannedStepReports: [],
    extraStepCount: 0,
  };
  for (const step of steps) history = withStep(history, step);
  return history;
}

function withStep(history: PhaseHistory, step: StepReport): PhaseHistory {
  const countTotals = { ...history.countTotals };
  for (const [key, value] of Object.entries(step.counts)) countTotals[key] = (countTotals[key] ?? 0) + value;
  const known = history.plannedStepReports.findIndex((s) => s.stepId === step.stepId);
  const plannedStepReports = !step.inPlan
    ? history.plannedStepReports
    : known === -1
      ? [...history.plannedStepReports, step]
      : history.plannedStepReports.map((s, i) => (i === known ? step : s));
  return {
    ...history,
    stepCount: history.stepCount + 1,
    countTotals,
    plannedStepReports,
    extraStepCount: history.extraStepCount + (step.inPlan ? 0 : 1),
  };
}

/** The phase with `step` appended: the recent window moves on and the summary counts it. Returns the step's position. */
export function appendStep(phase: PhaseProgress, step: StepReport): { phase: PhaseProgress; position: number } {
  const history = phaseHistory(phase);
  return {
    phase: { ...phase, steps: [...phase.steps, step].slice(-RECENT_HISTORY), history: withStep(history, step) },
    position: history.stepCount,
  };
}

/** The phase with `run` appended: the recent window moves on and the summary counts it. Returns the run's position. */
export function appendTestRun(phase: PhaseProgress, run: TestRun): { phase: PhaseProgress; position: number } {
  const history = phaseHistory(phase);
  return {
    phase: {
      ...phase,
      testRuns: [...phase.testRuns, run].slice(-RECENT_HISTORY),
      history: { ...history, testRunCount: history.testRunCount + 1, latestCoveredRun: run.coverage !== null ? run : history.latestCoveredRun },
    },
    position: history.testRunCount,
  };
}

/** The latest coverage measured anywhere in the execution (phases in the play's order, the latest run last). */
export function latestCoverage(execution: Execution | null): number | null {
  const phases = execution?.phases ?? [];
  for (let i = phases.length - 1; i >= 0; i--) {
    const run = phaseHistory(phases[i]!).latestCoveredRun;
    if (run) return run.coverage;
  }
  return null;
}

export type AlertType = 'auto_fix' | 'review_required';
export type Severity = 'low' | 'medium' | 'high' | 'critical';

export interface ValidatorAlert {
  id: string;
  phaseId: string;
  type: AlertType;
  severity: Severity;
  description: string;
  /** auto_fix alerts are applied when raised; review_required ones stay open until a person resolves them. */
  status: 'applied' | 'open' | 'resolved' | 'blocked';
  raisedBy: Actor;
  raisedAt: string;
  resolution: { by: Actor; outcome: 'accepted' | 'blocked'; note: string; at: string } | null;
}

/** GSD deviation rules: 1 fix bugs, 2 add missing critical pieces, 3 fix blockers, 4 architectural change (stop and ask). */
export type DeviationRule = 1 | 2 | 3 | 4;

export interface Deviation {
  id: string;
  phaseId: string;
  rule: DeviationRule;
  description: string;
  reason: string;
  stepId: string | null;
  at: string;
}

export type AlertStatus = ValidatorAlert['status'];

/** Counts over every alert the execution raised, the closed ones that left the window included. */
export interface AlertTotals {
  raised: number;
  byStatus: Record<AlertStatus, number>;
  byType: Record<AlertType, number>;
  bySeverity: Record<Severity, number>;
}

/** The counts of a complete list of alerts (a document from before `alertTotals` holds every alert). */
export function tallyAlerts(alerts: readonly ValidatorAlert[]): AlertTotals {
  const totals: AlertTotals = {
    raised: 0,
    byStatus: { applied: 0, open: 0, resolved: 0, blocked: 0 },
    byType: { auto_fix: 0, review_required: 0 },
    bySeverity: { low: 0, medium: 0, high: 0, critical: 0 },
  };
  for (const alert of alerts) {
    totals.raised++;
    totals.byStatus[alert.status]++;
    totals.byType[alert.type]++;
    totals.bySeverity[alert.severity]++;
  }
  return totals;
}

export function alertCounts(execution: Execution): AlertTotals {
  return execution.alertTotals ?? tallyAlerts(execution.alerts);
}

/** Open alerts always, closed ones only the latest RECENT_HISTORY: an open alert gates phases and waits for a person. */
function alertWindow(alerts: readonly ValidatorAlert[]): ValidatorAlert[] {
  let closedKept = 0;
  const kept: ValidatorAlert[] = [];
  for (let i = alerts.length - 1; i >= 0; i--) {
    const alert = alerts[i]!;
    if (alert.status === 'open') kept.push(alert);
    else if (closedKept < RECENT_HISTORY) {
      kept.push(alert);
      closedKept++;
    }
  }
  return kept.reverse();
}

/** The execution with `alert` raised: counted, and closed alerts beyond the window left to the log. */
export function appendAlert(execution: Execution, alert: ValidatorAlert): Execution {
  const totals = alertCounts(execution);
  const alertTotals: AlertTotals = {
    raised: totals.raised + 1,
    byStatus: { ...totals.byStatus, [alert.status]: totals.byStatus[alert.status] + 1 },
    byType: { ...totals.byType, [alert.type]: totals.byType[alert.type] + 1 },
    bySeverity: { ...totals.bySeverity, [alert.severity]: totals.bySeverity[alert.severity] + 1 },
  };
  return { ...execution, alerts: alertWindow([...execution.alerts, alert]), alertTotals };
}

/** The execution with an alert in the window replaced by its decided version (its status count moves). */
export function replaceAlert(execution: Execution, decided: ValidatorAlert): Execution {
  const totals = alertCounts(execution);
  const before = execution.alerts.find((a) => a.id === decided.id)!;
  const byStatus = { ...totals.byStatus };
  byStatus[before.status]--;
  byStatus[decided.status]++;
  const alerts = execution.alerts.map((a) => (a.id === decided.id ? decided : a));
  return { ...execution, alerts: alertWindow(alerts), alertTotals: { ...totals, byStatus } };
}

/** How many deviations the execution recorded, the ones that left the recent window included. */
export function deviationCount(execution: Execution): number {
  return execution.deviationTotal ?? execution.deviations.length;
}

/** The execution with `deviation` recorded: the recent window moves on and the count includes it. */
export function appendDeviation(execution: Execution, deviation: Deviation): Execution {
  return { ...execution, deviations: [...execution.deviations, deviation].slice(-RECENT_HISTORY), deviationTotal: deviationCount(execution) + 1 };
}

export type UndoStatus = 'available' | 'requested' | 'executed' | 'expired';

export interface UndoState {
  status: UndoStatus;
  requestedBy: Actor | null;
  reason: string | null;
  /** Which undo-plan steps ran, in order, and how each went ('manual': no connector carries it out; a person must). */
  stepsRun: Array<{ step: string; outcome: 'done' | 'failed' | 'manual'; detail: string }>;
  requestedAt: string | null;
}

export interface Execution {
  playId: string;
  startedAt: string;
  completedAt: string | null;
  phases: PhaseProgress[];
  /**
   * Every open alert (a person must still decide it) and the latest RECENT_HISTORY closed ones, in
   * the order raised; every alert is in the log (`validator_alert_raised`/`_resolved`). Counts: `alertCounts`.
   */
  alerts: ValidatorAlert[];
  /** Counts over every alert raised; absent on documents from before the alerts window, whose list is complete. */
  alertTotals?: AlertTotals;
  /** The latest RECENT_HISTORY deviations, oldest first; every one is a `deviation_recorded` event (count: `deviationCount`). */
  deviations: Deviation[];
  /** Deviations recorded over the whole execution; absent on documents from before the window, whose list is complete. */
  deviationTotal?: number;
  undo: UndoState;
  /** The mission-level gate evaluated at completion. */
  finalGate: GateResult | null;
  /** Gate checks approvers overrode, with their reasons (absent on executions recorded before overrides existed). */
  gateOverrides?: GateOverride[];
  /** The hand-off to an unattended executor (GitHub Actions), when one is configured; absent on older missions. */
  dispatch?: ExecutorDispatch | null;
  /** Pull requests GitHub told us about (webhook deliveries): head, state, check runs and reviews; absent before any. */
  pullRequests?: TrackedPullRequest[];
  /** Deployments followed through GitHub's deployment statuses (stage 5); absent until the first one. */
  release?: Release;
  /** The play's artifacts and key links as the code at the pull request's head showed them (verification.ts). */
  mustHaveVerification?: MustHaveVerification | null;
  /** UAT results a person recorded, the latest per item. */
  uat?: UatResult[];
}
