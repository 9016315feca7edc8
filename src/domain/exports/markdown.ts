// The Markdown writer the exports share: blocks of lines, headings, tables, links and code spans
// that keep mission text literal (nothing a mission says can open a link, code span, HTML or a
// new block), so the same state always renders the same document.
import { oneLine } from '../text/oneLine.js';

/** A block is a run of lines; blocks are separated by one blank line and empty blocks vanish. */
export type Block = string[] | string;

export function render(blocks: readonly Block[]): string {
  const parts = blocks.map((b) => (typeof b === 'string' ? b : b.join('\n'))).filter((b) => b.length > 0);
  return `${parts.join('\n\n')}\n`;
}

export function heading(level: number, text: string): string {
  // A trailing run of # would be read as the heading's closing sequence and dropped.
  return `${'#'.repeat(level)} ${inline(text).replace(/ (#+)$/, ' \\$1')}`;
}

/** Keeps mission text literal: no code span, raw HTML, autolink or link can start inside it. */
function escapeText(text: string): string {
  return text.replace(/[\\`<[]/g, (c) => `\\${c}`);
}

/** Escapes a character at the start of a line that would otherwise open a heading, list, quote, fence, table, HTML block or break. */
function escapeLineStart(line: string): string {
  if (/^[#>\-+*=_`~|<]/.test(line)) return `\\${line}`;
  const ordered = /^(\d{1,9})([.)])/.exec(line);
  return ordered ? `${ordered[1]}\\${line.slice(ordered[1]!.length)}` : line;
}

/** Mission text placed in prose (sentences, list items, headings): one line, literal. */
export function inline(text: string): string {
  return escapeLineStart(escapeText(oneLine(text)));
}

/** Free text that may span lines and paragraphs; each line stays plain text. */
export function paragraph(text: string): string[] {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => escapeLineStart(escapeText(line.trim())));
  const out: string[] = [];
  for (const line of lines) {
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.length > 0 ? out : ['_None given._'];
}

export function quote(text: string): string[] {
  return paragraph(text).map((line) => (line === '' ? '>' : `> ${line}`));
}

/** A code span whose fence is longer than any backtick run inside it. */
export function code(text: string): string {
  const flat = oneLine(text);
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Markdown this module built itself; a table cell given as a plain string is mission text and is escaped. */
export interface Markdown {
  md: string;
}
export type Cell = string | Markdown;

export function md(markdown: string): Markdown {
  return { md: markdown };
}

/**
 * A GFM table. Cells are kept to one line, and every pipe ends up behind an odd number of
 * backslashes (code spans included, where GFM still splits on a bare pipe), so rows never split.
 */
export function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string[] {
  const cell = (c: Cell) => {
    const text = typeof c === 'string' ? escapeText(oneLine(c)) : oneLine(c.md);
    return text.replace(/(\\*)\|/g, (match, slashes: string) => (slashes.length % 2 === 0 ? `${slashes}\\|` : match)) || '-';
  };
  const row = (cells: readonly Cell[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [row(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(row)];
}

/** A link for http(s) URLs; anything else is shown as code, never made clickable. */
export function link(text: string, url: string): string {
  const label = escapeText(oneLine(text)).replace(/]/g, '\\]');
  const target = oneLine(url);
  if (!/^https?:\/\//i.test(target)) return `${label} (${code(target)})`;
  const safe = target.replace(/[\s()<>\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `[${label}](${safe})`;
}
