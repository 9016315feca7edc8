// Time and identity are injected so tests control them and production uses the real ones.
import { randomBytes } from 'node:crypto';

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new unique id with a readable prefix, e.g. "msn_..." for missions. */
  next(prefix: string): string;
}

export const systemClock: Clock = { now: () => new Date() };

/** Time-ordered, collision-resistant ids: base36 milliseconds plus 8 random bytes. */
export const randomIds: IdGenerator = {
  next: (prefix) => `${prefix}_${Date.now().toString(36)}${randomBytes(8).toString('hex')}`,
};
