// Must-haves checked against the code itself, not against what an executor says it did: an
// artifact must exist and have substance, a key link must be visible in the file it names, and
// the changed files are scanned for placeholders. Pure text analysis over file contents that a
// connector fetched at the pull request's head (`CodeAtRevision`).
import type { MustHaves } from './plays.js';

/** GSD's verdicts; NEEDS_HUMAN when a must-have does not name something code can be checked for. */
export type MustHaveStatus = 'VERIFIED' | 'MISSING' | 'STUB' | 'NOT_WIRED' | 'NEEDS_HUMAN';

export interface MustHaveCheck {
  kind: 'artifact' | 'key_link';
  /** The must-have as the play states it. */
  subject: string;
  status: MustHaveStatus;
  /** What was read, e.g. "src/auth/refresh.ts @ 6dcb09b". */
  lookedAt: string;
  detail: string;
}

export type AntiPatternKind = 'todo' | 'not_implemented' | 'empty_body' | 'hard_coded_return';

export interface AntiPatternFinding {
  path: string;
  line: number;
  kind: AntiPatternKind;
  /** The offending line, trimmed and cut to 120 characters. */
  text: string;
}

/** The repository at a pull request's head, as a connector reads it. */
export interface CodeAtRevision {
  repository: string;
  pullRequest: number;
  headSha: string;
  /** Files the pull request changes (added or modified; removed files are left out). */
  changedFiles: readonly string[];
  /** The file's text at the head, or null when it does not exist there. */
  read(path: string): Promise<string | null>;
}

/** Opens the code of a pull request (`ref` as the mission records it: URL, owner/name#N or N). */
export interface CodeHost {
  open(pullRequestRef: string): Promise<CodeAtRevision>;
}

/** Below this many lines of code (comments, blank lines and lone brackets left out) a file is a stub. */
export const MIN_SUBSTANTIVE_LINES = 3;

