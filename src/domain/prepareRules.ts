// Prepare: choose the toolkits, record what read-only inspections found (the coverage meter),
// defer a toolkit the mission does not need, and leave Prepare with the coverage at the
// threshold or a person's override with a reason (entering Plan with the planner's and the
// library's plays). Connector health marks a toolkit degraded and ready again in any stage.
// Pure functions (mission, input, command) -> mission; what they need from outside (auth
// status, the planner's answer, the library) is read by the service first and passed in.
import { MissionError } from './errors.js';
import type { LibraryMatch } from './library.js';
import { isHuman } from './actors.js';
import {
  COVERAGE_THRESHOLD,
  coverageMeter,
  latestReadiness,
  pendingReportedCoverage,
  type CoverageEntry,
  type CoverageSource,
  type Mission,
  type MissionToolkit,
} from './mission.js';
import { requireState, transition, type MissionCommand } from './missionCommand.js';
import { recordModelCalls } from './modelUsage.js';
import { addCandidatePlays, libraryCandidates, precedentOf } from './planApprove.js';
import type { PlanOutcome } from './plays.js';
import type { ToolkitInspectionResult } from './toolkitInspection.js';
import { findToolkit, TOOLKIT_CATALOG, type AuthStatus, type Readiness } from './toolkits.js';
import { percent } from './text/numbers.js';
import { joinAnd } from './text/englishLists.js';

function requirePreparing(mission: Mission, what: string): void {
  requireState(mission, 'preparing', what);
}

/**
 * Sets the mission's toolkit selection, replacing any earlier one: every catalog toolkit is
 * listed, the chosen ones selected with their auth status (or deferred), the others keep theirs.
 */
export function selectToolkits(
  mission: Mission,
  input: { toolkits: readonly { toolkitId: string; defer: boolean }[]; authStatus: Readonly<Record<string, AuthStatus>> },
  cmd: MissionCommand,
): Mission {
  requirePreparing(mission, 'select toolkits');
  const chosen = new Map(input.toolkits.map((t) => [t.toolkitId, t.defer]));
  const toolkits = TOOLKIT_CATALOG.map((def): MissionToolkit => {
    const existing = mission.toolkits.find((t) => t.toolkitId === def.id);
    const defer = chosen.get(def.id);
    const status = defer ? 'deferred' : (input.authStatus[def.id] ?? 'unknown');
    return {
      toolkitId: def.id,
      recommended: existing?.recommended ?? false,
      selected: chosen.has(def.id),
      authStatus: chosen.has(def.id) ? status : (existing?.authStatus ?? status),
      rationale: existing?.rationale ?? def.purpose,
      confidence: existing?.confidence ?? 0,
      precedentCount: existing?.precedentCount ?? 0,
    };
  });
  for (const t of toolkits.filter((t) => t.selected)) {
    cmd.events.add('toolkit_selected', { toolkit_id: t.toolkitId, auth_status: t.authStatus, deferred: t.authStatus === 'deferred' });
  }
  return { ...mission, toolkits };
}

/**
 * Records one read-only inspection result. `inspection` is Mission Control's own (a connector's
 * inspector, run by the service); a `report` is recorded as the person's or the assistant's by
 * who sent it, so an assistant can never record a finding the meter counts.
 */
export function recordCoverage(
  mission: Mission,
  input: { toolkitId: string; status: Readiness; summary: string; metrics: Record<string, number | string | boolean>; via: 'inspection' | 'report' },
  cmd: MissionCommand,
): Mission {
  requirePreparing(mission, 'record coverage');
  const recordedBy: CoverageSource = input.via === 'inspection' ? 'connector' : isHuman(cmd.actor) ? 'person' : 'assistant';
  const { toolkitId, status, summary, metrics } = input;
  cmd.events.add('data_preview_generated', { source: toolkitId, status, summary, metrics, recorded_by: recordedBy });
  const entry: CoverageEntry = { toolkitId, status, summary, metrics, recordedAt: cmd.at, recordedBy };
  return withCountedEntries(mission, [entry], cmd);
}

/** Appends entries, recording each change of the readiness the meter counts. */
function withCountedEntries(mission: Mission, added: readonly CoverageEntry[], cmd: MissionCommand): Mission {
  const next = { ...mission, coverage: { ...mission.coverage, entries: [...mission.coverage.entries, ...added] } };
  for (const toolkitId of new Set(added.map((e) => e.toolkitId))) {
    const from = latestReadiness(mission.coverage, toolkitId);
    const to = latestReadiness(next.coverage, toolkitId);
    if (from !== to) cmd.events.add('readiness_status_changed', { toolkit_id: toolkitId, from, to });
  }
  return next;
}

