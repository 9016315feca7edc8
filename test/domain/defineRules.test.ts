// Define rules (src/domain/defineRules.ts) called directly, no database: a new mission from a
// draft, chip edits, regeneration, locking and reopening the brief, cancelling, and each refusal
// leaving the mission as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actors.js';
import type { DraftedBrief } from '../../src/domain/briefDrafter.js';
import {
  cancelMission,
  complexityOf,
  editChip,
  lockBrief,
  mergeAssistantChips,
  newMission,
  regenerateChip,
  removeChip,
  reopenBrief,
  titleFor,
} from '../../src/domain/defineRules.js';
import { draftBrief } from '../../src/domain/deterministicBriefDrafter.js';
import type { Mission } from '../../src/domain/mission.js';
import { commandBy, eventTypes, inMemoryService, refusedBy } from '../support/ruleHarness.js';
import { seedToApprovalRequested } from '../support/seedJourney.js';
import { ASSISTANT, JORDAN, SEED_INTENT } from '../support/seedMission.js';

const NOW = new Date('2025-10-15T09:47:00.000Z');
const DRAFT = draftBrief(SEED_INTENT);

function started(overrides: Partial<Parameters<typeof newMission>[0]> = {}, actor: Actor = JORDAN): { mission: Mission; cmd: ReturnType<typeof commandBy> } {
  const cmd = commandBy(actor, NOW);
  const mission = newMission(
    {
      id: 'msn_0001',
      intent: SEED_INTENT,
      channelId: 'C0MISSIONS',
      threadTs: null,
      assistantChips: [],
      drafted: DRAFT,
      drafter: { name: 'deterministic', slow: false },
      budgetUsd: null,
      ...overrides,
    },
    cmd,
  );
  return { mission, cmd };
}

const defining = () => started().mission;
const preparing = () => lockBrief(defining(), { precedents: {}, authStatus: { github: 'ready' } }, commandBy(JORDAN, NOW));

let awaitingApproval: Mission;
beforeAll(async () => {
  const { service, clock } = inMemoryService();
  awaitingApproval = await seedToApprovalRequested(service, clock);
});

describe('newMission', () => {
  it('starts defining with the drafted chips, titled by the objective, and records the intent and the brief', () => {
    const { mission, cmd } = started();
    expect(mission).toMatchObject({ id: 'msn_0001', state: 'defining', requester: JORDAN, channelId: 'C0MISSIONS', version: 1, eventSeq: 0, tags: DRAFT.tags });
    expect(mission.brief.chips.map((c) => c.kind)).toEqual(
      DRAFT.chips.map((c) => c.kind).sort((a, b) => mission.brief.chips.findIndex((c) => c.kind === a) - mission.brief.chips.findIndex((c) => c.kind === b)),
    );
    expect(mission.title).toBe(titleFor(mission.brief.chips, SEED_INTENT));
    expect(mission.brief.drafting).toBeUndefined();
    expect(eventTypes(cmd)).toEqual(['intent_submitted', 'brief_generated']);
    expect(cmd.events.pending[1]!.payload).toMatchObject({ drafter: 'deterministic', chips_generated: mission.brief.chips.length });
  });

  it("puts an assistant's chips in place of the drafted ones of their kind, dropping blank statements", () => {
    const { mission, cmd } = started(
      {
        assistantChips: [
          { kind: 'objective', items: ['  Fix   session persistence  ', ' '], confidence: 'high' },
          { kind: 'timeline', items: ['   '], confidence: 'low' },
        ],
      },
      ASSISTANT,
    );
    expect(mission.brief.chips.find((c) => c.kind === 'objective')).toMatchObject({ items: ['Fix session persistence'], source: 'assistant' });
    expect(mission.title).toBe('Fix session persistence');
    // A chip of blank statements replaces nothing.
    expect(mission.brief.chips.find((c) => c.kind === 'timeline')).toEqual(DRAFT.chips.find((c) => c.kind === 'timeline'));
    expect(cmd.events.pending[1]!.payload).toMatchObject({ drafter: 'deterministic+assistant' });
  });

  it('marks the brief drafting while a slow drafter (a model) works, naming the built-in drafter that stands in', () => {
    const { mission, cmd } = started({ drafter: { name: 'anthropic:claude', slow: true } });
    expect(mission.brief.drafting).toEqual({ status: 'drafting', drafter: 'anthropic:claude', reason: null });
    expect(cmd.events.pending[1]!.payload).toMatchObject({ drafter: 'deterministic' });
  });

  it("records a fast drafter's fallback on the brief", () => {
    const drafted: DraftedBrief = { ...DRAFT, fallbackReason: 'the model timed out' };
    const { mission, cmd } = started({ drafted, drafter: { name: 'anthropic:claude', slow: false } });
    expect(mission.brief.drafting).toEqual({ status: 'fallback', drafter: 'anthropic:claude', reason: 'the model timed out' });
    expect(eventTypes(cmd)).toEqual(['intent_submitted', 'brief_generated', 'drafter_fallback']);
  });
});

