import { describe, expect, it } from 'vitest';
import { MissionError } from '../../src/domain/errors.js';
import {
  allowedActions,
  MISSION_ACTIONS,
  MISSION_STATES,
  nextState,
  STAGE_OF_STATE,
  TERMINAL_STATES,
  type MissionAction,
  type MissionState,
} from '../../src/domain/missionStateMachine.js';

// The journey as the design describes it, written out independently of the table.
const EXPECTED: Array<[MissionState, MissionAction, MissionState]> = [
  ['defining', 'lock_brief', 'preparing'],
  ['preparing', 'reopen_brief', 'defining'],
  ['preparing', 'confirm_toolkits', 'planning'],
  ['planning', 'request_approval', 'awaiting_approval'],
  ['awaiting_approval', 'approve', 'executing'],
  ['awaiting_approval', 'reject', 'planning'],
  ['awaiting_approval', 'expire_approval', 'planning'],
  ['executing', 'complete_execution', 'reflecting'],
  ['executing', 'roll_back', 'rolled_back'],
  ['executing', 'fail', 'failed'],
  ['reflecting', 'close', 'done'],
  // Only while a production release is watched (releaseRules.ts); the rule refuses otherwise.
  ['reflecting', 'roll_back', 'rolled_back'],
  ['defining', 'cancel', 'cancelled'],
  ['preparing', 'cancel', 'cancelled'],
  ['planning', 'cancel', 'cancelled'],
  ['awaiting_approval', 'cancel', 'cancelled'],
  ['executing', 'cancel', 'cancelled'],
];

describe('mission state machine', () => {
  it.each(EXPECTED)('%s --%s--> %s', (from, action, to) => {
    expect(nextState(from, action)).toBe(to);
  });

  const allowed = new Set(EXPECTED.map(([from, action]) => `${from}:${action}`));
  const refused = MISSION_STATES.flatMap((state) => MISSION_ACTIONS.map((action) => [state, action] as const)).filter(
    ([state, action]) => !allowed.has(`${state}:${action}`),
  );

  it('refuses every move that is not in the journey', () => {
    expect(refused.length).toBe(MISSION_STATES.length * MISSION_ACTIONS.length - EXPECTED.length);
  });

  it.each(refused)('refuses %s --%s--> with the current state and the allowed moves', (state, action) => {
    let caught: unknown;
    try {
      nextState(state, action);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissionError);
    const error = caught as MissionError;
    expect(error.code).toBe('transition_refused');
    expect(error.details.state).toBe(state);
    expect(error.details.allowed).toEqual(allowedActions(state));
    expect(error.message).toContain(`the mission is ${state}`);
    for (const move of allowedActions(state)) expect(error.message).toContain(move);
  });

  it('has no way out of a terminal state', () => {
    for (const state of TERMINAL_STATES) {
      expect(allowedActions(state)).toEqual([]);
      expect(() => nextState(state, 'cancel')).toThrow(/mission is finished|none/);
    }
  });

  it('maps every state to one of the five stages or closed', () => {
    expect(STAGE_OF_STATE.defining).toBe('define');
    expect(STAGE_OF_STATE.preparing).toBe('prepare');
    expect(STAGE_OF_STATE.awaiting_approval).toBe('plan_approve');
    expect(STAGE_OF_STATE.executing).toBe('execute_observe');
    expect(STAGE_OF_STATE.reflecting).toBe('reflect_improve');
    for (const state of TERMINAL_STATES) expect(STAGE_OF_STATE[state]).toBe('closed');
  });
});