/**
 * A person accepts what the assistant reported for the selected toolkits no connector or person
 * has confirmed since: each report is recorded again as the person's (with `acceptedBy`), so the
 * meter counts it, and `reported_coverage_accepted` says who vouched for what. Assistants cannot.
 */
export function acceptReportedCoverage(mission: Mission, _input: Record<string, never>, cmd: MissionCommand): Mission {
  requirePreparing(mission, 'accept reported coverage');
  if (!isHuman(cmd.actor)) {
    throw new MissionError(
      'permission_denied',
      'Only a person can accept coverage an assistant reported. Ask someone in the mission thread to use "Accept reported coverage" on the toolkits message, or connect the toolkit so a connector inspects it.',
      { field: 'actor' },
    );
  }
  const pending = pendingReportedCoverage(mission);
  if (pending.length === 0) {
    throw new MissionError(
      'precondition_failed',
      'No assistant-reported coverage is waiting to be accepted: every selected toolkit was inspected by a connector or a person, or not reported yet.',
      { state: mission.state },
    );
  }
  const accepted = pending.map((e): CoverageEntry => ({ ...e, recordedAt: cmd.at, recordedBy: 'person', acceptedBy: cmd.actor }));
  const next = withCountedEntries(mission, accepted, cmd);
  cmd.events.add('reported_coverage_accepted', {
    toolkit_ids: accepted.map((e) => e.toolkitId),
    coverage_before: coverageMeter(mission),
    coverage_after: coverageMeter(next),
  });
  return next;
}

/** Refuses inspecting coverage outside Prepare (checked before any inspector is asked). */
export function requireInspectable(mission: Mission): void {
  requirePreparing(mission, 'inspect coverage');
}

/** What is recorded for a selected toolkit no inspector looks at: not connected, or to be reported by hand. */
export function uninspectedCoverage(toolkit: Pick<MissionToolkit, 'toolkitId' | 'authStatus'>): ToolkitInspectionResult {
  return toolkit.authStatus === 'needs_auth'
    ? { status: 'needs_auth', summary: 'Not connected: no credentials are configured. Connect it, or defer it if this mission does not need it.', metrics: {} }
    : {
        status: 'needs_data',
        summary: `No inspector is configured for ${toolkit.toolkitId}: connect the toolkit, or have a person accept what an assistant reports.`,
        metrics: {},
      };
}

/** An inspector that threw: the toolkit reads as degraded, with the error in the summary. */
export function failedInspection(error: unknown): ToolkitInspectionResult {
  return { status: 'degraded', summary: `Inspection failed: ${error instanceof Error ? error.message : String(error)}`, metrics: {} };
}

/**
 * "Not needed for this mission": the toolkit stays selected (its follow-ups are manual) but no
 * longer counts against coverage. Deferring one that is not selected selects it deferred;
 * deferring it again changes nothing.
 */
export function deferToolkit(mission: Mission, input: { toolkitId: string }, cmd: MissionCommand): Mission {
  requirePreparing(mission, 'defer a toolkit');
  const existing = mission.toolkits.find((t) => t.toolkitId === input.toolkitId);
  if (existing?.selected && existing.authStatus === 'deferred') return mission;
  const def = findToolkit(input.toolkitId);
  if (!def) throw new MissionError('invalid_input', `toolkitId: no toolkit "${input.toolkitId}" in the catalog.`, { field: 'toolkitId' });
  cmd.events.add('toolkit_selected', { toolkit_id: input.toolkitId, auth_status: 'deferred', deferred: true });
  const deferred = existing
    ? { ...existing, selected: true, authStatus: 'deferred' as const }
    : { toolkitId: def.id, recommended: false, selected: true, authStatus: 'deferred' as const, rationale: def.purpose, confidence: 0, precedentCount: 0 };
  return { ...mission, toolkits: existing ? mission.toolkits.map((t) => (t.toolkitId === input.toolkitId ? deferred : t)) : [...mission.toolkits, deferred] };
}

/**
 * Leaves Prepare: needs a selected toolkit and coverage at the threshold, or an override with a
 * reason from a person (recorded as governance_override_requested and kept on the mission, so
 * every surface shows it as an override, never as a pass).
 */
