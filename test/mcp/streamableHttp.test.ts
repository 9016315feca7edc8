// MCP over Streamable HTTP at /mcp: the SDK's Client against `mission-control start` (spawned,
// with tokens made by `mission-control token create` and MCP_TOKENS), and against an in-process
// server for what needs a person acting meanwhile (subscriptions, waiting for approval).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createHttpServer, listen } from '../../src/httpServer.js';
import { McpTokenAuthenticator } from '../../src/mcp/mcpTokens.js';
import { allowedHostsFor, createMcpHttpEndpoint, type McpHttpEndpoint } from '../../src/mcp/streamableHttp.js';
import { freshDatabaseUrl, PROVIDERS } from '../support/databases.js';
import { SEED_PLAY_1 } from '../support/seedJourney.js';
import { SEED_INTENT } from '../support/seedMission.js';
import { silentLogger } from './mcpHarness.js';
import { cleanEnv, waitForLine } from '../support/processes.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'mission-control.js');
const DEV_SECRET = 'dev-secret-0123456789abcdef';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connect(url: string, token: string): Promise<Client> {
  return (await connectWithTransport(url, token)).client;
}

async function connectWithTransport(url: string, token: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return { client, transport };
}

/** A raw request, for what fetch will not send (a foreign Host header). */
function rawPost(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const startCall = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'start_mission', arguments: { intent: SEED_INTENT } } };

