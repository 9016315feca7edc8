// PostgreSQL faults under a running `mission-control start`: a database that accepts TCP but
// never answers (at start and mid-run), connections dropped, and pg_terminate_backend on the
// server's own connections. Every wait is bounded, health says so within a couple of seconds,
// calls fail with a message naming the database, and everything recovers without a restart,
// the mission whose write was in flight included.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultyProxy } from '../support/faultyProxy.js';
import { cleanEnv } from '../support/processes.js';
import {
  BIN,
  burstPlay,
  driveToExecution,
  eventually,
  freePort,
  freshInstanceDatabaseUrl,
  McpPeer,
  MCP_SECRET,
  onCleanup,
  openLedger,
  REQUESTER,
  ROOT,
  runCleanups,
  startInstance,
  textOf,
  type Instance,
  type Ledger,
} from '../support/systemHarness.js';

afterEach(runCleanups);

const ENABLED = Boolean(process.env.TEST_DATABASE_URL);

async function proxyFor(url: string): Promise<{ proxy: FaultyProxy; proxiedUrl: string; where: string }> {
  const parsed = new URL(url);
  const proxy = new FaultyProxy(parsed.hostname, Number(parsed.port || 5432));
  await proxy.start();
  onCleanup(() => proxy.stop());
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return { proxy, proxiedUrl: parsed.toString(), where: `127.0.0.1:${proxy.port}${parsed.pathname}` };
}

/** How a health endpoint answers, and how long it took. */
async function timedHealth(instance: Instance, path = '/healthz'): Promise<{ status: number; ms: number; reason?: string }> {
  const started = Date.now();
  const res = await fetch(`${instance.baseUrl}${path}`, { signal: AbortSignal.timeout(20_000) });
  const body = (await res.json()) as { reason?: string };
  return { status: res.status, ms: Date.now() - started, reason: body.reason };
}

const FAST_TIMEOUTS = {
  DATABASE_CONNECT_TIMEOUT_MS: '1000',
  DATABASE_STATEMENT_TIMEOUT_MS: '2000',
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '3000',
  HEALTH_TIMEOUT_MS: '1500',
};

/** The next report for the mission's first phase, whatever the faults let through before. */
async function nextReport(ledger: Ledger, missionId: string, play: ReturnType<typeof burstPlay>): Promise<Record<string, unknown>> {
  const phase = play.phases[0]!;
  const mission = await ledger.mission(missionId);
  const progress = mission.execution?.phases.find((p) => p.phaseId === phase.id);
  if (!progress || progress.startedAt === null) return { missionId, kind: 'phase_started', phaseId: phase.id };
  const done = new Set(progress.steps.map((s) => s.stepId));
  const step = phase.steps.find((s) => !done.has(s.id))!;
  return { missionId, kind: 'step_completed', phaseId: phase.id, stepId: step.id, durationMs: 10, counts: {} };
}

