// What the built-in planner reads from a brief, database-free: the drafter's tags say which
// risky areas and topics it touches; the chips say the work.
import { describe, expect, it } from 'vitest';
import { planPlays } from '../../../src/domain/defaultPlanner.js';
import type { PlannerInput } from '../../../src/domain/plays.js';
import { readBrief } from '../../../src/domain/planning/briefFacts.js';
import { namedPaths, namedWiring } from '../../../src/domain/planning/namedPaths.js';

const brief = (over: Partial<PlannerInput>): PlannerInput => ({
  objective: 'Add CSV export to the reports page',
  scope: ['Add a CSV export button', 'Stream rows from the reports query'],
  acceptanceCriteria: ['Exports of 100k rows finish'],
  kpis: [],
  safeguards: [],
  timeline: null,
  tags: [],
  ...over,
});

describe('the planner reads the brief', () => {
  it("takes risky areas from the drafter's tags, not from re-reading the words", () => {
    expect(readBrief(brief({ tags: ['payments'] })).sensitiveAreas).toEqual(['payments']);
    expect(readBrief(brief({ scope: ['Change the Stripe refund wording'], tags: [] })).sensitiveAreas).toEqual([]);
  });

  it('plans a release when the drafter tagged deployment, though the chips never say so', () => {
    expect(readBrief(brief({})).deploys).toBe(false);
    const facts = readBrief(brief({ tags: ['deployment'] }));
    expect(facts.deploys).toBe(true);
    const steps = planPlays(brief({ tags: ['deployment'] }))[0]!.phases.flatMap((p) => p.steps.map((s) => s.id));
    expect(steps).toContain('deploy_preview');
  });

  it('still reads the chips a person edited after drafting: "deploy" in the scope counts', () => {
    expect(readBrief(brief({ scope: ['Add a CSV export button', 'Deploy behind a flag'] })).deploys).toBe(true);
  });

  it('leaves the tech stack line out of the work', () => {
    const facts = readBrief(brief({ scope: ['Add a CSV export button', 'Tech stack: PostgreSQL, Next.js'] }));
    expect(facts.items.map((i) => i.name)).toEqual(['Add a CSV Export Button']);
    expect(facts.database).toBe(false);
  });
});

describe('paths and wiring the brief names', () => {
  it('finds file paths, not library names or "POST/PUT"', () => {
    expect(namedPaths('Update src/lib/auth/jwt.ts and README.md for Next.js; guard POST/PUT routes')).toEqual(['src/lib/auth/jwt.ts', 'README.md']);
  });

  it('links a file to what it should use only when the brief says so', () => {
    expect(namedWiring('Change src/auth/session.ts to use the new token store')).toEqual(['src/auth/session.ts -> new token store']);
    expect(namedWiring('Fix src/auth/session.ts')).toEqual([]);
  });
});
