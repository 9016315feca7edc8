// The built-in drafter and planner on a dozen ordinary requests, as a new user types them: no
// play title, first step or must-have truth that is the request again, objective / scope /
// acceptance criteria never the same sentence, and fewer chips for a short request rather than
// padded ones. Pure functions: no database.
import { describe, expect, it } from 'vitest';
import { CHIP_KINDS, type ChipKind } from '../../src/domain/brief.js';
import { planPlays } from '../../src/domain/defaultPlanner.js';
import { draftBrief } from '../../src/domain/deterministicBriefDrafter.js';
import { plannerInputOf } from '../../src/domain/planApprove.js';
import { SEED_INTENT } from '../../src/demo/seedMission.js';

const INTENTS = [
  'Fix the flaky login test',
  'Add dark mode to the settings page',
  'Upgrade React from 17 to 18 across the dashboard app',
  'Users report the invoice PDF shows the wrong currency symbol for EUR accounts.',
  'Reduce p95 latency of the search endpoint below 300ms.',
  'Refactor the billing module and add retries to the Stripe webhook handler',
  'Write a README section on running the app locally with Docker',
  'Remove the deprecated v1 endpoints',
  'Investigate why the nightly backup job sometimes takes over 4 hours',
  'Add pagination to GET /api/orders (default 50 per page, max 200); must stay backward compatible for existing clients.',
  'Move the image uploads from local disk to S3 without losing existing files. Needs to be done by Friday.',
  'Add an audit log for admin actions: who changed what and when, kept for 90 days.',
];

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/** The longest run of consecutive words `text` shares with `source`. */
function sharedRun(text: string, source: string): number {
  const a = words(text);
  const b = words(source);
  let best = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      let k = 0;
      while (i + k < a.length && j + k < b.length && a[i + k] === b[j + k]) k++;
      best = Math.max(best, k);
    }
  }
  return best;
}

function draftAndPlan(intent: string) {
  const drafted = draftBrief(intent);
  const items = (kind: ChipKind) => drafted.chips.find((c) => c.kind === kind)?.items ?? [];
  const plays = planPlays(plannerInputOf({ brief: { chips: drafted.chips, editsMade: 0, lockedAt: null }, tags: drafted.tags }));
  return { drafted, items, plays };
}

/** A long run: six words or more taken over from the request. */
const LONG_RUN = 6;

describe('the built-in drafter and planner on ordinary requests', () => {
  it.each(INTENTS)('%s: plays in words of their own', (intent) => {
    const { plays } = draftAndPlan(intent);
    expect(plays.length).toBeGreaterThanOrEqual(2);
    expect(new Set(plays.map((p) => p.title)).size).toBe(plays.length);
    for (const play of plays) {
      expect(sharedRun(play.title, intent), play.title).toBeLessThan(LONG_RUN);
      expect(sharedRun(play.phases[0]!.steps[0]!.title, intent), play.phases[0]!.steps[0]!.title).toBeLessThan(LONG_RUN);
      for (const truth of play.mustHaves.truths) expect(truth).not.toBe(intent.replace(/[.!]$/, ''));
    }
  });

  it.each(INTENTS)('%s: objective, scope and acceptance criteria never the same sentence', (intent) => {
    const { items } = draftAndPlan(intent);
    const objective = items('objective').map((i) => words(i).join(' '));
    const scope = items('scope').map((i) => words(i).join(' '));
    const acceptance = items('acceptance_criteria').map((i) => words(i).join(' '));
    expect(objective).toHaveLength(1);
    for (const item of scope) expect(objective).not.toContain(item);
    for (const item of acceptance) {
      expect(objective).not.toContain(item);
      expect(scope).not.toContain(item);
      // Not the objective with "verified by tests" tacked on either.
      expect(sharedRun(item, items('objective')[0]!)).toBeLessThan(LONG_RUN);
    }
  });

  it('gives a one-line request fewer chips, and keeps six for the seed intent that states them all', () => {
    const short = INTENTS.filter((i) => words(i).length <= 8).map((i) => draftAndPlan(i).drafted.chips.length);
    expect(Math.max(...short)).toBeLessThanOrEqual(4);
    expect(draftAndPlan('Add dark mode to the settings page').drafted.chips.map((c) => c.kind)).toEqual(['objective', 'acceptance_criteria']);
    expect(draftBrief(SEED_INTENT).chips.map((c) => c.kind)).toEqual([...CHIP_KINDS]);
  });

  it('marks the KPIs and safeguards it inferred, and only those', () => {
    const seed = draftBrief(SEED_INTENT);
    const safeguards = seed.chips.find((c) => c.kind === 'safeguards')!;
    expect(safeguards.inferred).toEqual(['Code review required for auth changes', 'Rollback plan for production deployment']);
    expect(safeguards.items).toContain('Maintain backward compatibility with existing user sessions');
    expect(seed.chips.find((c) => c.kind === 'kpis')!.inferred).toContain('Test coverage ≥ 85%');
    expect(seed.chips.find((c) => c.kind === 'kpis')!.inferred).not.toContain('Downtime: 0 minutes');
    expect(seed.chips.find((c) => c.kind === 'objective')!.inferred).toBeUndefined();
  });

  it('keeps what follows a semicolon in a one-line request', () => {
    const { items } = draftAndPlan(INTENTS[9]!);
    expect(items('objective')).toEqual(['Add pagination to GET /api/orders (default 50 per page, max 200)']);
    expect(items('safeguards')).toContain('Must stay backward compatible for existing clients');
  });
});