describe.skipIf(!ENABLED)('PostgreSQL that hangs or drops connections', () => {
  it('`start` says it is waiting for the database, then gives up with a message naming it (no password)', { timeout: 60_000 }, async () => {
    const url = new URL(freshInstanceDatabaseUrl('postgresql'));
    url.username = 'postgres';
    url.password = 'pw-never-printed';
    const { proxy, proxiedUrl, where } = await proxyFor(url.toString());
    proxy.hang();
    const child = spawn(process.execPath, [BIN, 'start'], {
      cwd: ROOT,
      env: cleanEnv({
        DATABASE_URL: proxiedUrl,
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        DATABASE_START_TIMEOUT_MS: '5000',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onCleanup(() => void child.kill('SIGKILL'));
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(-1), 30_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code, output).toBe(1);
    expect(output).toContain(`waiting for the database at ${where}`);
    expect(output).toMatch(new RegExp(`The database at ${where} \\(schema \\w+\\) did not answer within 5 s`));
    expect(output).not.toContain('pw-never-printed');
  });

  it('answers health within its bound while the database hangs, fails calls clearly, and recovers after it heals', { timeout: 180_000 }, async () => {
    const url = freshInstanceDatabaseUrl('postgresql');
    const { proxy, proxiedUrl, where } = await proxyFor(url);
    const instance = await startInstance('pg-hang', {
      DATABASE_URL: proxiedUrl,
      MCP_TOKENS: `assistant:${MCP_SECRET}:${REQUESTER}`,
      APPROVALS_REQUIRED: 'low:0,medium:0,high:0,critical:0',
      ...FAST_TIMEOUTS,
    });
    const ledger = await openLedger(url);
    const peer = new McpPeer(instance);
    const play = burstPlay(1, 6);
    const { missionId } = await driveToExecution([peer], 'Rotate the signing keys', 'C0PGHANG', play, 0, ledger);
    await peer.ok('report_progress', await nextReport(ledger, missionId, play));

    for (const fault of ['hang', 'drop'] as const) {
      proxy[fault]();
      // A write in flight when the database stops answering.
      const inFlight = peer.call('report_progress', await nextReport(ledger, missionId, play), 30_000);
      const unhealthy = await timedHealth(instance);
      expect(unhealthy.status).toBe(503);
      expect(unhealthy.ms).toBeLessThan(4000);
      expect(unhealthy.reason).toContain(where);
      const metricsStarted = Date.now();
      expect((await fetch(`${instance.baseUrl}/metrics`, { signal: AbortSignal.timeout(20_000) })).status).toBe(200);
      expect(Date.now() - metricsStarted).toBeLessThan(6000);
      expect((await timedHealth(instance, '/livez')).status).toBe(200);

      // A bearer token not among MCP_TOKENS is looked up in the database: that says 503, naming it.
      const stranger = await fetch(`${instance.baseUrl}/mcp`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer a-stored-token-secret-0123456789',
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        signal: AbortSignal.timeout(20_000),
      });
      expect(stranger.status).toBe(503);
      expect(await stranger.text()).toMatch(new RegExp(`The database at ${where} .*did not answer`));

      const answer = await inFlight;
      if (answer.isError) expect(textOf(answer)).toMatch(new RegExp(`The database at ${where} .*did not answer`));
      const started = await peer.call('start_mission', { intent: `Add audit logging during a ${fault}`, channelId: 'C0PGHANG' }, 30_000);
      expect(started.isError).toBe(true);
      expect(textOf(started)).toMatch(new RegExp(`The database at ${where} .*did not answer`));

      proxy.heal();
      await eventually(async () => expect((await timedHealth(instance)).status).toBe(200), 30_000, 500);
      // The mission whose write was in flight moves on, and new missions start.
      await eventually(async () => peer.ok('report_progress', await nextReport(ledger, missionId, play)), 15_000, 500);
      await peer.ok('start_mission', { intent: `Add audit logging after a ${fault}`, channelId: 'C0PGHANG' });
    }
    const mission = await ledger.mission(missionId);
    // phase_started, then one step after each fault healed (the in-flight ones may have landed too).
    expect(mission.execution?.phases[0]?.steps.length).toBeGreaterThanOrEqual(2);
    expect(instance.output()).not.toMatch(/tool failed unexpectedly/);
  });

  it('recovers by itself when the server terminates its connections (pg_terminate_backend)', { timeout: 120_000 }, async () => {
    const base = new URL(freshInstanceDatabaseUrl('postgresql'));
    const application = `mc_fault_${randomBytes(4).toString('hex')}`;
    base.searchParams.set('application_name', application);
    const url = base.toString();
    const instance = await startInstance('pg-terminate', {
      DATABASE_URL: url,
      MCP_TOKENS: `assistant:${MCP_SECRET}:${REQUESTER}`,
      APPROVALS_REQUIRED: 'low:0,medium:0,high:0,critical:0',
      ...FAST_TIMEOUTS,
    });
    const ledger = await openLedger(`${process.env.TEST_DATABASE_URL!}?schema=${base.searchParams.get('schema')}`);
    const peer = new McpPeer(instance);
    const play = burstPlay(1, 6);
    const { missionId } = await driveToExecution([peer], 'Rotate the signing keys', 'C0PGKILL', play, 0, ledger);
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    onCleanup(() => admin.end());

    for (let round = 0; round < 3; round++) {
      const inFlight = peer.call('report_progress', await nextReport(ledger, missionId, play), 30_000);
      const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [application]);
      expect(rowCount).toBeGreaterThan(0);
      const answer = await inFlight;
      // Either it landed before the kill or it says the database failed: never an internal error.
      if (answer.isError) expect(textOf(answer)).toMatch(/The database at .* did not answer/);
      await eventually(async () => expect((await timedHealth(instance)).status).toBe(200), 15_000, 300);
      await eventually(async () => peer.ok('report_progress', await nextReport(ledger, missionId, play)), 15_000, 300);
    }
    expect(instance.output()).not.toMatch(/tool failed unexpectedly/);
  });
});