describe('mission-control start serves MCP at /mcp', () => {
  it('authenticates bearer tokens from token create and MCP_TOKENS, refuses everything else with 401, and checks the Host header', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mc-http-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = cleanEnv({ DATABASE_URL: 'file:./missions.db', PORT: '0', MCP_TOKENS: `dev-bot:${DEV_SECRET}` });

    const created = spawnSync(process.execPath, [bin, 'token', 'create', '--name', 'claude-code-jordan', '--on-behalf-of', 'U0JORDAN'], {
      cwd: dir,
      env,
      encoding: 'utf8',
    });
    expect(created.status, created.stderr).toBe(0);
    const secret = /^(mc_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)![1]!;
    const revokedToken = /^(mc_\S+)$/m.exec(
      spawnSync(process.execPath, [bin, 'token', 'create', '--name', 'old-laptop'], { cwd: dir, env, encoding: 'utf8' }).stdout,
    )![1]!;
    expect(spawnSync(process.execPath, [bin, 'token', 'revoke', '--name', 'old-laptop'], { cwd: dir, env, encoding: 'utf8' }).stdout).toContain(
      'Revoked MCP token "old-laptop"',
    );
    const duplicate = spawnSync(process.execPath, [bin, 'token', 'create', '--name', 'claude-code-jordan'], { cwd: dir, env, encoding: 'utf8' });
    expect(duplicate.status).toBe(1);
    expect(duplicate.stderr).toContain('a token named "claude-code-jordan" already exists');
    const usage = spawnSync(process.execPath, [bin, 'token', 'create'], { cwd: dir, env, encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--name is required');
    const listed = spawnSync(process.execPath, [bin, 'token', 'list'], { cwd: dir, env, encoding: 'utf8' }).stdout;
    expect(listed).toContain('claude-code-jordan\tactive');
    expect(listed).toContain('old-laptop\trevoked');
    expect(listed).not.toContain(secret);
    // Only the hash is stored.
    const db = new Database(path.join(dir, 'missions.db'), { readonly: true });
    const rows = db.prepare('SELECT name, secretHash FROM McpToken').all() as Array<{ name: string; secretHash: string }>;
    db.close();
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.secretHash))).toBe(true);
    expect(readFileSync(path.join(dir, 'missions.db')).includes(Buffer.from(secret))).toBe(false);

    const child = spawn(process.execPath, [bin, 'start'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => {
      child.kill('SIGKILL');
    });
    const { port } = JSON.parse(await waitForLine(child, /listening on/)) as { port: number };
    const url = `http://127.0.0.1:${port}/mcp`;

    // Missing, wrong and revoked tokens: 401, and the tool call in the body never runs.
    for (const authorization of [undefined, 'Bearer mc_wrong', `Bearer ${revokedToken}`, `Basic ${Buffer.from(`x:${secret}`).toString('base64')}`]) {
      for (const body of [initialize, startCall]) {
        const res = await rawPost(url, authorization ? { authorization } : {}, body);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toContain('Bearer');
        expect(JSON.parse(res.body)).toMatchObject({ error: { message: expect.stringContaining('Authorization: Bearer <token>') } });
      }
    }
    // DNS rebinding protection: a foreign Host or Origin is refused even with a good token.
    expect((await rawPost(url, { authorization: `Bearer ${secret}`, host: `evil.example:${port}` }, initialize)).status).toBe(403);
    expect((await rawPost(url, { authorization: `Bearer ${secret}`, origin: 'http://evil.example' }, initialize)).status).toBe(403);
    expect((await rawPost(url, { authorization: `Bearer ${secret}`, host: `localhost:${port}` }, initialize)).status).toBe(200);

    const jordan = await connect(url, secret);
    expect((await jordan.listTools()).tools).toHaveLength(18);
    const started = (await jordan.callTool({ name: 'start_mission', arguments: { intent: SEED_INTENT } })) as CallToolResult;
    expect((started.structuredContent as { mission: { requester: unknown } }).mission.requester).toEqual({
      kind: 'mcp_token',
      id: 'claude-code-jordan',
      onBehalfOf: 'U0JORDAN',
    });
    const dev = await connect(url, DEV_SECRET);
    const listed2 = (await dev.callTool({ name: 'list_missions', arguments: {} })) as CallToolResult;
    // Only the one mission Jordan's assistant started: none of the refused calls wrote anything.
    expect((listed2.structuredContent as { missions: Array<{ requester: { id: string } }> }).missions.map((m) => m.requester.id)).toEqual([
      'claude-code-jordan',
    ]);
    const refused = (await dev.callTool({ name: 'start_mission', arguments: { intent: '' } })) as CallToolResult;
    expect(refused.isError).toBe(true);

    // A session belongs to the token that opened it.
    const opened = await rawPost(url, { authorization: `Bearer ${secret}` }, initialize);
    const sessionId = opened.headers['mcp-session-id'] as string;
    expect(sessionId).toBeTruthy();
    const hijack = await rawPost(
      url,
      { authorization: `Bearer ${DEV_SECRET}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
      { jsonrpc: '2.0', id: 3, method: 'tools/list' },
    );
    expect(hijack.status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});

describe.each(PROVIDERS)('Streamable HTTP with people acting meanwhile, on %s', (provider) => {
  let app: App;
  let endpoint: McpHttpEndpoint;
  let server: Server;
  let url: string;

  async function startServer(): Promise<void> {
    const database = freshDatabaseUrl(provider);
    const config = loadConfig({
      DATABASE_URL: database.url,
      SLACK_APPROVERS: 'U0ADVISOR',
      APPROVALS_REQUIRED: 'critical:1',
      MCP_TOKENS: `claude-code-jordan:${DEV_SECRET}:U0JORDAN`,
    });
    app = await createApp(config, silentLogger);
    endpoint = createMcpHttpEndpoint({
      service: app.missions,
      logger: silentLogger,
      authenticator: new McpTokenAuthenticator(app.db.accessTokens, config.MCP_TOKENS),
      readOnly: false,
      allowedHosts: allowedHostsFor('127.0.0.1', []),
    });
    server = createHttpServer(app, endpoint.routes);
    const { port } = await listen(server, '127.0.0.1', 0);
    url = `http://127.0.0.1:${port}/mcp`;
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await endpoint.close();
      await app.close();
      await database.cleanup();
    });
  }

  it('sends resource updates to subscribers and progress while waiting, and approval arrives from a person', async () => {
    await startServer();
    const { client, transport } = await connectWithTransport(url, DEV_SECRET);
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
      return result.structuredContent as Record<string, unknown>;
    };
    const { mission } = (await call('start_mission', { intent: SEED_INTENT, channelId: 'C0MISSIONS' })) as unknown as { mission: { id: string } };
    const id = mission.id;
    await call('update_brief', { missionId: id, lock: true });
    await call('select_toolkits', {
      missionId: id,
      toolkits: [{ toolkitId: 'github' }],
      coverage: [{ toolkitId: 'github', status: 'ready', summary: 'inspected' }],
    });
    await app.missions.acceptReportedCoverage({ missionId: id }, { kind: 'slack_user', id: 'U0JORDAN' });
    await call('select_toolkits', { missionId: id });
    const { proposed } = (await call('propose_plays', { missionId: id, plays: [SEED_PLAY_1] })) as unknown as { proposed: string[] };
    expect((await call('request_approval', { missionId: id, playId: proposed[0] })).status).toBe('pending');

    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updates.push(n.params.uri);
    });
    await client.subscribeResource({ uri: `mission://${id}` });

    const progress: number[] = [];
    const waiting = client.callTool({ name: 'wait_for_approval', arguments: { missionId: id, timeoutSeconds: 30 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
      resetTimeoutOnProgress: true,
    });
    // The person approves after the first progress notification (every 5 s by default).
    await until(() => progress.length > 0, 15_000);
    await app.missions.decideApproval({ missionId: id, decision: 'approve' }, { kind: 'slack_user', id: 'U0ADVISOR' });
    const approved = (await waiting) as CallToolResult;
    expect(approved.structuredContent).toMatchObject({ status: 'approved', mission: { state: 'executing' } });
    await until(() => updates.length > 0);
    expect(updates[0]).toBe(`mission://${id}`);
    expect(endpoint.sessionCount()).toBe(1);
    // DELETE /mcp ends the session.
    await transport.terminateSession();
    await until(() => endpoint.sessionCount() === 0);
  }, 30_000);
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
