// What a stage rule needs while it changes a mission: who acts, the time, new ids, and the
// buffer its events go to. Stage rules are pure functions (mission, input, command) -> mission;
// the service loads, runs them and saves the result with the buffered events.
import type { Actor } from './actors.js';
import { MissionError } from './errors.js';
import type { PendingEvent } from './eventLog.js';
import type { Mission } from './mission.js';
import type { MissionWrites } from './missionRepository.js';
import { nextState, STAGE_OF_STATE, type MissionAction, type MissionState } from './missionStateMachine.js';
import type { EventType, PayloadOf } from './telemetryEvents.js';

/** Events collected while a command runs, recorded with the mission's new state. */
export class EventBuffer {
  readonly pending: PendingEvent[] = [];
  constructor(private readonly actor: Actor) {}
  add<T extends EventType>(type: T, payload: PayloadOf<T>, actor: Actor = this.actor): void {
    this.pending.push({ type, payload, actor } as PendingEvent);
  }
}

/**
 * Content a command stores beside the mission (evidence bodies, library entries, the test runs
 * and steps it appended), written with it. Rules record what they append here, so storage appends exactly
 * that and never has to work out what changed by comparing with history.
 */
export type CommandWrites = MissionWrites & {
  artifacts: NonNullable<MissionWrites['artifacts']>;
  testRuns: NonNullable<MissionWrites['testRuns']>;
  steps: NonNullable<MissionWrites['steps']>;
};

/** Nothing written yet: the `writes` every new command starts with. */
export function noWrites(): CommandWrites {
  return { artifacts: [], testRuns: [], steps: [] };
}

export interface MissionCommand {
  actor: Actor;
  now: Date;
  /** `now` as ISO text, the form stored in mission documents. */
  at: string;
  newId(prefix: string): string;
  events: EventBuffer;
  writes: CommandWrites;
}

/** Moves the mission through the state machine and records the stage transition. */
export function transition(mission: Mission, action: MissionAction, events: EventBuffer): Mission {
  const to: MissionState = nextState(mission.state, action);
  events.add('mission_stage_transition', {
    from_state: mission.state,
    to_state: to,
    from_stage: STAGE_OF_STATE[mission.state],
    to_stage: STAGE_OF_STATE[to],
    action,
  });
  return { ...mission, state: to };
}

/** Refuses a command outside the one state it is possible in, naming both. */
export function requireState(mission: Mission, state: MissionState, what: string): void {
  if (mission.state !== state) {
    throw new MissionError('transition_refused', `Cannot ${what}: the mission is ${mission.state}, and this is only possible while it is ${state}.`, {
      state: mission.state,
      allowed: [],
    });
  }
}
