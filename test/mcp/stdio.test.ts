// `mission-control mcp` as a local assistant runs it: the SDK's stdio client spawns the CLI.
// Only protocol on stdout (any stray line would break the client), logs on stderr.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_INTENT } from '../support/seedMission.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'mission-control.js');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(SLACK_|GITHUB_|LINEAR_|DATABASE_URL|PORT|HOST|MCP_)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

async function spawnClient(args: string[], env: Record<string, string>): Promise<{ client: Client; stderr: () => string; protocolErrors: Error[] }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp', ...args], env, stderr: 'pipe', cwd: root });
  let stderr = '';
  transport.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  const protocolErrors: Error[] = [];
  client.onerror = (error) => protocolErrors.push(error);
  await client.connect(transport);
  cleanups.push(() => client.close());
  return { client, stderr: () => stderr, protocolErrors };
}

function tempDatabase(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mc-stdio-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return `file:${path.join(dir, 'missions.db')}`;
}

describe('mission-control mcp (stdio)', () => {
  it('serves the tools over stdio as the configured actor, logging only to stderr', async () => {
    const { client, stderr, protocolErrors } = await spawnClient(
      [],
      cleanEnv({ DATABASE_URL: tempDatabase(), MCP_ACTOR_NAME: 'claude-code-local', MCP_ON_BEHALF_OF: 'U0JORDAN' }),
    );
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(18);
    const started = (await client.callTool({ name: 'start_mission', arguments: { intent: SEED_INTENT } })) as CallToolResult;
    expect(started.isError).toBeFalsy();
    const id = (started.structuredContent as { mission: { id: string; requester: unknown } }).mission.id;
    expect((started.structuredContent as { mission: { requester: unknown } }).mission.requester).toEqual({
      kind: 'mcp_token',
      id: 'claude-code-local',
      onBehalfOf: 'U0JORDAN',
    });

    const refused = (await client.callTool({ name: 'update_brief', arguments: { missionId: id, edits: [{ kind: 'kpis', items: [] }] } })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect((refused.content[0] as { text: string }).text).toContain('edits[0].items');
    // Still serving after the refusal.
    const read = await client.readResource({ uri: `mission://${id}/events` });
    const log = JSON.parse((read.contents[0] as { text: string }).text) as { verification: { ok: boolean }; events: Array<{ actor: { id: string } }> };
    expect(log.verification.ok).toBe(true);
    expect(log.events.every((e) => e.actor.id === 'claude-code-local')).toBe(true);

    expect(protocolErrors).toEqual([]);
    const lines = stderr().split('\n').filter(Boolean);
    expect(lines.some((l) => l.includes('MCP server ready on stdio'))).toBe(true);
    expect(lines.every((l) => l.startsWith('{'))).toBe(true);
  });

  it('registers only the read-only tools with --read-only or MCP_READ_ONLY=true', async () => {
    const url = tempDatabase();
    const flag = await spawnClient(['--read-only'], cleanEnv({ DATABASE_URL: url }));
    expect((await flag.client.listTools()).tools.map((t) => t.name).sort()).toEqual(['get_mission', 'list_missions', 'search_library', 'verify_event_log']);
    const env = await spawnClient([], cleanEnv({ DATABASE_URL: url, MCP_READ_ONLY: 'true' }));
    expect((await env.client.listTools()).tools).toHaveLength(4);
  });
});
