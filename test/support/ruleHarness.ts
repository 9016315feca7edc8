// Stage rules called directly, without a database: missions in a given state come from the seed
// journey run on the in-memory repository; a MissionCommand is built here the way the service
// builds one (actor, time, ids, event buffer, writes).
import { expect } from 'vitest';
import type { Actor } from '../../src/domain/actors.js';
import { MissionError } from '../../src/domain/errors.js';
import type { Mission } from '../../src/domain/mission.js';
import { EventBuffer, noWrites, type MissionCommand } from '../../src/domain/missionCommand.js';
import type { MissionService } from '../../src/domain/missionService.js';
import { InMemoryMissionRepository } from './inMemoryMissionRepository.js';
import { sequentialIds, TestClock } from './testRuntime.js';
import { seedService } from './seedJourney.js';

/** A service over the in-memory repository, to bring missions to the state a rule test starts from. */
export function inMemoryService(clock = new TestClock()): { service: MissionService; clock: TestClock; repository: InMemoryMissionRepository } {
  const repository = new InMemoryMissionRepository();
  return {
    service: seedService(repository, clock),
    clock,
    repository,
  };
}

/** The command a rule runs under: `actor` at `now`, ids cmd_0001..., events buffered. */
export function commandBy(actor: Actor, now: Date): MissionCommand {
  const ids = sequentialIds();
  return { actor, now, at: now.toISOString(), newId: (prefix) => ids.next(prefix), events: new EventBuffer(actor), writes: noWrites() };
}

/** Runs a rule that must refuse; asserts the mission it was given is unchanged and no event or write was buffered. */
export function refusedBy(mission: Mission, cmd: MissionCommand, rule: () => unknown): MissionError {
  const before = structuredClone(mission);
  let refused: unknown;
  try {
    rule();
  } catch (error) {
    refused = error;
  }
  expect(refused, 'expected the rule to refuse').toBeInstanceOf(MissionError);
  expect(mission).toEqual(before);
  expect(cmd.events.pending).toEqual([]);
  expect(cmd.writes.artifacts).toEqual([]);
  expect(cmd.writes.testRuns).toEqual([]);
  expect(cmd.writes.steps).toEqual([]);
  expect(cmd.writes.libraryEntry).toBeUndefined();
  return refused as MissionError;
}

/** The event types a rule buffered, in order. */
export function eventTypes(cmd: MissionCommand): string[] {
  return cmd.events.pending.map((e) => e.type);
}
