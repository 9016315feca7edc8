// The append-only, hash-chained event log of a mission. Each event's hash covers its
// content and the previous event's hash, so editing, reordering or deleting any event
// (including the last one, via the mission's stored head) is detected by `verifyEventChain`.
import { createHash } from 'node:crypto';
import type { Actor } from './actors.js';
import type { Stage } from './missionStateMachine.js';
import type { EventType, JsonValue, PayloadOf } from './telemetryEvents.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface MissionEvent<T extends EventType = EventType> {
  id: string;
  missionId: string;
  /** 1-based position in the mission's log. */
  seq: number;
  type: T;
  stage: Stage | 'cross_stage';
  actor: Actor;
  occurredAt: Date;
  payload: PayloadOf<T>;
  prevHash: string;
  hash: string;
}

/** An event the service wants recorded; the log fills in position and hashes. */
export interface PendingEvent<T extends EventType = EventType> {
  type: T;
  payload: PayloadOf<T>;
  actor: Actor;
}

/** JSON with object keys sorted at every level, so equal content always hashes equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

type HashedFields = Omit<MissionEvent, 'hash' | 'id'>;

export function hashEvent(event: HashedFields): string {
  return sha256Hex(
    canonicalJson({
      missionId: event.missionId,
      seq: event.seq,
      type: event.type,
      stage: event.stage,
      actor: event.actor,
      occurredAt: event.occurredAt.toISOString(),
      payload: event.payload as JsonValue,
      prevHash: event.prevHash,
    }),
  );
}

export type ChainVerification = { ok: true; eventCount: number; headHash: string } | { ok: false; eventCount: number; brokenAtSeq: number; reason: string };

/**
 * Checks a mission's events in order. `expectedHead` (the mission's stored event count
 * and head hash) catches deletion of trailing events, which no chain can see on its own.
 */
export function verifyEventChain(events: readonly MissionEvent[], expectedHead?: { eventSeq: number; headHash: string }): ChainVerification {
  const verifier = new ChainVerifier();
  verifier.add(events);
  return verifier.result(expectedHead);
}

/**
 * The same check fed page by page, so a log of any length is verified holding one page at a
 * time and reading each event once. `add` returns false once the chain is broken: stop reading.
 */
export class ChainVerifier {
  private prevHash: string | null;
  private count: number;
  private broken: { brokenAtSeq: number; reason: string } | null = null;

  /**
   * From the start of the log, or from a later point: the event count before it and the hash
   * the next event must link to (null: unknown, so the first event's link is not checked).
   */
  constructor(from: { eventSeq: number; headHash: string | null } = { eventSeq: 0, headHash: GENESIS_HASH }) {
    this.count = from.eventSeq;
    this.prevHash = from.headHash;
  }

  add(events: readonly MissionEvent[]): boolean {
    for (const event of events) {
      if (this.broken) return false;
      const expectedSeq = this.count + 1;
      if (event.seq !== expectedSeq) {
        this.broken = { brokenAtSeq: expectedSeq, reason: `event ${expectedSeq} is missing (found seq ${event.seq} in its place)` };
      } else if (this.prevHash !== null && event.prevHash !== this.prevHash) {
        this.broken = { brokenAtSeq: event.seq, reason: `event ${event.seq} does not link to the event before it` };
      } else if (hashEvent(event) !== event.hash) {
        this.broken = { brokenAtSeq: event.seq, reason: `event ${event.seq} (${event.type}) was changed after it was recorded` };
      } else {
        this.prevHash = event.hash;
      }
      this.count += 1;
    }
    return this.broken === null;
  }

  result(expectedHead?: { eventSeq: number; headHash: string }): ChainVerification {
    const eventCount = this.count;
    if (this.broken) return { ok: false, eventCount, ...this.broken };
    if (expectedHead) {
      if (expectedHead.eventSeq !== eventCount) {
        return {
          ok: false,
          eventCount,
          brokenAtSeq: Math.min(eventCount, expectedHead.eventSeq) + 1,
          reason: `the mission records ${expectedHead.eventSeq} events but the log holds ${eventCount}`,
        };
      }
      if (expectedHead.headHash !== this.prevHash) {
        return { ok: false, eventCount, brokenAtSeq: eventCount, reason: "the last event does not match the mission's recorded head hash" };
      }
    }
    return { ok: true, eventCount, headHash: this.prevHash ?? GENESIS_HASH };
  }
}

/** Appends pending events after `head`, returning the sealed events and the new head. */
export function chainEvents(
  head: { missionId: string; eventSeq: number; headHash: string },
  pending: readonly PendingEvent[],
  stageOf: (type: EventType) => Stage | 'cross_stage',
  now: Date,
  newId: () => string,
): { events: MissionEvent[]; eventSeq: number; headHash: string } {
  let seq = head.eventSeq;
  let prevHash = head.headHash;
  const events: MissionEvent[] = [];
  for (const p of pending) {
    seq += 1;
    const fields: HashedFields = {
      missionId: head.missionId,
      seq,
      type: p.type,
      stage: stageOf(p.type),
      actor: p.actor,
      occurredAt: now,
      payload: p.payload,
      prevHash,
    };
    const hash = hashEvent(fields);
    events.push({ ...fields, id: newId(), hash });
    prevHash = hash;
  }
  return { events, eventSeq: seq, headHash: prevHash };
}
