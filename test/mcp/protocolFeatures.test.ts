// What real clients notice beyond tools: log notifications with logging/setLevel, completions
// for mission ids, capabilities that match what stateless mode can deliver, error messages with
// the SDK's prefix once, and 401 answers that tell a missing token from a wrong one.
import { LoggingMessageNotificationSchema, type CallToolResult, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../../src/mcp/mcpTokens.js';
import { MISSION_LOGGER } from '../../src/mcp/missionLogging.js';
import { PROVIDERS } from '../support/databases.js';
import { SEED_INTENT } from '../support/seedMission.js';
import { ADVISOR, callOk, missionAwaitingApproval, OTHER_SECRET, startHttpHarness, until, type HttpHarness } from './httpHarness.js';
import { textOf } from './mcpHarness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness(provider: (typeof PROVIDERS)[number], options: Parameters<typeof startHttpHarness>[1] = {}): Promise<HttpHarness> {
  const h = await startHttpHarness(provider, options);
  cleanups.push(() => h.close());
  return h;
}

type LogData = { type: string; missionId: string; message: string };

describe.each(PROVIDERS)('MCP protocol features over Streamable HTTP on %s', (provider) => {
  it('sends the events of the missions a session works on as log notifications once it sets a level, at or above that level', async () => {
    const h = await harness(provider);
    const { client } = await h.connect();
    const { client: other } = await h.connect(OTHER_SECRET);
    expect(client.getServerCapabilities()).toMatchObject({ logging: {} });
    const logs: LoggingMessageNotification['params'][] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logs.push(n.params);
    });

    const otherLogs: unknown[] = [];
    other.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      otherLogs.push(n.params);
    });

    // Notifications start when the client sets a level.
    await client.setLoggingLevel('info');
    const missionId = await missionAwaitingApproval(client, h.app.missions);
    // Another assistant's mission is not this session's business.
    const { mission: foreign } = (await callOk(other, 'start_mission', { intent: 'Rotate the staging database credentials' })) as { mission: { id: string } };
    await until(() => logs.some((l) => (l.data as LogData).type === 'approval_requested'));
    const events = logs.map((l) => l.data as LogData);
    expect(logs.every((l) => l.logger === MISSION_LOGGER)).toBe(true);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['intent_submitted', 'mission_brief_locked', 'approval_requested']));
    expect(logs.find((l) => (l.data as LogData).type === 'approval_requested')!.level).toBe('notice');
    expect(events.every((e) => e.missionId === missionId)).toBe(true);
    expect(events.some((e) => e.missionId === foreign.id)).toBe(false);

    // From now on only warnings and worse: a person's rejection arrives, the notices before it do not.
    await client.setLoggingLevel('warning');
    logs.length = 0;
    await callOk(client, 'get_mission', { missionId });
    await h.app.missions.decideApproval({ missionId, decision: 'reject', reason: 'Split the migration into two plays' }, ADVISOR);
    await until(() => logs.length > 0);
    expect(logs.map((l) => [l.level, (l.data as LogData).type])).toEqual([['warning', 'approval_rejected']]);
    expect((logs[0]!.data as LogData).message).toContain(`approval_rejected on mission ${missionId}`);
    // The other session was sent nothing about its own mission until it set a level (one stream, in order).
    await callOk(other, 'update_brief', { missionId: foreign.id, lock: true });
    await other.setLoggingLevel('info');
    await callOk(other, 'select_toolkits', { missionId: foreign.id, toolkits: [{ toolkitId: 'github' }] });
    await until(() => otherLogs.length > 0);
    const otherTypes = otherLogs.map((l) => (l as { data: LogData }).data.type);
    expect(otherTypes).toContain('toolkit_selected');
    expect(otherTypes).not.toContain('intent_submitted');
    expect(otherTypes).not.toContain('mission_brief_locked');
  });

  it('completes mission ids for the mission:// templates and the run_mission prompt', async () => {
    const h = await harness(provider);
    const { client } = await h.connect();
    expect(client.getServerCapabilities()).toMatchObject({ completions: {} });
    const a = (await callOk(client, 'start_mission', { intent: SEED_INTENT })) as { mission: { id: string } };
    const b = (await callOk(client, 'start_mission', { intent: 'Rotate the staging database credentials' })) as { mission: { id: string } };

    for (const uri of ['mission://{missionId}', 'mission://{missionId}/plan.md', 'mission://{missionId}/events']) {
      const all = await client.complete({ ref: { type: 'ref/resource', uri }, argument: { name: 'missionId', value: '' } });
      expect(all.completion.values).toEqual(expect.arrayContaining([a.mission.id, b.mission.id]));
    }
    const prefix = b.mission.id.slice(0, -2);
    const byPrefix = await client.complete({ ref: { type: 'ref/resource', uri: 'mission://{missionId}' }, argument: { name: 'missionId', value: prefix } });
    expect(byPrefix.completion.values).toContain(b.mission.id);
    expect(byPrefix.completion.values.every((id) => id.startsWith(prefix))).toBe(true);
    const byTitle = await client.complete({ ref: { type: 'ref/prompt', name: 'run_mission' }, argument: { name: 'missionId', value: 'staging database' } });
    expect(byTitle.completion.values).toEqual([b.mission.id]);
  });

  it('shows the SDK error prefix once for a bad resource, an unknown resource, bad prompt arguments and an unknown tool', async () => {
    const h = await harness(provider);
    const { client } = await h.connect();
    const failures: string[] = [];
    for (const attempt of [
      () => client.readResource({ uri: 'mission://msn_does_not_exist' }),
      () => client.readResource({ uri: 'file:///etc/passwd' }),
      () => client.getPrompt({ name: 'draft_brief', arguments: {} }),
      () => client.getPrompt({ name: 'no_such_prompt' }),
    ]) {
      const error = await attempt().then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error).not.toBeNull();
      failures.push(error!.message);
    }
    for (const message of failures) {
      expect(message).toMatch(/^MCP error -326\d\d: /);
      expect(message.match(/MCP error/g)).toHaveLength(1);
    }
    expect(failures[0]).toContain('mission://msn_does_not_exist:');
    expect(failures[1]).toContain('Resource file:///etc/passwd not found');
    expect(failures[2]).toContain('Invalid arguments for prompt draft_brief');
    const unknownTool = (await client.callTool({ name: 'approve_play', arguments: {} })) as CallToolResult;
    expect(unknownTool.isError).toBe(true);
    expect(textOf(unknownTool).match(/MCP error/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(textOf(unknownTool)).toContain('Tool approve_play not found');
  });

  it('answers a missing token and a wrong or revoked one with different 401s, each with a Bearer challenge', async () => {
    const h = await harness(provider);
    const { secret: revoked } = await createToken(h.app.db.accessTokens, { name: 'old-laptop' });
    await h.app.db.accessTokens.revoke('old-laptop', new Date());
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    const post = (authorization?: string) =>
      fetch(h.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(initialize),
      });

    const missing = await post();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="mission-control"');
    const missingMessage = ((await missing.json()) as { error: { message: string } }).error.message;
    expect(missingMessage).toContain('no bearer token');

    const notBearer = await post(`Basic ${Buffer.from('x:y').toString('base64')}`);
    expect(notBearer.status).toBe(401);
    expect(notBearer.headers.get('www-authenticate')).toBe('Bearer realm="mission-control"');
    expect(((await notBearer.json()) as { error: { message: string } }).error.message).toContain('not a bearer token');

    for (const authorization of ['Bearer mc_wrong-token', `Bearer ${revoked}`]) {
      const wrong = await post(authorization);
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer realm="mission-control", error="invalid_token", error_description="[^"]+"$/);
      const message = ((await wrong.json()) as { error: { message: string } }).error.message;
      expect(message).toContain('not valid (unknown or revoked)');
      expect(message).not.toBe(missingMessage);
    }
    // None of them opened a session.
    expect(h.endpoint.sessionCount()).toBe(0);
  });
});

describe('stateless mode (MCP_HTTP_STATELESS)', () => {
  it('does not advertise resource subscriptions or logging it cannot deliver, and refuses a subscription', async () => {
    const h = await harness('sqlite', { stateless: true });
    const { client } = await h.connect();
    const capabilities = client.getServerCapabilities()!;
    expect(capabilities.resources?.subscribe).toBeUndefined();
    expect(capabilities.logging).toBeUndefined();
    expect(capabilities.completions).toEqual({});
    const { mission } = (await callOk(client, 'start_mission', { intent: SEED_INTENT })) as { mission: { id: string } };
    await expect(client.subscribeResource({ uri: `mission://${mission.id}` })).rejects.toThrow(/Method not found/);
    // Reading still works: the resource is there, only updates cannot be pushed.
    expect((await client.readResource({ uri: `mission://${mission.id}` })).contents).toHaveLength(1);
  });
});
