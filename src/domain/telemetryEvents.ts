// The telemetry event catalog: every event name the mission log may hold, the stage
// it belongs to, and the payload it carries. Names follow the seed system's catalog.
import type { RiskLevel, PlaySource, PlayStatus } from './plays.js';
import type { Stage } from './missionStateMachine.js';
import type { ChipConfidence, ChipKind, ChipSource } from './brief.js';
import type { AuthStatus, Readiness } from './toolkits.js';
import type { CoverageSource } from './mission.js';
import type { ModelTask } from './modelUsage.js';

type CatalogStage = Stage | 'cross_stage';

export const EVENT_CATALOG = {
  // Define
  intent_submitted: 'define',
  brief_generated: 'define',
  drafter_fallback: 'cross_stage',
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
  reported_coverage_accepted: 'prepare',
  // Plan
  planner_candidate_generated: 'plan_approve',
  plan_ranked: 'plan_approve',
  plan_adjusted: 'plan_approve',
  plan_selected: 'plan_approve',
  play_dismissed: 'plan_approve',
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
  validator_alert_resolved: 'execute_observe',
  gate_overridden: 'execute_observe',
  deviation_recorded: 'execute_observe',
  evidence_attached: 'execute_observe',
  execution_phase_completed: 'execute_observe',
  undo_available: 'execute_observe',
  undo_requested: 'execute_observe',
  undo_completed: 'execute_observe',
  execution_paused: 'execute_observe',
  executor_dispatch_requested: 'execute_observe',
  executor_dispatched: 'execute_observe',
  executor_dispatch_failed: 'execute_observe',
  pull_request_updated: 'execute_observe',
  // Release (seed stage 5: preview, canary, production, monitoring): followed while the mission
  // executes or reflects, so they carry the stage the mission is in.
  deployment_started: 'cross_stage',
  deployment_status_changed: 'cross_stage',
  deployment_completed: 'cross_stage',
  canary_promoted: 'cross_stage',
  monitoring_report: 'cross_stage',
  must_haves_verified: 'execute_observe',
  uat_result_recorded: 'execute_observe',
  uat_signed_off: 'execute_observe',
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
  mission_failed: 'cross_stage',
  approval_denied: 'cross_stage',
  connector_call_failed: 'cross_stage',
  model_call_completed: 'cross_stage',
  usage_reported: 'cross_stage',
  budget_changed: 'cross_stage',
} as const satisfies Record<string, CatalogStage>;

export type EventType = keyof typeof EVENT_CATALOG;
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

