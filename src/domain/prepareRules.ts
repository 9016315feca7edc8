// Prepare's rules a person drives: defer a toolkit the mission does not need, and leave
// Prepare with the coverage at the threshold or a person's override with a reason. Pure
// functions (mission, input, command) -> mission; the service loads, applies and saves.
import { MissionError } from './errors.js';
import { COVERAGE_THRESHOLD, coverageMeter, type Mission } from './mission.js';
import { transition, type MissionCommand } from './missionCommand.js';
import { percent } from './text/numbers.js';
import { findToolkit } from './toolkits.js';

function requirePreparing(mission: Mission, what: string): void {
  if (mission.state !== 'preparing') {
    throw new MissionError('transition_refused', `Cannot ${what}: the mission is ${mission.state}, and this is only possible while it is preparing.`, { state: mission.state, allowed: [] });
  }
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
    throw new MissionError('precondition_failed', 'No toolkit is selected. Select at least one toolkit before confirming.', { field: 'toolkits', state: mission.state });
  }
  const coverage = coverageMeter(mission);
  let next = mission;
  if (coverage < COVERAGE_THRESHOLD) {
    if (!input.override) {
      throw new MissionError(
        'precondition_failed',
        `Coverage is ${percent(coverage)}, below the ${percent(COVERAGE_THRESHOLD)} needed to plan. Inspect the selected toolkits, defer the ones you will not use, or confirm with an override and a reason.`,
        { field: 'override', state: mission.state, coverage, required: COVERAGE_THRESHOLD },
      );
    }
    if (actor.kind !== 'slack_user') {
      throw new MissionError('permission_denied', 'Only a person can override the coverage gate. Ask someone in the mission thread to use "Override coverage" with a reason.', {
        field: 'override',
      });
    }
    events.add('governance_override_requested', { gate: 'coverage', coverage, required: COVERAGE_THRESHOLD, reason: input.override.reason });
    next = { ...mission, coverage: { ...mission.coverage, override: { reason: input.override.reason, coverage, by: actor, at: cmd.at } } };
  }
  return transition(next, 'confirm_toolkits', events);
}
