// The built-in planner: turns a locked brief into two or three candidate plays with
// pure, deterministic heuristics (no network, no clock, no randomness). Assistants may
// propose better plays over MCP; this one makes sure every mission has sensible options.
//
// Plays, in the order returned (the service ranks them with scorePlay):
//   1. phased      one phase per scope item, then a verification & release phase
//   2. narrow      only the first / most critical item, the rest left as follow-ups
//   3. singlePass  every change in one phase and one pull request (several items only)
// A one-item scope gets the phased play and a "direct" one-phase play instead of 2 and 3,
// which would otherwise be the same play twice.
import { cleanItems } from './brief.js';
import type { MustHaves, Planner, PlannerInput, PlayDraft, PlayPhase, PlayStep, RiskMatrix, UndoPlan } from './plays.js';
import { withoutTrailingDeadline, workingMinutesLeft } from './text/deadlines.js';
import { formatMinutes } from './text/durations.js';
import { joinAnd } from './text/englishLists.js';
import { riskyAreasOf } from './riskAreas.js';

// ---------------------------------------------------------------------------
// Text helpers

const SMALL_WORDS = new Set(['a', 'an', 'the', 'and', 'or', 'but', 'nor', 'for', 'of', 'on', 'in', 'to', 'at', 'by', 'with', 'from', 'as', 'via', 'vs', 'into']);
/** Words that carry no meaning in an id ("Implement proper token revocation list" → token_revocation_list). */
const ID_FILLER = new Set([...SMALL_WORDS, 'all', 'any', 'proper', 'properly', 'some', 'this', 'that', 'these', 'those', 'our', 'its', 'their', 'use', 'using']);
const ACTION_VERBS = new Set([
  'add', 'implement', 'fix', 'refactor', 'remove', 'delete', 'drop', 'update', 'upgrade', 'migrate', 'create', 'build', 'write', 'replace',
  'improve', 'reduce', 'optimise', 'optimize', 'support', 'enable', 'disable', 'introduce', 'centralise', 'centralize', 'move', 'rename',
  'investigate', 'debug', 'resolve', 'handle', 'make', 'extract', 'split', 'merge', 'consolidate', 'rewrite', 'document', 'deploy', 'ship',
  'configure', 'integrate', 'expose', 'validate', 'cache', 'batch', 'cut', 'lower', 'increase', 'audit', 'harden', 'patch', 'deprecate',
  'instrument', 'monitor', 'log', 'test', 'ensure', 'allow', 'prevent', 'block', 'limit', 'restrict', 'enforce', 'switch', 'port', 'convert',
  'generate', 'track', 'stop', 'change', 'rework', 'redesign', 'bump', 'publish', 'release', 'verify', 'check', 'profile', 'paginate',
  'index', 'retry', 'wire', 'hide', 'purge', 'archive', 'schedule', 'rotate', 'revoke', 'sanitise', 'sanitize', 'adopt', 'show', 'display', 'send', 'notify', 'return', 'store', 'persist', 'speed', 'clean',
]);
const MAX_NAME_CHARS = 60;
const MAX_STEP_TITLE_CHARS = 200;
const ID_WORDS = 4;

/** Lower-case latin words; identifiers such as deleted_at stay one word. */
function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9_]+/)
    .map((w) => w.replace(/_+/g, '_').replace(/^_|_$/g, ''))
    .filter(Boolean);
}

/** snake_case id from text; always matches /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/ (or is '' when the text has no latin words). */
function slug(text: string): string {
  const meaningful = words(text).filter((w) => !ID_FILLER.has(w));
  const id = meaningful.slice(0, ID_WORDS).join('_');
  return /^[0-9]/.test(id) ? `n${id}` : id;
}

/** The base id, or base_2, base_3 … when already taken in this play. */
function uniqueId(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
  used.add(id);
  return id;
}

function withoutParentheticals(text: string): string {
  return text.replace(/\s*\([^)]*\)/g, '').replace(/\s+/g, ' ').trim();
}

/** Cuts at a word boundary, without leaving a dangling "with a…". */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max - 1);
  const space = head.lastIndexOf(' ');
  let kept = (space > max / 2 ? head.slice(0, space) : head).replace(/[\s,;:.-]+$/, '');
  for (;;) {
    const lastSpace = kept.lastIndexOf(' ');
    if (lastSpace <= 0 || !SMALL_WORDS.has(kept.slice(lastSpace + 1).toLowerCase())) break;
    kept = kept.slice(0, lastSpace);
  }
  return `${kept}…`;
}

