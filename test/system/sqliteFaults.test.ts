// SQLite faults under a running `mission-control start`: the database's volume fills up (a real
// small tmpfs, mounted by the test; we run as root) and is freed again, and a read-only volume at
// start. Also: a migration changed after it was applied is refused by name at start.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/storage/migrations.js';
import { cleanEnv } from '../support/processes.js';
import {
  BIN,
  burstPlay,
  driveToExecution,
  eventually,
  freePort,
  McpPeer,
  MCP_SECRET,
  onCleanup,
  openLedger,
  REQUESTER,
  ROOT,
  runCleanups,
  startInstance,
  textOf,
} from '../support/systemHarness.js';

afterEach(runCleanups);

/** A small tmpfs of its own, unmounted at cleanup; null where mounting is not allowed. */
function smallVolume(sizeKb: number): string | null {
  const dir = mkdtempSync(path.join(tmpdir(), 'mc-volume-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  onCleanup(() => {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Fills the volume to the last byte with a file of its own; returns how to free it again. */
function fill(dir: string): () => void {
  const filler = path.join(dir, 'filler');
  try {
    writeFileSync(filler, Buffer.alloc(64 * 1024 * 1024));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  return () => rmSync(filler, { force: true });
}

async function health(baseUrl: string, path = '/healthz'): Promise<{ status: number; body: { status?: string; reason?: string } }> {
  const res = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as { status?: string; reason?: string } };
}

const canMount = smallVolume(64) !== null;
await runCleanups();

describe.skipIf(!canMount)('SQLite on a volume that fills up', () => {
  it('refuses writes clearly while full, says not ready, and resumes by itself once space is freed', { timeout: 120_000 }, async () => {
    const volume = smallVolume(4096)!;
    const url = `file:${path.join(volume, 'missions.db')}`;
    const instance = await startInstance('full-disk', {
      DATABASE_URL: url,
      MCP_TOKENS: `assistant:${MCP_SECRET}:${REQUESTER}`,
      APPROVALS_REQUIRED: 'low:0,medium:0,high:0,critical:0',
    });
    const peer = new McpPeer(instance);
    const ledger = await openLedger(url);
    const play = burstPlay(1, 2);
    const { missionId } = await driveToExecution([peer], 'Rotate the signing keys', 'C0FULL', play, 0, ledger);
    const phase = play.phases[0]!;
    const before = await ledger.mission(missionId);
    const missionsBefore = await ledger.missionCount();

    const free = fill(volume);
    // Every write fails the same clear way, and none hangs (the second one used to wait forever).
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = await peer.call('start_mission', { intent: `Add audit logging, attempt ${attempt}`, channelId: 'C0FULL' }, 15_000);
      expect(started.isError).toBe(true);
      expect(textOf(started)).toMatch(/The database is full \(.*missions\.db: SQLITE_FULL.*\); nothing was saved/);
      const report = await peer.call('report_progress', { missionId, kind: 'phase_started', phaseId: phase.id }, 15_000);
      expect(report.isError).toBe(true);
      expect(textOf(report)).toMatch(/The database is full/);
    }
    const unhealthy = await health(instance.baseUrl);
    expect(unhealthy.status).toBe(503);
    expect(unhealthy.body.reason).toMatch(/database is full/);
    expect((await health(instance.baseUrl, '/readyz')).status).toBe(503);
    expect((await health(instance.baseUrl, '/livez')).status).toBe(200);
    // Reads still answer, and nothing was written.
    expect((await peer.call('get_mission', { missionId }, 15_000)).isError).toBeFalsy();
    expect(await ledger.missionCount()).toBe(missionsBefore);
    expect((await ledger.mission(missionId)).version).toBe(before.version);

    free();
    await eventually(async () => expect((await health(instance.baseUrl)).status).toBe(200), 10_000);
    await peer.ok('report_progress', { missionId, kind: 'phase_started', phaseId: phase.id });
    await peer.ok('report_progress', { missionId, kind: 'step_completed', phaseId: phase.id, stepId: phase.steps[0]!.id, durationMs: 10, counts: {} });
    await peer.ok('start_mission', { intent: 'Add audit logging, after the disk was freed', channelId: 'C0FULL' });
    expect(await ledger.missionCount()).toBe(missionsBefore + 1);
    const after = await ledger.mission(missionId);
    expect(after.execution?.phases[0]?.steps.map((s) => s.stepId)).toEqual([phase.steps[0]!.id]);
  });

  it('refuses to start on a read-only volume, naming the file, and starts once it is writable', { timeout: 60_000 }, async () => {
    const volume = smallVolume(4096)!;
    const dbFile = path.join(volume, 'missions.db');
    // A database made earlier, then the volume turned read-only (as a full or failing disk is remounted).
    new Database(dbFile).close();
    execFileSync('mount', ['-o', 'remount,ro', volume]);
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'start'], {
      cwd: ROOT,
      env: cleanEnv({ DATABASE_URL: `file:${dbFile}`, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain(`The database file ${dbFile} is not writable`);
    await expect(fetch(`http://127.0.0.1:${port}/livez`)).rejects.toThrow();

    execFileSync('mount', ['-o', 'remount,rw', volume]);
    const instance = await startInstance('writable-again', { DATABASE_URL: `file:${dbFile}`, MCP_TOKENS: `assistant:${MCP_SECRET}:${REQUESTER}` });
    await new McpPeer(instance).ok('start_mission', { intent: 'Add audit logging', channelId: 'C0RO' });
  });
});

describe('a migration changed after it was applied', () => {
  it('keeps `start` from serving, naming the migration', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mc-checksum-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(dir, { recursive: true });
    const url = `file:${path.join(dir, 'missions.db')}`;
    const first = await startInstance('first', { DATABASE_URL: url });
    await first.kill('SIGTERM');
    const changed = loadMigrations('sqlite')[0]!;
    const db = new Database(path.join(dir, 'missions.db'));
    db.prepare('UPDATE "_prisma_migrations" SET checksum = ? WHERE migration_name = ?').run('f'.repeat(64), changed.name);
    db.close();

    const child = spawn(process.execPath, [BIN, 'start'], {
      cwd: ROOT,
      env: cleanEnv({ DATABASE_URL: url, PORT: String(await freePort()), HOST: '127.0.0.1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    expect(await new Promise<number | null>((resolve) => child.once('exit', resolve))).toBe(1);
    expect(output).toContain(`Migration ${changed.name} was changed after it was applied`);
    expect(output).not.toMatch(/listening/);
  });
});
