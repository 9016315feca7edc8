// What models see in tools/list, read with the SDK's own Client over Streamable HTTP from a
// started server: a committed snapshot (every change to names, descriptions, hints or schemas
// shows up in review; `npx vitest run test/mcp/toolList.test.ts -u` regenerates it), the rules Claude Code and the
// Anthropic API need (a plain strict object at the top of every input schema, every property
// described), and calls showing that an unknown key or a wrong type is refused by name and
// writes nothing.
import type { Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createHttpServer, listen } from '../../src/httpServer.js';
import { McpTokenAuthenticator } from '../../src/mcp/mcpTokens.js';
import { allowedHostsFor, createMcpHttpEndpoint, type McpHttpEndpoint } from '../../src/mcp/streamableHttp.js';
import { FULL_NAME, GITHUB_API } from '../connectors/fakeGitHub.js';
import { freshDatabaseUrl, PROVIDERS } from '../support/databases.js';
import { SEED_PLAY_1 } from '../support/seedJourney.js';
import { SEED_INTENT } from '../support/seedMission.js';
import { silentLogger, textOf } from './mcpHarness.js';

const SECRET = 'tool-list-secret-0123456789abcdef';

type JsonSchema = {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema | JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

/** Every property, at any depth, with its path: inside objects, list items, record values and alternatives. */
function propertiesOf(schema: JsonSchema, path = ''): Array<{ path: string; schema: JsonSchema }> {
  const found: Array<{ path: string; schema: JsonSchema }> = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    found.push({ path: `${path}${name}`, schema: property }, ...propertiesOf(property, `${path}${name}.`));
  }
  const items = Array.isArray(schema.items) ? schema.items : schema.items ? [schema.items] : [];
  for (const item of items) found.push(...propertiesOf(item, `${path.replace(/\.$/, '')}[].`));
  if (typeof schema.additionalProperties === 'object') found.push(...propertiesOf(schema.additionalProperties, `${path}*.`));
  for (const alternative of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) found.push(...propertiesOf(alternative, path));
  return found;
}

/** Every object schema with named properties, at any depth (the top one included). */
function objectsOf(schema: JsonSchema, path = '(top)'): Array<{ path: string; schema: JsonSchema }> {
  const own = schema.properties ? [{ path, schema }] : [];
  return [...own, ...propertiesOf(schema).flatMap((p) => (p.schema.properties ? [{ path: p.path, schema: p.schema }] : []))];
}

