// The process as a newcomer runs it: `mission-control start` on a fresh folder creates and
// migrates the SQLite file and serves /healthz; `migrate` applies migrations and exits.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, waitForLine } from '../support/processes.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'mission-control.js');
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mc-cli-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('mission-control CLI', () => {
  it('start creates and migrates the embedded database, serves /healthz, says how to enable Slack, and stops cleanly', async () => {
    const cwd = tempDir();
    const child = spawn(process.execPath, [bin, 'start'], { cwd, env: cleanEnv({ PORT: '0' }), stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => child.kill('SIGKILL'));
    const slackHint = waitForLine(child, /Slack is off: set SLACK_BOT_TOKEN/);
    const listening = JSON.parse(await waitForLine(child, /listening on/)) as { port: number };
    await slackHint;

    const health = await fetch(`http://127.0.0.1:${listening.port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: 'sqlite' });

    const file = path.join(cwd, 'data', 'mission-control.db');
    expect(existsSync(file)).toBe(true);
    const db = new Database(file, { readonly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as Array<{ name: string }>).map((t) => t.name);
    const journal = db.pragma('journal_mode', { simple: true });
    db.close();
    expect(tables).toEqual(expect.arrayContaining(['Mission', 'MissionEvent', '_prisma_migrations']));
    expect(journal).toBe('wal');

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('migrate applies the migrations once and reports the database as up to date afterwards', () => {
    const cwd = tempDir();
    const env = cleanEnv({ DATABASE_URL: 'file:./state/missions.db' });
    const first = spawnSync(process.execPath, [bin, 'migrate'], { cwd, env, encoding: 'utf8' });
    expect(first.status).toBe(0);
    const committed = readdirSync(path.join(root, 'prisma', 'sqlite', 'migrations'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect(committed[0]).toBe('20261123000000_init');
    expect(first.stdout).toContain(`Applied ${committed.length} migration(s) to file:`);
    expect(first.stdout).toContain(`state/missions.db: ${committed.join(', ')}`);
    const second = spawnSync(process.execPath, [bin, 'migrate'], { cwd, env, encoding: 'utf8' });
    expect(second.stdout).toContain(`is up to date (${committed.length} migration(s) applied earlier)`);
  });

  it('refuses an unknown command or a bad DATABASE_URL with a clear message', () => {
    const cwd = tempDir();
    const unknown = spawnSync(process.execPath, [bin, 'launch'], { cwd, env: cleanEnv({}), encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "launch"');
    expect(unknown.stderr).toContain('Usage: mission-control');

    const badUrl = spawnSync(process.execPath, [bin, 'migrate'], { cwd, env: cleanEnv({ DATABASE_URL: 'mysql://localhost/db' }), encoding: 'utf8' });
    expect(badUrl.status).toBe(1);
    expect(badUrl.stderr).toContain('DATABASE_URL must start with file: (embedded SQLite) or postgresql://');
  });
});
