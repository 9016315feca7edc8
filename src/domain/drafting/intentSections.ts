// Parsing an intent into statements: headings ("Requirements:", "## Safeguards"), bullets and
// sentences, each filed under the section of the brief it was written in.
import { HAS_WORD, LEADING_PICTOGRAPHS, splitSentences, stripLeadIn } from './intentText.js';

export type Section =
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

export interface Unit {
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

/** Labels that make a heading on their own line, without a colon ("Requirements"). */
const BARE_LABELS = [
  'requirements?',
  'goals',
  'tasks',
  'to ?dos?',
  'scope',
  'current issues',
  'issues',
  'problems',
  'bugs',
  'acceptance criteria',
  'success criteria',
  'definition of done',
  'constraints',
  'kpis',
  'metrics',
  'safeguards',
  'guardrails',
  'tech stack',
  'stack',
  'timeline',
  'deadline',
  'out of scope',
  'non-goals',
];
const BARE_LABEL_RE = new RegExp(`^(?:${BARE_LABELS.join('|')})$`, 'i');

export function parseHeading(line: string): Heading | null {
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
    if (section && BARE_LABEL_RE.test(s)) return { section, label: s, value: '' };
  }
  return null;
}

/** The text after a bullet marker, or null when the line is not a bullet. */
export function parseBullet(line: string): string | null {
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

export interface Parsed {
  units: Unit[];
  objective: { text: string; explicit: boolean } | undefined;
}

export function parseIntent(text: string): Parsed {
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
