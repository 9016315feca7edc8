// The telemetry event catalog: every event name the mission log may hold, the stage
// it belongs to, and the payload it carries. Names follow the seed system's catalog.
import type { Stage } from './missionStateMachine.js';
import type { ChipConfidence, ChipKind, ChipSource } from './brief.js';
import type { AuthStatus, Readiness } from './toolkits.js';

type CatalogStage = Stage | 'cross_stage';

export const EVENT_CATALOG = {
  // Define
  intent_submitted: 'define',
  brief_generated: 'define',
  brief_item_modified: 'define',
  chip_modified: 'define',
  chip_regenerated: 'define',
  chip_discarded: 'define',
  mission_brief_locked: 'define',
  safeguard_added: 'define',
  safeguard_reviewed: 'define',
  // Prepare
  toolkit_recommended: 'prepare',
  toolkit_selected: 'prepare',
  toolkit_connected: 'prepare',
  data_preview_generated: 'prepare',
  readiness_status_changed: 'prepare',
  governance_override_requested: 'prepare',
  // Plan
  planner_candidate_generated: 'plan_approve',
  plan_ranked: 'plan_approve',
  plan_adjusted: 'plan_approve',
  plan_selected: 'plan_approve',
  // Approve
  approval_requested: 'plan_approve',
  approval_delegated: 'plan_approve',
  approval_granted: 'plan_approve',
  approval_rejected: 'plan_approve',
  approval_expired: 'plan_approve',
  plan_approved: 'plan_approve',
  // Execute
  execution_started: 'execute_observe',
  execution_phase_started: 'execute_observe',
  execution_step_completed: 'execute_observe',
  test_suite_run: 'execute_observe',
  validator_alert_raised: 'execute_observe',
  validator_override_requested: 'execute_observe',
  execution_phase_completed: 'execute_observe',
  undo_available: 'execute_observe',
  undo_requested: 'execute_observe',
  undo_completed: 'execute_observe',
  execution_paused: 'execute_observe',
  // Reflect
  mission_completed: 'reflect_improve',
  evidence_bundle_generated: 'reflect_improve',
  feedback_submitted: 'reflect_improve',
  followup_scheduled: 'reflect_improve',
  follow_up_issue_created: 'reflect_improve',
  library_contribution: 'reflect_improve',
  mission_retrospective_logged: 'reflect_improve',
  // Cross-stage
  mission_stage_transition: 'cross_stage',
  mission_cancelled: 'cross_stage',
  approval_denied: 'cross_stage',
  connector_call_failed: 'cross_stage',
} as const satisfies Record<string, CatalogStage>;

export type EventType = keyof typeof EVENT_CATALOG;
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

/** Payloads of the events the core emits today. Events of later stages carry a plain JSON object until they are built. */
export interface EventPayloads {
  intent_submitted: { token_count: number; safeguard_presence: boolean; technical_context: string; channel_id: string | null };
  brief_generated: { chips_generated: number; avg_confidence: number; domain: string; drafter: string; tags: string[] };
  chip_modified: { chip_type: ChipKind; action: 'edit' | 'add' | 'remove'; before: string[]; after: string[]; source: ChipSource };
  chip_regenerated: { chip_type: ChipKind; reason: string; before: string[]; after: string[]; confidence: ChipConfidence };
  mission_brief_locked: { final_chip_count: number; edits_made: number; technical_complexity: 'low' | 'medium' | 'high'; tags: string[] };
  toolkit_recommended: { toolkit_id: string; precedent_count: number; confidence: number; rationale: string; auth_status: AuthStatus };
  toolkit_selected: { toolkit_id: string; auth_status: AuthStatus; deferred: boolean };
  data_preview_generated: { source: string; status: Readiness; summary: string; metrics: Record<string, number | string | boolean> };
  readiness_status_changed: { toolkit_id: string; from: Readiness; to: Readiness };
  governance_override_requested: { gate: 'coverage'; coverage: number; required: number; reason: string };
  mission_stage_transition: { from_state: string; to_state: string; from_stage: Stage; to_stage: Stage; action: string };
  mission_cancelled: { reason: string; from_state: string };
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type PayloadOf<T extends EventType> = T extends keyof EventPayloads ? EventPayloads[T] : Record<string, JsonValue>;

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_CATALOG, value);
}

export function catalogStage(type: EventType): CatalogStage {
  return EVENT_CATALOG[type];
}
