// What the planner reads from a brief: its work items, which risky areas and how much impact
// (from the drafter's topic tags), whether it deploys, touches the database or demands tests,
// its safeguards by kind, KPIs to check, and how much time the timeline leaves.
import { cleanItems } from '../brief.js';
import type { PlannerInput, RiskMatrix } from '../plays.js';
import { reachesProduction, riskyAreasOf } from '../riskFloor.js';
import { workingMinutesLeft } from '../text/deadlines.js';
import { type WorkItem, workItem } from './workItems.js';

const DATABASE_RE = /\b(?:schemas?|migrations?|databases?|db|sql|postgres(?:ql)?|mysql|sqlite)\b/i;
const TESTS_RE = /\b(?:tests?|testing|tested|coverage|ci|specs?)\b/i;
const COMPAT_RE =
  /\b(?:backwards?[- ]compatib\w*|compatib\w*|breaking|public api|api contract|existing (?:users?|sessions?|clients?|callers?|integrations?|data))\b/i;
const CONTEXT_ITEM_RE = /^(?:tech(?:nical)? stack|stack)\s*:/i;
const COVERAGE_RE = /\bcoverage\b[^0-9]{0,20}(\d+(?:\.\d+)?\s?%)/i;
const TESTS_KPI_RE = /\b(?:test pass rate|coverage)\b/i;

/** What a brief safeguard asks for; decides which play structures honour it. */
export type SafeguardKind = 'scope' | 'migration' | 'downtime' | 'compat' | 'rollback' | 'tests' | 'review' | 'constraint';

export function safeguardKind(text: string): SafeguardKind {
  if (/^out of scope\b/i.test(text)) return 'scope';
  if (/\b(?:schemas?|migrations?|databases?|db)\b/i.test(text)) return 'migration';
  if (/\b(?:downtime|outages?|uptime|availability)\b/i.test(text)) return 'downtime';
  if (COMPAT_RE.test(text)) return 'compat';
  if (/\b(?:roll ?backs?|revert\w*|undo)\b/i.test(text)) return 'rollback';
  if (TESTS_RE.test(text) || /\bgreen\b/i.test(text)) return 'tests';
  if (/\b(?:reviews?|reviewed|approv\w*|sign[- ]?off)\b/i.test(text)) return 'review';
  return 'constraint';
}

export interface Safeguard {
  text: string;
  kind: SafeguardKind;
}

type Impact = RiskMatrix['impact'];

export interface BriefFacts {
  input: PlannerInput;
  items: WorkItem[];
  /** True when the brief had no usable scope and the objective stands in for it. */
  scopeFromObjective: boolean;
  docsOnly: boolean;
  /** The brief mentions a database, schema or migration (decides the down-migration undo step). */
  database: boolean;
  /** Some scope item changes the schema: a migration is written, which makes rollback slower. */
  schemaWork: boolean;
  deploys: boolean;
  /** Feature flags make sense for code that reaches production. */
  flags: boolean;
  sensitiveAreas: string[];
  impact: Impact;
  testsDemanded: boolean;
  coverageTarget: string | null;
  /** The brief's own words on compatibility, if it asks for it. */
  compatStatement: string | null;
  safeguards: Safeguard[];
  /** KPIs to check before release (test KPIs are covered by the test suite step). */
  kpisToCheck: string[];
  timelineMinutes: number | null;
  titleSubject: string;
}

export function readBrief(input: PlannerInput): BriefFacts {
  const scopeItems = cleanItems(input.scope).filter((s) => !CONTEXT_ITEM_RE.test(s));
  const objective = input.objective.trim();
  const scopeFromObjective = scopeItems.length === 0;
  const itemTexts = scopeFromObjective ? (objective ? [objective] : []) : scopeItems;
  const items = itemTexts.map((text, i) => workItem(text, i, scopeFromObjective));

  // Tech stack lines name tools, not the work: "Stack: PostgreSQL" alone is not database work.
  const workText = [objective, ...scopeItems, ...input.acceptanceCriteria, ...input.safeguards, input.timeline ?? ''].join('\n');
  const allText = [workText, ...input.kpis].join('\n');
  const tags = new Set(input.tags.map((t) => t.toLowerCase()));

  const database = DATABASE_RE.test(workText);
  // The drafter tagged deployment from the whole intent; chips a person edited later still count by their words.
  const deploys = tags.has('deployment') || reachesProduction(allText);
  const docsOnly = items.length > 0 && items.every((i) => i.docs && !i.schema) && !deploys;
  // The brief's topic tags say which risky areas it touches (the drafter tagged them; riskFloor.ts defines them).
  const sensitiveAreas: string[] = riskyAreasOf(input.tags).filter((a) => a !== 'data');
  // Auth, security and payments touch every user or their money; in production that is critical.
  const impact: Impact =
    sensitiveAreas.length > 0 && deploys ? 'critical' : sensitiveAreas.length > 0 || database || deploys ? 'high' : docsOnly ? 'low' : 'medium';

  const demandText = [...input.acceptanceCriteria, ...input.kpis, ...input.safeguards].join('\n');
  const coverage = COVERAGE_RE.exec(demandText);

  return {
    input,
    items,
    scopeFromObjective,
    docsOnly,
    database,
    schemaWork: items.some((i) => i.schema),
    deploys,
    flags: deploys && !docsOnly,
    sensitiveAreas,
    impact,
    testsDemanded: TESTS_RE.test(demandText),
    coverageTarget: coverage?.[1]?.replace(/\s/g, '') ?? null,
    compatStatement: [...input.safeguards, ...input.acceptanceCriteria, objective, ...scopeItems].find((t) => COMPAT_RE.test(t)) ?? null,
    safeguards: cleanItems(input.safeguards).map((text) => ({ text, kind: safeguardKind(text) })),
    kpisToCheck: cleanItems(input.kpis).filter((k) => !TESTS_KPI_RE.test(k)),
    timelineMinutes: workingMinutesLeft(input.timeline),
    titleSubject: titleSubject(tags, allText, sensitiveAreas, docsOnly),
  };
}

/** "Auth Hardening", "Payments Fixes", "Performance Tuning": what the phased and single-pass titles are about. */
function titleSubject(tags: ReadonlySet<string>, text: string, sensitiveAreas: readonly string[], docsOnly: boolean): string {
  const area = sensitiveAreas.includes('auth')
    ? 'Auth'
    : sensitiveAreas.includes('payments')
      ? 'Payments'
      : sensitiveAreas.includes('security')
        ? 'Security'
        : tags.has('performance')
          ? 'Performance'
          : tags.has('database') || DATABASE_RE.test(text)
            ? 'Database'
            : docsOnly
              ? 'Docs'
              : tags.has('api')
                ? 'API'
                : tags.has('frontend')
                  ? 'UI'
                  : '';
  const noun = sensitiveAreas.includes('security')
    ? 'Hardening'
    : area === 'Performance'
      ? 'Tuning'
      : tags.has('refactor')
        ? 'Refactor'
        : tags.has('bugfix')
          ? 'Fixes'
          : docsOnly
            ? 'Update'
            : 'Changes';
  return area ? `${area} ${noun}` : noun;
}
