// The ids Slack sends back: button and control action ids, modal callback ids, modal input
// ids, and the JSON carried in button values and private_metadata. Builders and the Bolt
// handlers import them from here so the two can never drift apart.
import { z } from 'zod';
import { CHIP_KINDS } from '../domain/brief.js';

/** Prefix "mc_" so Bolt listeners can match all of ours with one pattern. */
export const ACTION_IDS = {
  briefEditChip: 'mc_brief_edit_chip',
  briefAcceptAll: 'mc_brief_accept_all',
  missionCancel: 'mc_mission_cancel',
  toolkitsSelect: 'mc_toolkits_select',
  toolkitsConfirm: 'mc_toolkits_confirm',
  playSelect: 'mc_play_select',
  requestApproval: 'mc_request_approval',
  approvalApprove: 'mc_approval_approve',
  approvalReject: 'mc_approval_reject',
  alertResolve: 'mc_alert_resolve',
  alertBlock: 'mc_alert_block',
  rollback: 'mc_rollback',
  feedbackOpen: 'mc_feedback_open',
  pinOpen: 'mc_pin_open',
  closeMission: 'mc_close_mission',
  // Prepare: inspect again, defer one toolkit, accept the assistant's reported coverage, override the coverage with a reason.
  toolkitsInspect: 'mc_toolkits_inspect',
  coverageAcceptReported: 'mc_coverage_accept_reported',
  toolkitDefer: 'mc_toolkit_defer',
  coverageOverrideOpen: 'mc_coverage_override_open',
  // Gates a person owns: record a review, override a gate check with a reason.
  reviewApproveOpen: 'mc_review_approve_open',
  reviewChangesOpen: 'mc_review_changes_open',
  gateOverrideOpen: 'mc_gate_override_open',
  // UAT: a person marks a truth or acceptance criterion pass or fail, with a note (modal).
  uatPassOpen: 'mc_uat_pass_open',
  uatFailOpen: 'mc_uat_fail_open',
  // Plan controls: read a play whole, dismiss it with a reason, regenerate a brief chip.
  playView: 'mc_play_view',
  playDismiss: 'mc_play_dismiss',
  briefRegenerateChip: 'mc_brief_regenerate_chip',
} as const;
export type ActionId = (typeof ACTION_IDS)[keyof typeof ACTION_IDS];

/** Modal `callback_id`s, one per modal; the view_submission handler switches on these. */
export const VIEW_IDS = {
  chipEdit: 'mc_view_chip_edit',
  rejectApproval: 'mc_view_reject_approval',
  resolveAlert: 'mc_view_resolve_alert',
  rollback: 'mc_view_rollback',
  cancelMission: 'mc_view_cancel_mission',
  feedback: 'mc_view_feedback',
  pinToLibrary: 'mc_view_pin_to_library',
  coverageOverride: 'mc_view_coverage_override',
  recordReview: 'mc_view_record_review',
  gateOverride: 'mc_view_gate_override',
  uatResult: 'mc_view_uat_result',
  /** Read-only: a play's phases, steps, undo plan, risk matrix and code change preview. */
  playPlan: 'mc_view_play_plan',
  dismissPlay: 'mc_view_dismiss_play',
} as const;
export type ViewId = (typeof VIEW_IDS)[keyof typeof VIEW_IDS];

/** block_id / action_id of modal inputs, to read `view.state.values[block][action]`. */
export const INPUT_IDS = {
  /** Chip items: one input per statement, block ids `chip_item_0`, `chip_item_1`, ... */
  chipItemBlockPrefix: 'chip_item_',
  chipItem: 'chip_item',
  reason: { block: 'reason', action: 'reason' },
  note: { block: 'note', action: 'note' },
  rating: { block: 'rating', action: 'rating' },
  effortSaved: { block: 'effort_saved', action: 'effort_saved' },
  comments: { block: 'comments', action: 'comments' },
  improvements: { block: 'improvements', action: 'improvements' },
  tags: { block: 'tags', action: 'tags' },
  gateCheck: { block: 'gate_check', action: 'gate_check' },
} as const;

/**
 * What a button value or a modal's private_metadata carries: always the mission id, plus the
 * play, approval request, alert or chip it acts on, so a click on a stale message is detected
 * (the handler compares them with the mission's current state instead of guessing).
 */
export const actionValueSchema = z.object({
  missionId: z.string().min(1).max(100),
  playId: z.string().min(1).max(100).optional(),
  requestId: z.string().min(1).max(100).optional(),
  alertId: z.string().min(1).max(100).optional(),
  chip: z.enum(CHIP_KINDS).optional(),
  outcome: z.enum(['accepted', 'blocked']).optional(),
  /** The toolkit a Defer button acts on. */
  toolkitId: z.string().min(1).max(64).optional(),
  /** The review a Record review button opens the modal for. */
  decision: z.enum(['approved', 'changes_requested']).optional(),
  /** The UAT item a Pass or Fail button marks, and which. */
  uatItemId: z.string().min(1).max(32).optional(),
  uatOutcome: z.enum(['pass', 'fail']).optional(),
  /** Mission version the surface was built from. */
  version: z.number().int().optional(),
});
export type ActionValue = z.infer<typeof actionValueSchema>;

export function encodeActionValue(value: ActionValue): string {
  return JSON.stringify(value);
}

/** Parses a button value or private_metadata; null when it is not ours or malformed. */
export function decodeActionValue(raw: string | undefined | null): ActionValue | null {
  if (!raw) return null;
  try {
    const parsed = actionValueSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function chipItemBlockId(index: number): string {
  return `${INPUT_IDS.chipItemBlockPrefix}${index}`;
}
