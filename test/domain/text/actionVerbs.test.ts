// The one list of action verbs: what the drafter and the planner read as the start of a piece of work.
import { describe, expect, it } from 'vitest';
import { isAction } from '../../../src/domain/drafting/statementKinds.js';
import { workItem } from '../../../src/domain/planning/workItems.js';
import { ACTION_VERBS, DRAFTER_ACTION_VERBS, PLANNER_ACTION_VERBS } from '../../../src/domain/text/actionVerbs.js';

describe('action verbs', () => {
  it('lists each verb once, as lowercase words the drafter can put in a pattern as they are', () => {
    expect(new Set(DRAFTER_ACTION_VERBS).size).toBe(DRAFTER_ACTION_VERBS.length);
    expect(PLANNER_ACTION_VERBS.size).toBe(ACTION_VERBS.length + 10);
    for (const verb of [...DRAFTER_ACTION_VERBS, ...PLANNER_ACTION_VERBS]) expect(verb).toMatch(/^[a-z]+(?: [a-z]+)?$/);
  });

  it('gives the drafter and the planner the same shared verbs, both spellings included', () => {
    for (const verb of ACTION_VERBS) {
      expect(isAction(`${verb} the export`)).toBe(true);
      expect(workItem(`${verb} the export`, 0).verb).toBe(verb);
    }
    expect(ACTION_VERBS).toEqual(expect.arrayContaining(['optimise', 'optimize', 'centralise', 'centralize']));
  });

  it('keeps the verbs only one of them knows: two-word verbs for the drafter, data upkeep for the planner', () => {
    expect(isAction('Set up the staging database')).toBe(true);
    expect(workItem('Set up the staging database', 0).verb).toBe('change');
    expect(workItem('Speed up the export', 0).verb).toBe('speed');
    expect(workItem('Purge deleted accounts after 30 days', 0).verb).toBe('purge');
    expect(isAction('Purge deleted accounts after 30 days')).toBe(false);
  });
});