describe('titleFor, mergeAssistantChips and complexityOf', () => {
  it('titles by the first intent line when there is no objective, cut to 80 characters', () => {
    expect(titleFor([], '\n  Make the   login page faster \nmore text')).toBe('Make the login page faster');
    const title = titleFor([], 'x'.repeat(200));
    expect(title).toHaveLength(80);
    expect(title.endsWith('…')).toBe(true);
  });

  it('keeps chips in catalog order', () => {
    const merged = mergeAssistantChips({ ...DRAFT, chips: [] }, [
      { kind: 'timeline', items: ['Friday'], confidence: 'high' },
      { kind: 'objective', items: ['Ship it'], confidence: 'high' },
    ]);
    expect(merged.map((c) => c.kind)).toEqual(['objective', 'timeline']);
  });

  it('rates a brief touching a risky area with several scope items as high', () => {
    const brief = {
      chips: [{ kind: 'scope' as const, items: ['a', 'b'], confidence: 'high' as const, source: 'drafted' as const }],
      editsMade: 0,
      lockedAt: null,
    };
    expect(complexityOf(brief, ['authentication'])).toBe('high');
    expect(complexityOf(brief, ['docs'])).toBe('medium');
    expect(complexityOf({ ...brief, chips: [] }, ['docs'])).toBe('low');
  });
});

describe('editChip and removeChip', () => {
  it('replaces a chip as a person, and retitles the mission when the objective changes', () => {
    const cmd = commandBy(JORDAN, NOW);
    const edited = editChip(defining(), { kind: 'objective', items: ['Stop random logouts'] }, cmd);
    expect(edited.brief.chips.find((c) => c.kind === 'objective')).toMatchObject({ items: ['Stop random logouts'], source: 'edited' });
    expect(edited.title).toBe('Stop random logouts');
    expect(cmd.events.pending).toEqual([
      expect.objectContaining({ type: 'chip_modified', payload: expect.objectContaining({ chip_type: 'objective', action: 'edit', source: 'edited' }) }),
    ]);
  });

  it("records an assistant's edit as the assistant's", () => {
    const cmd = commandBy(ASSISTANT, NOW);
    const edited = editChip(defining(), { kind: 'kpis', items: ['Zero random logouts'] }, cmd);
    expect(edited.brief.chips.find((c) => c.kind === 'kpis')?.source).toBe('assistant');
    expect(cmd.events.pending[0]!.payload).toMatchObject({ source: 'assistant' });
  });

  it('refuses to edit or remove a locked brief, pointing at reopen, and changes nothing', () => {
    const locked = preparing();
    const cmd = commandBy(JORDAN, NOW);
    const error = refusedBy(locked, cmd, () => editChip(locked, { kind: 'kpis', items: ['x'] }, cmd));
    expect(error).toMatchObject({
      code: 'brief_locked',
      message: 'Cannot edit the KPIs chip: the brief is locked. Reopen the brief first.',
      details: { allowed: ['reopen_brief'] },
    });
    expect(refusedBy(locked, cmd, () => removeChip(locked, { kind: 'timeline' }, cmd)).code).toBe('brief_locked');
  });

  it('refuses brief edits once the mission is past Prepare', () => {
    const cmd = commandBy(JORDAN, NOW);
    const error = refusedBy(awaitingApproval, cmd, () => editChip(awaitingApproval, { kind: 'kpis', items: ['x'] }, cmd));
    expect(error).toMatchObject({ code: 'transition_refused', message: expect.stringContaining('only possible while it is defining') });
  });

  it('removes a chip and records what it held', () => {
    const mission = defining();
    const timeline = mission.brief.chips.find((c) => c.kind === 'timeline')!;
    const cmd = commandBy(JORDAN, NOW);
    const removed = removeChip(mission, { kind: 'timeline' }, cmd);
    expect(removed.brief.chips.some((c) => c.kind === 'timeline')).toBe(false);
    expect(cmd.events.pending[0]!.payload).toMatchObject({ chip_type: 'timeline', action: 'remove', before: timeline.items, after: [] });
  });
});

