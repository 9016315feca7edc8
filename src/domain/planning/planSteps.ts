// The parts plays are built from: timed steps for one item and for verification and release,
// the safeguards a play's structure honours, undo plans, must-haves and the risk matrix's parts.
import { cleanItems } from '../brief.js';
import type { MustHaves, PlayPhase, PlayStep, RiskMatrix, UndoPlan } from '../plays.js';
import { formatMinutes } from '../text/durations.js';
import { joinAnd } from '../text/englishLists.js';
import type { BriefFacts, SafeguardKind } from './briefFacts.js';
import { namedPaths, namedWiring } from './namedPaths.js';
import { cut, lowerFirst, MAX_STEP_TITLE_CHARS, slug, uniqueId, withoutParentheticals } from './planText.js';
import type { WorkItem } from './workItems.js';

/** Rough minutes per step, assuming an AI-assisted executor and a human reviewer. */
const STEP_MINUTES = {
  change: 30,
  docsEdit: 10,
  migration: 20,
  flag: 10,
  writeTests: 20,
  runTests: 5,
  proofread: 5,
  fullSuite: 15,
  compat: 15,
  migrationReview: 15,
  constraint: 10,
  kpis: 15,
  review: 30,
  /** One pull request holding every change takes longer to review. */
  largeReview: 45,
  docsReview: 10,
  preview: 15,
  rollout: 45,
  deploy: 20,
  merge: 5,
} as const;
type StepKind = keyof typeof STEP_MINUTES;

export interface TimedStep extends PlayStep {
  minutes: number;
}

export class StepIds {
  readonly used = new Set<string>();
  /** A step with a unique id; `times` scales its minutes when one step covers several items. */
  step(base: string, title: string, kind: StepKind, times = 1): TimedStep {
    return { id: uniqueId(base, this.used), title: cut(title, MAX_STEP_TITLE_CHARS), minutes: STEP_MINUTES[kind] * times };
  }
}

export interface TimedPhase {
  id: string;
  name: string;
  steps: TimedStep[];
}

export function toPhase(phase: TimedPhase): PlayPhase {
  return { id: phase.id, name: phase.name, steps: phase.steps.map(({ id, title }) => ({ id, title })) };
}

export function minutesOf(phases: readonly TimedPhase[]): number {
  return phases.reduce((sum, p) => sum + p.steps.reduce((s, step) => s + step.minutes, 0), 0);
}

export function migrationStep(item: WorkItem, ids: StepIds): TimedStep {
  const id = /(?:^|_)migrations?(?:_|$)/.test(item.core) ? `write_${item.core}` : `write_${item.core}_migration`;
  return ids.step(id, 'Write a reversible migration (up and down) for the schema change', 'migration');
}

/** The work of one scope item: change it, then prove it (tests, or a proofread for docs). */
export function itemSteps(item: WorkItem, ids: StepIds, opts: { flag: boolean }): TimedStep[] {
  if (item.docs && !item.schema) {
    return [
      ids.step(`${item.verb}_${item.core}`, item.text, 'docsEdit'),
      ids.step(`proofread_${item.core}`, 'Proofread the change and check that it renders and its links work', 'proofread'),
    ];
  }
  const steps = [ids.step(`${item.verb}_${item.core}`, item.text, 'change')];
  if (item.schema) steps.push(migrationStep(item, ids));
  if (opts.flag) steps.push(ids.step(`flag_${item.core}`, 'Put the new behaviour behind a feature flag, off by default', 'flag'));
  steps.push(
    ids.step(
      `test_${item.core}`,
      item.fromObjective ? 'Write tests that show the change works' : `Write tests for: ${lowerFirst(withoutParentheticals(item.text) || item.text)}`,
      'writeTests',
    ),
    ids.step(`run_${item.core}_tests`, 'Run the affected tests and fix any failures', 'runTests'),
  );
  return steps;
}

interface ReleaseOptions {
  /** Full verification (compatibility, safeguard and KPI checks) or only the test suite and review. */
  full: boolean;
  /** Staged production rollout behind feature flags. */
  staged: boolean;
  migrationReview: boolean;
  /** A single large diff needs a longer review. */
  bigReview: boolean;
}