const ANTI_PATTERNS: ReadonlyArray<{ kind: AntiPatternKind; pattern: RegExp }> = [
  { kind: 'todo', pattern: /\b(?:TODO|FIXME|XXX)\b/ },
  { kind: 'not_implemented', pattern: /\bnot\s+(?:yet\s+)?implemented\b|\bunimplemented!?\(|raise\s+NotImplementedError\b/i },
  // `name() {}`, `(): T {}`, `=> {}`, `catch (e) {}`: a body with nothing in it.
  { kind: 'empty_body', pattern: /(?:\)\s*(?::\s*[\w<>[\]|.,? ]+)?|=>)\s*\{\s*\}/ },
  // A body that only returns a constant: `{ return true; }`, `{ return []; }`, `{ return 'ok'; }`.
  { kind: 'hard_coded_return', pattern: /\{\s*return\s+(?:null|undefined|true|false|\[\]|\{\}|-?\d+(?:\.\d+)?|'[^'\n]*'|"[^"\n]*")\s*;?\s*\}/ },
];

const ANTI_PATTERN_LABEL: Record<AntiPatternKind, string> = {
  todo: 'TODO/FIXME left in',
  not_implemented: '"not implemented" placeholder',
  empty_body: 'empty body',
  hard_coded_return: 'hard-coded return',
};

export function antiPatternLabel(kind: AntiPatternKind): string {
  return ANTI_PATTERN_LABEL[kind];
}

/** Placeholders in one file, one finding per line and kind. */
export function scanAntiPatterns(path: string, content: string): AntiPatternFinding[] {
  const findings: AntiPatternFinding[] = [];
  content.split(/\r?\n/).forEach((line, i) => {
    for (const { kind, pattern } of ANTI_PATTERNS) {
      if (pattern.test(line)) findings.push({ path, line: i + 1, kind, text: line.trim().slice(0, 120) });
    }
  });
  return findings;
}

/** Lines that carry code: not blank, not only a comment, not only brackets and punctuation. */
export function substantiveLines(content: string): number {
  let inBlock = false;
  let count = 0;
  for (const raw of content.split(/\r?\n/)) {
    let line = raw.trim();
    if (inBlock) {
      const end = line.indexOf('*/');
      if (end < 0) continue;
      inBlock = false;
      line = line.slice(end + 2).trim();
    }
    if (line.startsWith('/*')) {
      if (!line.includes('*/')) inBlock = true;
      continue;
    }
    if (line === '' || line.startsWith('//') || line.startsWith('#') || line.startsWith('--') || /^[\s{}()[\];,]*$/.test(line)) continue;
    count++;
  }
  return count;
}

/** A must-have artifact names a file when it looks like a path ("src/a.ts", "schema.sql"), not a description. */
export function artifactPath(artifact: string): string | null {
  const text = artifact.trim().replace(/^`|`$/g, '');
  if (/\s/.test(text)) return null;
  return /\.[A-Za-z0-9]{1,10}$/.test(text) || text.includes('/') ? text.replace(/^\.\//, '') : null;
}

export interface KeyLinkTarget {
  /** The file the link must be visible in. */
  from: string;
  /** An identifier ("rotateToken", "csrf.verify") or a module path ("src/lib/tokenStore.ts"). */
  to: string;
}

/**
 * A checkable key link names a file and what it must use: "src/api/refresh.ts -> rotateToken",
 * "src/middleware.ts calls csrf.verify", "src/app.ts imports src/lib/store.ts". Anything else
 * ("refresh endpoint -> token store") is left to a person.
 */
export function parseKeyLink(link: string): KeyLinkTarget | null {
  const m = /^\s*([^\s]+)\s+(?:->|→|=>|calls|uses|imports|wired to)\s+([^\s]+)\s*$/i.exec(link.replace(/`/g, ''));
  if (!m) return null;
  const from = artifactPath(m[1]!);
  const to = m[2]!.replace(/\(\)$/, '');
  if (!from || !/^[\w$@./-]+$/.test(to)) return null;
  return { from, to };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Where `to` shows up in `content` as an import or a call; null when it does not. */
export function findLink(content: string, to: string): string | null {
  const lines = content.split(/\r?\n/);
  const isModule = artifactPath(to) !== null && (to.includes('/') || /\.(?:[cm]?[jt]sx?|py|go|rb)$/.test(to));
  const patterns: RegExp[] = [];
  if (isModule) {
    const base = escapeRegExp(to.replace(/^.*\//, '').replace(/\.[cm]?[jt]sx?$|\.py$|\.go$|\.rb$/, ''));
    patterns.push(new RegExp(`(?:from|import|require\\()\\s*\\(?\\s*['"][^'"]*\\b${base}(?:\\.[a-z]+)?['"]`));
  } else {
    const whole = escapeRegExp(to);
    const last = escapeRegExp(to.split('.').pop()!);
    patterns.push(
      new RegExp(`\\bimport\\b[^;]*\\b${last}\\b`),
      new RegExp(`\\b${whole}\\s*\\(`),
      new RegExp(`\\b${whole}\\b\\s*[,)]`),
      new RegExp(`require\\([^)]*\\)\\.${last}\\b`),
    );
    if (whole !== last) patterns.push(new RegExp(`\\b${whole}\\b`));
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(?:\/\/|#|\*)/.test(line)) continue;
    if (patterns.some((p) => p.test(line))) return `line ${i + 1}: ${line.trim().slice(0, 100)}`;
  }
  return null;
}

function at(code: CodeAtRevision, path: string): string {
  return `${path} @ ${code.headSha.slice(0, 7)}`;
}

/** Checks one artifact: exists at the head, has substance, carries no placeholder. */
export async function checkArtifact(artifact: string, code: CodeAtRevision): Promise<MustHaveCheck> {
  const path = artifactPath(artifact);
  if (!path) {
    return {
      kind: 'artifact',
      subject: artifact,
      status: 'NEEDS_HUMAN',
      lookedAt: '-',
      detail: 'Names no file, so a person must confirm it (write a path such as "src/auth/refresh.ts" to have it checked).',
    };
  }
  const content = await code.read(path);
  if (content === null)
    return {
      kind: 'artifact',
      subject: artifact,
      status: 'MISSING',
      lookedAt: at(code, path),
      detail: `Not found in ${code.repository} at the pull request's head.`,
    };
  const lines = substantiveLines(content);
  const placeholders = scanAntiPatterns(path, content);
  if (lines < MIN_SUBSTANTIVE_LINES) {
    return {
      kind: 'artifact',
      subject: artifact,
      status: 'STUB',
      lookedAt: at(code, path),
      detail: `Only ${lines} line${lines === 1 ? '' : 's'} of code (at least ${MIN_SUBSTANTIVE_LINES} expected).`,
    };
  }
  if (placeholders.length > 0) {
    const first = placeholders.slice(0, 3).map((f) => `${antiPatternLabel(f.kind)} at line ${f.line}`);
    return {
      kind: 'artifact',
      subject: artifact,
      status: 'STUB',
      lookedAt: at(code, path),
      detail: `${first.join('; ')}${placeholders.length > 3 ? `; ${placeholders.length - 3} more` : ''}.`,
    };
  }
  return {
    kind: 'artifact',
    subject: artifact,
    status: 'VERIFIED',
    lookedAt: at(code, path),
    detail: `Exists with ${lines} lines of code and no placeholder.`,
  };
}

/** Checks one key link: the named file imports or calls what it must. */
export async function checkKeyLink(link: string, code: CodeAtRevision): Promise<MustHaveCheck> {
  const target = parseKeyLink(link);
  if (!target) {
    return {
      kind: 'key_link',
      subject: link,
      status: 'NEEDS_HUMAN',
      lookedAt: '-',
      detail: 'Names no file and symbol, so a person must confirm it (write it as "src/file.ts -> symbol" to have it checked).',
    };
  }
  const content = await code.read(target.from);
  if (content === null)
    return {
      kind: 'key_link',
      subject: link,
      status: 'NOT_WIRED',
      lookedAt: at(code, target.from),
      detail: `${target.from} does not exist at the pull request's head.`,
    };
  const found = findLink(content, target.to);
  return found
    ? { kind: 'key_link', subject: link, status: 'VERIFIED', lookedAt: at(code, target.from), detail: `Uses ${target.to} (${found}).` }
    : { kind: 'key_link', subject: link, status: 'NOT_WIRED', lookedAt: at(code, target.from), detail: `No import or call of ${target.to} in ${target.from}.` };
}

export interface CodeCheckResult {
  checks: MustHaveCheck[];
  antiPatterns: AntiPatternFinding[];
}

/** Every artifact and key link of the play, and the anti-pattern scan of the changed files. */
export async function checkMustHavesAgainstCode(mustHaves: Pick<MustHaves, 'artifacts' | 'keyLinks'>, code: CodeAtRevision): Promise<CodeCheckResult> {
  const checks: MustHaveCheck[] = [];
  for (const artifact of mustHaves.artifacts) checks.push(await checkArtifact(artifact, code));
  for (const link of mustHaves.keyLinks) checks.push(await checkKeyLink(link, code));
  const antiPatterns: AntiPatternFinding[] = [];
  for (const path of [...code.changedFiles].sort()) {
    const content = await code.read(path);
    if (content !== null) antiPatterns.push(...scanAntiPatterns(path, content));
  }
  return { checks, antiPatterns: antiPatterns.slice(0, 200) };
}
