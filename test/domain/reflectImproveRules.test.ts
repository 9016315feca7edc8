// Reflect & Improve rules (src/domain/reflectImprove.ts) called directly, no database: feedback,
// follow-ups and their tracker issues, pinning to the library, and each refusal leaving the
// mission as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Mission } from '../../src/domain/mission.js';
import { addFollowUp, pinToLibrary, recordFollowUpIssue, submitFeedback } from '../../src/domain/reflectImprove.js';
import { commandBy, eventTypes, inMemoryService, refusedBy } from '../support/ruleHarness.js';
import { seedToPlanning, seedToExecuting } from '../support/seedJourney.js';
import { ASSISTANT, JORDAN } from '../support/seedMission.js';

const NOW = new Date('2025-10-15T13:00:00.000Z');

let executing: Mission;
let planning: Mission;
/** The executed seed mission as the completion rule leaves it (its state is all these rules read). */
let reflecting: Mission;
let done: Mission;
beforeAll(async () => {
  const { service, clock } = inMemoryService();
  executing = await seedToExecuting(service, clock);
  const other = inMemoryService();
  planning = await seedToPlanning(other.service, other.clock);
  reflecting = { ...executing, state: 'reflecting' };
  done = { ...executing, state: 'done' };
});

describe('submitFeedback', () => {
  it("records a person's rating with who gave it and when", () => {
    const cmd = commandBy(JORDAN, NOW);
    const rated = submitFeedback(reflecting, { rating: 5, effortSavedHours: 6 }, cmd);
    expect(rated.reflection.feedback).toMatchObject({ rating: 5, effortSavedHours: 6, comments: null, by: JORDAN, at: NOW.toISOString() });
    expect(eventTypes(cmd)).toEqual(['feedback_submitted']);
    expect(reflecting.reflection.feedback).toBeNull();
  });

  it('refuses an assistant, and refuses before execution is complete', () => {
    const byAssistant = commandBy(ASSISTANT, NOW);
    expect(refusedBy(reflecting, byAssistant, () => submitFeedback(reflecting, { rating: 5 }, byAssistant)).code).toBe('permission_denied');
    const early = commandBy(JORDAN, NOW);
    const error = refusedBy(executing, early, () => submitFeedback(executing, { rating: 5 }, early));
    expect(error.code).toBe('transition_refused');
    expect(error.message).toContain('Complete the mission first');
  });
});

describe('follow-ups', () => {
  it("adds a follow-up for the mission's tracker once, and records the issue filed for it once", () => {
    const cmd = commandBy(JORDAN, NOW);
    const added = addFollowUp(reflecting, { title: 'Rotate signing keys', priority: 'high' }, cmd);
    const followUp = added.reflection.followUps.at(-1)!;
    expect(followUp).toMatchObject({ title: 'Rotate signing keys', status: 'open', tracker: 'linear', externalId: null });
    expect(addFollowUp(added, { title: 'ROTATE SIGNING KEYS', priority: 'low' }, commandBy(JORDAN, NOW))).toBe(added);

    const filed = recordFollowUpIssue(added, { followUpId: followUp.id, externalId: 'ENG-42', tracker: 'linear' }, commandBy(ASSISTANT, NOW));
    expect(filed.reflection.followUps.at(-1)!.externalId).toBe('ENG-42');
    const again = commandBy(ASSISTANT, NOW);
    const error = refusedBy(filed, again, () => recordFollowUpIssue(filed, { followUpId: followUp.id, externalId: 'ENG-43', tracker: 'linear' }, again));
    expect(error.code).toBe('already_decided');
    expect(error.message).toContain('already filed as ENG-42');
  });

  it('refuses an unknown follow-up id and a follow-up while planning', () => {
    const cmd = commandBy(ASSISTANT, NOW);
    expect(
      refusedBy(reflecting, cmd, () => recordFollowUpIssue(reflecting, { followUpId: 'fup_missing', externalId: 'ENG-1', tracker: 'linear' }, cmd)).details
        .field,
    ).toBe('followUpId');
    const early = commandBy(JORDAN, NOW);
    expect(refusedBy(planning, early, () => addFollowUp(planning, { title: 'Too soon', priority: 'low' }, early)).code).toBe('transition_refused');
  });
});

describe('pinToLibrary', () => {
  it('pins a well-rated play with lower-cased tags and writes the entry with the save', () => {
    const rated = submitFeedback(done, { rating: 5 }, commandBy(JORDAN, NOW));
    const cmd = commandBy(JORDAN, NOW);
    const pinned = pinToLibrary(rated, { tags: ['Auth', 'security', 'auth'], note: 'Calm rollout' }, cmd);
    expect(pinned.reflection.library).toMatchObject({ tags: ['auth', 'security'], note: 'Calm rollout', by: JORDAN });
    expect(cmd.writes.libraryEntry).toMatchObject({
      missionId: done.id,
      rating: 5,
      tags: ['auth', 'security'],
      title: pinned.plays.find((p) => p.id === cmd.writes.libraryEntry!.playId)!.title,
    });

    const twice = commandBy(JORDAN, NOW);
    expect(refusedBy(pinned, twice, () => pinToLibrary(pinned, { tags: ['auth'], note: 'again' }, twice)).code).toBe('already_decided');
  });

  it('refuses without feedback and with a rating below 4', () => {
    const none = commandBy(JORDAN, NOW);
    expect(refusedBy(done, none, () => pinToLibrary(done, { tags: ['auth'], note: 'n' }, none)).message).toContain('Give feedback first');
    const low = submitFeedback(done, { rating: 3 }, commandBy(JORDAN, NOW));
    const cmd = commandBy(JORDAN, NOW);
    const error = refusedBy(low, cmd, () => pinToLibrary(low, { tags: ['auth'], note: 'n' }, cmd));
    expect(error.code).toBe('precondition_failed');
    expect(error.message).toContain('rated 3/5');
  });
});
