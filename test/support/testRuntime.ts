import type { Clock, IdGenerator } from '../../src/domain/runtime.js';

/** A clock that only moves when the test says so. */
export class TestClock implements Clock {
  private current: Date;
  constructor(start = '2025-10-15T09:47:00.000Z') {
    this.current = new Date(start);
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Predictable ids: msn_0001, evt_0002, ... */
export function sequentialIds(): IdGenerator {
  let n = 0;
  return { next: (prefix) => `${prefix}_${String(++n).padStart(4, '0')}` };
}
