// The dependency rule from docs/ARCHITECTURE.md: the domain imports no front door,
// connector, storage or vendor SDK. And the domain states facts that front doors render: no
// Slack markup (mentions, channel and group links, broadcasts) and no environment variable
// names, which belong to the configuration, in any file under src/domain.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { TOOLKIT_CREDENTIAL_VARIABLES } from '../src/connectors/credentials/toolkitCredentialVariables.js';

const root = path.resolve(import.meta.dirname, '..');
const domainDir = path.join(root, 'src', 'domain');
const FORBIDDEN = [/^@prisma\//, /^prisma/, /^@slack\//, /^@modelcontextprotocol\//, /^@octokit\//, /^@linear\//, /generated\//, /^pino/, /^node:http/];

/**
 * Domain files allowed, for now, to build Slack markup or name environment variables (by file
 * name). Empty: keep it so. The test fails for an entry that no longer offends, so it cannot go stale.
 */
const NOT_YET_RENDERING_FREE: readonly string[] = [];

/** Slack mrkdwn that only Slack understands: mentions, channel links, group mentions, broadcasts, date tokens. */
const SLACK_MARKUP = [/<@[A-Z0-9$]/, /<#[A-Z0-9$]/, /<!subteam\^/, /<!(?:channel|here|everyone)\b/, /<!date\^/];

/** Every environment variable the process reads: the config schema's keys and the toolkits' credential variables. */
function knownEnvironmentNames(): Set<string> {
  const config = readFileSync(path.join(root, 'src', 'config.ts'), 'utf8');
  const schema = /const envSchema = z\.object\(\{([\s\S]*?)\n\}\)/.exec(config)?.[1] ?? '';
  const keys = [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
  return new Set([...keys, ...Object.values(TOOLKIT_CREDENTIAL_VARIABLES).flat()]);
}
const ENV_NAMES = knownEnvironmentNames();

/** What in this source text a front door should render instead: Slack markup and environment variable names. */
function renderingOffences(text: string): string[] {
  const markup = SLACK_MARKUP.flatMap((rule) => [...text.matchAll(new RegExp(rule, 'g'))].map((m) => `Slack markup ${m[0]}`));
  const env = [...text.matchAll(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/g)].map((m) => m[0]).filter((name) => ENV_NAMES.has(name));
  return [...markup, ...[...new Set(env)].map((name) => `environment variable ${name}`)];
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourcesUnder(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

/** A relative import must stay inside src/domain; a package import must not be a vendor SDK, storage or logging. */
function forbiddenImport(file: string, spec: string): boolean {
  if (spec.startsWith('.')) return !path.resolve(path.dirname(file), spec).startsWith(domainDir + path.sep);
  return FORBIDDEN.some((rule) => rule.test(spec));
}

describe('architecture', () => {
  const files = sourcesUnder(domainDir).map((f) => path.relative(domainDir, f));

  it('finds the domain sources, subfolders included', () => {
    expect(files).toContain('missionStateMachine.ts');
    expect(files).toContain('telemetryEvents.ts');
    expect(files).toContain(path.join('exports', 'markdown.ts'));
  });

  it.each(files)('src/domain/%s imports nothing from the outer layers', (file) => {
    const full = path.join(domainDir, file);
    expect(importsOf(full).filter((spec) => forbiddenImport(full, spec))).toEqual([]);
  });

  it('recognises what it rejects', () => {
    expect(ENV_NAMES).toContain('SLACK_APPROVERS');
    expect(ENV_NAMES).toContain('GITHUB_TOKEN');
    expect(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text that builds a mention, as the detector must catch it.
      renderingOffences('ask ${ids.map((id) => `<@${id}>`)}, <@U0ADVISOR>, <!subteam^S0SEC>, <#C0FEED>, <!channel>; set SLACK_APPROVERS, not MAX_CHIP_ITEMS'),
    ).toEqual([
      'Slack markup <@$',
      'Slack markup <@U',
      'Slack markup <#C',
      'Slack markup <!subteam^',
      'Slack markup <!channel',
      'environment variable SLACK_APPROVERS',
    ]);
    expect(forbiddenImport(path.join(domainDir, 'exports', 'x.ts'), '../../slack/format.js')).toBe(true);
    expect(forbiddenImport(path.join(domainDir, 'exports', 'x.ts'), '../text/oneLine.js')).toBe(false);
  });

  it.each(files.filter((f) => !NOT_YET_RENDERING_FREE.includes(f)))(
    'src/domain/%s leaves Slack markup and environment variable names to the front doors',
    (file) => {
      expect(renderingOffences(readFileSync(path.join(domainDir, file), 'utf8'))).toEqual([]);
    },
  );

  it.each(NOT_YET_RENDERING_FREE)('src/domain/%s is still allowed its markup only while it has some (remove it from the list once clean)', (file) => {
    expect(renderingOffences(readFileSync(path.join(domainDir, file), 'utf8'))).not.toEqual([]);
  });

  it('keeps the PostgreSQL schema in step with the SQLite one', () => {
    const check = spawnSync(process.execPath, [path.join(root, 'scripts', 'prisma.mjs'), 'check-sync'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
