// The chip builders, one per kind of chip: objective, scope, acceptance criteria, KPIs,
// safeguards and timeline, each from the sorted statements and the intent's topics.
import { cleanItems, MAX_CHIP_ITEM_LENGTH, MAX_CHIP_ITEMS } from '../brief.js';
import type { BriefChip, ChipConfidence, ChipKind } from '../brief.js';
import { riskyAreasOf } from '../riskFloor.js';
import { deadlinePhrases } from '../text/deadlines.js';
import { joinAnd } from '../text/englishLists.js';
import type { Parsed } from './intentSections.js';
import { concise, HAS_WORD, MAX_OBJECTIVE_CHARS, tidy, truncate } from './intentText.js';
import { type Kpi, statementKpis } from './kpis.js';
import { actionParts } from './statementKinds.js';
import type { Statements } from './statements.js';
import { domainOf, tagsOf, technicalContextOf } from './topicTags.js';

export function chip(kind: ChipKind, items: readonly string[], confidence: ChipConfidence, inferredItems: readonly string[] = []): BriefChip | undefined {
  const tidied = cleanItems(items.map(tidy).filter(Boolean));
  const limited = cleanItems(tidied.map((i) => truncate(i, MAX_CHIP_ITEM_LENGTH))).slice(0, MAX_CHIP_ITEMS);
  if (limited.length === 0) return undefined;
  // Items the intent does not state are marked, so a person keeps them (by editing the chip) or removes them.
  const marked = new Set(inferredItems.map((i) => truncate(tidy(i), MAX_CHIP_ITEM_LENGTH).toLowerCase()));
  const inferred = limited.filter((i) => marked.has(i.toLowerCase()));
  return { kind, items: limited, confidence, source: 'drafted', ...(inferred.length > 0 ? { inferred } : {}) };
}

/** What "done" means for a kind of work when the intent does not say. */
function doneWhen(technicalContext: string, domain: string, text: string): string {
  if (domain === 'general') return 'The requester confirms the result';
  if (/\bflak\w*/i.test(text)) return 'The test passes on repeated CI runs, with no intermittent failures';
  switch (technicalContext) {
    case 'documentation':
      return 'Reviewed for accuracy by someone who knows the code';
    case 'bug_fix':
    case 'security_fix':
      return 'A regression test reproduces the problem and passes after the fix';
    case 'performance':
      return 'Measured before and after on the same workload, and the targets are met';
    case 'migration':
      return 'The application builds and its full test suite passes on the new version';
    default:
      return 'Tests covering the change pass in CI';
  }
}

export type Drafted<T = string[]> = { items: T; confidence: ChipConfidence };

