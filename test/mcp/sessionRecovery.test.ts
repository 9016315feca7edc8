// Sessions that the server lost (a restart, idle expiry, another instance) are served again:
// the SDK's Client keeps sending its old Mcp-Session-Id and never re-initializes, so a request
// with an unknown session id and a valid token gets a session recreated under that id, bound
// to that token. The restart is real: `mission-control start` killed and started again on the
// same port and database, with the same Client object calling throughout.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createHttpServer, listen } from '../../src/httpServer.js';
import { McpTokenAuthenticator } from '../../src/mcp/mcpTokens.js';
import { allowedHostsFor, createMcpHttpEndpoint } from '../../src/mcp/streamableHttp.js';
import { freshDatabaseUrl, PROVIDERS } from '../support/databases.js';
import { cleanEnv, waitForLine } from '../support/processes.js';
import { silentLogger } from './mcpHarness.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'mission-control.js');
const JORDAN_SECRET = 'jordan-secret-0123456789abcdef';
const OTHER_SECRET = 'other-secret-0123456789abcdef';
const TOKENS = `claude-code-jordan:${JORDAN_SECRET}:U0JORDAN,ci-bot:${OTHER_SECRET}`;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function postJson(url: string, secret: string, sessionId: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${secret}`,
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-06-18',
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify(body),
  });
}

async function startProcess(cwd: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [bin, 'start'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => {
    child.kill('SIGKILL');
  });
  const { port } = JSON.parse(await waitForLine(child, /listening on/)) as { port: number };
  return { child, port };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe.each(PROVIDERS)('a restarted server on %s', (provider) => {
  it('serves the same SDK Client object after a restart on the same port and database, and keeps sessions bound to their token', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mc-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const database = freshDatabaseUrl(provider);
    cleanups.push(database.cleanup);
    const env = cleanEnv({ DATABASE_URL: database.url, PORT: '0', MCP_TOKENS: TOKENS });

    const first = await startProcess(dir, env);
    const url = `http://127.0.0.1:${first.port}/mcp`;
    const client = new Client({ name: 'restart-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${JORDAN_SECRET}` } } });
    // The GET stream breaks when the server dies; the client reports that here and carries on.
    client.onerror = () => undefined;
    await client.connect(transport);
    cleanups.push(() => client.close());
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
      return result.structuredContent as Record<string, unknown>;
    };
    const started = (await call('start_mission', { intent: 'Fix the flaky login test in the auth module' })) as { mission: { id: string } };
    const id = started.mission.id;
    const sessionBefore = transport.sessionId;
    expect(sessionBefore).toBeTruthy();

    // A hard stop: nothing is drained, the process is gone.
    await stopProcess(first.child);
    const second = await startProcess(dir, cleanEnv({ DATABASE_URL: database.url, PORT: String(first.port), MCP_TOKENS: TOKENS }));
    expect(second.port).toBe(first.port);

    // The same client object, still holding its old session id, calls tools and reads resources.
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('get_mission');
    await call('update_brief', { missionId: id, edits: [{ kind: 'scope', items: ['login tests'] }] });
    const read = (await call('get_mission', { missionId: id })) as { id: string; brief: { chips: Array<{ kind: string; items: string[] }> } };
    expect(read.brief.chips.find((c) => c.kind === 'scope')!.items).toEqual(['login tests']);
    const resource = await client.readResource({ uri: `mission://${id}` });
    expect(JSON.parse((resource.contents[0] as { text: string }).text)).toMatchObject({ id });
    expect(transport.sessionId).toBe(sessionBefore);

    // The recreated session is bound to Jordan's token: another valid token cannot use its id.
    const hijack = await postJson(url, OTHER_SECRET, sessionBefore!, {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'update_brief', arguments: { missionId: id, lock: true } },
    });
    expect(hijack.status).toBe(404);
    expect(await hijack.text()).toContain('Session not found for this token');
    expect(((await call('get_mission', { missionId: id })) as { state: string }).state).toBe('defining');
    // Without a valid token an unknown session id is not recreated: 401, as for any request.
    const anonymous = await postJson(url, 'not-a-token-0123456789', 'some-lost-session', { jsonrpc: '2.0', id: 8, method: 'tools/list' });
    expect(anonymous.status).toBe(401);
  }, 60_000);
});

