// The Slack control a person uses for each next-step action, so a next step can tell an
// assistant (and the assistant its user) exactly what to click or type. Only controls that
// exist: a button or menu with a registered action handler, or a `/mission` subcommand
// (test/mcp/nextActions.test.ts checks each against the handlers Slack registers).
import type { NextStepAction } from '../domain/nextSteps.js';
import { ACTION_IDS, type ActionId } from './actionIds.js';
import { MISSION_COMMAND } from './commandHandlers.js';

export type SlackControl =
  | { kind: 'button'; actionIds: ActionId[]; label: string; where: string }
  | { kind: 'command'; subcommand: 'cancel'; usage: (missionId: string) => string };

const button = (actionIds: ActionId[], label: string, where: string): SlackControl => ({ kind: 'button', actionIds, label, where });

export const SLACK_CONTROL_FOR_ACTION: Record<NextStepAction, SlackControl | null> = {
  edit_brief: button([ACTION_IDS.briefEditChip, ACTION_IDS.briefRegenerateChip], 'Edit / Regenerate', 'each chip of the brief card'),
  lock_brief: button([ACTION_IDS.briefAcceptAll], 'Accept all', 'the brief card'),
  reopen_brief: null,
  select_toolkits: button([ACTION_IDS.toolkitsSelect], 'toolkit checkboxes', 'the toolkits message'),
  record_coverage: null,
  inspect_toolkits: button([ACTION_IDS.toolkitsInspect], 'Inspect again', 'the toolkits message'),
  defer_toolkit: button([ACTION_IDS.toolkitDefer], 'Defer', 'each selected toolkit of the toolkits message'),
  accept_reported_coverage: button([ACTION_IDS.coverageAcceptReported], 'Accept reported coverage', 'the toolkits message'),
  override_coverage: button([ACTION_IDS.coverageOverrideOpen], 'Override coverage', 'the toolkits message'),
  confirm_toolkits: button([ACTION_IDS.toolkitsConfirm], 'Confirm toolkits', 'the toolkits message'),
  propose_plays: null,
  select_play: button([ACTION_IDS.playSelect], 'Select', 'each play of the plays message'),
  dismiss_play: button([ACTION_IDS.playDismiss], 'Dismiss…', 'each play of the plays message'),
  request_approval: button([ACTION_IDS.requestApproval], 'Request approval', 'the plays message, once a play is selected'),
  approve: button([ACTION_IDS.approvalApprove, ACTION_IDS.approvalReject], 'Approve / Reject', 'the approval request message'),
  wait_for_approval: null,
  start_phase: null,
  report_progress: null,
  resolve_alert: button([ACTION_IDS.alertResolve, ACTION_IDS.alertBlock], 'Resolve / Block', 'each review alert message'),
  record_review: button([ACTION_IDS.reviewApproveOpen, ACTION_IDS.reviewChangesOpen], 'Approve review / Request changes', 'the execution status message'),
  override_gate: button([ACTION_IDS.gateOverrideOpen], 'Override gate', 'the execution status message (approvers only)'),
  attach_evidence: null,
  sign_off_uat: button([ACTION_IDS.uatPassOpen, ACTION_IDS.uatFailOpen], 'Pass / Fail', 'each item of the UAT message'),
  complete_mission: null,
  request_rollback: button([ACTION_IDS.rollback], 'Rollback', 'the execution status message'),
  submit_feedback: button([ACTION_IDS.feedbackOpen], 'Give feedback', 'the reflection message'),
  add_follow_up: null,
  pin_to_library: button([ACTION_IDS.pinOpen], 'Pin to library', 'the reflection message'),
  submit_retrospective: button([ACTION_IDS.closeMission], 'Close mission', 'the reflection message'),
  cancel: { kind: 'command', subcommand: 'cancel', usage: (missionId) => `${MISSION_COMMAND} cancel ${missionId}` },
};

/** How a person finds the control, in words (no Slack markup: this is read by assistants too). */
export function describeSlackControl(control: SlackControl, missionId: string): string {
  return control.kind === 'command' ? `type \`${control.usage(missionId)}\` in Slack` : `"${control.label}" on ${control.where} in Slack`;
}