/** Step 2: the objective as written, else the first piece of work, else the first line (low). */
export function draftObjective(parsed: Parsed['objective'], s: Statements, text: string): Drafted<string> | undefined {
  if (parsed) {
    const objective = concise(tidy(parsed.text), MAX_OBJECTIVE_CHARS);
    if (objective) return { items: objective, confidence: 'high' };
  } else {
    const basis = s.scopeActions[0] ?? s.bodyActions[0] ?? (s.problems[0] ? `Fix: ${s.problems[0]}` : undefined) ?? s.safeguards[0] ?? s.explicitAcceptance[0];
    const objective = basis ? concise(tidy(basis), MAX_OBJECTIVE_CHARS) : '';
    if (objective) return { items: objective, confidence: 'medium' };
  }
  // Only headings or fragments: the first line with words, as written, at low confidence.
  const firstLine = text.split('\n').find((l) => HAS_WORD.test(l)) ?? '';
  const fallback = concise(tidy(firstLine.replace(/^\s*#{1,6}\s*/, '')), MAX_OBJECTIVE_CHARS);
  return fallback ? { items: fallback, confidence: 'low' } : undefined;
}

export interface Topics {
  /** Everything the intent says (headings excluded: a "Metrics:" heading is not an observability topic). */
  contentText: string;
  /** Everything but tech stack lines: "Stack: PostgreSQL" alone is not database work. */
  workContent: string;
  tags: string[];
  tagSet: ReadonlySet<string>;
  technicalContext: string;
  domain: string;
}

/** Step 3: topic tags, the kind of work and the domain. */
export function topicsOf(parsed: Parsed, s: Statements): Topics {
  const objective = parsed.objective?.text ?? '';
  const contentText = [objective, ...parsed.units.map((u) => u.text)].join('\n');
  const workContent = [objective, ...parsed.units.filter((u) => u.section !== 'stack').map((u) => u.text)].join('\n');
  const tags = tagsOf(contentText);
  const tagSet = new Set(tags);
  const workText = [objective, ...s.scopeActions, ...s.bodyActions].join('\n');
  const technicalContext = technicalContextOf(tagSet, contentText, workText, s.problems.length > 0);
  const domain = domainOf(tags, contentText);
  return { contentText, workContent, tags, tagSet, technicalContext, domain };
}

/**
 * Step 4: the work items. Listed work first; else the problems; else the objective's own actions
 * when it names several, plus action sentences after it. A one-action objective is not repeated as
 * scope: a short intent gets fewer chips. `work` is the scope without the tech stack line.
 */
export function draftScope(s: Statements, objective: Drafted<string> | undefined): Drafted & { work: string[] } {
  let work: string[] = [];
  let confidence: ChipConfidence = 'high';
  if (s.scopeActions.length > 0) work = [...s.scopeActions, ...s.bodyActions];
  else if (s.problems.length > 0) work = [...s.problems, ...s.bodyActions];
  else if (objective && objective.confidence !== 'low') {
    const parts = actionParts(objective.items);
    work = [...(parts.length > 1 ? parts : []), ...s.bodyActions];
    confidence = s.bodyActions.length > 0 ? 'medium' : 'low';
  }
  const stack = s.stack.length > 0 ? [`Tech stack: ${s.stack.map(tidy).filter(Boolean).join(', ')}`] : [];
  return { items: [...work, ...stack], confidence, work };
}

/**
 * Step 5: acceptance criteria as stated, else the constraints about tests and releases, else one
 * checkable outcome for this kind of work, in words of its own (never the objective or scope again).
 */
export function draftAcceptance(s: Statements, work: readonly string[], objective: Drafted<string> | undefined, topics: Topics): Drafted {
  if (s.explicitAcceptance.length > 0) return { items: s.explicitAcceptance, confidence: 'high' };
  if (s.acceptanceCandidates.length > 0)
    return { items: s.acceptanceCandidates, confidence: cleanItems(s.acceptanceCandidates.map(tidy)).length >= 2 ? 'high' : 'medium' };
  const anything = work.length > 0 || (objective !== undefined && objective.confidence !== 'low');
  return { items: anything ? [doneWhen(topics.technicalContext, topics.domain, topics.contentText)] : [], confidence: 'low' };
}

/** Step 6: measurable KPIs from the statements; a vulnerability count and a coverage target inferred when the work implies them. */
export function draftKpis(parsed: Parsed, s: Statements, topics: Topics): Drafted & { inferred: string[] } {
  const kpis: Kpi[] = [];
  const seen = new Set<string>();
  const add = (k: Kpi): void => {
    if (seen.has(k.key)) return;
    seen.add(k.key);
    kpis.push(k);
  };
  for (const k of statementKpis(parsed.objective?.text ?? '', false)) add(k);
  for (const source of [...s.kpiSources.filter((k) => k.first), ...s.kpiSources.filter((k) => !k.first)])
    for (const k of statementKpis(source.text, source.fallback)) add(k);
  const { tagSet, contentText } = topics;
  if (
    tagSet.has('security') &&
    /\b(?:vulnerab\w*|csrf|xss|cves?|injection)\b/i.test(contentText) &&
    /\b(?:fix\w*|patch\w*|resolv\w*|address\w*|clos\w*|remediat\w*|mitigat\w*|harden\w*)\b/i.test(contentText) &&
    ![...seen].some((key) => /vulnerab/.test(key))
  ) {
    add({ key: 'known security vulnerabilities', text: 'Known security vulnerabilities: 0', kind: 'inferred' });
  }
  if (tagSet.has('testing') && !seen.has('test coverage')) add({ key: 'test coverage', text: 'Test coverage ≥ 85%', kind: 'default' });
  const explicit = kpis.filter((k) => k.kind === 'explicit').length;
  const inferred = kpis.filter((k) => k.kind === 'inferred').length;
  const confidence: ChipConfidence = explicit === kpis.length ? 'high' : explicit === 0 && inferred === 0 ? 'low' : 'medium';
  return { items: kpis.map((k) => k.text), confidence, inferred: kpis.filter((k) => k.kind !== 'explicit').map((k) => k.text) };
}

/** Step 7: the constraints as stated, then the ones a careful reviewer would add that are not already covered. */
export function draftSafeguards(s: Statements, topics: Topics): Drafted & { inferred: string[] } {
  const stated = s.safeguards.join('\n').toLowerCase();
  const inferred: string[] = [];
  const areas = riskyAreasOf(
    topics.tags.filter((t) => t !== 'database' && t !== 'postgresql'),
    '',
  )
    .filter((a) => a !== 'data')
    .map((a) => (a === 'payments' ? 'payment' : a));
  const dataWork = /\b(?:schemas?|migrations?|database|db|sql|pii|personal data|user data|customer data|gdpr)\b/i.test(topics.workContent);
  // Review is asked for auth, payment and data changes; security alone only when nothing more specific applies.
  const reviewAreas = [...areas.filter((a) => a !== 'security'), ...(dataWork ? ['data'] : [])];
  if (reviewAreas.length === 0 && areas.includes('security')) reviewAreas.push('security');
  if (reviewAreas.length > 0 && !/\bcode reviews?\b|\breview(?:ed)? by\b|\bapprov/.test(stated))
    inferred.push(`Code review required for ${joinAnd(reviewAreas)} changes`);
  if (/\b(?:production|prod|deploy\w*|rollouts?|releases?|downtime)\b/i.test(topics.contentText) && !/\broll ?back\b/.test(stated)) {
    inferred.push('Rollback plan for production deployment');
  }
  if (/\b(?:schemas?|migrations?|database|db)\b/i.test(topics.workContent) && !/\b(?:schema|migration)/.test(stated)) {
    inferred.push('No direct database schema changes without migration review');
  }
  return { items: [...s.safeguards, ...inferred], confidence: s.safeguards.length > 0 ? 'high' : 'medium', inferred };
}

/** Step 8: timeline lines as written, then "by Friday" / "within 8 hours" phrases found elsewhere. */
export function draftTimeline(parsed: Parsed, s: Statements): string[] {
  const timeline = [...s.timeline];
  for (const source of [parsed.objective?.text ?? '', ...s.timeSources]) {
    for (const phrase of deadlinePhrases(source)) {
      const core = phrase.replace(/^Complete\s+/, '').toLowerCase();
      if (!timeline.some((t) => t.toLowerCase().includes(core.replace(/^(?:by|before|until|within|in|no later than)\s+/, '')))) timeline.push(phrase);
    }
  }
  return timeline;
}