/** Forwards each request to the next backend in turn, as a load balancer without sticky sessions would. */
function roundRobin(ports: number[]): { server: Server; hits: number[] } {
  const hits = ports.map(() => 0);
  let next = 0;
  const server = createServer((req, res) => {
    const i = next++ % ports.length;
    hits[i]! += 1;
    const upstream = request({ host: '127.0.0.1', port: ports[i], path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  return { server, hits };
}

describe.each(PROVIDERS)('stateful instances without sticky sessions on %s', (provider) => {
  it('serves one client whose requests land on either instance, under the session id it got from the first', async () => {
    const database = freshDatabaseUrl(provider);
    cleanups.push(database.cleanup);
    const instances = [];
    for (let i = 0; i < 2; i++) {
      const config = loadConfig({ DATABASE_URL: database.url, MCP_TOKENS: TOKENS });
      const app = await createApp(config, silentLogger);
      const endpoint = createMcpHttpEndpoint({
        service: app.missions,
        logger: silentLogger,
        authenticator: new McpTokenAuthenticator(app.db.accessTokens, config.MCP_TOKENS),
        readOnly: false,
        allowedHosts: allowedHostsFor('127.0.0.1', []),
      });
      const server = createHttpServer(app, endpoint.routes);
      const { port } = await listen(server, '127.0.0.1', 0);
      cleanups.push(async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await endpoint.close();
        await app.close();
      });
      instances.push({ endpoint, port });
    }
    const balancer = roundRobin(instances.map((i) => i.port));
    await new Promise<void>((resolve) => balancer.server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          balancer.server.closeAllConnections();
          balancer.server.close(() => resolve());
        }),
    );

    const client = new Client({ name: 'balanced', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${(balancer.server.address() as AddressInfo).port}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${JORDAN_SECRET}` } },
    });
    await client.connect(transport);
    cleanups.push(() => client.close());
    const sessionId = transport.sessionId;
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
      return result.structuredContent as Record<string, unknown>;
    };
    const started = (await call('start_mission', { intent: 'Fix the flaky login test in the auth module' })) as { mission: { id: string } };
    await call('update_brief', { missionId: started.mission.id, edits: [{ kind: 'scope', items: ['login tests'] }] });
    await call('update_brief', { missionId: started.mission.id, lock: true });
    expect(await call('get_mission', { missionId: started.mission.id })).toMatchObject({ state: 'preparing' });

    expect(balancer.hits.every((n) => n >= 2)).toBe(true);
    // Each instance holds the client's session under the one id it knows.
    expect(instances.map((i) => i.endpoint.sessionCount())).toEqual([1, 1]);
    expect(transport.sessionId).toBe(sessionId);
  });
});

describe('an idle-expired session', () => {
  it('is recreated for the same client when it calls again', async () => {
    const database = freshDatabaseUrl('sqlite');
    cleanups.push(database.cleanup);
    const config = loadConfig({ DATABASE_URL: database.url, MCP_TOKENS: TOKENS });
    const app = await createApp(config, silentLogger);
    const endpoint = createMcpHttpEndpoint({
      service: app.missions,
      logger: silentLogger,
      authenticator: new McpTokenAuthenticator(app.db.accessTokens, config.MCP_TOKENS),
      readOnly: false,
      allowedHosts: allowedHostsFor('127.0.0.1', []),
      sessionIdleMs: 50,
    });
    const server: Server = createHttpServer(app, endpoint.routes);
    const { port } = await listen(server, '127.0.0.1', 0);
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await endpoint.close();
      await app.close();
    });

    // A client behind a proxy that does not pass the GET notification stream (405), so nothing
    // keeps its session open between calls and the idle sweep closes it.
    const noGetStream: typeof fetch = (input, init) => (init?.method === 'GET' ? Promise.resolve(new Response(null, { status: 405 })) : fetch(input, init));
    const client = new Client({ name: 'idle-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${JORDAN_SECRET}` } },
      fetch: noGetStream,
    });
    await client.connect(transport);
    cleanups.push(() => client.close());
    const started = (await client.callTool({ name: 'start_mission', arguments: { intent: 'Fix the flaky login test in the auth module' } })) as CallToolResult;
    const id = (started.structuredContent as { mission: { id: string } }).mission.id;
    const sessionId = transport.sessionId;

    await until(() => endpoint.sessionCount() === 0);
    const read = (await client.callTool({ name: 'get_mission', arguments: { missionId: id } })) as CallToolResult;
    expect(read.isError).toBeFalsy();
    expect(read.structuredContent).toMatchObject({ id, state: 'defining' });
    // Served under the id the client already held, not a new session it would have had to initialize.
    expect(transport.sessionId).toBe(sessionId);
    // DELETE of a session the server no longer holds succeeds: there is nothing left to end.
    await until(() => endpoint.sessionCount() === 0);
    await transport.terminateSession();
    expect(transport.sessionId).toBeUndefined();
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
