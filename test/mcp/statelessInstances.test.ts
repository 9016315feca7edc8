// MCP_HTTP_STATELESS: two instances behind a round-robin balancer serve one assistant; no
// request depends on memory held by the instance that answered the one before.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createHttpServer, listen } from '../../src/httpServer.js';
import { McpTokenAuthenticator } from '../../src/mcp/mcpTokens.js';
import { allowedHostsFor, createMcpHttpEndpoint, type McpHttpEndpoint } from '../../src/mcp/streamableHttp.js';
import { freshDatabaseUrl, PROVIDERS } from '../support/databases.js';
import { silentLogger } from './mcpHarness.js';

const SECRET = 'stateless-secret-0123456789';

/** Forwards each request to the next backend in turn, as a load balancer without stickiness would. */
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

describe.each(PROVIDERS)('stateless MCP over two instances on %s', (provider) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  });

  async function startInstance(databaseUrl: string): Promise<{ app: App; endpoint: McpHttpEndpoint; port: number }> {
    const config = loadConfig({ DATABASE_URL: databaseUrl, MCP_TOKENS: `claude-code-jordan:${SECRET}:U0JORDAN`, MCP_HTTP_STATELESS: 'true' });
    const app = await createApp(config, silentLogger);
    const endpoint = createMcpHttpEndpoint({
      service: app.missions,
      logger: silentLogger,
      authenticator: new McpTokenAuthenticator(app.db.accessTokens, config.MCP_TOKENS),
      readOnly: false,
      allowedHosts: allowedHostsFor('127.0.0.1', []),
      stateless: config.MCP_HTTP_STATELESS,
    });
    const server = createHttpServer(app, endpoint.routes);
    const { port } = await listen(server, '127.0.0.1', 0);
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await endpoint.close();
      await app.close();
    });
    return { app, endpoint, port };
  }

  it('drives a mission with every request answered by whichever instance gets it', async () => {
    const database = freshDatabaseUrl(provider);
    cleanups.push(database.cleanup);
    const a = await startInstance(database.url);
    const b = await startInstance(database.url);
    const balancer = roundRobin([a.port, b.port]);
    await new Promise<void>((resolve) => balancer.server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => balancer.server.close(() => resolve())));
    const url = `http://localhost:${(balancer.server.address() as AddressInfo).port}/mcp`;

    const client = new Client({ name: 'stateless-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${SECRET}` } } }));
    cleanups.push(() => client.close());
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
      return result.structuredContent as Record<string, unknown>;
    };

    const started = (await call('start_mission', { intent: 'Fix the flaky login test in the auth module' })) as { mission: { id: string } };
    const id = started.mission.id;
    await call('update_brief', { missionId: id, edits: [{ kind: 'scope', items: ['login tests', 'auth module'] }] });
    await call('update_brief', { missionId: id, lock: true });
    const read = (await call('get_mission', { missionId: id })) as { id: string; state: string };

    expect(read).toMatchObject({ id, state: 'preparing' });
    const stored = await b.app.missions.getMission({ missionId: id });
    expect(stored.brief.chips.find((c) => c.kind === 'scope')!.items).toEqual(['login tests', 'auth module']);
    expect(balancer.hits.every((n) => n >= 2)).toBe(true);
    expect(a.endpoint.sessionCount() + b.endpoint.sessionCount()).toBe(0);
    expect(await a.app.missions.verifyEventLog({ missionId: id })).toMatchObject({ ok: true });

    const stream = await fetch(url, { headers: { authorization: `Bearer ${SECRET}`, accept: 'text/event-stream' } });
    expect(stream.status).toBe(405);
    expect(await stream.text()).toContain('runs MCP without sessions');
  });
});
