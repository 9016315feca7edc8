import { expect } from 'vitest';
import { MissionError } from '../../src/domain/errors.js';

/** Awaits a call that must be refused and returns its typed error. */
export async function refusal(promise: Promise<unknown>): Promise<MissionError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MissionError);
    return error as MissionError;
  }
  throw new Error('expected the call to be refused');
}

/**
 * Input that does not type-check, as an untyped caller (JSON from outside) could still send it:
 * the service's schema refuses it at run time, which is what the test shows.
 */
export function untyped(input: unknown): never {
  return input as never;
}
