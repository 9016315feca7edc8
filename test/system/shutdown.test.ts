// SIGTERM on a running `mission-control start`: readiness turns 503 (draining) while liveness
// stays 200, new work is refused, a request already in flight completes and is saved, and the
// process exits 0.
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { freshInstanceDatabaseUrl, MCP_SECRET, onCleanup, openLedger, REQUESTER, runCleanups, sleep, startInstance } from '../support/systemHarness.js';

afterEach(runCleanups);

describe('SIGTERM', () => {
  it('drains: the request in flight completes and is saved, readiness says draining, then the process exits 0', { timeout: 60_000 }, async () => {
    const url = freshInstanceDatabaseUrl('sqlite');
    const instance = await startInstance('drain', { DATABASE_URL: url, MCP_TOKENS: `assistant:${MCP_SECRET}:${REQUESTER}`, SHUTDOWN_TIMEOUT_MS: '20000' });
    const ledger = await openLedger(url);
    const client = new Client({ name: 'drain-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${instance.baseUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${MCP_SECRET}` } },
    });
    await client.connect(transport);
    onCleanup(() => client.close().catch(() => undefined));

    // A start_mission call whose body is still arriving when the signal comes: in flight by any definition.
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 77,
      method: 'tools/call',
      params: { name: 'start_mission', arguments: { intent: 'Add audit logging to the export job', channelId: 'C0DRAIN' } },
    });
    const half = Math.floor(body.length / 2);
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${instance.baseUrl}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${MCP_SECRET}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': String(Buffer.byteLength(body)),
          'mcp-session-id': transport.sessionId!,
          'mcp-protocol-version': transport.protocolVersion ?? '2025-06-18',
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.write(body.slice(0, half));
      void sleep(500).then(() => {
        instance.child.kill('SIGTERM');
        void sleep(1500).then(() => req.end(body.slice(half)));
      });
    });

    await sleep(900);
    const ready = await fetch(`${instance.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'draining' });
    expect((await fetch(`${instance.baseUrl}/livez`)).status).toBe(200);
    const refused = await fetch(`${instance.baseUrl}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MCP_SECRET}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{}',
    });
    expect(refused.status).toBe(503);
    expect(await refused.text()).toContain('shutting down');

    const { status, text } = await answer;
    expect(status).toBe(200);
    const message = JSON.parse(
      text
        .split('\n')
        .find((l) => l.startsWith('data: '))
        ?.slice(6) ?? text,
    ) as { id: number; result?: { isError?: boolean; structuredContent?: { mission?: { id: string } } } };
    expect(message.id).toBe(77);
    expect(message.result?.isError).toBeFalsy();
    const missionId = message.result!.structuredContent!.mission!.id;

    expect(await instance.exited).toEqual({ code: 0, signal: null });
    expect((await ledger.mission(missionId)).title).toBeTruthy();
  });
});