/** Payloads of the events the core emits. Catalog names without an entry here carry a plain JSON object. */
export interface EventPayloads {
  intent_submitted: { token_count: number; safeguard_presence: boolean; technical_context: string; channel_id: string | null };
  brief_generated: { chips_generated: number; avg_confidence: number; domain: string; drafter: string; tags: string[] };
  chip_modified: { chip_type: ChipKind; action: 'edit' | 'add' | 'remove'; before: string[]; after: string[]; source: ChipSource };
  chip_regenerated: { chip_type: ChipKind; reason: string; before: string[]; after: string[]; confidence: ChipConfidence };
  mission_brief_locked: { final_chip_count: number; edits_made: number; technical_complexity: 'low' | 'medium' | 'high'; tags: string[] };
  toolkit_recommended: { toolkit_id: string; precedent_count: number; confidence: number; rationale: string; auth_status: AuthStatus };
  toolkit_selected: { toolkit_id: string; auth_status: AuthStatus; deferred: boolean };
  data_preview_generated: {
    source: string;
    status: Readiness;
    summary: string;
    metrics: Record<string, number | string | boolean>;
    recorded_by: CoverageSource;
  };
  reported_coverage_accepted: { toolkit_ids: string[]; coverage_before: number; coverage_after: number };
  readiness_status_changed: { toolkit_id: string; from: Readiness; to: Readiness };
  governance_override_requested: { gate: 'coverage'; coverage: number; required: number; reason: string };
  mission_stage_transition: { from_state: string; to_state: string; from_stage: Stage; to_stage: Stage; action: string };
  mission_cancelled: { reason: string; from_state: string };
  // Plan & Approve
  planner_candidate_generated: {
    play_id: string;
    title: string;
    source: PlaySource;
    confidence: number;
    precedent_count: number;
    phases: number;
    risk_level: RiskLevel;
    score: number;
  };
  plan_ranked: { ranking: Array<{ play_id: string; rank: number; score: number; status: PlayStatus }>; top_play: string | null };
  play_dismissed: { play_id: string; reason: string };
  plan_selected: { play_id: string; title: string; risk_level: RiskLevel; score: number; rank: number };
  approval_requested: {
    request_id: string;
    play_id: string;
    risk_level: RiskLevel;
    play_risk_level?: RiskLevel;
    risk_raised_because?: string[];
    requested_for?: string[];
    required: number;
    approvers: string[];
    approver_groups?: string[];
    expires_at: string;
  };
  approval_granted: { request_id: string; play_id: string; approver_id: string; approvals: number; required: number; via_group?: string };
  approval_rejected: { request_id: string; play_id: string; approver_id: string; reason: string };
  approval_expired: { request_id: string; play_id: string; expired_at: string };
  approval_denied: { request_id: string | null; actor_id: string; reason: string; alert_id?: string };
  plan_approved: { play_id: string; reviewer_ids: string[]; risk_level: RiskLevel; phases: number; auto_approved: boolean };
  // Execute & Observe
  execution_started: { play_id: string; phases: number; estimated_duration_mins: number };
  undo_available: { play_id: string; steps: string[] };
  execution_phase_started: { phase: number; phase_id: string; name: string; retry: boolean };
  execution_step_completed: {
    phase: number;
    phase_id: string;
    step: string;
    duration_ms: number;
    in_plan: boolean;
    [count: string]: number | string | boolean;
  };
  test_suite_run: { phase: number; phase_id: string; tests_total: number; tests_passing: number; tests_failing: number; coverage: number | null };
  validator_alert_raised: {
    alert_id: string;
    phase: number;
    phase_id: string;
    alert_type: 'auto_fix' | 'review_required';
    severity: string;
    description: string;
  };
  validator_alert_resolved: { alert_id: string; phase_id: string; outcome: 'accepted' | 'blocked'; note: string };
  gate_overridden: { override_id: string; scope: 'phase' | 'mission'; phase_id: string | null; check_id: string; reason: string; approver_id: string };
  execution_paused: { phase_id: string; reason: string };
  deviation_recorded: { deviation_id: string; phase_id: string; rule: number; description: string; reason: string; step: string | null };
  execution_phase_completed: { phase: number; phase_id: string; duration_mins: number; status: 'success' | 'failed'; gate_checks?: string[]; reason?: string };
  evidence_attached: { artifact_id: string; name: string; kind: string; sha256: string; size_bytes: number; review: string | null };
  evidence_bundle_generated: { mission_id: string; artifact_count: number; total_hash: string };
  undo_requested: { play_id: string; reason: string };
  undo_completed: { play_id: string; steps: Array<{ step: string; outcome: string }> };
  mission_failed: { reason: string; phases_completed: number };
  connector_call_failed: { toolkit_id: string; operation: string; error: string };
  executor_dispatch_requested: { executor: string; repository: string; workflow: string; ref: string | null };
  executor_dispatched: { executor: string; repository: string; workflow: string; ref: string | null; runs_url: string; found_existing: boolean };
  executor_dispatch_failed: { executor: string; repository: string; workflow: string; ref: string | null; error: string };
  must_haves_verified: {
    play_id: string;
    repository: string;
    pull_request: number;
    head_sha: string;
    verified: number;
    missing: number;
    stub: number;
    not_wired: number;
    needs_human: number;
    anti_patterns: number;
  };
  uat_result_recorded: {
    item_id: string;
    source: 'truth' | 'acceptance_criterion';
    outcome: 'pass' | 'fail';
    note: string;
    follow_up_id: string | null;
    retest: boolean;
  };
  uat_signed_off: { items: number; signed_off_by: string };
  /** A model-backed drafter or planner gave no usable answer; the built-in result stands in. */
  drafter_fallback: { task: 'draft' | 'plan'; drafter: string; fallback: string; reason: string };
  /** One call Mission Control made to a model (tokens and USD from the configured prices). */
  model_call_completed: {
    task: ModelTask;
    provider: string;
    model: string;
    input_tokens: number;
    output_tokens: number;
    cost_usd: number;
    duration_ms: number;
    outcome: 'ok' | 'refused_output' | 'failed';
    phase: string;
  };
  /** An assistant reported the tokens and cost of its own model (a `usage` report). */
  usage_reported: { model: string; input_tokens: number; output_tokens: number; cost_usd: number; phase: string };
  budget_changed: { from_usd: number | null; to_usd: number; spent_usd: number; paused: boolean };
  /** GitHub reported a change to a mission's pull request (webhook): head, state, checks or reviews. */
  pull_request_updated: {
    repository: string;
    number: number;
    event: string;
    head_sha: string;
    state: string;
    checks_passing: number;
    checks_total: number;
    review: string | null;
  };
  // Release
  deployment_started: { deployment_id: string; environment: string; kind: string; canary_percent: number | null; sha: string; ref: string };
  deployment_status_changed: { deployment_id: string; environment: string; from: string; to: string };
  deployment_completed: {
    deployment_id: string;
    environment: string;
    kind: string;
    canary_percent: number | null;
    status: 'success' | 'failure';
    url: string | null;
    duration_mins: number;
  };
  canary_promoted: { environment: string; from_percent: number; to_percent: number; deployment_id: string };
  monitoring_report: { environment: string; duration_mins: number; window_mins: number; deployments_failed: number; outcome: 'healthy' | 'rolled_back' };
  // Reflect & Improve
  mission_completed: { play_id: string; phases_completed: number; duration_mins: number; gate_checks: number };
  feedback_submitted: { rating: number; effort_saved_hours: number | null; has_comments: boolean; has_suggestions: boolean };
  followup_scheduled: { follow_up_id: string; title: string; priority: string; tracker: string | null };
  follow_up_issue_created: { follow_up_id: string; issue_id: string; tracker: string; title: string; priority: string; url: string | null };
  library_contribution: { play_id: string; entry_id: string; tags: string[]; visibility: 'team'; reuse_score: number };
  mission_retrospective_logged: {
    total_duration_mins: number;
    phases_completed: number;
    follow_up_tasks: number;
    tests_added: number;
    coverage_before: number | null;
    coverage_after: number | null;
    gates_passed: number;
    alerts: number;
    owner: string;
  };
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type PayloadOf<T extends EventType> = T extends keyof EventPayloads ? EventPayloads[T] : Record<string, JsonValue>;

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_CATALOG, value);
}

export function catalogStage(type: EventType): CatalogStage {
  return EVENT_CATALOG[type];
}
