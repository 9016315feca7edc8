// KPIs: measurable targets found in a statement ("p95 latency under 200ms", "from 8s to 2s",
// "by 30%", "zero downtime", "coverage 85%"), each as a named pattern.
import { capitalise, MAX_ANALYSED_CHARS, tidy } from './intentText.js';
import { demandsPassingTests } from './statementKinds.js';

export type KpiKind = 'explicit' | 'inferred' | 'default';
export interface Kpi {
  key: string;
  text: string;
  kind: KpiKind;
}

const NUM = '\\d+(?:[.,]\\d+)*';
const UNIT = '(?:%|ms|milliseconds?|seconds?|secs?|s|minutes?|mins?|k|x|rps|qps|req\\/s|mb|kb|gb)(?![\\p{L}\\d])';
const VALUE = `${NUM}(?:\\s?${UNIT})?`;
const WORD_OPS = 'under|below|less than|fewer than|lower than|at most|no more than|up to|above|over|more than|greater than|higher than|at least|within';
const CMP_RE = new RegExp(`^(.*?)(?:(?<![\\p{L}])(${WORD_OPS})(?![\\p{L}])|(≤|≥|<=|>=|=<|=>|<|>))\\s*(${NUM})(?:\\s?(${UNIT}))?(?:\\s+(\\p{L}+))?`, 'iu');
const FROM_TO_RE = new RegExp(`^(.*?)(?<![\\p{L}])from\\s+(${VALUE})\\s+(?:down\\s+|up\\s+)?to\\s+(${VALUE})`, 'iu');
const BY_PCT_RE = new RegExp(`^(.*?)(?<![\\p{L}])by\\s+(${NUM})\\s?%`, 'iu');
const COVERAGE_RE = new RegExp(`coverage\\D{0,30}?(${NUM})\\s?%|(${NUM})\\s?%\\s*(?:test\\s+|code\\s+|unit\\s+)?coverage`, 'iu');
const ZERO_RE = /(?<![\p{L}\d.,])(?:zero|0)\s+([\p{L}][\p{L}'-]*(?:\s+[\p{L}][\p{L}'-]*){0,3})/giu;
/** A measurable number, for the fallback "the statement is a KPI as written": "99.9%", "200ms", "3x", "10k". */
const PERCENT_OR_UNIT_RE = /\d\s?%|\d\s?(?:ms|s|sec|secs|seconds|k|x|rps|qps)(?![\p{L}])/iu;
/** A latency percentile: "p95", "p999". */
const PERCENTILE_RE = /(?<![\p{L}])p(?:50|75|90|95|99|999)(?![\p{L}\d])/iu;
/** A count of things: "1,000 concurrent users", "50 failed jobs". */
const COUNTED_THINGS = [
  'users',
  'requests',
  'connections',
  'errors',
  'tests',
  'events',
  'records',
  'rows',
  'items',
  'calls',
  'queries',
  'sessions',
  'orders',
  'messages',
  'jobs',
  'incidents',
  'alerts',
];
const COUNT_RE = new RegExp(`\\d[\\d,]*\\s+(?:[\\p{L}-]+\\s+)?(?:${COUNTED_THINGS.join('|')})(?![\\p{L}])`, 'iu');

export function hasMeasurableNumber(text: string): boolean {
  return PERCENT_OR_UNIT_RE.test(text) || PERCENTILE_RE.test(text) || COUNT_RE.test(text);
}

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
  'deployment',
  'deployments',
  'deploy',
  'deploys',
  'during',
  'in',
  'on',
  'for',
  'after',
  'when',
  'with',
  'and',
  'or',
  'to',
  'from',
  'across',
  'while',
  'per',
  'at',
  'is',
  'are',
  'must',
  'should',
  'between',
  'of',
  'the',
  'as',
  'if',
  'by',
  'before',
  'rollout',
  'release',
]);
const LEAD_WORDS = new Set([
  'we',
  'i',
  'you',
  'need',
  'needs',
  'want',
  'wants',
  'to',
  'the',
  'our',
  'its',
  "it's",
  'make',
  'sure',
  'get',
  'bring',
  'keep',
  'ensure',
  'that',
  'it',
  'is',
  'are',
  'should',
  'must',
  'be',
  'and',
  'so',
  'all',
  'also',
  'please',
  'target',
  'goal',
  'with',
  'has',
  'have',
  'a',
  'an',
  'overall',
  'can',
  'will',
  'then',
  'plus',
  'while',
  'still',
  'hold',
  'maintain',
]);
const TRAIL_WORDS = new Set([
  'to',
  'must',
  'should',
  'be',
  'stay',
  'stays',
  'staying',
  'remain',
  'remains',
  'remaining',
  'is',
  'are',
  'kept',
  'keep',
  'get',
  'at',
  'of',
  'needs',
  'need',
  'always',
  'consistently',
  'still',
  'down',
  'up',
  'by',
  'it',
  'in',
  'for',
  'with',
  'the',
  'go',
  'goes',
  'from',
  'drops',
  'falls',
  'on',
  'that',
  'which',
  'has',
  'have',
  'being',
  'was',
  'were',
  'will',
  'can',
  'and',
  'or',
  'than',
  'well',
  'even',
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
export function statementKpis(raw: string, allowFallback: boolean): Kpi[] {
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
  if (demandsPassingTests(lower)) {
    found.push({ key: 'test pass rate', text: 'Test pass rate: 100%', kind: 'inferred' });
  }

  let numeric = 0;
  for (const clause of text.split(/[;,](?!\d)|(?<![\p{L}])and(?![\p{L}])/u)) {
    const k = clauseKpis(clause);
    numeric += k.length;
    found.push(...k);
  }
  if (found.length === 0 && numeric === 0 && allowFallback && hasMeasurableNumber(text) && !NEGATION_RE.test(text)) {
    const statement = tidy(text);
    if (statement) found.push({ key: kpiKey(statement), text: statement, kind: 'explicit' });
  }
  return found;
}