export function leavePrepare(mission: Mission, input: { override?: { reason: string } | undefined }, cmd: MissionCommand): Mission {
  const { events, actor } = cmd;
  requirePreparing(mission, 'confirm toolkits');
  if (!mission.toolkits.some((t) => t.selected)) {
    throw new MissionError('precondition_failed', 'No toolkit is selected. Select at least one toolkit before confirming.', {
      field: 'toolkits',
      state: mission.state,
    });
  }
  const coverage = coverageMeter(mission);
  let next = mission;
  if (coverage < COVERAGE_THRESHOLD) {
    if (!input.override) {
      const reported = pendingReportedCoverage(mission).map((e) => e.toolkitId);
      const why =
        reported.length > 0
          ? ` Coverage of ${joinAnd(reported)} was reported by the assistant, which does not count until a person accepts it ("Accept reported coverage" in Slack) or a connector inspects it.`
          : '';
      throw new MissionError(
        'precondition_failed',
        `Coverage is ${percent(coverage)}, below the ${percent(COVERAGE_THRESHOLD)} needed to plan.${why} Inspect the selected toolkits, defer the ones you will not use, or confirm with an override and a reason.`,
        { field: 'override', state: mission.state, coverage, required: COVERAGE_THRESHOLD, ...(reported.length > 0 ? { reportedByAssistant: reported } : {}) },
      );
    }
    if (actor.kind !== 'slack_user') {
      throw new MissionError(
        'permission_denied',
        'Only a person can override the coverage gate. Ask someone in the mission thread to use "Override coverage" with a reason.',
        {
          field: 'override',
        },
      );
    }
    events.add('governance_override_requested', { gate: 'coverage', coverage, required: COVERAGE_THRESHOLD, reason: input.override.reason });
    next = { ...mission, coverage: { ...mission.coverage, override: { reason: input.override.reason, coverage, by: actor, at: cmd.at } } };
  }
  return transition(next, 'confirm_toolkits', events);
}

export interface ConfirmToolkitsInput {
  override?: { reason: string } | undefined;
  /** The planner's answer, asked before the save (after leavePrepare's refusals were checked on a dry run). */
  planned: PlanOutcome;
  planner: { name: string; fallback: string };
  /** Library entries sharing tags with the mission: candidates and precedent. */
  library: readonly LibraryMatch[];
}

/** Leaves Prepare (see leavePrepare) and enters Plan with the planner's and the library's plays as candidates. */
export function confirmToolkits(mission: Mission, input: ConfirmToolkitsInput, cmd: MissionCommand): Mission {
  const { planned, library } = input;
  const source = planned.fallbackReason === undefined && planned.modelCalls?.length ? ('model_planner' as const) : ('default_planner' as const);
  const moved = recordModelCalls(leavePrepare(mission, input, cmd), planned.modelCalls ?? [], 'plan_approve', cmd);
  if (planned.fallbackReason !== undefined) {
    cmd.events.add('drafter_fallback', { task: 'plan', drafter: input.planner.name, fallback: input.planner.fallback, reason: planned.fallbackReason });
  }
  const candidates = [...planned.plays.map((draft) => ({ draft, source, libraryEntryId: null })), ...libraryCandidates(library)];
  return addCandidatePlays(moved, candidates, precedentOf(library), cmd);
}

/**
 * A connector could not reach its API for this mission: the toolkit shows as degraded, with
 * the reason in the log, so the mission says so. Further reports of the same outage change nothing.
 */
export function recordConnectorFailure(
  mission: Mission,
  input: { toolkitId: string; operation: string; error?: string | undefined },
  cmd: MissionCommand,
): Mission {
  const toolkit = mission.toolkits.find((t) => t.toolkitId === input.toolkitId);
  if (toolkit?.authStatus === 'degraded') return mission;
  cmd.events.add('connector_call_failed', { toolkit_id: input.toolkitId, operation: input.operation, error: input.error ?? 'no answer' });
  if (!toolkit) return mission;
  cmd.events.add('readiness_status_changed', { toolkit_id: input.toolkitId, from: toolkit.authStatus === 'ready' ? 'ready' : 'unknown', to: 'degraded' });
  return { ...mission, toolkits: mission.toolkits.map((t) => (t.toolkitId === input.toolkitId ? { ...t, authStatus: 'degraded' as const } : t)) };
}

/** The connector's API answers again: a degraded toolkit is ready once more. */
export function recordConnectorRecovered(mission: Mission, input: { toolkitId: string }, cmd: MissionCommand): Mission {
  const toolkit = mission.toolkits.find((t) => t.toolkitId === input.toolkitId);
  if (toolkit?.authStatus !== 'degraded') return mission;
  cmd.events.add('readiness_status_changed', { toolkit_id: input.toolkitId, from: 'degraded', to: 'ready' });
  return { ...mission, toolkits: mission.toolkits.map((t) => (t.toolkitId === input.toolkitId ? { ...t, authStatus: 'ready' as const } : t)) };
}
