// The built-in brief drafter: reads the structure people actually write in an intent
// (headings, bullets, "must"/"never" sentences, numbers, deadlines) and turns it into
// chips with pure, deterministic heuristics. No network, no randomness, no clock.
import { cleanItems, MAX_CHIP_ITEM_LENGTH, MAX_CHIP_ITEMS } from './brief.js';
import type { BriefChip, ChipConfidence, ChipKind } from './brief.js';
import type { BriefDrafter, DraftedBrief } from './briefDrafter.js';
import { deadlinePhrases, mentionsDeadline, withoutDeadlines } from './text/deadlines.js';
import { joinAnd } from './text/englishLists.js';
import { riskyAreasOf } from './riskAreas.js';

// ---------------------------------------------------------------------------
// Limits

/** Longer intents are read up to this many characters (keeps every regex linear in practice). */
const MAX_INTENT_CHARS = 200_000;
/** Statements are analysed up to this many characters; items are cut to MAX_CHIP_ITEM_LENGTH anyway. */
const MAX_ANALYSED_CHARS = 1_000;
const MAX_OBJECTIVE_CHARS = 200;
const ELLIPSIS = '…';

// ---------------------------------------------------------------------------
// Sections an intent is made of

type Section =
  | 'body'
  | 'objective'
  | 'requirements'
  | 'problems'
  | 'acceptance'
  | 'constraints'
  | 'safeguards'
  | 'out_of_scope'
  | 'kpis'
  | 'stack'
  | 'timeline';

interface Unit {
  text: string;
  section: Section;
  bullet: boolean;
  /** The heading the statement was written under ('' when none). */
  label: string;
}

