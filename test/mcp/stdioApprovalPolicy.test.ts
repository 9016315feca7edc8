// The approval policy over `mission-control mcp` (stdio), as a local assistant runs it: a
// default install's request waits and says how to name approvers, and the policy stored in
// the database (by `mission-control approvers`) is the one applied, whatever the stdio
// process's own environment says.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import { randomIds, systemClock } from '../../src/domain/runtime.js';
import { openDatabase } from '../../src/storage/database.js';
import { freshDatabaseUrl, PROVIDERS } from '../support/databases.js';
import { cleanEnv } from '../support/processes.js';
import { SEED_PLAY_1 } from '../support/seedJourney.js';
import { SEED_INTENT } from '../support/seedMission.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'mission-control.js');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Approval {
  status: string;
  riskLevel: string;
  required: number;
  eligibleApprovers: string[];
  eligibleGroups: string[];
}

async function stdioClient(env: Record<string, string>): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, 'mcp'],
    env: cleanEnv({ MCP_ACTOR_NAME: 'claude-code-local', MCP_ON_BEHALF_OF: 'U0JORDAN', ...env }) as Record<string, string>,
    stderr: 'pipe',
    cwd: root,
  });
  const client = new Client({ name: 'stdio-policy-test', version: '1.0.0' });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return client;
}

async function ok<T>(client: Client, name: string, args: Record<string, unknown>): Promise<T> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
  return result.structuredContent as T;
}

/** An assistant's mission up to its request for approval of a critical-risk play. */
async function requestCriticalApproval(client: Client, databaseUrl: string): Promise<{ id: string; approval: Approval; status: string }> {
  const { mission } = await ok<{ mission: { id: string } }>(client, 'start_mission', { intent: SEED_INTENT });
  await ok(client, 'update_brief', { missionId: mission.id, edits: [], lock: true });
  await ok(client, 'select_toolkits', {
    missionId: mission.id,
    toolkits: [{ toolkitId: 'github' }],
    coverage: [{ toolkitId: 'github', status: 'ready', summary: '23 auth files, 127 tests, 82% coverage' }],
  });
  // Jordan accepts the assistant's coverage report through the shared database, as Slack's button would.
  const db = await openDatabase(databaseUrl, { migrate: false });
  cleanups.push(() => db.close());
  const people = new MissionService({ repository: db.missions, clock: systemClock, ids: randomIds, drafter: deterministicBriefDrafter });
  await people.acceptReportedCoverage({ missionId: mission.id }, { kind: 'slack_user', id: 'U0JORDAN' });
  await ok(client, 'select_toolkits', { missionId: mission.id });
  const proposed = await ok<{ proposed: string[] }>(client, 'propose_plays', { missionId: mission.id, plays: [SEED_PLAY_1] });
  const requested = await ok<{ status: string; approval: Approval }>(client, 'request_approval', { missionId: mission.id, playId: proposed.proposed[0] });
  return { id: mission.id, ...requested };
}

describe.each(PROVIDERS)('the approval policy over stdio on %s', (provider) => {
  function database(): string {
    const { url, cleanup } = freshDatabaseUrl(provider);
    cleanups.push(cleanup);
    return url;
  }

  it('a default install accepts the request, waits, and get_mission says how to name approvers', async () => {
    const url = database();
    const client = await stdioClient({ DATABASE_URL: url });
    const { id, status, approval } = await requestCriticalApproval(client, url);
    expect(status).toBe('pending');
    expect(approval).toMatchObject({ status: 'requested', riskLevel: 'critical', required: 2, eligibleApprovers: [], eligibleGroups: [] });

    const view = await ok<{ state: string; approval: Approval; next: { waitingFor: string } }>(client, 'get_mission', { missionId: id });
    expect(view.state).toBe('awaiting_approval');
    expect(view.next.waitingFor).toContain(
      'none is configured for critical risk: an admin names them with `mission-control approvers add --risk critical <Slack user id U… or user group id S…>`',
    );
    expect(view.next.waitingFor).not.toMatch(/<@|SLACK_APPROVERS/);
  });

  it('applies the policy stored in the database, not the stdio process environment', async () => {
    const url = database();
    const admin = spawnSync(process.execPath, [bin, 'approvers', 'add', '--risk', 'critical', '--required', '1', 'U0STORED', 'S0SECLEADS'], {
      env: cleanEnv({ DATABASE_URL: url }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(admin.status, admin.stderr).toBe(0);

    // This process's variables describe another policy; they only seed a database that has none.
    const client = await stdioClient({ DATABASE_URL: url, SLACK_APPROVERS: 'U0ENVONLY', APPROVALS_REQUIRED: 'critical:3' });
    const { approval } = await requestCriticalApproval(client, url);
    expect(approval).toMatchObject({ required: 1, eligibleApprovers: ['U0STORED'], eligibleGroups: ['S0SECLEADS'] });
  });
});
