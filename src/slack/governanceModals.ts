// Modals for the decisions a person owns: overriding the coverage gate at Prepare, recording
// a code review, and (approvers) overriding a quality-gate check. Each asks for a reason or a
// note; what is recorded is shown as an override or a person's review, never as a pass.
import { percent } from '../domain/text/numbers.js';
import type { ModalView, PlainTextOption } from '@slack/types';
import type { GateCheck } from '../domain/execution.js';
import { COVERAGE_THRESHOLD, coverageMeter, type Mission } from '../domain/mission.js';
import { evaluateFinalGate, evaluatePhaseGate, gateRequirements } from '../domain/qualityGates.js';
import { INPUT_IDS, VIEW_IDS } from './actionIds.js';
import { LIMITS } from './blockKitLimits.js';
import { context, plain, section } from './blocks.js';
import { safe } from './format.js';
import { modal, textInput } from './modals.js';

export function coverageOverrideModal(mission: Mission): ModalView {
  const coverage = coverageMeter(mission);
  return modal(VIEW_IDS.coverageOverride, 'Override coverage', 'Override', { missionId: mission.id, version: mission.version }, [
    section(
      `Confirm the toolkits of *${safe(mission.title)}* (\`${mission.id}\`) with coverage at *${percent(coverage)}*, below the ${percent(COVERAGE_THRESHOLD)} needed to plan. ` +
        'The mission moves to Plan & Approve; your reason is recorded and shown in the thread and in VERIFICATION.md as an override, never as a pass.',
    ),
    textInput({
      block: INPUT_IDS.reason.block,
      action: INPUT_IDS.reason.action,
      label: 'Why is it safe to plan with this coverage?',
      maxLength: 1000,
      multiline: true,
    }),
  ]);
}

export function recordReviewModal(mission: Mission, decision: 'approved' | 'changes_requested'): ModalView {
  const approving = decision === 'approved';
  return modal(
    VIEW_IDS.recordReview,
    approving ? 'Approve review' : 'Request changes',
    approving ? 'Approve' : 'Request changes',
    { missionId: mission.id, decision },
    [
      section(
        `${approving ? 'Record your approving code review' : 'Record that the change needs more work'} for *${safe(mission.title)}* (\`${mission.id}\`). ` +
          (approving ? "It counts for the code-review check as a person's review." : 'The code-review check stays open until someone approves.'),
      ),
      textInput({
        block: INPUT_IDS.note.block,
        action: INPUT_IDS.note.action,
        label: approving ? 'What did you review?' : 'What must change?',
        maxLength: 2000,
        multiline: true,
      }),
    ],
  );
}

/** A gate check that fails right now, with the phase whose gate it belongs to (null: the mission gate). */
export interface FailingCheck {
  phaseId: string | null;
  check: GateCheck;
}

/** The option value of a failing check: `<phaseId>|<checkId>`, with an empty phase for the mission gate. */
export function gateOptionValue(failing: FailingCheck): string {
  return `${failing.phaseId ?? ''}|${failing.check.id}`;
}

export function parseGateOptionValue(value: string | undefined): { phaseId?: string; checkId?: string } {
  if (!value) return {};
  const [phaseId, checkId] = value.split('|');
  return { ...(phaseId ? { phaseId } : {}), ...(checkId ? { checkId } : {}) };
}

/**
 * What an approver may override now: the failing checks of each running phase's gate (it could not
 * complete), then of the mission gate. Phases must still complete, so that check is never offered.
 */
export function overridableChecks(mission: Mission): FailingCheck[] {
  const execution = mission.execution;
  if (!execution) return [];
  const requirements = gateRequirements(mission.brief);
  const at = new Date(0).toISOString();
  const phases = execution.phases
    .filter((p) => p.status === 'running')
    .flatMap((p) =>
      evaluatePhaseGate(execution, p, requirements, at)
        .checks.filter((c) => !c.passed)
        .map((check) => ({ phaseId: p.phaseId, check })),
    );
  const final = evaluateFinalGate(execution, mission.evidence.artifacts, requirements, at)
    .checks.filter((c) => !c.passed && c.id !== 'all_phases_completed')
    .map((check) => ({ phaseId: null, check }));
  return [...phases, ...final];
}

export function gateOverrideModal(mission: Mission): ModalView {
  const failing = overridableChecks(mission).slice(0, LIMITS.selectOptions);
  const phaseName = (id: string) => mission.execution?.phases.find((p) => p.phaseId === id)?.name ?? id;
  const options: PlainTextOption[] = failing.map((f) => ({
    text: plain(f.phaseId ? `${phaseName(f.phaseId)}: ${f.check.label}` : `Mission gate: ${f.check.label}`, LIMITS.optionText),
    description: plain(f.check.detail, LIMITS.optionDescription),
    value: gateOptionValue(f),
  }));
  return modal(VIEW_IDS.gateOverride, 'Override gate', 'Override', { missionId: mission.id }, [
    section(
      `Let one failing check of a gate of *${safe(mission.title)}* (\`${mission.id}\`) count although it does not pass. ` +
        'Only approvers may; it is recorded with your reason and shown as overridden in the thread, the summary and VERIFICATION.md.',
    ),
    ...(options.length > 0
      ? [
          {
            type: 'input' as const,
            block_id: INPUT_IDS.gateCheck.block,
            label: plain('Check to override'),
            element: {
              type: 'static_select' as const,
              action_id: INPUT_IDS.gateCheck.action,
              placeholder: plain('Choose a failing check', LIMITS.placeholder),
              options,
            },
          },
        ]
      : [context(['_No gate check fails right now._'])]),
    textInput({
      block: INPUT_IDS.reason.block,
      action: INPUT_IDS.reason.action,
      label: 'Why is it safe to go on without it?',
      maxLength: 1000,
      multiline: true,
    }),
  ]);
}
