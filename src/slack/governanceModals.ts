// Modals for the decisions a person owns: overriding the coverage gate at Prepare, recording
// a code review, and (approvers) overriding a quality-gate check. Each asks for a reason or a
// note; what is recorded is shown as an override or a person's review, never as a pass.
import type { ModalView, PlainTextOption } from '@slack/types';
import type { GateCheck } from '../domain/execution.js';
import { COVERAGE_THRESHOLD, coverageMeter, type Mission } from '../domain/mission.js';
import { evaluateFinalGate, gateRequirements } from '../domain/qualityGates.js';
import { INPUT_IDS, VIEW_IDS } from './actionIds.js';
import { LIMITS } from './blockKitLimits.js';
import { context, plain, section } from './blocks.js';
import { pct, safe } from './format.js';
import { modal, textInput } from './modals.js';

export function coverageOverrideModal(mission: Mission): ModalView {
  const coverage = coverageMeter(mission);
  return modal(VIEW_IDS.coverageOverride, 'Override coverage', 'Override', { missionId: mission.id, version: mission.version }, [
    section(
      `Confirm the toolkits of *${safe(mission.title)}* (\`${mission.id}\`) with coverage at *${pct(coverage)}*, below the ${pct(COVERAGE_THRESHOLD)} needed to plan. ` +
        'The mission moves to Plan & Approve; your reason is recorded and shown in the thread and in VERIFICATION.md as an override, never as a pass.',
    ),
    textInput({ block: INPUT_IDS.reason.block, action: INPUT_IDS.reason.action, label: 'Why is it safe to plan with this coverage?', maxLength: 1000, multiline: true }),
  ]);
}

export function recordReviewModal(mission: Mission, decision: 'approved' | 'changes_requested'): ModalView {
  const approving = decision === 'approved';
  return modal(VIEW_IDS.recordReview, approving ? 'Approve review' : 'Request changes', approving ? 'Approve' : 'Request changes', { missionId: mission.id, decision }, [
    section(
      `${approving ? 'Record your approving code review' : 'Record that the change needs more work'} for *${safe(mission.title)}* (\`${mission.id}\`). ` +
        (approving ? 'It counts for the code-review check as a person\'s review.' : 'The code-review check stays open until someone approves.'),
    ),
    textInput({ block: INPUT_IDS.note.block, action: INPUT_IDS.note.action, label: approving ? 'What did you review?' : 'What must change?', maxLength: 2000, multiline: true }),
  ]);
}

/** The mission gate's checks that fail right now and an approver may override (phases must still complete). */
export function overridableChecks(mission: Mission): GateCheck[] {
  const execution = mission.execution;
  if (!execution) return [];
  const gate = evaluateFinalGate(execution, mission.evidence.artifacts, gateRequirements(mission.brief), new Date(0).toISOString());
  return gate.checks.filter((c) => !c.passed && c.id !== 'all_phases_completed');
}

export function gateOverrideModal(mission: Mission): ModalView {
  const checks = overridableChecks(mission);
  const options: PlainTextOption[] = checks.map((c) => ({ text: plain(c.label, LIMITS.optionText), description: plain(c.detail, LIMITS.optionDescription), value: c.id }));
  return modal(VIEW_IDS.gateOverride, 'Override gate', 'Override', { missionId: mission.id }, [
    section(
      `Let one check of the mission gate of *${safe(mission.title)}* (\`${mission.id}\`) count although it does not pass. ` +
        'Only approvers may; it is recorded with your reason and shown as overridden in the thread, the summary and VERIFICATION.md.',
    ),
    ...(options.length > 0
      ? [
          {
            type: 'input' as const,
            block_id: INPUT_IDS.gateCheck.block,
            label: plain('Check to override'),
            element: { type: 'static_select' as const, action_id: INPUT_IDS.gateCheck.action, placeholder: plain('Choose a failing check', LIMITS.placeholder), options },
          },
        ]
      : [context(['_No check of the mission gate fails right now._'])]),
    textInput({ block: INPUT_IDS.reason.block, action: INPUT_IDS.reason.action, label: 'Why is it safe to go on without it?', maxLength: 1000, multiline: true }),
  ]);
}
