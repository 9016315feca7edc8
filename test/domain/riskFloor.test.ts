// The one risk floor, database-free: what raises a play, and that the same floor is held at
// proposal and at the approval request (planApprove.ts), whatever the proposer rates.
import { describe, expect, it } from 'vitest';
import type { PlayDraft } from '../../src/domain/plays.js';
import { planLines, raisedRisk, riskFloor, riskyAreasOf } from '../../src/domain/riskFloor.js';

const play = (title: string, steps: string[] = [], undo: string[] = []): PlayDraft => ({
  title,
  rationale: 'Why not.',
  confidence: 0.8,
  phases: [{ id: 'only', name: 'Only', steps: steps.map((t, i) => ({ id: `s${i}`, title: t })) }],
  undoPlan: { summary: 'Revert.', steps: undo },
  safeguardsEnforced: [],
  risk: { complexity: 'low', impact: 'low', reversibility: 'high', testCoverage: 'strong', notes: '' },
  estimatedDurationMinutes: 30,
  codeChangePreview: null,
  mustHaves: { truths: [], artifacts: [], keyLinks: [] },
});

describe('risky areas', () => {
  it('come from the mission tags or the words of the work, in a fixed order', () => {
    expect(riskyAreasOf(['payments', 'jwt'])).toEqual(['auth', 'payments']);
    expect(riskyAreasOf([], 'Rotate the RBAC permissions and write a migration')).toEqual(['auth', 'data']);
    expect(riskyAreasOf(['frontend'], 'Change the button colour')).toEqual([]);
  });
});

describe('the risk floor', () => {
  it("is high on an auth, security or payments mission, whatever the play's own words", () => {
    const floor = riskFloor({ tags: ['authentication'], brief: [], plan: planLines(play('Tidy the code')) });
    expect(floor.level).toBe('high');
    expect(floor.reasons).toEqual(["authentication or authorization (the mission's topic)"]);
  });

  it('is medium for schema work or work that reaches production, and low otherwise', () => {
    expect(riskFloor({ brief: [], plan: planLines(play('Add a column', ['Write a migration'])) }).level).toBe('medium');
    expect(riskFloor({ brief: [], plan: planLines(play('Ship the docs', ['Deploy the site'])) }).level).toBe('medium');
    expect(riskFloor({ tags: ['deployment'], brief: [], plan: planLines(play('Edit the text')) }).level).toBe('medium');
    expect(riskFloor({ tags: ['frontend'], brief: [], plan: planLines(play('Change the button colour')) })).toEqual({ level: 'low', reasons: [] });
  });

  it('reads the undo plan too: a play cannot hide what it would take to roll back', () => {
    expect(riskFloor({ brief: [], plan: planLines(play('Tidy up', [], ['Drop the production users table'])) }).level).toBe('critical');
  });

  it('counts what the work does from the brief, but an area only from the plan or the tags', () => {
    expect(riskFloor({ brief: ['Purge the old backups permanently'], plan: planLines(play('Clean up')) }).level).toBe('critical');
    expect(riskFloor({ brief: ['Customers complain about Stripe refunds'], plan: planLines(play('Fix the copy')) }).level).toBe('low');
  });

  it("raises the proposer's own rating and says why; never lowers it", () => {
    const floor = riskFloor({ brief: [], plan: ['Drop the production users table'] });
    expect(raisedRisk('low', floor)).toEqual({ level: 'critical', raised: { from: 'low', reasons: floor.reasons } });
    expect(raisedRisk('critical', riskFloor({ brief: [], plan: ['Edit README.md'] }))).toEqual({ level: 'critical', raised: null });
  });
});
