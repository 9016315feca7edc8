// Two servers (the wiring of `mission-control start`, each with its own database pool and LISTEN
// connection) on one PostgreSQL schema: a change saved through instance B reaches MCP clients and
// the feed worker of instance A through PostgreSQL LISTEN/NOTIFY. A's re-read interval is set to ten minutes, so
// only the notification can wake it within its 45 s hold; and A keeps hearing B after its
// listener connection is terminated by the server.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceUpdatedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { missionChangeChannel } from '../../src/storage/postgresMissionChanges.js';
import { freshDatabaseUrl } from '../support/databases.js';
import { ADVISOR, callOk, missionAwaitingApproval, startHttpHarness, until, type HttpHarness } from './httpHarness.js';

const TEN_MINUTES = 10 * 60_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Instances A and B on one fresh schema; A never re-reads on its own within a test. */
async function twoInstances(): Promise<{ a: HttpHarness; b: HttpHarness; url: string }> {
  const { url, cleanup } = freshDatabaseUrl('postgresql');
  cleanups.push(cleanup);
  const a = await startHttpHarness('postgresql', { approvalWait: { pollIntervalMs: TEN_MINUTES, progressIntervalMs: 100 } }, { DATABASE_URL: url });
  cleanups.push(() => a.close());
  const b = await startHttpHarness('postgresql', {}, { DATABASE_URL: url });
  cleanups.push(() => b.close());
  return { a, b, url };
}

function updatesOn(client: Client): string[] {
  const uris: string[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
    uris.push(notification.params.uri);
  });
  return uris;
}

async function startMission(client: Client, intent: string): Promise<string> {
  const result = (await client.callTool({ name: 'start_mission', arguments: { intent, channelId: 'C0MISSIONS' } })) as CallToolResult;
  return (result.structuredContent as { mission: { id: string } }).mission.id;
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('changes saved by another instance (PostgreSQL LISTEN/NOTIFY)', () => {
  it('an approval saved through instance B wakes wait_for_approval held on instance A', { timeout: 90_000 }, async () => {
    const { a, b } = await twoInstances();
    const { client } = await a.connect();
    const missionId = await missionAwaitingApproval(client, b.app.missions);
    let waiting!: () => void;
    const waitStarted = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    // The first progress notification says the call is holding (the decision was still pending when it read it).
    const answer = client.callTool({ name: 'wait_for_approval', arguments: { missionId, timeoutSeconds: 45 } }, undefined, {
      onprogress: () => waiting(),
      timeout: 60_000,
    }) as Promise<CallToolResult>;
    await waitStarted;
    await b.app.missions.decideApproval({ missionId, decision: 'approve' }, ADVISOR);

    const result = await answer;
    expect(result.isError).toBeFalsy();
    // Pending after the 45 s hold had A not heard B; its own re-read comes only after ten minutes.
    expect(result.structuredContent).toMatchObject({ status: 'approved', callAgain: false, approval: { status: 'approved' } });
  });

  it('a resource subscriber on A gets notifications/resources/updated for a change made on B, and keeps getting them after its listener is terminated', {
    timeout: 60_000,
  }, async () => {
    const { a, b, url } = await twoInstances();
    const { client } = await a.connect();
    const updates = updatesOn(client);
    const missionId = await startMission(client, 'Rotate the staging database credentials before the audit');
    const other = await startMission(client, 'Fix the flaky checkout test');
    await client.subscribeResource({ uri: `mission://${missionId}` });
    expect(a.app.changes?.status().state).toBe('listening');
    // A's feed worker is woken for B's saves too, shortly after B's own worker, instead of waiting for its next poll.
    const wakes = vi.spyOn(a.app.feedWorker, 'wakeWithin');

    // A change to a mission nobody subscribed to notifies nobody.
    await b.app.missions.cancelMission({ missionId: other, reason: 'Fixed upstream' }, ADVISOR);
    await b.app.missions.cancelMission({ missionId, reason: 'Rotated by hand' }, ADVISOR);
    await until(() => updates.includes(`mission://${missionId}`), 10_000);
    expect(updates.every((uri) => uri === `mission://${missionId}`)).toBe(true);
    expect(wakes).toHaveBeenCalled();

    // The server ends A's LISTEN connection: A reconnects with backoff, and meanwhile-missed notices count as "anything changed".
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()', [
        `LISTEN "${missionChangeChannel(new URL(url).searchParams.get('schema')!)}"`,
      ]);
      // Both instances listen on this schema's channel; A's status tells which one it was.
      expect(rows).toHaveLength(2);
      for (const { pid } of rows) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    updates.length = 0;
    await until(() => a.app.changes!.status().drops === 1 && a.app.changes!.status().state === 'listening', 20_000);
    // Listening again, A cannot know what it missed: every subscription hears that its resource may have changed.
    await until(() => updates.includes(`mission://${missionId}`), 10_000);
    const healthz = await fetch(a.url.replace('/mcp', '/healthz'));
    expect(await healthz.json()).toMatchObject({ status: 'ok', database: 'postgresql', changeNotifications: 'listening' });

    updates.length = 0;
    const reopened = await startMission(client, 'Upgrade the payment SDK');
    await client.subscribeResource({ uri: `mission://${reopened}` });
    await b.app.missions.cancelMission({ missionId: reopened, reason: 'Postponed to next quarter' }, ADVISOR);
    await until(() => updates.includes(`mission://${reopened}`), 10_000);
  });

  it("reports alternating between the instances: each starts from fresh state once the other's save is announced, so no save is refused", {
    timeout: 90_000,
  }, async () => {
    const { a, b } = await twoInstances();
    const viaA = (await a.connect()).client;
    const viaB = (await b.connect()).client;
    const missionId = await missionAwaitingApproval(viaA, a.app.missions);
    await a.app.missions.decideApproval({ missionId, decision: 'approve' }, ADVISOR);
    await callOk(viaA, 'report_progress', { missionId, kind: 'phase_started', phaseId: 'jwt_refresh_fix' });

    const steps = ['refactor_jwt_ts', 'add_redis_store', 'create_refresh_endpoint', 'write_tests'];
    for (const [i, stepId] of steps.entries()) {
      const [saver, next] = i % 2 === 0 ? [b, a] : [a, b];
      const heardBefore = next.app.missions.writerCounts().droppedOnNotice;
      await callOk(i % 2 === 0 ? viaB : viaA, 'report_progress', { missionId, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId, durationMs: 900 });
      // The other instance hears the save (LISTEN/NOTIFY) and drops its remembered copy before its next report.
      await until(() => next.app.missions.writerCounts().droppedOnNotice > heardBefore, 10_000);
      expect(saver.app.missions.writerCounts().staleSaves).toBe(0);
    }
    expect(a.app.missions.writerCounts().staleSaves + b.app.missions.writerCounts().staleSaves).toBe(0);
    const mission = await a.app.missions.getMission({ missionId });
    expect(mission.execution!.phases[0]!.steps.map((s) => s.stepId)).toEqual(steps);
    expect(await b.app.missions.verifyEventLog({ missionId, full: true })).toMatchObject({ ok: true });
    const metrics = await (await fetch(a.url.replace('/mcp', '/metrics'))).text();
    expect(metrics).toMatch(/^mission_control_stale_saves_total 0$/m);
    expect(metrics).toMatch(/^mission_control_remembered_dropped_total [1-9]/m);
  });
});
