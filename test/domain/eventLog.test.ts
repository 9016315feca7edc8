import { describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/domain/actors.js';
import { canonicalJson, chainEvents, GENESIS_HASH, verifyEventChain, type MissionEvent } from '../../src/domain/eventLog.js';

function sampleLog(): { events: MissionEvent[]; head: { eventSeq: number; headHash: string } } {
  let n = 0;
  const chained = chainEvents(
    { missionId: 'msn_1', eventSeq: 0, headHash: GENESIS_HASH },
    [
      {
        type: 'intent_submitted',
        actor: { kind: 'slack_user', id: 'U1' },
        payload: { token_count: 3, safeguard_presence: false, technical_context: 'bug_fix', channel_id: null },
      },
      {
        type: 'brief_generated',
        actor: SYSTEM_ACTOR,
        payload: { chips_generated: 2, avg_confidence: 0.85, domain: 'software_engineering', drafter: 'deterministic', tags: ['bugfix'] },
      },
      {
        type: 'mission_brief_locked',
        actor: { kind: 'slack_user', id: 'U1' },
        payload: { final_chip_count: 2, edits_made: 0, technical_complexity: 'low', tags: ['bugfix'] },
      },
    ],
    () => 'define',
    new Date('2025-10-15T09:47:00Z'),
    () => `evt_${++n}`,
  );
  return { events: chained.events, head: { eventSeq: chained.eventSeq, headHash: chained.headHash } };
}

describe('hash-chained event log', () => {
  it('links each event to the one before it and verifies a clean log', () => {
    const { events, head } = sampleLog();
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    expect(events[1]!.prevHash).toBe(events[0]!.hash);
    expect(events[2]!.prevHash).toBe(events[1]!.hash);
    expect(head.headHash).toBe(events[2]!.hash);
    expect(verifyEventChain(events, head)).toEqual({ ok: true, eventCount: 3, headHash: head.headHash });
  });

  it('detects an edited payload', () => {
    const { events, head } = sampleLog();
    const tampered = events.map((e) => (e.seq === 2 ? { ...e, payload: { ...e.payload, chips_generated: 6 } } : e));
    expect(verifyEventChain(tampered, head)).toMatchObject({ ok: false, brokenAtSeq: 2, reason: expect.stringContaining('changed') });
  });

  it('detects an edited actor or time', () => {
    const { events, head } = sampleLog();
    const otherActor = events.map((e) => (e.seq === 1 ? { ...e, actor: { kind: 'slack_user' as const, id: 'U2' } } : e));
    expect(verifyEventChain(otherActor, head)).toMatchObject({ ok: false, brokenAtSeq: 1 });
    const otherTime = events.map((e) => (e.seq === 3 ? { ...e, occurredAt: new Date('2025-10-15T10:00:00Z') } : e));
    expect(verifyEventChain(otherTime, head)).toMatchObject({ ok: false, brokenAtSeq: 3 });
  });

  it('detects a deleted event in the middle', () => {
    const { events, head } = sampleLog();
    expect(verifyEventChain([events[0]!, events[2]!], head)).toMatchObject({ ok: false, brokenAtSeq: 2, reason: expect.stringContaining('missing') });
  });

  it('detects a deleted last event through the stored head', () => {
    const { events, head } = sampleLog();
    expect(verifyEventChain(events.slice(0, 2))).toMatchObject({ ok: true });
    expect(verifyEventChain(events.slice(0, 2), head)).toMatchObject({ ok: false, reason: expect.stringContaining('records 3 events') });
  });

  it('detects a re-hashed rewrite that no longer matches the stored head', () => {
    const { events, head } = sampleLog();
    let n = 0;
    const rewritten = chainEvents(
      { missionId: 'msn_1', eventSeq: 0, headHash: GENESIS_HASH },
      events.map((e) => ({ type: e.type, actor: e.actor, payload: e.seq === 1 ? { ...e.payload, token_count: 999 } : e.payload })),
      () => 'define',
      new Date('2025-10-15T09:47:00Z'),
      () => `evt_${++n}`,
    );
    expect(verifyEventChain(rewritten.events)).toMatchObject({ ok: true });
    expect(verifyEventChain(rewritten.events, head)).toMatchObject({ ok: false, reason: expect.stringContaining('head hash') });
  });

  it('hashes content, not key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"x":2,"y":1}]},"b":1}');
  });
});
