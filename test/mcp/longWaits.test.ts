// wait_for_approval under the SDK Client's default options: clients time a request out at 60 s
// whatever progress arrives, so one call answers pending (call again) before that, and a
// person's approval arriving during a later call ends that call with approved. Meanwhile the
// stream carries bytes (progress notifications, or SSE comments when no progress was asked for).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { DEFAULT_REQUEST_TIMEOUT_MSEC } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import { randomIds, systemClock } from '../../src/domain/runtime.js';
import { DEFAULT_MAX_CALL_SECONDS } from '../../src/mcp/waitForApproval.js';
import { openDatabase } from '../../src/storage/database.js';
import { PROVIDERS } from '../support/databases.js';
import { cleanEnv, waitForLine } from '../support/processes.js';
import { ADVISOR, JORDAN_SECRET, missionAwaitingApproval, startHttpHarness, type HttpHarness } from './httpHarness.js';
import { textOf } from './mcpHarness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness(provider: (typeof PROVIDERS)[number], options: Parameters<typeof startHttpHarness>[1]): Promise<HttpHarness> {
  const h = await startHttpHarness(provider, options);
  cleanups.push(() => h.close());
  return h;
}

describe.each(PROVIDERS)('wait_for_approval over Streamable HTTP on %s', (provider) => {
  it('answers pending with call again before the client gives up, and approved when a person decides during a later call', async () => {
    const h = await harness(provider, { approvalWait: { maxCallMs: 300, pollIntervalMs: 50, progressIntervalMs: 50 } });
    const { client } = await h.connect();
    const missionId = await missionAwaitingApproval(client, h.app.missions);

    // No request options at all: the client's default 60 s timeout applies.
    const first = (await client.callTool({ name: 'wait_for_approval', arguments: { missionId, timeoutSeconds: 75 } })) as CallToolResult;
    expect(first.isError).toBeFalsy();
    expect(first.structuredContent).toMatchObject({ status: 'pending', callAgain: true, mission: { state: 'awaiting_approval' } });
    expect((first.structuredContent as { remainingSeconds: number }).remainingSeconds).toBeGreaterThan(70);
    expect(textOf(first)).toContain('Call wait_for_approval again');

    // The next call is waiting (its first progress notification says so) when the person approves.
    let approvedWhileWaiting = false;
    const second = client.callTool({ name: 'wait_for_approval', arguments: { missionId, timeoutSeconds: 75 } }, undefined, {
      onprogress: () => {
        if (approvedWhileWaiting) return;
        approvedWhileWaiting = true;
        void h.app.missions.decideApproval({ missionId, decision: 'approve' }, ADVISOR);
      },
    });
    const approved = (await second) as CallToolResult;
    expect(approvedWhileWaiting).toBe(true);
    expect(approved.structuredContent).toMatchObject({ status: 'approved', callAgain: false, remainingSeconds: 0, mission: { state: 'executing' } });
  });

  it('keeps a quiet stream alive with SSE comments when the call asked for no progress', async () => {
    const h = await harness(provider, { approvalWait: { maxCallMs: 400, pollIntervalMs: 50 }, keepAliveMs: 20 });
    const { client, transport } = await h.connect();
    const missionId = await missionAwaitingApproval(client, h.app.missions);

    const response = await fetch(h.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${JORDAN_SECRET}`,
        'mcp-session-id': transport.sessionId!,
        'mcp-protocol-version': '2025-06-18',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 41,
        method: 'tools/call',
        params: { name: 'wait_for_approval', arguments: { missionId, timeoutSeconds: 30 } },
      }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const stream = await response.text();
    const firstComment = stream.indexOf(': keepalive');
    const answer = stream.indexOf('data: ');
    expect(firstComment).toBeGreaterThanOrEqual(0);
    expect(firstComment).toBeLessThan(answer);
    const result = JSON.parse(stream.slice(answer + 'data: '.length).split('\n')[0]!) as { id: number; result: CallToolResult };
    expect(result.id).toBe(41);
    expect(result.result.structuredContent).toMatchObject({ status: 'pending', callAgain: true });
  });
});

describe('wait_for_approval against mission-control start, with every default', () => {
  it('returns pending within the SDK client default timeout for timeoutSeconds: 75 instead of "Request timed out"', async () => {
    // The cap leaves a margin under the client's default for the request's own round trip.
    expect(DEFAULT_MAX_CALL_SECONDS * 1000).toBeLessThanOrEqual(DEFAULT_REQUEST_TIMEOUT_MSEC - 10_000);

    const dir = mkdtempSync(path.join(tmpdir(), 'mc-wait-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = cleanEnv({
      DATABASE_URL: 'file:./missions.db',
      PORT: '0',
      MCP_TOKENS: `claude-code-jordan:${JORDAN_SECRET}:U0JORDAN`,
      SLACK_APPROVERS: 'U0ADVISOR',
      APPROVALS_REQUIRED: 'critical:1',
    });
    const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'mission-control.js');
    const child = spawn(process.execPath, [bin, 'start'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => {
      child.kill('SIGKILL');
    });
    const { port } = JSON.parse(await waitForLine(child, /listening on/)) as { port: number };
    const client = new Client({ name: 'default-options', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers: { authorization: `Bearer ${JORDAN_SECRET}` } } }),
    );
    cleanups.push(() => client.close());
    // Jordan accepts the assistant's coverage report through the same database, as the Slack button would.
    const db = await openDatabase(`file:${path.join(dir, 'missions.db')}`, { migrate: false });
    cleanups.push(() => db.close());
    const people = new MissionService({ repository: db.missions, clock: systemClock, ids: randomIds, drafter: deterministicBriefDrafter });
    const missionId = await missionAwaitingApproval(client, people);

    const result = (await client.callTool({ name: 'wait_for_approval', arguments: { missionId, timeoutSeconds: 75 } })) as CallToolResult;
    expect(result.structuredContent).toMatchObject({ status: 'pending', callAgain: true });
    expect(textOf(result)).toContain('Call wait_for_approval again');
  }, 90_000);
});
