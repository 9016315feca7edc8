// The three kinds of candidate play the built-in planner proposes (see defaultPlanner.ts).
import type { PlayDraft, RiskMatrix } from '../plays.js';
import { type BriefFacts, safeguardKind } from './briefFacts.js';
import {
  complexityOf,
  enforced,
  type Honours,
  itemSteps,
  migrationStep,
  minutesOf,
  mustHaves,
  notEnforced,
  releasePhaseName,
  releaseSteps,
  riskNotes,
  StepIds,
  type TimedPhase,
  type TimedStep,
  testCoverage,
  timelinePenalty,
  toPhase,
  truthsOf,
  undoPlan,
} from './planSteps.js';
import { ID_FILLER, round2, slug, uniqueId, words } from './planText.js';
import type { WorkItem } from './workItems.js';

// codeChangePreview is always null: counting files or lines honestly needs the repository,
// which a planner working from the brief alone does not see.

export function phasedPlay(facts: BriefFacts): PlayDraft {
  const ids = new StepIds();
  const phaseIds = new Set<string>();
  const phases: TimedPhase[] = facts.items.map((item) => ({
    id: uniqueId(item.core, phaseIds),
    name: item.name,
    steps: itemSteps(item, ids, { flag: facts.flags }),
  }));
  const releaseName = releasePhaseName(facts);
  phases.push({
    id: uniqueId(slug(releaseName), phaseIds),
    name: releaseName,
    steps: releaseSteps(facts, ids, { full: true, staged: facts.flags, migrationReview: facts.database, bigReview: false }),
  });
  const minutes = minutesOf(phases);
  const n = facts.items.length;
  const only = facts.items[0];

  const honours: Honours = {
    scope: 'the plan stays within the listed scope items',
    migration: 'reversible migrations, reviewed before merge',
    downtime: 'staged rollout behind feature flags',
    compat: facts.flags ? 'feature flags keep the old behaviour as default; compatibility verified before release' : 'compatibility verified before release',
    rollback: facts.flags ? 'flags switch each phase off; undo plan reverts the rest' : 'each phase can be reverted on its own',
    tests: 'each phase runs its tests; full suite before merge',
    review: 'pull request reviewed before merge',
    constraint: 'checked explicitly before release',
  };
  if (!facts.flags) delete honours.downtime;

  const title =
    n === 1 && only
      ? `${only.name}, Then Verify and ${facts.deploys ? 'Release' : 'Merge'}`
      : `Incremental ${facts.titleSubject}${facts.flags ? ' with Feature Flags' : ` in ${phases.length} Phases`}`;
  const rationale = [
    facts.scopeFromObjective ? 'The brief has no technical scope, so the plan follows the objective.' : '',
    n === 1
      ? 'Makes the change in its own phase, then verifies it before anything is merged.'
      : `One phase per scope item (${n}), each ${facts.docsOnly ? 'checked' : 'tested'} before the next starts, then a final ${releaseName.toLowerCase().replace('&', 'and')} phase.`,
    facts.flags ? 'Each change ships behind a feature flag, so it can be switched off without a redeploy and rolled out in stages.' : '',
    n > 1 ? 'Slower than a single pass, but each phase is small enough to review and can be rolled back on its own.' : '',
  ]
    .filter(Boolean)
    .join(' ');

  const confidence = round2(0.9 - Math.min(0.1, Math.max(0, n - 4) * 0.02) - (facts.scopeFromObjective ? 0.1 : 0) - timelinePenalty(facts, minutes));
  const risk: RiskMatrix = {
    complexity: complexityOf(n, facts.schemaWork),
    impact: facts.impact,
    reversibility: facts.schemaWork && !facts.flags ? 'medium' : 'high',
    testCoverage: testCoverage(facts, true),
    notes: riskNotes(facts, [`${n} scope item${n === 1 ? '' : 's'} in ${phases.length} phases`], minutes),
  };
  const summary = facts.flags
    ? 'Every phase is behind its own feature flag: switch off the flag of a failing phase first; otherwise close or revert the pull request.'
    : 'Every phase is a separate commit: revert the failing phase, or close or revert the pull request.';
  return {
    title,
    rationale,
    confidence,
    phases: phases.map(toPhase),
    undoPlan: undoPlan(facts, { flags: facts.flags, summary, migration: facts.database }),
    safeguardsEnforced: enforced(facts, honours),
    risk,
    estimatedDurationMinutes: minutes,
    codeChangePreview: null,
    mustHaves: mustHaves(truthsOf(facts), [facts.input.objective, ...facts.items.map((i) => i.text), ...facts.input.acceptanceCriteria]),
  };
}