/** Heading labels, tested in order against the lower-cased label. */
const LABEL_SECTIONS: ReadonlyArray<readonly [RegExp, Section]> = [
  [/\b(?:out of scope|non[- ]?goals?|not in scope)\b/, 'out_of_scope'],
  [/\b(?:kpis?|metrics?|measures?|measurements?|slos?|slas?|(?:performance|metric|kpi|slo) targets?)\b/, 'kpis'],
  [/\b(?:acceptance|success criteria|criteria|definition of done|done when|done|dod|exit criteria)\b/, 'acceptance'],
  [/\b(?:issues?|problems?|bugs?|symptoms?|pain ?points?|errors?|what'?s broken|observed|current (?:state|behaviou?r))\b/, 'problems'],
  [/\b(?:safeguards?|guardrails?|guard rails?|safety)\b/, 'safeguards'],
  [/\b(?:constraints?|non[- ]?negotiables?|limitations?|rules?|restrictions?|don'?ts)\b/, 'constraints'],
  [/\b(?:tech(?:nical)? stack|stack|technolog(?:y|ies)|tech|tooling|frameworks?|languages?)\b/, 'stack'],
  [/\b(?:targets?|deadlines?|timeline|due(?: date)?|eta|time ?frame|schedule|by when|when)\b/, 'timeline'],
  [/\b(?:objective|goal|mission|summary|intent|tl;?dr|overview|purpose)\b/, 'objective'],
  [
    /\b(?:requirements?|goals|tasks?|to ?-?dos?|scope|changes|deliverables?|plan|steps|features?|work items?|needs?|asks?|must[- ]haves?|what to do|fixes)\b/,
    'requirements',
  ],
  [/\b(?:background|context|notes?|details?|description|links?|references?)\b/, 'body'],
];

// ---------------------------------------------------------------------------
// Text helpers

const PICTOGRAPHS = '[\\p{Extended_Pictographic}\\p{Emoji_Modifier}\\u{1F1E6}-\\u{1F1FF}\\uFE0F\\u200D\\u20E3]';
const LEADING_PICTOGRAPHS = new RegExp(`^(?:${PICTOGRAPHS}|\\s)+`, 'u');
const TRAILING_PICTOGRAPHS = new RegExp(`(?:${PICTOGRAPHS}|\\s)+$`, 'u');
const HAS_WORD = /[\p{L}\p{N}]/u;

function normalise(intent: string): string {
  return intent
    .slice(0, MAX_INTENT_CHARS)
    .replace(/\r\n?/g, '\n')
    .replace(/[\u2018\u2019\u02BC]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/\u00A0/g, ' ')
    .replace(/\t/g, ' ');
}

function capitalise(s: string): string {
  if (/^p\d/i.test(s)) return s.charAt(0).toLowerCase() + s.slice(1);
  const first = s.charAt(0);
  const second = s.charAt(1);
  // Leave identifiers like "iOS" or "eBay" alone.
  if (second && second !== second.toLowerCase()) return s;
  return first.toUpperCase() + s.slice(1);
}

/** One statement, tidied for a chip: no markdown emphasis, emoji or trailing punctuation; capitalised. */
function tidy(raw: string): string {
  let s = raw.replace(/\*\*|__/g, '');
  s = s.replace(LEADING_PICTOGRAPHS, '').replace(TRAILING_PICTOGRAPHS, '');
  s = s.replace(/\s+/g, ' ').trim();
  s = s.replace(/[\s.;,:。；，：!！?？]+$/u, '').trim();
  return s ? capitalise(s) : '';
}

function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut.trimEnd() + ELLIPSIS;
}

/** Cuts at a word boundary, for the one-line objective. */
function concise(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  const base = space > max / 2 ? cut.slice(0, space) : cut;
  return truncate(base.replace(/[\s,;:.-]+$/, ''), max - 1) + ELLIPSIS;
}

const ABBREVIATIONS = new Set(['e.g', 'i.e', 'eg', 'ie', 'etc', 'vs', 'approx', 'incl', 'cf', 'fig', 'dr', 'mr', 'mrs', 'st', 'no']);

/** Splits a paragraph into sentences on . ! ? (followed by space and not a lower-case word) and on 。！？ */
function splitSentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const m of text.matchAll(/[.!?]+(?=\s)|[。！？]+/gu)) {
    const end = m.index + m[0].length;
    if (/^[.!?]/.test(m[0])) {
      const before = text.slice(start, m.index);
      const token = (before.split(/\s+/).pop() ?? '').replace(/^[("'[]+/, '').toLowerCase();
      if (m[0] === '.' && ABBREVIATIONS.has(token)) continue;
      const after = text.slice(end).trimStart();
      if (/^\p{Ll}/u.test(after)) continue;
    }
    out.push(text.slice(start, end));
    start = end;
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter((s) => HAS_WORD.test(s));
}

/** Removes conversational lead-ins: "Hey team, please can you ..." → "...". */
function stripLeadIn(s: string): string {
  let out = s.trim();
  for (let i = 0; i < 4; i++) {
    const before = out;
    out = out
      .replace(/^(?:hey|hi|hello|yo)(?:\s+(?:team|all|there|folks|everyone))?\s*[,!.:—-]\s*/i, '')
      .replace(/^(?:please|pls|kindly|also|then|and|so|ok|okay|now)\b[,]?\s+/i, '')
      .replace(/^(?:can|could|would|will)\s+(?:you|someone|we)(?:\s+please)?\s+/i, '')
      .replace(/^(?:i|we)(?:'d|\s+would)?\s+(?:really\s+)?(?:like|want|need)(?:\s+(?:you|someone))?\s+to\s+/i, '')
      .replace(/^(?:we|i)\s+(?:have|need|must|should|gotta)\s+to\s+/i, '')
      .replace(/^(?:we|i)\s+(?:must|should)\s+(?=\p{L})/iu, '')
      .replace(/^(?:need|needs|have|want)\s+to\s+/i, '')
      .replace(/^let'?s\s+/i, '')
      .replace(/^help\s+(?:me|us)\s+(?:to\s+)?/i, '')
      .trim();
    if (out === before) break;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Parsing: headings, bullets, sentences

interface Heading {
  section: Section;
  label: string;
  value: string;
}

function labelSection(label: string): Section | undefined {
  const l = label.toLowerCase().replace(/\s+/g, ' ').trim();
  for (const [re, section] of LABEL_SECTIONS) if (re.test(l)) return section;
  return undefined;
}

function parseHeading(line: string): Heading | null {
  const markdown = /^#{1,6}\s*/.exec(line);
  let s = markdown ? line.slice(markdown[0].length) : line;
  s = s.replace(/\*\*|__/g, '').trim();
  const m = /^(\p{L}[\p{L}\p{N} '&/()+-]{0,48}?)\s*[:：]\s*(.*)$/u.exec(s);
  if (m) {
    const label = (m[1] ?? '').trim();
    const value = (m[2] ?? '').trim();
    if (label.split(/\s+/).length <= 6 && !/\/\//.test(value.slice(0, 2))) {
      const section = labelSection(label);
      if (section) return { section, label, value };
      if (markdown || value === '') return { section: 'body', label, value };
    }
    if (!markdown) return null;
  }
  if (markdown) {
    const label = s.replace(/[:：]\s*$/u, '').trim();
    return { section: labelSection(label) ?? 'body', label, value: '' };
  }
  // A bare known label on its own line ("Requirements").
  if (/^\p{L}[\p{L} ]{0,30}$/u.test(s) && s.split(/\s+/).length <= 3) {
    const section = labelSection(s);
    const bare = /^(?:requirements?|goals|tasks|to ?dos?|scope|current issues|issues|problems|bugs|acceptance criteria|success criteria|definition of done|constraints|kpis|metrics|safeguards|guardrails|tech stack|stack|timeline|deadline|out of scope|non-goals)$/i;
    if (section && bare.test(s)) return { section, label: s, value: '' };
  }
  return null;
}

/** The text after a bullet marker, or null when the line is not a bullet. */
function parseBullet(line: string): string | null {
  const m = /^(?:[-*•·◦▪▫▸►‣⁃–—+→]|\d{1,3}[.)]|\(\d{1,3}\)|[a-zA-Z][.)](?=\s))\s+(?:\[[ xX✓✔]?\]\s*)?(.*)$/u.exec(line);
  return m ? (m[1] ?? '').trim() : null;
}

/** Value parts of an inline "Heading: value" or a paragraph under a heading. */
function valueParts(value: string, section: Section): string[] {
  if (section === 'stack') return [value];
  const sentences = splitSentences(value);
  if (section === 'timeline' || section === 'objective' || section === 'body') return sentences;
  return sentences.flatMap((s) => s.split(/\s*;\s*/));
}

interface Parsed {
  units: Unit[];
  objective: { text: string; explicit: boolean } | undefined;
}

function parseIntent(text: string): Parsed {
  const units: Unit[] = [];
  let objective: Parsed['objective'];
  let seenContent = false;
  let section: Section = 'body';
  let label = '';
  let inlineOnly = false;
  let sawBullet = false;
  let blankAfterBullet = false;

  const push = (raw: string, sec: Section, bullet: boolean, lbl: string): void => {
    const t = raw.trim();
    if (!HAS_WORD.test(t)) return;
    if (sec === 'objective' && objective === undefined) {
      objective = { text: t, explicit: true };
      return;
    }
    units.push({ text: t, section: sec === 'objective' ? 'body' : sec, bullet, label: lbl });
  };

  for (const raw of text.split('\n')) {
    const trimmed = raw.trim();
    const line = trimmed.replace(LEADING_PICTOGRAPHS, '').trim();
    const hadEmoji = line.length < trimmed.length;
    // Blank lines and wordless lines (code fences, "---", a lone emoji) separate blocks.
    if (!HAS_WORD.test(line)) {
      if (sawBullet) blankAfterBullet = true;
      continue;
    }

    const heading = parseHeading(line);
    if (heading) {
      // An unrecognised markdown title at the very top ("# Fix crash on startup") is the objective.
      if (!seenContent && heading.section === 'body' && !heading.value && /^#/.test(line) && objective === undefined) {
        objective = { text: stripLeadIn(heading.label), explicit: true };
      }
      seenContent = true;
      section = heading.section;
      label = heading.label;
      inlineOnly = heading.value.length > 0;
      sawBullet = false;
      blankAfterBullet = false;
      if (heading.value) for (const part of valueParts(heading.value, section)) push(part, section, false, label);
      continue;
    }

    const bullet = parseBullet(line) ?? (hadEmoji && seenContent ? line : null);
    if (bullet !== null) {
      seenContent = true;
      sawBullet = true;
      blankAfterBullet = false;
      push(bullet, section, true, label);
      continue;
    }

    // A plain line.
    if (inlineOnly || blankAfterBullet) {
      section = 'body';
      label = '';
      inlineOnly = false;
    }
    blankAfterBullet = false;
    if (!seenContent) {
      seenContent = true;
      const sentences = splitSentences(line);
      for (const s of sentences) {
        if (objective === undefined) {
          const [first, ...others] = s.split(/\s*;\s*/);
          const candidate = stripLeadIn(first ?? s);
          if (HAS_WORD.test(candidate)) {
            objective = { text: candidate, explicit: true };
            // "Add pagination; must stay backward compatible": what follows the semicolon still counts.
            for (const other of others) push(other, 'body', false, '');
            continue;
          }
        }
        push(s, 'body', false, '');
      }
      continue;
    }
    for (const part of valueParts(line, section)) push(part, section, false, label);
  }
  return { units, objective };
}

// ---------------------------------------------------------------------------
// Classification

const TESTS_PASS_RE =
  /\b(?:tests?|test suites?|specs?)\b[^.]{0,40}?\b(?:pass|passes|passing|green)\b|\b(?:passing|green)\s+(?:tests?|ci|builds?)\b|\b(?:ci|builds?|pipelines?)\b[^.]{0,20}?\bgreen\b/i;
const NON_FUNCTIONAL_TEST_RE = /\b(?:load|stress|perf|performance|smoke|soak)\s+tests?\b/i;
const CONSTRAINT_RE =
  /\b(?:must|never|zero|always|without|do not|don't|dont|does not|doesn't|should not|shouldn't|must not|mustn't|cannot|can't|maintain(?:s|ing)?|preserve[sd]?|preserving|avoid(?:s|ing)?|backwards?[- ]compatib\w*)\b/i;
const NO_RE =
  /(?:^|[,;:(]\s*|\b(?:with|and|but|or)\s+)no\b|\bno\s+(?:breaking|new|changes?|downtime|data loss|regressions?|direct|manual|more than|impact|outages?)\b/i;
const ABLE_TO_RE = /\b(?:must|should|will)\s+be\s+able\s+to\b/gi;
const TEST_DEPLOY_RE =
  /\b(?:tests?|testing|ci|compatib\w*|backwards?|downtime|deploy\w*|releases?|rollout|regressions?|production|prod|data loss|breaking)\b/i;
/** Verbs a statement of work starts with (alternatives written as regex fragments: optimi[sz]e). */
const ACTION_VERBS = [
  'add', 'implement', 'fix', 'refactor', 'remove', 'delete', 'drop', 'update', 'upgrade', 'migrate',
  'create', 'build', 'write', 'replace', 'improve', 'reduce', 'optimi[sz]e', 'support', 'enable', 'disable',
  'introduce', 'centrali[sz]e', 'move', 'rename', 'investigate', 'debug', 'resolve', 'handle', 'make', 'extract',
  'split', 'merge', 'consolidate', 'rewrite', 'document', 'deploy', 'ship', 'set up', 'setup', 'configure',
  'integrate', 'expose', 'validate', 'cache', 'batch', 'speed up', 'cut', 'lower', 'increase', 'audit',
  'harden', 'patch', 'clean up', 'deprecate', 'instrument', 'monitor', 'log', 'test', 'ensure', 'allow',
  'prevent', 'block', 'limit', 'restrict', 'enforce', 'switch', 'port', 'convert', 'generate', 'track',
  'stop', 'change', 'rework', 'redesign', 'bump', 'publish', 'release', 'verify', 'check', 'profile',
  'parallelize', 'paginate', 'index', 'retry', 'wire', 'hook up', 'use', 'adopt', 'show', 'display',
  'send', 'notify', 'return', 'store', 'persist', 'expose',
];
const ACTION_RE = new RegExp(`^(?:${ACTION_VERBS.join('|')})\\b`, 'i');
const READINESS_RE = /\b(?:ready|deployed|shipped|live|released|merged|done|complete[d]?|launched|available|rolled out|in production)\b/i;

function isConstraint(text: string): boolean {
  const t = text.toLowerCase().replace(ABLE_TO_RE, ' ');
  if (TESTS_PASS_RE.test(t) && !NON_FUNCTIONAL_TEST_RE.test(t)) return true;
  return CONSTRAINT_RE.test(t) || NO_RE.test(t);
}

function isAction(text: string): boolean {
  return ACTION_RE.test(stripLeadIn(text));
}

// ---------------------------------------------------------------------------
// KPIs

type KpiKind = 'explicit' | 'inferred' | 'default';
interface Kpi {
  key: string;
  text: string;
  kind: KpiKind;
}

const NUM = '\\d+(?:[.,]\\d+)*';
const UNIT = '(?:%|ms|milliseconds?|seconds?|secs?|s|minutes?|mins?|k|x|rps|qps|req\\/s|mb|kb|gb)(?![\\p{L}\\d])';
const VALUE = `${NUM}(?:\\s?${UNIT})?`;
const WORD_OPS =
  'under|below|less than|fewer than|lower than|at most|no more than|up to|above|over|more than|greater than|higher than|at least|within';
const CMP_RE = new RegExp(
  `^(.*?)(?:(?<![\\p{L}])(${WORD_OPS})(?![\\p{L}])|(≤|≥|<=|>=|=<|=>|<|>))\\s*(${NUM})(?:\\s?(${UNIT}))?(?:\\s+(\\p{L}+))?`,
  'iu',
);
const FROM_TO_RE = new RegExp(`^(.*?)(?<![\\p{L}])from\\s+(${VALUE})\\s+(?:down\\s+|up\\s+)?to\\s+(${VALUE})`, 'iu');
const BY_PCT_RE = new RegExp(`^(.*?)(?<![\\p{L}])by\\s+(${NUM})\\s?%`, 'iu');
const COVERAGE_RE = new RegExp(`coverage\\D{0,30}?(${NUM})\\s?%|(${NUM})\\s?%\\s*(?:test\\s+|code\\s+|unit\\s+)?coverage`, 'iu');
const ZERO_RE = /(?<![\p{L}\d.,])(?:zero|0)\s+([\p{L}][\p{L}'-]*(?:\s+[\p{L}][\p{L}'-]*){0,3})/giu;
const FALLBACK_RE =
  /\d\s?%|\d\s?(?:ms|s|sec|secs|seconds|k|x|rps|qps)(?![\p{L}])|(?<![\p{L}])p(?:50|75|90|95|99|999)(?![\p{L}\d])|\d[\d,]*\s+(?:[\p{L}-]+\s+)?(?:users|requests|connections|errors|tests|events|records|rows|items|calls|queries|sessions|orders|messages|jobs|incidents|alerts)(?![\p{L}])/iu;
const NEGATION_RE = /\b(?:not|never|don't|do not|mustn't|shouldn't|cannot|can't|won't)\b/i;
const PERIOD_WORD_RE = /^(?:hours?|hrs?|days?|weeks?|months?|years?|sprints?)$/i;

const OPS: Record<string, string> = {
  under: '<',
  below: '<',
  'less than': '<',
  'fewer than': '<',
  'lower than': '<',
  '<': '<',
  within: '≤',
  'at most': '≤',
  'no more than': '≤',
  'up to': '≤',
  '<=': '≤',
  '=<': '≤',
  '≤': '≤',
  above: '>',
  over: '>',
  'more than': '>',
  'greater than': '>',
  'higher than': '>',
  '>': '>',
  'at least': '≥',
  '>=': '≥',
  '=>': '≥',
  '≥': '≥',
};

const ZERO_STOP = new Set([
  'deployment', 'deployments', 'deploy', 'deploys', 'during', 'in', 'on', 'for', 'after', 'when', 'with', 'and', 'or', 'to', 'from',
  'across', 'while', 'per', 'at', 'is', 'are', 'must', 'should', 'between', 'of', 'the', 'as', 'if', 'by', 'before', 'rollout', 'release',
]);
const LEAD_WORDS = new Set([
  'we', 'i', 'you', 'need', 'needs', 'want', 'wants', 'to', 'the', 'our', 'its', "it's", 'make', 'sure', 'get', 'bring', 'keep', 'ensure',
  'that', 'it', 'is', 'are', 'should', 'must', 'be', 'and', 'so', 'all', 'also', 'please', 'target', 'goal', 'with', 'has', 'have', 'a',
  'an', 'overall', 'can', 'will', 'then', 'plus', 'while', 'still', 'hold', 'maintain',
]);
const TRAIL_WORDS = new Set([
  'to', 'must', 'should', 'be', 'stay', 'stays', 'staying', 'remain', 'remains', 'remaining', 'is', 'are', 'kept', 'keep', 'get', 'at',
  'of', 'needs', 'need', 'always', 'consistently', 'still', 'down', 'up', 'by', 'it', 'in', 'for', 'with', 'the', 'go', 'goes', 'from',
  'drops', 'falls', 'on', 'that', 'which', 'has', 'have', 'being', 'was', 'were', 'will', 'can', 'and', 'or', 'than', 'well', 'even',
]);
const REDUCE_VERBS = /^(?:reduce|lower|cut|decrease|drop|shrink|minimi[sz]e|trim|halve|speed)$/i;
const INCREASE_VERBS = /^(?:increase|raise|boost|grow|maximi[sz]e|double|triple|lift)$/i;
const IMPROVE_VERBS = /^(?:improve|optimi[sz]e)$/i;

interface MetricName {
  name: string;
  direction: 'down' | 'up' | 'improve' | undefined;
}

function metricName(raw: string): MetricName {
  let words = raw
    .replace(/[()[\]{}"`*_]/g, ' ')
    .replace(/[:=–—-]+\s*$/, '')
    .split(/\s+/)
    .filter(Boolean);
  let direction: MetricName['direction'];
  for (;;) {
    const w = (words[0] ?? '').toLowerCase();
    if (!w) break;
    if (REDUCE_VERBS.test(w)) direction = 'down';
    else if (INCREASE_VERBS.test(w)) direction = 'up';
    else if (IMPROVE_VERBS.test(w)) direction = 'improve';
    else if (!LEAD_WORDS.has(w) && !(w === 'up' && direction)) break;
    words = words.slice(1);
  }
  while (words.length > 0 && TRAIL_WORDS.has((words[words.length - 1] ?? '').toLowerCase())) words = words.slice(0, -1);
  if (words.length > 6) words = words.slice(-6);
  let name = words.join(' ').trim();
  // A bare percentile ("p95 < 200ms") is a latency percentile.
  if (/^p\d{2,3}$/i.test(name)) name = `${name} latency`;
  return { name: name ? capitalise(name) : '', direction };
}

function formatValue(num: string, unit: string | undefined): string {
  if (!unit) return num;
  const u = unit.toLowerCase();
  if (['%', 'ms', 's', 'k', 'x'].includes(u)) return `${num}${u}`;
  if (u === 'mb' || u === 'kb' || u === 'gb') return `${num} ${u.toUpperCase()}`;
  return `${num} ${u}`;
}

function numericValue(v: string): number {
  const m = /\d+(?:[.,]\d+)*/.exec(v);
  return m ? Number(m[0].replace(/,(?=\d{3}\b)/g, '').replace(',', '.')) : NaN;
}

function kpiKey(name: string): string {
  return name.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Measurable KPIs found in one clause. */
function clauseKpis(clause: string): Kpi[] {
  const cov = COVERAGE_RE.exec(clause);
  if (cov) return [{ key: 'test coverage', text: `Test coverage ≥ ${cov[1] ?? cov[2]}%`, kind: 'explicit' }];

  const fromTo = FROM_TO_RE.exec(clause);
  if (fromTo) {
    const { name, direction } = metricName(fromTo[1] ?? '');
    const from = (fromTo[2] ?? '').trim();
    const to = (fromTo[3] ?? '').trim();
    if (name && !NEGATION_RE.test(fromTo[1] ?? '')) {
      const down = direction === 'down' || (direction !== 'up' && numericValue(to) < numericValue(from));
      return [{ key: kpiKey(name), text: `${name} ${down ? '≤' : '≥'} ${to.replace(/\s+(?=%|ms\b|s\b)/, '')} (from ${from})`, kind: 'explicit' }];
    }
  }

  const byPct = BY_PCT_RE.exec(clause);
  if (byPct) {
    const { name, direction } = metricName(byPct[1] ?? '');
    if (name && direction && !NEGATION_RE.test(byPct[1] ?? '')) {
      const n = byPct[2] ?? '';
      const text = direction === 'down' ? `${name}: -${n}%` : direction === 'up' ? `${name}: +${n}%` : `${name}: ${n}% improvement`;
      return [{ key: kpiKey(name), text, kind: 'explicit' }];
    }
  }

  const cmp = CMP_RE.exec(clause);
  if (cmp) {
    const opWord = (cmp[2] ?? cmp[3] ?? '').toLowerCase().replace(/\s+/g, ' ');
    const op = OPS[opWord];
    const num = cmp[4] ?? '';
    const unit = cmp[5];
    const nextWord = cmp[6] ?? '';
    const timeLike = PERIOD_WORD_RE.test(nextWord) || (opWord === 'within' && !unit);
    if (op && !timeLike && !NEGATION_RE.test(cmp[1] ?? '')) {
      let { name } = metricName(cmp[1] ?? '');
      if (!name && unit && /^(?:ms|milliseconds?|s|secs?|seconds?)$/i.test(unit)) name = 'Response time';
      if (name) return [{ key: kpiKey(name), text: `${name} ${op} ${formatValue(num, unit)}`, kind: 'explicit' }];
    }
  }
  return [];
}

/** KPIs in one statement. Fallback: a statement with a measurable number becomes a KPI as written. */
function statementKpis(raw: string, allowFallback: boolean): Kpi[] {
  const text = raw.slice(0, MAX_ANALYSED_CHARS);
  const lower = text.toLowerCase();
  const found: Kpi[] = [];

  for (const m of text.matchAll(ZERO_RE)) {
    const words = (m[1] ?? '').split(/\s+/);
    const kept: string[] = [];
    for (const w of words) {
      if (kept.length > 0 && ZERO_STOP.has(w.toLowerCase())) break;
      kept.push(w);
    }
    const subject = kept.join(' ').replace(/[^\p{L}\p{N}]+$/u, '');
    if (!subject || ZERO_STOP.has(subject.toLowerCase())) continue;
    if (/^downtime$/i.test(subject)) found.push({ key: 'downtime', text: 'Downtime: 0 minutes', kind: 'explicit' });
    else found.push({ key: kpiKey(subject), text: `${capitalise(subject.toLowerCase())}: 0`, kind: 'explicit' });
  }
  if (/\b(?:no|without)\s+(?:any\s+)?downtime\b/.test(lower)) found.push({ key: 'downtime', text: 'Downtime: 0 minutes', kind: 'explicit' });
  if (/\b(?:no|without)\s+(?:any\s+)?data loss\b/.test(lower)) found.push({ key: 'data loss', text: 'Data loss: 0', kind: 'explicit' });
  if (TESTS_PASS_RE.test(lower) && !NON_FUNCTIONAL_TEST_RE.test(lower)) {
    found.push({ key: 'test pass rate', text: 'Test pass rate: 100%', kind: 'inferred' });
  }

  let numeric = 0;
  for (const clause of text.split(/[;,](?!\d)|(?<![\p{L}])and(?![\p{L}])/u)) {
    const k = clauseKpis(clause);
    numeric += k.length;
    found.push(...k);
  }
  if (found.length === 0 && numeric === 0 && allowFallback && FALLBACK_RE.test(text) && !NEGATION_RE.test(text)) {
    const statement = tidy(text);
    if (statement) found.push({ key: kpiKey(statement), text: statement, kind: 'explicit' });
  }
  return found;
}

// ---------------------------------------------------------------------------
// Tags, domain, technical context

const TAG_PATTERNS: ReadonlyArray<readonly [string, string]> = [
  ['api', 'apis?|endpoints?|graphql|routes?|webhooks?'],
  [
    'authentication',
    "auth|authn|authz|authentication|authenticat\\w*|authori[sz]ation|logins?|log ?in|logged (?:in|out)|log ?outs?|logouts?|sign[- ]?(?:in|out|up)|sessions?|jwts?|oauth2?|sso|saml|passwords?|mfa|2fa",
  ],
  ['bugfix', 'bugs?|fix(?:es|ed|ing)?|hotfix(?:es)?|crash\\w*|broken|regressions?|flaky'],
  ['ci', 'ci|ci\\/cd|pipelines?|github actions'],
  ['csrf', 'csrf|xsrf'],
  ['database', 'schemas?|migrations?|sql|databases?|db|postgres(?:ql)?|mysql|sqlite|prisma'],
  ['deployment', 'deploy\\w*|rollouts?|roll out|releases?|releasing|downtime'],
  ['documentation', 'docs|documentation|readme|changelog'],
  ['frontend', 'frontend|front-end|ui|ux|css|html|components?|pages?|buttons?|react'],
  ['jwt', 'jwts?'],
  ['nextjs', 'next\\.?js'],
  ['observability', 'logging|logs|metrics|monitoring|tracing|alert(?:s|ing)?|observability|dashboards?|telemetry'],
  ['payments', 'payments?|stripe|billing|invoices?|subscriptions?|refunds?|paypal'],
  ['performance', 'latency|slow(?:er|ness|down)?|p50|p75|p90|p95|p99|perf|performance|throughput|optimi[sz]\\w*|bottlenecks?|speed up|faster'],
  ['postgresql', 'postgres(?:ql)?|psql'],
  ['react', 'react(?:\\.?js)?'],
  ['refactor', 'refactor\\w*|restructur\\w*|clean ?up|rewrite'],
  ['security', 'security|secure|vulnerab\\w*|csrf|xss|audit\\w*|cves?|injection|exploit\\w*|pentest|owasp|secrets?'],
  ['supabase', 'supabase'],
  ['testing', 'tests?|testing|tested|coverage|unit tests?|e2e|vitest|jest|flaky'],
  ['typescript', 'typescript'],
];
const TAG_RES: ReadonlyArray<readonly [string, RegExp]> = TAG_PATTERNS.map(([tag, alts]) => [
  tag,
  new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alts})(?![\\p{L}\\p{N}_])`, 'iu'),
]);

const CODE_RE =
  /(?<![\p{L}])(?:code|codebase|api|endpoints?|bugs?|deploy\w*|tests?|refactor\w*|database|schema|frontend|backend|server|services?|repo|repository|functions?|modules?|typescript|javascript|python|rust|java|golang|sql|css|html|ci|pr|pull request|merge|commit|branch|library|sdk|cli|docker|kubernetes|k8s|migrations?|components?|middleware|webhooks?|queries|cache|caching|latency|readme|csv|json|yaml|config|deps|dependenc(?:y|ies)|type errors?|compil\w*)(?![\p{L}])/iu;

function tagsOf(text: string): string[] {
  return TAG_RES.filter(([, re]) => re.test(text))
    .map(([tag]) => tag)
    .sort();
}

function technicalContextOf(tags: ReadonlySet<string>, allText: string, workText: string, hasProblems: boolean): string {
  const has = (t: string): boolean => tags.has(t);
  if (has('authentication') && has('refactor')) return 'auth_refactor';
  if (has('security') && (has('bugfix') || /\b(?:vulnerab\w*|cves?|patch\w*)\b/i.test(allText))) return 'security_fix';
  if (/(?<![\p{L}])(?:migrat\w*|upgrad\w*|bump\w*|port(?:ing)? (?:to|from)|move (?:from|off))(?![\p{L}])/iu.test(workText)) return 'migration';
  if (has('performance')) return 'performance';
  const substantive = [...tags].filter((t) => !['documentation', 'bugfix', 'api'].includes(t));
  if (has('documentation') && substantive.length === 0) return 'documentation';
  if (has('bugfix') || hasProblems) return 'bug_fix';
  if (has('refactor')) return 'refactor';
  if (has('ci') || /\b(?:terraform|kubernetes|k8s|docker|helm|infra\w*)\b/i.test(allText)) return 'infrastructure';
  if (has('documentation')) return 'documentation';
  if (/(?<![\p{L}])(?:add|implement|build|create|introduce|support|enable|new|launch|allow|able to|let users)(?![\p{L}])/iu.test(workText)) return 'feature';
  if (has('deployment')) return 'infrastructure';
  return 'general_change';
}

// ---------------------------------------------------------------------------
// Drafting

function chip(kind: ChipKind, items: readonly string[], confidence: ChipConfidence, inferredItems: readonly string[] = []): BriefChip | undefined {
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

/** Splits a one-line objective into action parts: "Refactor auth and add rate limiting" → two items. */
function objectiveParts(objective: string): string[] {
  const verbs = ACTION_RE.source.replace(/^\^/, '');
  const parts = objective.split(new RegExp(`\\s*[,;]\\s*(?:and\\s+)?(?=${verbs})|\\s+(?:and|then|&)\\s+(?=${verbs})`, 'i'));
  return parts.map((p) => tidy(p)).filter((p) => p.split(/\s+/).length >= 2);
}

/** What the intent's statements say, sorted by the part of the brief they feed. */
interface Statements {
  scopeActions: string[];
  bodyActions: string[];
  problems: string[];
  stack: string[];
  explicitAcceptance: string[];
  acceptanceCandidates: string[];
  safeguards: string[];
  timeline: string[];
  kpiSources: Array<{ text: string; fallback: boolean; first: boolean }>;
  timeSources: string[];
}

/** Step 1: each parsed statement goes to the chips it can feed, by its section and wording. */
function sortStatements(units: readonly Unit[]): Statements {
  const s: Statements = {
    scopeActions: [],
    bodyActions: [],
    problems: [],
    stack: [],
    explicitAcceptance: [],
    acceptanceCandidates: [],
    safeguards: [],
    timeline: [],
    kpiSources: [],
    timeSources: [],
  };
  const constraint = (t: string): void => {
    s.safeguards.push(t);
    if (TEST_DEPLOY_RE.test(t)) s.acceptanceCandidates.push(t);
  };
  for (const u of units) {
    const t = u.text;
    switch (u.section) {
      case 'requirements':
      case 'body': {
        const listed = u.section === 'requirements' || u.bullet;
        if (isConstraint(t)) constraint(t);
        else if (listed) s.scopeActions.push(t);
        else if (isAction(t) && tidy(withoutDeadlines(stripLeadIn(t))).split(/\s+/).length > 1) s.bodyActions.push(stripLeadIn(t));
        s.kpiSources.push({ text: t, fallback: listed, first: false });
        s.timeSources.push(t);
        break;
      }
      case 'problems':
        s.problems.push(t);
        break;
      case 'acceptance':
        s.explicitAcceptance.push(t);
        s.kpiSources.push({ text: t, fallback: true, first: false });
        s.timeSources.push(t);
        break;
      case 'constraints':
      case 'safeguards':
        constraint(t);
        s.kpiSources.push({ text: t, fallback: true, first: false });
        s.timeSources.push(t);
        break;
      case 'out_of_scope':
        s.safeguards.push(`Out of scope: ${t}`);
        break;
      case 'kpis':
        s.kpiSources.push({ text: t, fallback: true, first: true });
        break;
      case 'stack':
        s.stack.push(t);
        break;
      case 'timeline':
        sortTimelineStatement(s, t, u.label);
        break;
      case 'objective':
        break;
    }
  }
  return s;
}

/** A line under a timeline or target heading: a deadline, a KPI target, or a readiness criterion. */
function sortTimelineStatement(s: Statements, t: string, label: string): void {
  const isTarget = /\btargets?\b/i.test(label);
  const timed = mentionsDeadline(t);
  if (isTarget && !timed && statementKpis(t, true).length > 0) {
    s.kpiSources.push({ text: t, fallback: true, first: false });
    s.acceptanceCandidates.push(t);
    return;
  }
  s.timeline.push(t.split(/\s+/).length <= 3 && label ? `${capitalise(label.toLowerCase())}: ${t}` : t);
  const remainder = timed ? tidy(withoutDeadlines(t)) : tidy(t);
  // "Target: Production deployment ready by end of day" → acceptance "Production deployment ready".
  if (remainder.split(/\s+/).length >= 2 && READINESS_RE.test(remainder)) s.acceptanceCandidates.push(remainder);
}

type Drafted<T = string[]> = { items: T; confidence: ChipConfidence };

/** Step 2: the objective as written, else the first piece of work, else the first line (low). */
function draftObjective(parsed: Parsed['objective'], s: Statements, text: string): Drafted<string> | undefined {
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

interface Topics {
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
function topicsOf(parsed: Parsed, s: Statements): Topics {
  const objective = parsed.objective?.text ?? '';
  const contentText = [objective, ...parsed.units.map((u) => u.text)].join('\n');
  const workContent = [objective, ...parsed.units.filter((u) => u.section !== 'stack').map((u) => u.text)].join('\n');
  const tags = tagsOf(contentText);
  const tagSet = new Set(tags);
  const workText = [objective, ...s.scopeActions, ...s.bodyActions].join('\n');
  const technicalContext = technicalContextOf(tagSet, contentText, workText, s.problems.length > 0);
  const domain = tags.some((t) => t !== 'documentation' && t !== 'payments') || CODE_RE.test(contentText) ? 'software_engineering' : 'general';
  return { contentText, workContent, tags, tagSet, technicalContext, domain };
}

/**
 * Step 4: the work items. Listed work first; else the problems; else the objective's own actions
 * when it names several, plus action sentences after it. A one-action objective is not repeated as
 * scope: a short intent gets fewer chips. `work` is the scope without the tech stack line.
 */
function draftScope(s: Statements, objective: Drafted<string> | undefined): Drafted & { work: string[] } {
  let work: string[] = [];
  let confidence: ChipConfidence = 'high';
  if (s.scopeActions.length > 0) work = [...s.scopeActions, ...s.bodyActions];
  else if (s.problems.length > 0) work = [...s.problems, ...s.bodyActions];
  else if (objective && objective.confidence !== 'low') {
    const parts = objectiveParts(objective.items);
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
function draftAcceptance(s: Statements, work: readonly string[], objective: Drafted<string> | undefined, topics: Topics): Drafted {
  if (s.explicitAcceptance.length > 0) return { items: s.explicitAcceptance, confidence: 'high' };
  if (s.acceptanceCandidates.length > 0) return { items: s.acceptanceCandidates, confidence: cleanItems(s.acceptanceCandidates.map(tidy)).length >= 2 ? 'high' : 'medium' };
  const anything = work.length > 0 || (objective !== undefined && objective.confidence !== 'low');
  return { items: anything ? [doneWhen(topics.technicalContext, topics.domain, topics.contentText)] : [], confidence: 'low' };
}

/** Step 6: measurable KPIs from the statements; a vulnerability count and a coverage target inferred when the work implies them. */
function draftKpis(parsed: Parsed, s: Statements, topics: Topics): Drafted & { inferred: string[] } {
  const kpis: Kpi[] = [];
  const seen = new Set<string>();
  const add = (k: Kpi): void => {
    if (seen.has(k.key)) return;
    seen.add(k.key);
    kpis.push(k);
  };
  for (const k of statementKpis(parsed.objective?.text ?? '', false)) add(k);
  for (const source of [...s.kpiSources.filter((k) => k.first), ...s.kpiSources.filter((k) => !k.first)]) for (const k of statementKpis(source.text, source.fallback)) add(k);
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
function draftSafeguards(s: Statements, topics: Topics): Drafted & { inferred: string[] } {
  const stated = s.safeguards.join('\n').toLowerCase();
  const inferred: string[] = [];
  const areas = riskyAreasOf(topics.tags.filter((t) => t !== 'database' && t !== 'postgresql'), '')
    .filter((a) => a !== 'data')
    .map((a) => (a === 'payments' ? 'payment' : a));
  const dataWork = /\b(?:schemas?|migrations?|database|db|sql|pii|personal data|user data|customer data|gdpr)\b/i.test(topics.workContent);
  // Review is asked for auth, payment and data changes; security alone only when nothing more specific applies.
  const reviewAreas = [...areas.filter((a) => a !== 'security'), ...(dataWork ? ['data'] : [])];
  if (reviewAreas.length === 0 && areas.includes('security')) reviewAreas.push('security');
  if (reviewAreas.length > 0 && !/\bcode reviews?\b|\breview(?:ed)? by\b|\bapprov/.test(stated)) inferred.push(`Code review required for ${joinAnd(reviewAreas)} changes`);
  if (/\b(?:production|prod|deploy\w*|rollouts?|releases?|downtime)\b/i.test(topics.contentText) && !/\broll ?back\b/.test(stated)) {
    inferred.push('Rollback plan for production deployment');
  }
  if (/\b(?:schemas?|migrations?|database|db)\b/i.test(topics.workContent) && !/\b(?:schema|migration)/.test(stated)) {
    inferred.push('No direct database schema changes without migration review');
  }
  return { items: [...s.safeguards, ...inferred], confidence: s.safeguards.length > 0 ? 'high' : 'medium', inferred };
}

/** Step 8: timeline lines as written, then "by Friday" / "within 8 hours" phrases found elsewhere. */
function draftTimeline(parsed: Parsed, s: Statements): string[] {
  const timeline = [...s.timeline];
  for (const source of [parsed.objective?.text ?? '', ...s.timeSources]) {
    for (const phrase of deadlinePhrases(source)) {
      const core = phrase.replace(/^Complete\s+/, '').toLowerCase();
      if (!timeline.some((t) => t.toLowerCase().includes(core.replace(/^(?:by|before|until|within|in|no later than)\s+/, '')))) timeline.push(phrase);
    }
  }
  return timeline;
}

/** Pure, synchronous drafting of brief chips, tags, domain and technical context from free-text intent. */
export function draftBrief(intent: string): DraftedBrief {
  const text = normalise(typeof intent === 'string' ? intent : '');
  const parsed = parseIntent(text);
  const statements = sortStatements(parsed.units);
  const objective = draftObjective(parsed.objective, statements, text);
  // No words at all: nothing to draft.
  if (!objective && !HAS_WORD.test(text)) return { chips: [], tags: [], domain: 'general', technicalContext: 'general_change' };
  const topics = topicsOf(parsed, statements);
  const scope = draftScope(statements, objective);
  const acceptance = draftAcceptance(statements, scope.work, objective, topics);
  const kpis = draftKpis(parsed, statements, topics);
  const safeguards = draftSafeguards(statements, topics);
  const chips = [
    objective ? chip('objective', [objective.items], objective.confidence) : undefined,
    chip('scope', scope.items, scope.confidence),
    chip('acceptance_criteria', acceptance.items, acceptance.confidence),
    chip('kpis', kpis.items, kpis.confidence, kpis.inferred),
    chip('safeguards', safeguards.items, safeguards.confidence, safeguards.inferred),
    chip('timeline', draftTimeline(parsed, statements), 'medium'),
  ].filter((c): c is BriefChip => c !== undefined);
  return { chips, tags: topics.tags, domain: topics.domain, technicalContext: topics.technicalContext };
}

export const deterministicBriefDrafter: BriefDrafter = {
  name: 'deterministic',
  async draft(intent: string): Promise<DraftedBrief> {
    return draftBrief(intent);
  },
};
