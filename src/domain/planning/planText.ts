// Text helpers of the built-in planner: words and ids (snake_case, unique per play), names cut at
// a word boundary, Title Case for phase names and play titles.

export const SMALL_WORDS = new Set([
  'a',
  'an',
  'the',
  'and',
  'or',
  'but',
  'nor',
  'for',
  'of',
  'on',
  'in',
  'to',
  'at',
  'by',
  'with',
  'from',
  'as',
  'via',
  'vs',
  'into',
]);
/** Words that carry no meaning in an id ("Implement proper token revocation list" → token_revocation_list). */
export const ID_FILLER = new Set([
  ...SMALL_WORDS,
  'all',
  'any',
  'proper',
  'properly',
  'some',
  'this',
  'that',
  'these',
  'those',
  'our',
  'its',
  'their',
  'use',
  'using',
]);
export const MAX_NAME_CHARS = 60;
export const MAX_STEP_TITLE_CHARS = 200;
export const ID_WORDS = 4;

/** Lower-case latin words; identifiers such as deleted_at stay one word. */
export function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9_]+/)
    .map((w) => w.replace(/_+/g, '_').replace(/^_|_$/g, ''))
    .filter(Boolean);
}

/** snake_case id from text; always matches /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/ (or is '' when the text has no latin words). */
export function slug(text: string): string {
  const meaningful = words(text).filter((w) => !ID_FILLER.has(w));
  const id = meaningful.slice(0, ID_WORDS).join('_');
  return /^[0-9]/.test(id) ? `n${id}` : id;
}

/** The base id, or base_2, base_3 … when already taken in this play. */
export function uniqueId(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
  used.add(id);
  return id;
}

export function withoutParentheticals(text: string): string {
  return text
    .replace(/\s*\([^)]*\)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Cuts at a word boundary, without leaving a dangling "with a…". */
export function cut(text: string, max: number): string {
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
export function titleCase(text: string): string {
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

export function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

export function round2(n: number): number {
  return Math.round(Math.min(1, Math.max(0, n)) * 100) / 100;
}
