// The pure pacing decision behind the projector's edits: urgent changes within the short
// interval, progress-only changes within the long one, and nothing for an unchanged message.
import { describe, expect, it } from 'vitest';
import { editDecision, headlineHash } from '../../src/slack/editPace.js';
import { executionStatusHeadline } from '../../src/slack/executionStatus.js';
import { actions, button, section } from '../../src/slack/blocks.js';
import { ACTION_IDS } from '../../src/slack/actionIds.js';

const settings = { minEditIntervalMs: 1_000, progressEditIntervalMs: 10_000 };
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const delivered = { contentHash: 'c1', headlineHash: 'h1', updatedAt: at(0) };

describe('editDecision', () => {
  it('leaves a message showing the same content alone, however long ago it was edited', () => {
    expect(editDecision(delivered, { contentHash: 'c1', headlineHash: 'h1' }, at(50), settings)).toEqual({ kind: 'unchanged' });
  });

  it('holds a progress-only change (same headline) for the progress interval after the last edit', () => {
    expect(editDecision(delivered, { contentHash: 'c2', headlineHash: 'h1' }, at(1), settings)).toEqual({ kind: 'wait', until: at(10), urgent: false });
    expect(editDecision(delivered, { contentHash: 'c2', headlineHash: 'h1' }, at(10), settings)).toEqual({ kind: 'edit', urgent: false });
  });

  it('sends a headline change after the one-second interval, even right after a progress edit', () => {
    expect(editDecision(delivered, { contentHash: 'c2', headlineHash: 'h2' }, at(0), settings)).toEqual({ kind: 'wait', until: at(1), urgent: true });
    expect(editDecision(delivered, { contentHash: 'c2', headlineHash: 'h2' }, at(1), settings)).toEqual({ kind: 'edit', urgent: true });
  });

  it('holds progress for the interval after the latest write of any message of the thread, but not a headline change', () => {
    const threadWrittenAt = at(8);
    expect(editDecision(delivered, { contentHash: 'c2', headlineHash: 'h1' }, at(12), settings, threadWrittenAt)).toEqual({
      kind: 'wait',
      until: at(18),
      urgent: false,
    });
    expect(editDecision(delivered, { contentHash: 'c2', headlineHash: 'h2' }, at(12), settings, threadWrittenAt)).toEqual({ kind: 'edit', urgent: true });
  });

  it('treats a record from before headlines were kept as urgent', () => {
    expect(editDecision({ ...delivered, headlineHash: '' }, { contentHash: 'c2', headlineHash: 'h1' }, at(1), settings)).toEqual({
      kind: 'edit',
      urgent: true,
    });
  });

  it('never paces progress faster than the one-second interval, even when set lower', () => {
    const fast = { minEditIntervalMs: 1_000, progressEditIntervalMs: 0 };
    expect(editDecision(delivered, { contentHash: 'c2', headlineHash: 'h1' }, at(0), fast)).toEqual({ kind: 'wait', until: at(1), urgent: false });
  });
});

describe('headlineHash', () => {
  const value = { missionId: 'msn_0001' };
  const rollback = actions('undo', [button({ text: 'Rollback', actionId: ACTION_IDS.rollback, value })]);

  it('ignores text outside the urgent facts and follows the buttons', () => {
    const a = { text: '3/4 tests', blocks: [section('3/4 tests'), rollback] };
    const b = { text: '4/4 tests', blocks: [section('4/4 tests'), rollback] };
    expect(headlineHash(a, { state: 'executing' })).toBe(headlineHash(b, { state: 'executing' }));
    expect(headlineHash(a, { state: 'executing' })).not.toBe(headlineHash(b, { state: 'reflecting' }));
    expect(headlineHash(a, { state: 'executing' })).not.toBe(headlineHash({ ...a, blocks: [section('3/4 tests')] }, { state: 'executing' }));
  });

  it('makes every change urgent for a surface that names no urgent facts', () => {
    expect(headlineHash({ text: 'a', blocks: [section('a')] }, null)).not.toBe(headlineHash({ text: 'b', blocks: [section('b')] }, null));
  });

  it('gives a mission not executing yet its state as the only urgent fact', () => {
    expect(executionStatusHeadline({ state: 'planning', execution: null } as never)).toEqual({ state: 'planning' });
  });
});