/** The first item that says it is critical or urgent; otherwise the first (people list what matters most first). */
export function mostCritical(items: readonly WorkItem[]): WorkItem | undefined {
  return items.find((i) => i.critical) ?? items[0];
}

export function narrowPlay(facts: BriefFacts, item: WorkItem): PlayDraft {
  const ids = new StepIds();
  const phaseIds = new Set<string>();
  const phases: TimedPhase[] = [
    { id: uniqueId(item.core, phaseIds), name: item.name, steps: itemSteps(item, ids, { flag: false }) },
    {
      id: uniqueId(facts.deploys ? 'review_and_ship' : 'review_and_merge', phaseIds),
      name: facts.deploys ? 'Review & Ship' : 'Review & Merge',
      steps: releaseSteps(facts, ids, { full: false, staged: false, migrationReview: item.schema, bigReview: false }),
    },
  ];
  const minutes = minutesOf(phases);
  const deferred = facts.items.filter((i) => i !== item);

  // A quick fix runs the tests and gets reviewed; it does not verify compatibility, stage the
  // rollout or check the brief's other constraints, so it does not claim them.
  const honours: Honours = {
    scope: 'touches only one listed scope item',
    tests: 'affected tests and the full suite run before merge',
    review: 'pull request reviewed before merge',
    rollback: 'one small change, easy to revert',
  };
  if (item.schema) honours.migration = 'reversible migration, reviewed before merge';
  const skipped = notEnforced(facts, honours);

  const rationale = [
    `Addresses only "${item.text}"${item.critical ? ', the item marked critical' : ', the first scope item'}, with a minimal change, and ships it quickly.`,
    `Leaves ${deferred.length === 1 ? 'one scope item as a follow-up' : `${deferred.length} scope items as follow-ups`}: ${deferred.map((d) => d.text).join('; ')}.`,
    'Fast and easy to roll back, but the objective is not fully met.',
    skipped.length > 0 ? `It does not enforce: ${skipped.join('; ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');

  const risk: RiskMatrix = {
    complexity: complexityOf(1, item.schema),
    impact: facts.impact,
    reversibility: item.schema ? 'medium' : 'high',
    testCoverage: testCoverage(facts, false),
    notes: riskNotes(facts, [`1 of ${facts.items.length} scope items; ${deferred.length} left as follow-up${deferred.length === 1 ? '' : 's'}`], minutes),
  };
  const related = facts.input.acceptanceCriteria.filter((c) => sharesWords(c, item.text) || safeguardKind(c) === 'tests');
  return {
    title: `${item.name} Only`,
    rationale,
    confidence: round2(0.55 - timelinePenalty(facts, minutes)),
    phases: phases.map(toPhase),
    undoPlan: undoPlan(facts, {
      flags: false,
      summary: 'One small change: close the pull request before merge, or revert its merge commit after.',
      migration: item.schema,
    }),
    safeguardsEnforced: enforced(facts, honours),
    risk,
    estimatedDurationMinutes: minutes,
    codeChangePreview: null,
    mustHaves: mustHaves([item.text, ...related], [item.text]),
  };
}

/** True when half or more of a's meaningful words appear in b (how acceptance criteria relate to one item). */
function sharesWords(a: string, b: string): boolean {
  const aw = new Set(words(a).filter((w) => w.length > 2 && !ID_FILLER.has(w)));
  const bw = new Set(words(b).filter((w) => w.length > 2 && !ID_FILLER.has(w)));
  if (aw.size === 0) return false;
  return [...aw].filter((w) => bw.has(w)).length / aw.size >= 0.5;
}

/** Everything in one phase and one pull request. With one scope item this is the "direct" play. */
export function singlePassPlay(facts: BriefFacts): PlayDraft {
  const ids = new StepIds();
  const n = facts.items.length;
  const only = facts.items[0];
  const steps: TimedStep[] = [];
  for (const item of facts.items) {
    steps.push(
      item.docs && !item.schema ? ids.step(`${item.verb}_${item.core}`, item.text, 'docsEdit') : ids.step(`${item.verb}_${item.core}`, item.text, 'change'),
    );
    if (item.schema) steps.push(migrationStep(item, ids));
  }
  if (facts.docsOnly) steps.push(ids.step('proofread_changes', 'Proofread the changes and check that they render and their links work', 'proofread'));
  else steps.push(ids.step('write_tests', n === 1 ? 'Write tests for the change' : 'Write tests for all the changes', 'writeTests', n));
  steps.push(...releaseSteps(facts, ids, { full: true, staged: false, migrationReview: facts.database, bigReview: n > 1 }));
  const phaseName = n === 1 ? (only?.name ?? 'Change') : 'All Changes in One Pass';
  const phases: TimedPhase[] = [{ id: n === 1 && only ? only.core : 'all_changes', name: phaseName, steps }];
  const minutes = minutesOf(phases);

  // Everything is verified before merge, but it lands and deploys at once: no staged rollout.
  const honours: Honours = {
    scope: 'the plan stays within the listed scope items',
    migration: 'reversible migrations, reviewed before merge',
    compat: 'compatibility verified before release',
    rollback: n === 1 ? 'one change, easy to revert' : 'undo plan reverts the whole pass at once',
    tests: 'full suite runs before merge',
    review: 'pull request reviewed before merge',
    constraint: 'checked explicitly before release',
  };
  const skipped = notEnforced(facts, honours);

  const rationale =
    n === 1
      ? [
          facts.scopeFromObjective ? 'The brief has no technical scope, so the plan follows the objective.' : '',
          `Makes the change, ${facts.docsOnly ? 'checks' : 'tests'} and reviews it, and ${facts.deploys ? 'ships' : 'merges'} in one step: the quickest route for a small change.`,
          facts.deploys ? 'It ships without feature flags or a staged rollout.' : '',
          skipped.length > 0 ? `It does not enforce: ${skipped.join('; ')}.` : '',
        ]
      : [
          `Makes ${n === 2 ? 'both' : `all ${n}`} changes in one phase and one pull request: the quickest route to the whole scope.`,
          'But a large diff is harder to review, a failure is harder to pin down, and rollback is all-or-nothing.',
          skipped.length > 0 ? `Without feature flags or a staged rollout it does not enforce: ${skipped.join('; ')}.` : '',
        ];

  const sizePenalty = n === 1 ? (facts.impact === 'high' || facts.impact === 'critical' ? 0.1 : 0) : Math.min(0.2, Math.max(0, n - 2) * 0.04);
  const base = n === 1 ? 0.8 : 0.7;
  const risk: RiskMatrix = {
    complexity: complexityOf(n, facts.schemaWork),
    impact: facts.impact,
    reversibility: n === 1 ? (facts.schemaWork ? 'medium' : 'high') : 'low',
    testCoverage: testCoverage(facts, true),
    notes: riskNotes(facts, [n === 1 ? '1 scope item in 1 phase' : `${n} scope items in 1 phase`], minutes),
  };
  return {
    title: n === 1 && only ? `${only.name} in One Step` : `${facts.titleSubject} in a Single Pass`,
    rationale: rationale.filter(Boolean).join(' '),
    confidence: round2(base - sizePenalty - (facts.scopeFromObjective ? 0.1 : 0) - timelinePenalty(facts, minutes)),
    phases: phases.map(toPhase),
    undoPlan: undoPlan(facts, {
      flags: false,
      summary:
        n === 1
          ? 'One change: close the pull request before merge, or revert its merge commit after.'
          : 'All-or-nothing: the changes land together, so rollback reverts the whole pass.',
      migration: facts.database,
    }),
    safeguardsEnforced: enforced(facts, honours),
    risk,
    estimatedDurationMinutes: minutes,
    codeChangePreview: null,
    mustHaves: mustHaves(truthsOf(facts), [facts.input.objective, ...facts.items.map((i) => i.text), ...facts.input.acceptanceCriteria]),
  };
}
