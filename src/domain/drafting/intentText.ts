// Text helpers the built-in drafter reads an intent with: normalising, tidying a statement for a
// chip, cutting to a length, sentences, and conversational lead-ins ("Hey team, please can you").

/** Longer intents are read up to this many characters (keeps every regex linear in practice). */
export const MAX_INTENT_CHARS = 200_000;
/** Statements are analysed up to this many characters; items are cut to MAX_CHIP_ITEM_LENGTH anyway. */
export const MAX_ANALYSED_CHARS = 1_000;
export const MAX_OBJECTIVE_CHARS = 200;
const ELLIPSIS = '…';

const PICTOGRAPHS = '[\\p{Extended_Pictographic}\\p{Emoji_Modifier}\\u{1F1E6}-\\u{1F1FF}\\uFE0F\\u200D\\u20E3]';
export const LEADING_PICTOGRAPHS = new RegExp(`^(?:${PICTOGRAPHS}|\\s)+`, 'u');
const TRAILING_PICTOGRAPHS = new RegExp(`(?:${PICTOGRAPHS}|\\s)+$`, 'u');
export const HAS_WORD = /[\p{L}\p{N}]/u;

export function normalise(intent: string): string {
  return intent
    .slice(0, MAX_INTENT_CHARS)
    .replace(/\r\n?/g, '\n')
    .replace(/[\u2018\u2019\u02BC]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/\u00A0/g, ' ')
    .replace(/\t/g, ' ');
}

export function capitalise(s: string): string {
  if (/^p\d/i.test(s)) return s.charAt(0).toLowerCase() + s.slice(1);
  const first = s.charAt(0);
  const second = s.charAt(1);
  // Leave identifiers like "iOS" or "eBay" alone.
  if (second && second !== second.toLowerCase()) return s;
  return first.toUpperCase() + s.slice(1);
}

/** One statement, tidied for a chip: no markdown emphasis, emoji or trailing punctuation; capitalised. */
export function tidy(raw: string): string {
  let s = raw.replace(/\*\*|__/g, '');
  s = s.replace(LEADING_PICTOGRAPHS, '').replace(TRAILING_PICTOGRAPHS, '');
  s = s.replace(/\s+/g, ' ').trim();
  s = s.replace(/[\s.;,:。；，：!！?？]+$/u, '').trim();
  return s ? capitalise(s) : '';
}

export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut.trimEnd() + ELLIPSIS;
}

/** Cuts at a word boundary, for the one-line objective. */
export function concise(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  const base = space > max / 2 ? cut.slice(0, space) : cut;
  return truncate(base.replace(/[\s,;:.-]+$/, ''), max - 1) + ELLIPSIS;
}

const ABBREVIATIONS = new Set(['e.g', 'i.e', 'eg', 'ie', 'etc', 'vs', 'approx', 'incl', 'cf', 'fig', 'dr', 'mr', 'mrs', 'st', 'no']);

/** Splits a paragraph into sentences on . ! ? (followed by space and not a lower-case word) and on 。！？ */
export function splitSentences(text: string): string[] {
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
export function stripLeadIn(s: string): string {
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
