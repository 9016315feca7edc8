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
