import { describe, expect, it } from 'vitest';
import { defaultPlanner, planPlays } from '../../src/domain/defaultPlanner.js';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { plannerInputOf } from '../../src/domain/planApprove.js';
import { riskLevelOf, safeguardCoverage, scorePlay } from '../../src/domain/plays.js';
import type { PlannerInput, PlayDraft } from '../../src/domain/plays.js';
import { SEED_INTENT } from '../support/seedMission.js';

const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** The planner input the service would build from the built-in drafter's chips. */
async function inputFor(intent: string): Promise<PlannerInput> {
  const drafted = await deterministicBriefDrafter.draft(intent);
  return plannerInputOf({ brief: { chips: drafted.chips, editsMade: 0, lockedAt: null }, tags: drafted.tags });
}

/** Plays best first, scored as the service ranks them (the default planner has no library precedent). */
function ranked(plays: readonly PlayDraft[], input: PlannerInput): Array<PlayDraft & { score: number }> {
  return plays.map((play) => ({ ...play, score: scorePlay({ ...play, libraryMatchCount: 0 }, input.safeguards) })).sort((a, b) => b.score - a.score);
}

function coverage(play: PlayDraft, input: PlannerInput): number {
  return safeguardCoverage(play.safeguardsEnforced, input.safeguards);
}

function stepIds(play: PlayDraft): string[] {
  return play.phases.flatMap((p) => p.steps.map((s) => s.id));
}

function allUndoText(play: PlayDraft): string {
  return [play.undoPlan.summary, ...play.undoPlan.steps].join('\n');
}

const DATABASE_INTENT = `Add soft delete for customer accounts.
- Add a deleted_at column to the accounts table with a migration
- Hide soft-deleted accounts from the admin list
- Purge soft-deleted accounts after 30 days
Safeguards: no data loss; all tests must pass`;

