// `mission-control --version` prints the version from package.json, and the token and
// credential commands refuse malformed flags (node:util parseArgs, strict) with their usage.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv } from '../support/processes.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'mission-control.js');
const dir = mkdtempSync(path.join(tmpdir(), 'mc-version-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, env: cleanEnv({}), encoding: 'utf8' });

describe('mission-control --version', () => {
  it('prints the package version and exits 0', () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const result = run('--version');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
    expect(run('version').stdout).toBe(`${version}\n`);
  });

  it('lists --version in the help', () => {
    expect(run('help').stdout).toMatch(/--version\s+print the version/);
  });
});

describe('subcommand flags (parseArgs, strict)', () => {
  it.each([
    [['token', 'create', '--nmae', 'x'], "Unknown option '--nmae'", 'mission-control token create --name NAME'],
    [['token', 'create', '--name'], "Option '--name <value>' argument missing", 'mission-control token create --name NAME'],
    [['token', 'create', '--name', '--on-behalf-of', 'U1'], "Option '--name' argument is ambiguous", 'mission-control token create --name NAME'],
    [['token', 'list', 'extra'], "Unexpected argument 'extra'", 'mission-control token list'],
    [['credential', 'remove', '--toolkit=github', '--token', 't'], "Unknown option '--token'", 'mission-control credential set --toolkit'],
  ])('refuses %j with the usage, exit code 2, and writes no database', (args, message, usage) => {
    const result = run(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(usage);
    expect(result.stdout).toBe('');
    // Refused before the database is opened: no SQLite file was created in the working folder.
    expect(readdirSync(dir)).toEqual([]);
  });
});