/** "Add CSRF tokens to all POST/PUT/DELETE routes" → "Add CSRF Tokens to All POST/PUT/DELETE Routes"; acronyms and paths kept. */
function titleCase(text: string): string {
  return text
    .split(' ')
    .map((word, i) => {
      if (/[A-Z]/.test(word.slice(1)) || /[/._`]/.test(word) || /\d/.test(word)) return word;
      const lower = word.toLowerCase();
      if (i > 0 && SMALL_WORDS.has(lower)) return lower;
      return word.charAt(0).toUpperCase() + word.slice(1);
    })
    .join(' ');
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function round2(n: number): number {
  return Math.round(Math.min(1, Math.max(0, n)) * 100) / 100;
}

// ---------------------------------------------------------------------------
// Reading the brief

const DOCS_RE = /\b(?:readme|docs?|document(?:ation|ed|ing)?|changelog|guides?|wiki|runbooks?)\b/i;
/** Schema work: "add a users table", "drop the legacy column", "write a migration". Merely naming a table is not. */
const SCHEMA_RE =
  /\b(?:schemas?|migrations?|(?:add|create|drop|alter|rename|remove)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+)?(?:tables?|columns?|indexe?s?))\b/i;
const DATABASE_RE = /\b(?:schemas?|migrations?|databases?|db|sql|postgres(?:ql)?|mysql|sqlite)\b/i;
const DEPLOY_RE = /\b(?:production|prod|deploy\w*|releases?|releasing|rollouts?|roll out|downtime|live users)\b/i;
const TESTS_RE = /\b(?:tests?|testing|tested|coverage|ci|specs?)\b/i;
const COMPAT_RE = /\b(?:backwards?[- ]compatib\w*|compatib\w*|breaking|public api|api contract|existing (?:users?|sessions?|clients?|callers?|integrations?|data))\b/i;
const CRITICAL_RE = /\b(?:critical|urgent|blocker|blocking|p0|sev ?[01]|hotfix)\b/i;
const CONTEXT_ITEM_RE = /^(?:tech(?:nical)? stack|stack)\s*:/i;
const COVERAGE_RE = /\bcoverage\b[^0-9]{0,20}(\d+(?:\.\d+)?\s?%)/i;
const TESTS_KPI_RE = /\b(?:test pass rate|coverage)\b/i;

/** What a brief safeguard asks for; decides which play structures honour it. */
type SafeguardKind = 'scope' | 'migration' | 'downtime' | 'compat' | 'rollback' | 'tests' | 'review' | 'constraint';

function safeguardKind(text: string): SafeguardKind {
  if (/^out of scope\b/i.test(text)) return 'scope';
  if (/\b(?:schemas?|migrations?|databases?|db)\b/i.test(text)) return 'migration';
  if (/\b(?:downtime|outages?|uptime|availability)\b/i.test(text)) return 'downtime';
  if (COMPAT_RE.test(text)) return 'compat';
  if (/\b(?:roll ?backs?|revert\w*|undo)\b/i.test(text)) return 'rollback';
  if (TESTS_RE.test(text) || /\bgreen\b/i.test(text)) return 'tests';
  if (/\b(?:reviews?|reviewed|approv\w*|sign[- ]?off)\b/i.test(text)) return 'review';
  return 'constraint';
}

interface Safeguard {
  text: string;
  kind: SafeguardKind;
}

/** Paths the brief names: "src/lib/auth/jwt.ts", "db/migrations/", "README.md". Library names such as "Next.js" are not files. */
function namedPaths(text: string): string[] {
  const found: string[] = [];
  const pathRe = /(?<![\w/.-])(?:\.{0,2}\/)?(?:[\w.-]+\/)+[\w.-]*|(?<![\w/.-])[\w-]+\.(?:ts|tsx|js|jsx|mjs|cjs|py|go|rs|java|kt|rb|php|cs|sql|md|mdx|json|ya?ml|toml|css|scss|html|prisma|sh|env)(?![\w/])/g;
  for (const m of text.matchAll(pathRe)) {
    const path = m[0].replace(/[.,;:]+$/, '');
    const segments = path.split('/').filter(Boolean);
    const hasExtension = /\.[a-z0-9]{1,6}$/i.test(path);
    const knownRoot = /^(?:\.{0,2}\/)?(?:src|lib|app|apps|packages|test|tests|spec|db|prisma|migrations|pages|api|scripts|docs|config|bin|public|components|server|client)\//.test(path);
    // "POST/PUT/DELETE" or "CI/CD" are not paths; "Next.js" and "Node.js" are libraries.
    if (segments.length > 1 && !hasExtension && !knownRoot) continue;
    if (segments.length === 1 && /^[A-Z][a-z]*\.js$/.test(path)) continue;
    if (/^(?:next|node|vue|nuxt|express|react|socket|three|d3|chart)\.js$/i.test(path)) continue;
    found.push(path);
  }
  return cleanItems(found);
}

/** "src/auth/session.ts to use the new token store" → "src/auth/session.ts -> new token store". Only when the brief says so. */
function namedWiring(text: string): string[] {
  const links: string[] = [];
  for (const path of namedPaths(text)) {
    const at = text.indexOf(path);
    const before = text.slice(0, at);
    const after = text.slice(at + path.length);
    // "src/a.ts to use X", "src/a.ts -> X", or "Wire src/a.ts to X".
    const link = /\b(?:wire|connect|hook up)\s+$/i.test(before) ? '(?:to|into|with)' : '(?:to use|uses|to call|calls|wired? (?:up )?(?:to|into)|connects? to|->|→)';
    const m = new RegExp(`^\\s*${link}\\s+(.+)`, 'i').exec(after);
    if (!m) continue;
    const target = (m[1] ?? '')
      .split(/[,;.()]|\s+(?:and|so|within|by|before|until|in \d)\b/i)[0]
      ?.replace(/^(?:the|a|an)\s+/i, '')
      .trim();
    if (target) links.push(`${path} -> ${target}`);
  }
  return links;
}

interface WorkItem {
  text: string;
  /** The objective stands in for scope: steps say the change in a few words of their own, not the objective again. */
  fromObjective: boolean;
  /** Title Case, for phase names and play titles. */
  name: string;
  /** snake_case without the leading verb: "jwt_refresh_logic". */
  core: string;
  /** The item's own verb ("fix"), or "change". */
  verb: string;
  docs: boolean;
  /** The item itself changes the schema, so it ships a migration. */
  schema: boolean;
  critical: boolean;
}

const PROBLEM_RE = /\b(?:reports?|reported|shows?|wrong|broken|errors?|fails?|failing|crash\w*|bug\w*|incorrect|missing|slow)\b/i;
const NAME_STOPS = new Set(['to', 'in', 'for', 'on', 'across', 'from', 'of', 'with', 'at', 'by', 'into', 'via', 'below', 'above', 'under', 'so', 'because', 'when', 'after', 'before', 'without', 'and', 'that', 'which']);

/**
 * "Add dark mode to the settings page" -> "Add dark mode": the action and what it acts on, at most
 * three content words, stopping at the first preposition. Null when the text does not start with an action.
 */
function shortPhrase(plain: string): string | null {
  const ws = plain.split(/\s+/).filter(Boolean);
  if (!ACTION_VERBS.has((ws[0] ?? '').toLowerCase())) return null;
  const out = [ws[0]!];
  let content = 0;
  for (const w of ws.slice(1)) {
    const bare = w.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
    if (NAME_STOPS.has(bare) && content > 0) break;
    out.push(w.replace(/[,;:.]+$/, ''));
    if (!SMALL_WORDS.has(bare)) content += 1;
    if (content >= 3 || /[,;:.]$/.test(w)) break;
  }
  return content > 0 ? out.join(' ') : null;
}

function workItem(text: string, index: number, fromObjective = false): WorkItem {
  const plain = withoutParentheticals(withoutTrailingDeadline(text)) || text;
  // An objective that is no action ("Users report the PDF shows the wrong currency") is not copied either.
  const phrase = fromObjective ? (shortPhrase(plain) ?? (PROBLEM_RE.test(plain) ? 'Fix the reported problem' : 'Make the change')) : null;
  const meaningful = words(plain).filter((w) => !ID_FILLER.has(w));
  const first = meaningful[0] ?? '';
  const verb = ACTION_VERBS.has(first) ? first : 'change';
  const rest = ACTION_VERBS.has(first) && meaningful.length > 1 ? meaningful.slice(1) : meaningful;
  let core = rest.slice(0, ID_WORDS).join('_');
  if (/^[0-9]/.test(core)) core = `n${core}`;
  return {
    text: phrase ?? withoutTrailingDeadline(text),
    fromObjective,
    name: cut(titleCase(phrase ?? plain), MAX_NAME_CHARS),
    // Items in other scripts have no latin words: number them instead.
    core: core || `item_${index + 1}`,
    verb,
    docs: DOCS_RE.test(text),
    schema: SCHEMA_RE.test(text),
    critical: CRITICAL_RE.test(text),
  };
}

type Impact = RiskMatrix['impact'];

interface BriefFacts {
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

function readBrief(input: PlannerInput): BriefFacts {
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
  const deploys = DEPLOY_RE.test(allText);
  const docsOnly = items.length > 0 && items.every((i) => i.docs && !i.schema) && !deploys;
  // The brief's topic tags say which risky areas it touches (the drafter tagged them; riskAreas.ts defines them).
  const sensitiveAreas: string[] = riskyAreasOf(input.tags).filter((a) => a !== 'data');
  // Auth, security and payments touch every user or their money; in production that is critical.
  const impact: Impact =
    sensitiveAreas.length > 0 && deploys
      ? 'critical'
      : sensitiveAreas.length > 0 || database || deploys
        ? 'high'
        : docsOnly
          ? 'low'
          : 'medium';

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
  const noun =
    sensitiveAreas.includes('security')
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

// ---------------------------------------------------------------------------
// Steps and phases

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

interface TimedStep extends PlayStep {
  minutes: number;
}

class StepIds {
  readonly used = new Set<string>();
  /** A step with a unique id; `times` scales its minutes when one step covers several items. */
  step(base: string, title: string, kind: StepKind, times = 1): TimedStep {
    return { id: uniqueId(base, this.used), title: cut(title, MAX_STEP_TITLE_CHARS), minutes: STEP_MINUTES[kind] * times };
  }
}

interface TimedPhase {
  id: string;
  name: string;
  steps: TimedStep[];
}

function toPhase(phase: TimedPhase): PlayPhase {
  return { id: phase.id, name: phase.name, steps: phase.steps.map(({ id, title }) => ({ id, title })) };
}

function minutesOf(phases: readonly TimedPhase[]): number {
  return phases.reduce((sum, p) => sum + p.steps.reduce((s, step) => s + step.minutes, 0), 0);
}

function migrationStep(item: WorkItem, ids: StepIds): TimedStep {
  const id = /(?:^|_)migrations?(?:_|$)/.test(item.core) ? `write_${item.core}` : `write_${item.core}_migration`;
  return ids.step(id, 'Write a reversible migration (up and down) for the schema change', 'migration');
}

/** The work of one scope item: change it, then prove it (tests, or a proofread for docs). */
function itemSteps(item: WorkItem, ids: StepIds, opts: { flag: boolean }): TimedStep[] {
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
    ids.step(`test_${item.core}`, item.fromObjective ? 'Write tests that show the change works' : `Write tests for: ${lowerFirst(withoutParentheticals(item.text) || item.text)}`, 'writeTests'),
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
function releaseSteps(facts: BriefFacts, ids: StepIds, opts: ReleaseOptions): TimedStep[] {
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

function releasePhaseName(facts: BriefFacts): string {
  return facts.deploys ? 'Verification & Release' : facts.docsOnly ? 'Review & Merge' : 'Verification & Merge';
}

// ---------------------------------------------------------------------------
// Safeguards, undo plans, must-haves, risk

/** What a play's structure does to honour each kind of safeguard; absent kinds are not claimed. */
type Honours = Partial<Record<SafeguardKind, string>>;

function enforced(facts: BriefFacts, honours: Honours): string[] {
  return facts.safeguards.flatMap((s) => {
    const how = honours[s.kind];
    return how ? [`${s.text} (${how})`] : [];
  });
}

function notEnforced(facts: BriefFacts, honours: Honours): string[] {
  return facts.safeguards.filter((s) => !honours[s.kind]).map((s) => s.text);
}

/** Rollback steps, quickest first: flags need no redeploy; the branch or merge is undone last, after production is safe. */
function undoPlan(facts: BriefFacts, opts: { flags: boolean; summary: string; migration: boolean }): UndoPlan {
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
function truthsOf(facts: BriefFacts): string[] {
  if (facts.input.acceptanceCriteria.length > 0) return [...facts.input.acceptanceCriteria];
  const only = facts.scopeFromObjective ? facts.items[0] : undefined;
  return only ? [`${only.name}: done, with tests that pass in CI`] : [facts.input.objective];
}

function mustHaves(truths: readonly string[], texts: readonly string[]): MustHaves {
  const joined = texts.join('\n');
  return { truths: cleanItems(truths), artifacts: namedPaths(joined), keyLinks: cleanItems(namedWiring(joined)) };
}

/** More scope items mean more moving parts; schema changes add one level. */
function complexityOf(itemCount: number, schemaWork: boolean): RiskMatrix['complexity'] {
  const base = itemCount <= 1 ? 0 : itemCount <= 3 ? 1 : 2;
  const levels = ['low', 'medium', 'high'] as const;
  return levels[Math.min(2, base + (schemaWork ? 1 : 0))]!;
}

function riskNotes(facts: BriefFacts, parts: string[], minutes: number): string {
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
function timelinePenalty(facts: BriefFacts, minutes: number): number {
  return facts.timelineMinutes !== null && minutes > facts.timelineMinutes ? 0.05 : 0;
}

/** Strong only when the brief demands tests and the play writes and runs them for every item; docs have no test suite. */
function testCoverage(facts: BriefFacts, thorough: boolean): RiskMatrix['testCoverage'] {
  if (facts.docsOnly) return 'weak';
  return thorough && facts.testsDemanded ? 'strong' : 'moderate';
}

// ---------------------------------------------------------------------------
// Plays

// codeChangePreview is always null: counting files or lines honestly needs the repository,
// which a planner working from the brief alone does not see.

function phasedPlay(facts: BriefFacts): PlayDraft {
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
    n === 1 ? 'Makes the change in its own phase, then verifies it before anything is merged.' : `One phase per scope item (${n}), each ${facts.docsOnly ? 'checked' : 'tested'} before the next starts, then a final ${releaseName.toLowerCase().replace('&', 'and')} phase.`,
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
function mostCritical(items: readonly WorkItem[]): WorkItem | undefined {
  return items.find((i) => i.critical) ?? items[0];
}

function narrowPlay(facts: BriefFacts, item: WorkItem): PlayDraft {
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
    undoPlan: undoPlan(facts, { flags: false, summary: 'One small change: close the pull request before merge, or revert its merge commit after.', migration: item.schema }),
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
function singlePassPlay(facts: BriefFacts): PlayDraft {
  const ids = new StepIds();
  const n = facts.items.length;
  const only = facts.items[0];
  const steps: TimedStep[] = [];
  for (const item of facts.items) {
    steps.push(item.docs && !item.schema ? ids.step(`${item.verb}_${item.core}`, item.text, 'docsEdit') : ids.step(`${item.verb}_${item.core}`, item.text, 'change'));
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
      summary: n === 1 ? 'One change: close the pull request before merge, or revert its merge commit after.' : 'All-or-nothing: the changes land together, so rollback reverts the whole pass.',
      migration: facts.database,
    }),
    safeguardsEnforced: enforced(facts, honours),
    risk,
    estimatedDurationMinutes: minutes,
    codeChangePreview: null,
    mustHaves: mustHaves(truthsOf(facts), [facts.input.objective, ...facts.items.map((i) => i.text), ...facts.input.acceptanceCriteria]),
  };
}

/** Candidate plays for a brief; none when it names no work at all (no scope and no objective). */
export function planPlays(input: PlannerInput): PlayDraft[] {
  const facts = readBrief(input);
  if (facts.items.length === 0) return [];
  if (facts.items.length === 1) return [phasedPlay(facts), singlePassPlay(facts)];
  const critical = mostCritical(facts.items);
  return [phasedPlay(facts), ...(critical ? [narrowPlay(facts, critical)] : []), singlePassPlay(facts)];
}

export const defaultPlanner: Planner = {
  name: 'default-planner',
  plan: async (input) => ({ plays: planPlays(input) }),
};