describe('defaultPlanner on the seed 000 brief', async () => {
  const input = await inputFor(SEED_INTENT);
  const plays = planPlays(input);
  const workItems = input.scope.filter((s) => !s.startsWith('Tech stack'));
  const [phased, narrow, singlePass] = plays;
  if (!phased || !narrow || !singlePass) throw new Error(`expected three plays, got ${plays.map((p) => p.title).join(', ')}`);

  it('is named and proposes three distinct plays', () => {
    expect(defaultPlanner.name).toBe('default-planner');
    expect(plays).toHaveLength(3);
    expect(new Set(plays.map((p) => p.title)).size).toBe(3);
    expect(phased.title).toBe('Incremental Auth Hardening with Feature Flags');
  });

  it('phases the incremental play: one phase per scope item (not the tech stack), then verification and release', () => {
    expect(workItems).toHaveLength(4);
    expect(phased.phases).toHaveLength(workItems.length + 1);
    expect(phased.phases.slice(0, 4).map((p) => p.name)).toEqual([
      'Fix JWT Refresh Logic',
      'Implement Proper Token Revocation List',
      'Add CSRF Tokens to All POST/PUT/DELETE Routes',
      'Centralize Auth Error Handling',
    ]);
    expect(phased.phases.map((p) => p.id)).toEqual([
      'jwt_refresh_logic',
      'token_revocation_list',
      'csrf_tokens_post_put',
      'auth_error_handling',
      'verification_release',
    ]);
    // Every item phase changes the code, writes tests and runs them.
    for (const [i, phase] of phased.phases.slice(0, 4).entries()) {
      expect(phase.steps[0]?.title).toBe(workItems[i]);
      expect(phase.steps.some((s) => s.id.startsWith('test_'))).toBe(true);
      expect(phase.steps.at(-1)?.id).toMatch(/^run_.*_tests$/);
    }
    expect(phased.phases[0]?.steps.map((s) => s.id)).toEqual([
      'fix_jwt_refresh_logic',
      'flag_jwt_refresh_logic',
      'test_jwt_refresh_logic',
      'run_jwt_refresh_logic_tests',
    ]);
    const release = phased.phases.at(-1)!;
    expect(release.name).toBe('Verification & Release');
    expect(release.steps.map((s) => s.id)).toEqual(
      expect.arrayContaining(['run_full_test_suite', 'verify_backward_compatibility', 'open_pull_request', 'merge_pull_request', 'roll_out_production']),
    );
    expect(release.steps[0]?.id).toBe('run_full_test_suite');
  });

  it('ranks the phased play first by scorePlay, with the highest confidence', () => {
    const order = ranked(plays, input);
    expect(order[0]?.title).toBe(phased.title);
    expect(order[0]?.score).toBeGreaterThan(order[1]!.score);
    expect(Math.max(...plays.map((p) => p.confidence))).toBe(phased.confidence);
    for (const play of plays) {
      expect(play.confidence).toBeGreaterThanOrEqual(0);
      expect(play.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('the phased play enforces every safeguard; the narrow one honestly fewer', () => {
    expect(coverage(phased, input)).toBe(1);
    expect(coverage(narrow, input)).toBeLessThan(coverage(phased, input));
    expect(coverage(singlePass, input)).toBeLessThan(coverage(phased, input));
    // The narrow play runs tests, gets reviewed and can be reverted; it does not claim compatibility or zero downtime.
    expect(coverage(narrow, input)).toBeCloseTo(3 / 5);
    expect(narrow.safeguardsEnforced.join('\n')).not.toMatch(/downtime|compatib/i);
    expect(narrow.rationale).toMatch(/does not enforce: .*backward compatibility.*Zero downtime/i);
  });

  it('the narrow play does the first item only and names the rest as follow-ups', () => {
    expect(narrow.title).toBe('Fix JWT Refresh Logic Only');
    expect(narrow.phases).toHaveLength(2);
    expect(narrow.phases[0]?.name).toBe('Fix JWT Refresh Logic');
    expect(narrow.rationale).toMatch(/follow-ups/);
    for (const deferred of workItems.slice(1)) expect(narrow.rationale).toContain(deferred);
    expect(narrow.confidence).toBeLessThan(phased.confidence);
    expect(narrow.estimatedDurationMinutes).toBeLessThan(phased.estimatedDurationMinutes);
  });

  it('the single-pass play makes every change in one phase and is harder to roll back', () => {
    expect(singlePass.phases).toHaveLength(1);
    const titles = singlePass.phases[0]!.steps.map((s) => s.title);
    for (const item of workItems) expect(titles).toContain(item);
    expect(singlePass.risk.reversibility).toBe('low');
    expect(phased.risk.reversibility).toBe('high');
    expect(singlePass.rationale).toMatch(/harder to review/);
    expect(singlePass.estimatedDurationMinutes).toBeLessThan(phased.estimatedDurationMinutes);
  });

  it('gives unique snake_case step and phase ids in every play', () => {
    for (const play of plays) {
      const steps = stepIds(play);
      const phases = play.phases.map((p) => p.id);
      expect(new Set(steps).size).toBe(steps.length);
      expect(new Set(phases).size).toBe(phases.length);
      for (const id of [...steps, ...phases]) expect(id).toMatch(SNAKE_CASE);
      for (const phase of play.phases) expect(phase.steps.length).toBeGreaterThan(0);
    }
  });

  it('plans rollbacks: flags first for the phased play, PR and deployment for all, no migration (the brief has no database)', () => {
    for (const play of plays) {
      expect(play.undoPlan.summary).not.toBe('');
      expect(play.undoPlan.steps.length).toBeGreaterThan(0);
      expect(play.undoPlan.steps.some((s) => /close PR and delete branch/i.test(s))).toBe(true);
      expect(play.undoPlan.steps.some((s) => /revert the merge commit/i.test(s))).toBe(true);
      expect(play.undoPlan.steps.some((s) => /roll back the production deployment/i.test(s))).toBe(true);
      expect(allUndoText(play)).not.toMatch(/migration/i);
    }
    expect(phased.undoPlan.steps[0]).toMatch(/disable the feature flags/i);
    expect(allUndoText(narrow)).not.toMatch(/feature flag/i);
  });

  it('rates an auth and security change in production high or critical', () => {
    for (const play of plays) expect(['high', 'critical']).toContain(riskLevelOf(play.risk));
    expect(phased.risk).toMatchObject({ complexity: 'high', impact: 'critical', reversibility: 'high', testCoverage: 'strong' });
    expect(narrow.risk.complexity).toBe('low');
  });

  it('estimates durations that fit the end-of-day target, and makes no code-size guesses', () => {
    for (const play of plays) {
      expect(play.estimatedDurationMinutes).toBeGreaterThan(0);
      expect(play.estimatedDurationMinutes).toBeLessThanOrEqual(8 * 60);
      expect(play.codeChangePreview).toBeNull();
    }
    expect(phased.risk.notes).toMatch(/fits the 8h timeline/);
  });

  it('takes must-have truths from the acceptance criteria (observable), not the objective (a goal), without inventing files', () => {
    expect(phased.mustHaves.truths).toEqual(input.acceptanceCriteria);
    expect(phased.mustHaves.truths).not.toContain(input.objective);
    expect(phased.mustHaves.artifacts).toEqual([]);
    expect(phased.mustHaves.keyLinks).toEqual([]);
    // The narrow play only promises its own item, not the whole objective.
    expect(narrow.mustHaves.truths).toContain(workItems[0]);
    expect(narrow.mustHaves.truths).not.toContain(input.objective);
  });

  it('is deterministic and leaves its input alone', async () => {
    const copy = structuredClone(input);
    const again = planPlays(await inputFor(SEED_INTENT));
    expect(again).toEqual(plays);
    expect(planPlays(input)).toEqual(plays);
    expect(input).toEqual(copy);
  });
});

describe('defaultPlanner on other briefs', () => {
  it('a tiny docs fix: two low-risk plays, no duplicates, no test suite to run', async () => {
    const input = await inputFor('Fix the typo in the README');
    const plays = planPlays(input);
    expect(plays).toHaveLength(2);
    expect(new Set(plays.map((p) => p.title)).size).toBe(2);
    expect(new Set(plays.map((p) => JSON.stringify(p.phases))).size).toBe(2);
    for (const play of plays) {
      expect(riskLevelOf(play.risk)).toBe('low');
      expect(play.risk.impact).toBe('low');
      expect(stepIds(play)).not.toContain('run_full_test_suite');
      expect(stepIds(play)).toContain('fix_typo_readme');
      expect(allUndoText(play)).not.toMatch(/migration|feature flag|deployment/i);
      expect(play.estimatedDurationMinutes).toBeLessThanOrEqual(60);
    }
    const [phased, direct] = ranked(plays, input);
    expect(phased?.phases.map((p) => p.name)).toEqual(['Fix the Typo', 'Review & Merge']);
    expect(direct?.phases).toHaveLength(1);
  });

  it('a database brief gets migration steps and a down migration in its undo plans', async () => {
    const input = await inputFor(DATABASE_INTENT);
    const plays = planPlays(input);
    expect(plays).toHaveLength(3);
    const [phased] = ranked(plays, input);
    expect(phased?.phases).toHaveLength(4);
    for (const play of plays) {
      expect(play.undoPlan.steps.some((s) => /down migration/i.test(s))).toBe(true);
      expect(riskLevelOf(play.risk)).not.toBe('low');
    }
    expect(stepIds(phased!)).toContain('write_deleted_at_column_accounts_table_migration');
    expect(stepIds(phased!)).toContain('review_migrations');
    expect(coverage(phased!, input)).toBe(1);
  });

  it('falls back to the objective when the brief has no scope', async () => {
    const drafted = await inputFor(SEED_INTENT);
    const input: PlannerInput = { ...drafted, scope: [] };
    const plays = planPlays(input);
    expect(plays).toHaveLength(2);
    for (const play of plays) {
      // The objective in a few words of the plan's own, not the objective sentence again.
      expect(play.phases[0]?.steps[0]?.title).toBe('Refactor authentication system');
      expect(play.phases[0]?.name).toBe('Refactor Authentication System');
      expect(play.title).not.toContain(input.objective);
    }
    expect(plays[0]?.rationale).toMatch(/no technical scope, so the plan follows the objective/);
    // Less certain than a plan built from listed scope items.
    expect(plays[0]!.confidence).toBeLessThan(planPlays(drafted)[0]!.confidence);
    // A scope chip holding only the tech stack is no work list either.
    expect(planPlays({ ...drafted, scope: ['Tech stack: Next.js 14, Supabase Auth, TypeScript'] })).toEqual(plays);
  });

  it('names artifacts and wiring only when the brief names paths', async () => {
    const input = await inputFor('Update src/auth/session.ts to use the new token store');
    const [phased] = planPlays(input);
    expect(phased?.mustHaves.artifacts).toEqual(['src/auth/session.ts']);
    expect(phased?.mustHaves.keyLinks).toEqual(['src/auth/session.ts -> new token store']);
    // "Next.js" is a library, "POST/PUT/DELETE" a list of methods: neither is a file.
    const seed = planPlays(await inputFor(SEED_INTENT));
    for (const play of seed) expect(play.mustHaves.artifacts).toEqual([]);
  });

  it('proposes nothing for a brief with neither scope nor objective', () => {
    expect(planPlays({ objective: '', scope: [], acceptanceCriteria: [], kpis: [], safeguards: [], timeline: null, tags: [] })).toEqual([]);
  });
});
