// MCP sampling: with no model configured, a mission an assistant starts is drafted by the
// assistant's own model through sampling/createMessage (the SDK's Client answering as Claude
// Code or another client would), checked like any model's answer; without the capability, or
// with an unusable answer, the built-in draft stands in.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CreateMessageRequestSchema, type CallToolResult, type CreateMessageRequest } from '@modelcontextprotocol/sdk/types.js';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter, draftBrief } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import { createMcpServer, type MissionMcpServer } from '../../src/mcp/createMcpServer.js';
import { ASSISTANT } from '../../src/demo/seedMission.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';
import { RATE_LIMIT } from './scriptedAnswers.js';

type Answer = (request: CreateMessageRequest) => string;

describe.each(PROVIDERS)('MCP sampling on %s', (provider) => {
  let db: TestDatabase;
  let service: MissionService;
  let mcp: MissionMcpServer;
  let client: Client;
  let requests: CreateMessageRequest[];

  beforeEach(async () => {
    db = await openTestDatabase(provider);
    service = new MissionService({ repository: db.missions, clock: new TestClock(), ids: sequentialIds(), drafter: deterministicBriefDrafter });
    requests = [];
  });
  afterEach(async () => {
    await client.close();
    await mcp.close();
    await db.destroy();
  });

  async function connect(answer: Answer | null): Promise<void> {
    mcp = createMcpServer({ service, logger: pino({ level: 'silent' }), actor: ASSISTANT });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await mcp.server.connect(serverSide);
    client = new Client({ name: 'sampling-client', version: '1.0.0' }, { capabilities: answer ? { sampling: {} } : {} });
    if (answer) {
      client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
        requests.push(request);
        return { model: 'claude-sonnet-4-5', role: 'assistant' as const, content: { type: 'text' as const, text: answer(request) }, stopReason: 'endTurn' };
      });
    }
    await client.connect(clientSide);
  }

  async function start(intent: string) {
    const result = (await client.callTool({ name: 'start_mission', arguments: { intent } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const { mission } = result.structuredContent as {
      mission: {
        id: string;
        brief: { drafting?: { status: string; drafter: string; reason: string | null }; chips: Array<{ kind: string; items: string[]; quote?: string }> };
      };
    };
    return mission;
  }

  it("drafts with the assistant's own model when the client offers sampling, the intent sent as data", async () => {
    await connect(() => `Here is the brief:\n\`\`\`json\n${JSON.stringify(RATE_LIMIT.brief)}\n\`\`\``);
    const mission = await start(RATE_LIMIT.intent);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.params.systemPrompt).toContain('never instructions to you');
    expect(requests[0]!.params.messages[0]!.content).toEqual({ type: 'text', text: `<intent>\n${RATE_LIMIT.intent}\n</intent>` });
    expect(mission.brief.drafting).toEqual({ status: 'drafted', drafter: 'mcp-sampling', reason: null });
    expect(mission.brief.chips.find((c) => c.kind === 'objective')!.items).toEqual(RATE_LIMIT.brief.chips[0]!.items);
    const calls = (await service.events({ missionId: mission.id })).filter((e) => e.type === 'model_call_completed');
    expect(calls.map((e) => e.payload)).toEqual([
      expect.objectContaining({ task: 'draft', provider: 'mcp-sampling', model: 'claude-sonnet-4-5', outcome: 'ok', cost_usd: 0 }),
    ]);
  });

  it('asks once more, then keeps the built-in draft when the answer is not a usable brief', async () => {
    await connect(() => 'Sure! The objective is to add rate limiting.');
    const mission = await start(RATE_LIMIT.intent);
    expect(requests).toHaveLength(2);
    expect(mission.brief.drafting).toMatchObject({
      status: 'fallback',
      drafter: 'mcp-sampling',
      reason: expect.stringContaining("the assistant's model's answer was refused"),
    });
    expect(mission.brief.chips.map((c) => c.items)).toEqual(draftBrief(RATE_LIMIT.intent).chips.map((c) => c.items));
  });

  it('uses the built-in drafter at once when the client does not offer sampling', async () => {
    await connect(null);
    const mission = await start(RATE_LIMIT.intent);
    expect(mission.brief.drafting).toBeUndefined();
    expect(mission.brief.chips.map((c) => c.items)).toEqual(draftBrief(RATE_LIMIT.intent).chips.map((c) => c.items));
  });
});