describe('regenerateChip', () => {
  it('puts the fresh draft of a removed chip back', () => {
    const removed = removeChip(defining(), { kind: 'timeline' }, commandBy(JORDAN, NOW));
    const cmd = commandBy(JORDAN, NOW);
    const regenerated = regenerateChip(removed, { kind: 'timeline', drafted: DRAFT, drafter: 'deterministic' }, cmd);
    expect(regenerated.brief.chips.find((c) => c.kind === 'timeline')).toMatchObject({
      items: DRAFT.chips.find((c) => c.kind === 'timeline')!.items,
      source: 'drafted',
    });
    expect(eventTypes(cmd)).toEqual(['chip_regenerated']);
  });

  it('refuses when the drafter found nothing for the chip, and changes nothing', () => {
    const mission = defining();
    const cmd = commandBy(JORDAN, NOW);
    const nothing: DraftedBrief = { ...DRAFT, chips: DRAFT.chips.filter((c) => c.kind !== 'kpis') };
    const error = refusedBy(mission, cmd, () => regenerateChip(mission, { kind: 'kpis', drafted: nothing, drafter: 'deterministic' }, cmd));
    expect(error).toMatchObject({
      code: 'precondition_failed',
      message: 'The drafter found nothing for KPIs in the intent. Write the chip yourself with an edit.',
    });
  });
});

describe('lockBrief and reopenBrief', () => {
  it('locks, moves to preparing and recommends toolkits with their auth status', () => {
    const cmd = commandBy(JORDAN, NOW);
    const locked = lockBrief(defining(), { precedents: { github: 3 }, authStatus: { github: 'ready' } }, cmd);
    expect(locked.state).toBe('preparing');
    expect(locked.brief.lockedAt).toBe(NOW.toISOString());
    expect(locked.toolkits.find((t) => t.toolkitId === 'github')).toMatchObject({ recommended: true, selected: false, authStatus: 'ready', precedentCount: 3 });
    expect(locked.toolkits.every((t) => t.toolkitId === 'github' || t.authStatus === 'unknown')).toBe(true);
    expect(eventTypes(cmd).slice(0, 2)).toEqual(['mission_brief_locked', 'mission_stage_transition']);
    expect(eventTypes(cmd).filter((t) => t === 'toolkit_recommended')).toHaveLength(locked.toolkits.length);
  });

  it('refuses to lock a brief that is already locked, and changes nothing', () => {
    const locked = preparing();
    const cmd = commandBy(JORDAN, NOW);
    expect(refusedBy(locked, cmd, () => lockBrief(locked, { precedents: {}, authStatus: {} }, cmd)).code).toBe('brief_locked');
  });

  it('keeps the chips as they stand when a model was still drafting, and says so', () => {
    const { mission } = started({ drafter: { name: 'anthropic:claude', slow: true } });
    const locked = lockBrief(mission, { precedents: {}, authStatus: {} }, commandBy(JORDAN, NOW));
    expect(locked.brief.drafting).toEqual({ status: 'fallback', drafter: 'anthropic:claude', reason: 'the brief was locked before the model answered' });
  });

  it('reopens a locked brief and starts the toolkit choice over; refuses to reopen one that is not locked', () => {
    const cmd = commandBy(JORDAN, NOW);
    const reopened = reopenBrief(preparing(), {}, cmd);
    expect(reopened).toMatchObject({ state: 'defining', toolkits: [], coverage: { entries: [], override: null } });
    expect(reopened.brief.lockedAt).toBeNull();
    const mission = defining();
    const again = commandBy(JORDAN, NOW);
    expect(refusedBy(mission, again, () => reopenBrief(mission, {}, again)).code).toBe('transition_refused');
  });
});

describe('cancelMission', () => {
  it('cancels from any open stage and withdraws a pending approval request', () => {
    const cmd = commandBy(JORDAN, NOW);
    const cancelled = cancelMission(awaitingApproval, { reason: 'Priorities changed' }, cmd);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.approval).toMatchObject({ status: 'cancelled', decidedAt: NOW.toISOString() });
    expect(eventTypes(cmd)).toEqual(['mission_cancelled', 'mission_stage_transition']);
    expect(cancelMission(defining(), { reason: 'Duplicate' }, commandBy(JORDAN, NOW)).state).toBe('cancelled');
  });

  it('refuses to cancel a mission that has ended, and changes nothing', () => {
    const cancelled = cancelMission(defining(), { reason: 'Duplicate' }, commandBy(JORDAN, NOW));
    const cmd = commandBy(JORDAN, NOW);
    const error = refusedBy(cancelled, cmd, () => cancelMission(cancelled, { reason: 'Again' }, cmd));
    expect(error.code).toBe('transition_refused');
  });
});