describe.each(PROVIDERS)('tools/list as models see it, on %s', (provider) => {
  let app: App;
  let endpoint: McpHttpEndpoint;
  let server: Server;
  let client: Client;
  let tools: Tool[];
  let cleanupDatabase: () => Promise<void>;

  beforeAll(async () => {
    const database = freshDatabaseUrl(provider);
    cleanupDatabase = database.cleanup;
    // GitHub configured (never called here) so link_pull_request is listed too.
    const config = loadConfig({
      DATABASE_URL: database.url,
      SLACK_APPROVERS: 'U0ADVISOR',
      APPROVALS_REQUIRED: 'critical:1',
      MCP_TOKENS: `claude-code-jordan:${SECRET}:U0JORDAN`,
      GITHUB_TOKEN: 'ghp_tool_list_test',
      GITHUB_API_URL: GITHUB_API,
      GITHUB_REPOSITORY: FULL_NAME,
    });
    app = await createApp(config, silentLogger);
    endpoint = createMcpHttpEndpoint({
      service: app.missions,
      logger: silentLogger,
      authenticator: new McpTokenAuthenticator(app.db.accessTokens, config.MCP_TOKENS),
      readOnly: false,
      allowedHosts: allowedHostsFor('127.0.0.1', []),
      pullRequests: app.connectors.pullRequests,
    });
    server = createHttpServer(app, endpoint.routes);
    const { port } = await listen(server, '127.0.0.1', 0);
    client = new Client({ name: 'tool-list-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers: { authorization: `Bearer ${SECRET}` } } }),
    );
    tools = (await client.listTools()).tools;
  });

  afterAll(async () => {
    await client?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await endpoint?.close();
    await app?.close();
    await cleanupDatabase?.();
  });

  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;
  const ok = async <T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T> => {
    const result = await call(name, args);
    if (result.isError) throw new Error(`${name} was refused: ${textOf(result)}`);
    return result.structuredContent as T;
  };
  const refused = async (name: string, args: Record<string, unknown>): Promise<string> => {
    const result = await call(name, args);
    expect(result.isError, `${name} should have been refused: ${textOf(result)}`).toBe(true);
    return textOf(result);
  };

  it('matches the committed snapshot of names, titles, descriptions, hints and schemas', async () => {
    const listed = [...tools]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((t) => ({
        name: t.name,
        title: t.title,
        description: t.description,
        annotations: t.annotations,
        inputSchema: t.inputSchema,
        outputSchema: t.outputSchema,
      }));
    expect(listed.map((t) => t.name)).toContain('link_pull_request');
    await expect(`${JSON.stringify(listed, null, 2)}\n`).toMatchFileSnapshot('../fixtures/mcp/tools-list.json');
  });

  it('lists every input schema as a plain strict object: no combinator at the top, every property described, no unknown keys allowed', () => {
    expect(tools.length).toBeGreaterThanOrEqual(16);
    for (const tool of tools) {
      const input = tool.inputSchema as JsonSchema & Record<string, unknown>;
      expect(input.type, tool.name).toBe('object');
      expect(input.properties, tool.name).toBeTypeOf('object');
      for (const combinator of ['oneOf', 'anyOf', 'allOf', 'not']) expect(input, `${tool.name} has ${combinator} at the top`).not.toHaveProperty(combinator);
      for (const property of propertiesOf(input)) {
        expect(property.schema.description?.trim().length ?? 0, `${tool.name}: ${property.path} has no description`).toBeGreaterThan(10);
      }
      for (const object of objectsOf(input)) expect(object.schema.additionalProperties, `${tool.name}: ${object.path} allows unknown keys`).toBe(false);
    }
    // report_progress's kinds are an enum, and each field says which kinds use it.
    const report = tools.find((t) => t.name === 'report_progress')!.inputSchema as JsonSchema & { required: string[] };
    expect(report.required).toEqual(['kind', 'missionId']);
    expect(report.properties!.durationMs!.description).toMatch(/^step_completed \(required\)/);
    expect(report.properties!.reason!.description).toMatch(/^phase_failed \(required\), deviation \(required\)/);
  });

  it('marks the tools that replace something or cannot be undone as destructive, and only reads as read-only', () => {
    const hints = Object.fromEntries(tools.map((t) => [t.name, t.annotations]));
    for (const name of ['update_brief', 'select_toolkits', 'complete_mission', 'request_rollback', 'submit_retrospective'])
      expect(hints[name]?.destructiveHint, name).toBe(true);
    for (const name of ['start_mission', 'propose_plays', 'request_approval', 'report_progress', 'attach_evidence', 'link_pull_request', 'add_follow_up']) {
      expect(hints[name]?.destructiveHint, name).toBe(false);
      expect(hints[name]?.readOnlyHint, name).toBe(false);
      expect(hints[name]?.idempotentHint, name).toBe(false);
    }
    for (const name of ['list_missions', 'get_mission', 'search_library', 'verify_event_log', 'wait_for_approval'])
      expect(hints[name], name).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
  });

  it('refuses an unknown key by name, with the closest known one, and writes nothing', async () => {
    const { mission } = await ok<{ mission: { id: string } }>('start_mission', { intent: SEED_INTENT, channelId: 'C0MISSIONS' });
    const missionId = mission.id;
    const before = await ok('get_mission', { missionId });
    // Without strict schemas the typo would be dropped and the brief locked anyway.
    const typo = await refused('update_brief', { missionId, lock: true, edtis: [{ kind: 'timeline', items: ['By Friday'] }] });
    expect(typo).toBe('update_brief: unknown field "edtis"; did you mean "edits"? Known fields: missionId, reopen, edits, remove, lock.');
    const nested = await refused('update_brief', { missionId, edits: [{ kind: 'timeline', item: ['By Friday'] }] });
    expect(nested).toContain('unknown field "edits[0].item"; did you mean "items"?');
    expect(nested).toContain('edits[0].items is required');
    expect(await ok('get_mission', { missionId })).toEqual(before);
  });

  it('names the field, the kind and what it got when report_progress is refused, and writes nothing', async () => {
    const { mission } = await ok<{ mission: { id: string } }>('start_mission', { intent: SEED_INTENT, channelId: 'C0MISSIONS' });
    const missionId = mission.id;
    await ok('update_brief', { missionId, lock: true });
    await ok('select_toolkits', {
      missionId,
      toolkits: [{ toolkitId: 'github' }],
      coverage: [{ toolkitId: 'github', status: 'ready', summary: 'Read the repository and its CI config' }],
    });
    // No connector inspects here: a person accepts the assistant's report, as Slack's button would.
    await app.missions.acceptReportedCoverage({ missionId }, { kind: 'slack_user', id: 'U0JORDAN' });
    await ok('select_toolkits', { missionId });
    const { proposed } = await ok<{ proposed: string[] }>('propose_plays', { missionId, plays: [SEED_PLAY_1] });
    expect((await ok('request_approval', { missionId, playId: proposed[0] })).status).toBe('pending');
    // The approver decides in Slack; here the person acts through the service, as the Slack handler would.
    await app.missions.decideApproval({ missionId, decision: 'approve' }, { kind: 'slack_user', id: 'U0ADVISOR' });
    await ok('report_progress', { missionId, kind: 'phase_started', phaseId: 'jwt_refresh_fix' });
    const before = await ok('get_mission', { missionId });

    expect(await refused('report_progress', { missionId, kind: 'step_completed', phaseID: 'jwt_refresh_fix', stepId: 'write_tests', durationMs: 1200 })).toBe(
      'report_progress (kind step_completed): unknown field "phaseID"; did you mean "phaseId"? Known fields: kind, missionId, phaseId, stepId, title, durationMs, counts, commit, deviation, total, passing, failing, coverage, suite, type, severity, description, reason, rule, model, inputTokens, outputTokens, costUsd; phaseId is required.',
    );
    expect(await refused('report_progress', { missionId, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId: 'write_tests', durationMs: '1200' })).toBe(
      'report_progress (kind step_completed): durationMs must be a number, got a string ("1200").',
    );
    expect(await refused('report_progress', { missionId, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId: 'write_tests' })).toBe(
      'report_progress (kind step_completed): durationMs is required (milliseconds the step took).',
    );
    expect(await refused('report_progress', { missionId, kind: 'phase_completed', phaseId: 'jwt_refresh_fix', total: 12, passing: 12 })).toBe(
      'report_progress (kind phase_completed): total is not used when kind is phase_completed (total belongs to test_run): leave it out, or report the kind it belongs to; passing is not used when kind is phase_completed (passing belongs to test_run): leave it out, or report the kind it belongs to.',
    );
    expect(
      await refused('report_progress', {
        missionId,
        kind: 'deviation',
        phaseId: 'jwt_refresh_fix',
        rule: '4',
        description: 'Split the store',
        reason: 'Redis is shared',
      }),
    ).toContain('rule must be 1 (bug fix), 2 (missing critical piece), 3 (blocker) or 4 (architectural change), got "4"');
    // A usage report names no phase and no test counts; a test run has no tokens.
    expect(
      await refused('report_progress', {
        missionId,
        kind: 'usage',
        phaseId: 'jwt_refresh_fix',
        model: 'claude-sonnet-4-5',
        inputTokens: 1000,
        outputTokens: 200,
      }),
    ).toBe(
      'report_progress (kind usage): phaseId is not used when kind is usage (phaseId belongs to phase_started, phase_completed, phase_failed, step_completed, test_run, validator_alert, deviation): leave it out, or report the kind it belongs to.',
    );
    expect(await refused('report_progress', { missionId, kind: 'test_run', phaseId: 'jwt_refresh_fix', total: 12, passing: 12, inputTokens: 1000 })).toBe(
      'report_progress (kind test_run): inputTokens is not used when kind is test_run (inputTokens belongs to usage): leave it out, or report the kind it belongs to.',
    );
    expect(await refused('report_progress', { missionId, kind: 'usage', model: 'claude-sonnet-4-5', outputTokens: 200 })).toContain('inputTokens');
    expect(await refused('add_follow_up', { missionId, title: 42 })).toBe('add_follow_up: title must be a string, got a number.');
    expect(await ok('get_mission', { missionId })).toEqual(before);
    // The same report with the right names is accepted.
    const accepted = await ok<{ phase: { status: string } }>('report_progress', {
      missionId,
      kind: 'step_completed',
      phaseId: 'jwt_refresh_fix',
      stepId: 'write_tests',
      durationMs: 1200,
    });
    expect(accepted.phase.status).toBe('running');
  });
});
