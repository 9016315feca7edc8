// The /mcp endpoint in this process (the same wiring as `mission-control start`), on a fresh
// database, for tests where a person acts meanwhile through the service; plus the SDK's Client
// over Streamable HTTP with its default options, and the path to a pending approval.
import type { Server } from 'node:http';
import type { MissionService } from '../../src/domain/missionService.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createHttpServer, listen } from '../../src/httpServer.js';
import { McpTokenAuthenticator } from '../../src/mcp/mcpTokens.js';
import { allowedHostsFor, createMcpHttpEndpoint, type McpHttpEndpoint, type McpHttpOptions } from '../../src/mcp/streamableHttp.js';
import { freshDatabaseUrl, type Provider } from '../support/databases.js';
import { SEED_PLAY_1 } from '../support/seedJourney.js';
import { SEED_INTENT } from '../support/seedMission.js';
import { silentLogger } from './mcpHarness.js';

export const JORDAN_SECRET = 'jordan-secret-0123456789abcdef';
export const OTHER_SECRET = 'other-secret-0123456789abcdef';
export const ADVISOR = { kind: 'slack_user', id: 'U0ADVISOR' } as const;

export interface HttpHarness {
  app: App;
  endpoint: McpHttpEndpoint;
  url: string;
  /** An SDK Client with default options, authenticated with the secret. */
  connect(secret?: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }>;
  close(): Promise<void>;
}

export async function startHttpHarness(
  provider: Provider,
  endpointOptions: Partial<McpHttpOptions> = {},
  env: Record<string, string> = {},
): Promise<HttpHarness> {
  // A DATABASE_URL given in `env` is shared with another harness (two instances): the caller removes it.
  const database = env.DATABASE_URL ? { url: env.DATABASE_URL, cleanup: async () => undefined } : freshDatabaseUrl(provider);
  const config = loadConfig({
    DATABASE_URL: database.url,
    SLACK_APPROVERS: 'U0ADVISOR',
    APPROVALS_REQUIRED: 'critical:1',
    MCP_TOKENS: `claude-code-jordan:${JORDAN_SECRET}:U0JORDAN,ci-bot:${OTHER_SECRET}`,
    ...env,
  });
  const app = await createApp(config, silentLogger);
  const endpoint = createMcpHttpEndpoint({
    service: app.missions,
    logger: silentLogger,
    authenticator: new McpTokenAuthenticator(app.db.accessTokens, config.MCP_TOKENS),
    readOnly: false,
    allowedHosts: allowedHostsFor('127.0.0.1', []),
    ...endpointOptions,
  });
  const server: Server = createHttpServer(app, endpoint.routes);
  const { port } = await listen(server, '127.0.0.1', 0);
  const url = `http://127.0.0.1:${port}/mcp`;
  const clients: Client[] = [];
  return {
    app,
    endpoint,
    url,
    async connect(secret = JORDAN_SECRET) {
      const client = new Client({ name: 'http-harness', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${secret}` } } });
      await client.connect(transport);
      clients.push(client);
      return { client, transport };
    },
    async close() {
      for (const client of clients) await client.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await endpoint.close();
      await app.close();
      await database.cleanup();
    },
  };
}

export async function callOk(client: Client, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
  return result.structuredContent as Record<string, unknown>;
}

/**
 * Starts the seed mission over MCP and requests approval of its first play; returns the mission id.
 * No connector inspects GitHub here, so Jordan accepts the assistant's coverage report (as in Slack).
 */
export async function missionAwaitingApproval(client: Client, people: Pick<MissionService, 'acceptReportedCoverage'>): Promise<string> {
  const { mission } = (await callOk(client, 'start_mission', { intent: SEED_INTENT, channelId: 'C0MISSIONS' })) as { mission: { id: string } };
  await callOk(client, 'update_brief', { missionId: mission.id, lock: true });
  await callOk(client, 'select_toolkits', {
    missionId: mission.id,
    toolkits: [{ toolkitId: 'github' }],
    coverage: [{ toolkitId: 'github', status: 'ready', summary: 'inspected' }],
  });
  await people.acceptReportedCoverage({ missionId: mission.id }, { kind: 'slack_user', id: 'U0JORDAN' });
  await callOk(client, 'select_toolkits', { missionId: mission.id });
  const { proposed } = (await callOk(client, 'propose_plays', { missionId: mission.id, plays: [SEED_PLAY_1] })) as { proposed: string[] };
  const requested = await callOk(client, 'request_approval', { missionId: mission.id, playId: proposed[0] });
  if (requested.status !== 'pending') throw new Error(`expected a pending approval, got ${JSON.stringify(requested)}`);
  return mission.id;
}

export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