/** Verification and release: test suite, checks the brief asks for, review, then merge or deploy. */
export function releaseSteps(facts: BriefFacts, ids: StepIds, opts: ReleaseOptions): TimedStep[] {
  const steps: TimedStep[] = [];
  const codeChange = !facts.docsOnly;
  if (codeChange || facts.testsDemanded) {
    const target = facts.coverageTarget ? ` (coverage target: ${facts.coverageTarget})` : '';
    steps.push(ids.step('run_full_test_suite', `Run the full test suite and type checks${target}`, 'fullSuite'));
  }
  if (opts.full && facts.compatStatement !== null) {
    steps.push(ids.step('verify_backward_compatibility', `Verify backward compatibility: ${facts.compatStatement}`, 'compat'));
  }
  if (opts.migrationReview) {
    steps.push(ids.step('review_migrations', 'Review the migrations and run the down migration once on a copy of the data', 'migrationReview'));
  }
  if (opts.full) {
    for (const s of facts.safeguards.filter((g) => g.kind === 'constraint')) {
      steps.push(ids.step(`check_${slug(s.text) || 'safeguard'}`, `Check the safeguard: ${s.text}`, 'constraint'));
    }
    if (facts.kpisToCheck.length > 0) steps.push(ids.step('check_kpis', `Check the KPIs: ${facts.kpisToCheck.join('; ')}`, 'kpis'));
  }
  const reviewOf = facts.sensitiveAreas.length > 0 ? ` of the ${joinAnd(facts.sensitiveAreas)} changes` : '';
  const reviewKind: StepKind = facts.docsOnly ? 'docsReview' : opts.bigReview ? 'largeReview' : 'review';
  steps.push(ids.step('open_pull_request', `Open a pull request and request code review${reviewOf}`, reviewKind));
  if (facts.deploys) steps.push(ids.step('deploy_preview', 'Deploy to a preview or staging environment and smoke-test it', 'preview'));
  steps.push(ids.step('merge_pull_request', 'Merge the pull request once review and checks pass', 'merge'));
  if (facts.deploys) {
    steps.push(
      opts.staged
        ? ids.step('roll_out_production', 'Roll out to production in stages by enabling the feature flags, watching errors at each stage', 'rollout')
        : ids.step('deploy_production', 'Deploy to production and watch errors', 'deploy'),
    );
  }
  return steps;
}

export function releasePhaseName(facts: BriefFacts): string {
  return facts.deploys ? 'Verification & Release' : facts.docsOnly ? 'Review & Merge' : 'Verification & Merge';
}

// ---------------------------------------------------------------------------
// Safeguards, undo plans, must-haves, risk

/** What a play's structure does to honour each kind of safeguard; absent kinds are not claimed. */
export type Honours = Partial<Record<SafeguardKind, string>>;

export function enforced(facts: BriefFacts, honours: Honours): string[] {
  return facts.safeguards.flatMap((s) => {
    const how = honours[s.kind];
    return how ? [`${s.text} (${how})`] : [];
  });
}

export function notEnforced(facts: BriefFacts, honours: Honours): string[] {
  return facts.safeguards.filter((s) => !honours[s.kind]).map((s) => s.text);
}

/** Rollback steps, quickest first: flags need no redeploy; the branch or merge is undone last, after production is safe. */
export function undoPlan(facts: BriefFacts, opts: { flags: boolean; summary: string; migration: boolean }): UndoPlan {
  const steps: string[] = [];
  if (opts.flags) steps.push('Disable the feature flags for the new behaviour (no redeploy needed)');
  steps.push('Close PR and delete branch (if not yet merged)');
  if (facts.deploys) steps.push('Roll back the production deployment to the previous release');
  if (opts.migration) steps.push('Run the down migration to restore the previous schema');
  steps.push('Revert the merge commit');
  steps.push(facts.docsOnly ? 'Check that the previous text is back' : 'Re-run the test suite to confirm the previous behaviour is back');
  return { summary: opts.summary, steps };
}

/**
 * What must be observably true when the play is done: the acceptance criteria. The objective is a
 * goal, not an observation, so it stands in only when the brief has no criteria at all.
 */
export function truthsOf(facts: BriefFacts): string[] {
  if (facts.input.acceptanceCriteria.length > 0) return [...facts.input.acceptanceCriteria];
  const only = facts.scopeFromObjective ? facts.items[0] : undefined;
  return only ? [`${only.name}: done, with tests that pass in CI`] : [facts.input.objective];
}

export function mustHaves(truths: readonly string[], texts: readonly string[]): MustHaves {
  const joined = texts.join('\n');
  return { truths: cleanItems(truths), artifacts: namedPaths(joined), keyLinks: cleanItems(namedWiring(joined)) };
}

/** More scope items mean more moving parts; schema changes add one level. */
export function complexityOf(itemCount: number, schemaWork: boolean): RiskMatrix['complexity'] {
  const base = itemCount <= 1 ? 0 : itemCount <= 3 ? 1 : 2;
  const levels = ['low', 'medium', 'high'] as const;
  return levels[Math.min(2, base + (schemaWork ? 1 : 0))]!;
}

export function riskNotes(facts: BriefFacts, parts: string[], minutes: number): string {
  const notes = [...parts];
  if (facts.sensitiveAreas.length > 0) notes.push(`touches ${joinAnd(facts.sensitiveAreas)}${facts.deploys ? ' in production' : ''}`);
  if (facts.schemaWork) notes.push('schema changes');
  if (facts.timelineMinutes !== null) {
    const fits = minutes <= facts.timelineMinutes ? 'fits' : 'exceeds';
    notes.push(`estimate ${formatMinutes(minutes)} ${fits} the ${formatMinutes(facts.timelineMinutes)} timeline`);
  }
  return notes.join('; ');
}

/** Plays that do not fit the brief's timeline are less likely to land as planned. */
export function timelinePenalty(facts: BriefFacts, minutes: number): number {
  return facts.timelineMinutes !== null && minutes > facts.timelineMinutes ? 0.05 : 0;
}

/** Strong only when the brief demands tests and the play writes and runs them for every item; docs have no test suite. */
export function testCoverage(facts: BriefFacts, thorough: boolean): RiskMatrix['testCoverage'] {
  if (facts.docsOnly) return 'weak';
  return thorough && facts.testsDemanded ? 'strong' : 'moderate';
}
