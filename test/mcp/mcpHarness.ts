// An MCP client connected to a real server over the SDK's in-memory transport, on a fresh
// database, plus helpers to read tool results and to prove that a refusal wrote nothing.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import pino from 'pino';
import { expect } from 'vitest';
import type { ApprovalPolicy, UniformApprovalPolicy } from '../../src/domain/approvalPolicy.js';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import { createMcpServer, type McpServerOptions, type MissionMcpServer } from '../../src/mcp/createMcpServer.js';
import type { McpActor } from '../../src/mcp/mcpTokens.js';
import { ERROR_META_KEY, type ToolErrorInfo } from '../../src/mcp/toolResults.js';
import { openTestDatabase, type Provider, type TestDatabase } from '../support/databases.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

export const silentLogger = pino({ level: 'silent' });

export interface Harness {
  db: TestDatabase;
  clock: TestClock;
  service: MissionService;
  client: Client;
  mcp: MissionMcpServer;
  /** Calls a tool and returns the raw result (never throws for tool errors). */
  call(name: string, args: Record<string, unknown>, options?: Parameters<Client['callTool']>[2]): Promise<CallToolResult>;
  /** Calls a tool that must succeed and returns its structured content. */
  ok<T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T>;
  /** Calls a tool that must be refused and returns the error. */
  refused(name: string, args: Record<string, unknown>): Promise<ToolErrorInfo & { text: string }>;
  close(): Promise<void>;
}

export async function openHarness(
  provider: Provider,
  options: { actor: McpActor; policy?: ApprovalPolicy | UniformApprovalPolicy; server?: Partial<McpServerOptions>; checkpoints?: boolean },
): Promise<Harness> {
  const db = await openTestDatabase(provider);
  const clock = new TestClock('2025-10-15T09:47:00.000Z');
  const service = new MissionService({
    repository: db.missions,
    clock,
    ids: sequentialIds(),
    drafter: deterministicBriefDrafter,
    ...(options.policy ? { approvalPolicy: options.policy } : {}),
    // Hash-chain checkpoints, as `start` wires them; off by default so a check reads the whole log.
    ...(options.checkpoints ? { checkpoints: db.chainCheckpoints } : {}),
  });
  const mcp = createMcpServer({
    service,
    logger: silentLogger,
    actor: options.actor,
    approvalWait: { pollIntervalMs: 50, progressIntervalMs: 50 },
    ...options.server,
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await mcp.connect(serverSide);
  const client = new Client({ name: 'mission-control-tests', version: '1.0.0' });
  await client.connect(clientSide);
  const call: Harness['call'] = async (name, args, requestOptions) =>
    (await client.callTool({ name, arguments: args }, undefined, requestOptions)) as CallToolResult;
  return {
    db,
    clock,
    service,
    client,
    mcp,
    call,
    async ok(name, args) {
      const result = await call(name, args);
      if (result.isError) throw new Error(`${name} was refused: ${textOf(result)}`);
      expect(result.content[0]).toMatchObject({ type: 'text' });
      return result.structuredContent as never;
    },
    async refused(name, args) {
      const result = await call(name, args);
      expect(result.isError, `${name} should have been refused but returned ${textOf(result)}`).toBe(true);
      const info = result._meta?.[ERROR_META_KEY] as ToolErrorInfo;
      expect(info.message).toBe(textOf(result));
      return { ...info, text: textOf(result) };
    },
    async close() {
      await client.close();
      await mcp.close();
      await db.destroy();
    },
  };
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** Version and event count of a mission: a refused call must leave both unchanged. */
export async function footprint(service: MissionService, missionId: string): Promise<{ version: number; events: number }> {
  const mission = await service.getMission({ missionId });
  return { version: mission.version, events: (await service.events({ missionId })).length };
}

/** Every mission's version and event count, for refusals that could have created one. */
export async function wholeFootprint(service: MissionService): Promise<string> {
  const page = await service.listMissions({ limit: 100 });
  const parts = await Promise.all(page.missions.map(async (m) => `${m.id}:${JSON.stringify(await footprint(service, m.id))}`));
  return parts.join(',');
}
