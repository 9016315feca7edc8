// The mission state machine: every state, the stage it belongs to, and the one
// transition table. Nothing else in the code base decides which moves are legal.
import { MissionError } from './errors.js';

export const STAGES = ['define', 'prepare', 'plan_approve', 'execute_observe', 'reflect_improve', 'closed'] as const;
export type Stage = (typeof STAGES)[number];

export const MISSION_STATES = [
  'defining', // Define: brief chips drafted and edited
  'preparing', // Prepare: toolkits recommended, selected, inspected
  'planning', // Plan & Approve: plays proposed, ranked, one selected
  'awaiting_approval', // Plan & Approve: approval requested from the policy's approvers
  'executing', // Execute & Observe: phases, steps, tests, alerts, evidence
  'reflecting', // Reflect & Improve: feedback, follow-ups, library, retrospective
  'done',
  'cancelled',
  'rolled_back',
  'failed',
] as const;
export type MissionState = (typeof MISSION_STATES)[number];

export const TERMINAL_STATES: readonly MissionState[] = ['done', 'cancelled', 'rolled_back', 'failed'];

export const STAGE_OF_STATE: Record<MissionState, Stage> = {
  defining: 'define',
  preparing: 'prepare',
  planning: 'plan_approve',
  awaiting_approval: 'plan_approve',
  executing: 'execute_observe',
  reflecting: 'reflect_improve',
  done: 'closed',
  cancelled: 'closed',
  rolled_back: 'closed',
  failed: 'closed',
};

export const MISSION_ACTIONS = [
  'lock_brief',
  'reopen_brief',
  'confirm_toolkits',
  'request_approval',
  'approve',
  'reject',
  'expire_approval',
  'complete_execution',
  'roll_back',
  'fail',
  'close',
  'cancel',
] as const;
export type MissionAction = (typeof MISSION_ACTIONS)[number];

const ACTIVE: MissionState[] = ['defining', 'preparing', 'planning', 'awaiting_approval', 'executing', 'reflecting'];

/** The transition table: action -> (from state -> to state). */
export const TRANSITIONS: Record<MissionAction, Partial<Record<MissionState, MissionState>>> = {
  lock_brief: { defining: 'preparing' },
  reopen_brief: { preparing: 'defining' },
  confirm_toolkits: { preparing: 'planning' },
  request_approval: { planning: 'awaiting_approval' },
  approve: { awaiting_approval: 'executing' },
  reject: { awaiting_approval: 'planning' },
  expire_approval: { awaiting_approval: 'planning' },
  complete_execution: { executing: 'reflecting' },
  // From reflecting only while a production release is watched (releaseRules.ts decides; the seed keeps undo through the production deploy).
  roll_back: { executing: 'rolled_back', reflecting: 'rolled_back' },
  fail: { executing: 'failed' },
  close: { reflecting: 'done' },
  cancel: Object.fromEntries(ACTIVE.filter((s) => s !== 'reflecting').map((s) => [s, 'cancelled'])),
};

/** What a person can do next from a state, for error messages and front doors. */
export function allowedActions(state: MissionState): MissionAction[] {
  return MISSION_ACTIONS.filter((action) => TRANSITIONS[action][state] !== undefined);
}

export function isTerminal(state: MissionState): boolean {
  return TERMINAL_STATES.includes(state);
}

const ACTION_WORDS: Record<MissionAction, string> = {
  lock_brief: 'lock the brief',
  reopen_brief: 'reopen the brief',
  confirm_toolkits: 'confirm toolkits',
  request_approval: 'request approval',
  approve: 'approve the play',
  reject: 'reject the play',
  expire_approval: 'expire the approval request',
  complete_execution: 'complete execution',
  roll_back: 'roll back',
  fail: 'mark the mission failed',
  close: 'close the mission',
  cancel: 'cancel the mission',
};

/**
 * Returns the state `action` leads to from `state`, or throws a `transition_refused`
 * error naming the current state and the moves that are allowed from it.
 */
export function nextState(state: MissionState, action: MissionAction): MissionState {
  const to = TRANSITIONS[action][state];
  if (to !== undefined) return to;
  const allowed = allowedActions(state);
  const options = allowed.length > 0 ? allowed.join(', ') : 'none (the mission is finished)';
  throw new MissionError('transition_refused', `Cannot ${ACTION_WORDS[action]}: the mission is ${state}. Allowed from ${state}: ${options}.`, {
    state,
    action,
    allowed,
  });
}
