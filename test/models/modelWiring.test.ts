// The process as configured: MODEL_PROVIDER and friends pick the model-backed drafter and
// planner in createApp; an assistant over MCP (the SDK's Client) gets the model's brief from
// start_mission and reports its own usage; /metrics counts tokens and cost by model and task.
import type { Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { setupServer } from 'msw/node';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createHttpServer, listen } from '../../src/httpServer.js';
import { createMcpServer } from '../../src/mcp/createMcpServer.js';
import { freshDatabaseUrl, PROVIDERS } from '../support/databases.js';
import { ASSISTANT, JORDAN } from '../../src/demo/seedMission.js';
import { ANTHROPIC_BASE, fakeModelApis, intentOf } from './fakeModelApis.js';
import { RATE_LIMIT, scriptFor } from './scriptedAnswers.js';

const server = setupServer();
// Our own server on 127.0.0.1 is reached for real; anything else unexpected fails the test.
beforeAll(() => server.listen({ onUnhandledRequest: (request, print) => (new URL(request.url).hostname === '127.0.0.1' ? undefined : print.error()) }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe.each(PROVIDERS)('models configured on %s', (provider) => {
  let app: App;
  let http: Server;
  let cleanup: () => Promise<void>;

  afterEach(async () => {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
    await app.close();
    await cleanup();
  });

  it('drafts over MCP with the configured model, records the assistant’s usage, and counts tokens and cost in /metrics', async () => {
    const fake = fakeModelApis((task, prompt) => ({
      json: task === 'draft' ? scriptFor(intentOf(prompt)).brief : { plays: scriptFor(prompt).plays },
      inputTokens: 1200,
      outputTokens: 300,
    }));
    server.use(...fake.handlers);
    const database = freshDatabaseUrl(provider);
    cleanup = database.cleanup;
    const config = loadConfig({
      DATABASE_URL: database.url,
      MODEL_PROVIDER: 'anthropic',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: ANTHROPIC_BASE,
      MODEL_DRAFT: 'claude-sonnet-4-5',
      MISSION_BUDGET_USD: '3',
    });
    app = await createApp(config, pino({ level: 'silent' }));
    http = createHttpServer(app);
    const { port } = await listen(http, '127.0.0.1', 0);

    const mcp = createMcpServer({ service: app.missions, logger: pino({ level: 'silent' }), actor: ASSISTANT });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await mcp.server.connect(serverSide);
    const client = new Client({ name: 'model-wiring-test', version: '1.0.0' });
    await client.connect(clientSide);
    try {
      const started = (await client.callTool({ name: 'start_mission', arguments: { intent: RATE_LIMIT.intent } })) as CallToolResult;
      expect(started.isError).toBeFalsy();
      const mission = (
        started.structuredContent as {
          mission: {
            id: string;
            brief: { drafting: unknown; chips: Array<{ kind: string; items: string[]; inferred?: string[]; quote?: string }> };
            models: unknown;
          };
        }
      ).mission;
      // The assistant gets the model's brief, not the placeholder.
      expect(mission.brief.drafting).toEqual({ status: 'drafted', drafter: 'anthropic:claude-sonnet-4-5', reason: null });
      expect(mission.brief.chips.find((c) => c.kind === 'kpis')).toMatchObject({
        inferred: ['p99 latency added by the limiter < 2 ms'],
        quote: RATE_LIMIT.brief.chips[3]!.sourceSentence,
      });
      const draftCost = (1200 * 3 + 300 * 15) / 1e6;
      expect(mission.models).toEqual({ budgetUsd: 3, spentUsd: draftCost, calls: 1, inputTokens: 1200, outputTokens: 300, paused: false });

      const usage = (await client.callTool({
        name: 'report_progress',
        arguments: { missionId: mission.id, kind: 'usage', model: 'claude-opus-4-1', inputTokens: 5000, outputTokens: 1000, costUsd: 0.15 },
      })) as CallToolResult;
      expect(usage.isError).toBeFalsy();
      await app.missions.lockBrief({ missionId: mission.id }, JORDAN);

      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^mission_control_model_tokens_total\{model="claude-sonnet-4-5",task="draft",direction="input"\} 1200$/m);
      expect(metrics).toMatch(/^mission_control_model_tokens_total\{model="claude-sonnet-4-5",task="draft",direction="output"\} 300$/m);
      expect(metrics).toMatch(/^mission_control_model_tokens_total\{model="claude-opus-4-1",task="assistant",direction="input"\} 5000$/m);
      expect(metrics).toMatch(new RegExp(`^mission_control_model_cost_usd_total\\{model="claude-sonnet-4-5",task="draft"\\} ${draftCost}$`, 'm'));
      expect(metrics).toMatch(/^mission_control_model_cost_usd_total\{model="claude-opus-4-1",task="assistant"\} 0.15$/m);
    } finally {
      await client.close();
      await mcp.close();
    }
  });
});
