// An assistant's mission reaches people in Slack: the SDK's Client over Streamable HTTP with a
// token made `--on-behalf-of` a Slack user, against `start`'s HTTP server (MCP and the Slack app)
// with its Web API pointed at the fake; clicks are signed and shaped as Slack sends them from a DM.
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createHttpServer, listen } from '../../src/httpServer.js';
import { createToken, McpTokenAuthenticator } from '../../src/mcp/mcpTokens.js';
import { allowedHostsFor, createMcpHttpEndpoint } from '../../src/mcp/streamableHttp.js';
import { ACTION_IDS } from '../../src/slack/actionIds.js';
import { freshDatabaseUrl, PROVIDERS, type Provider } from '../support/databases.js';
import { FakeSlack, type StoredMessage } from '../support/fakeSlack.js';
import { BIN, burstPlay, ROOT } from '../support/systemHarness.js';

const SIGNING_SECRET = 'home-signing-secret-0123456789abcdef';
const logger = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** `mission-control start` in-process: MCP and the Slack app on one HTTP server, a token created as `token create --on-behalf-of` does. */
async function openServer(provider: Provider, env: Record<string, string>, onBehalfOf: string | undefined) {
  const fake = new FakeSlack();
  await fake.start();
  const database = freshDatabaseUrl(provider);
  const config = loadConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    SLACK_BOT_TOKEN: fake.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    SLACK_APPROVERS: 'U0ADVISOR,U0SECLEAD',
    ...env,
  });
  const app = await createApp(config, logger);
  const mcp = createMcpHttpEndpoint({
    service: app.missions,
    logger,
    authenticator: new McpTokenAuthenticator(app.db.accessTokens, config.MCP_TOKENS),
    readOnly: false,
    allowedHosts: allowedHostsFor('127.0.0.1', []),
    slackPresence: app.slackPresence,
  });
  const server: Server = createHttpServer(app, { ...mcp.routes, ...app.slack!.routes });
  const { port } = await listen(server, '127.0.0.1', 0);
  await app.slack!.start();
  app.startBackgroundWork();
  const token = await createToken(app.db.accessTokens, { name: 'claude-code-jordan', onBehalfOf });
  const client = new Client({ name: 'assistant', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token.secret}` } } }),
  );
  cleanups.push(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await mcp.close();
    await app.close();
    await fake.stop();
    await database.cleanup();
  });

  const ok = async <T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T & { text: string }> => {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    if (result.isError) throw new Error(`${name} was refused: ${text}`);
    return { ...(result.structuredContent as T), text };
  };

  /** A button click exactly as Slack sends it from a message in a DM, built from the message as the fake shows it. */
  const clickInDm = async (message: StoredMessage, actionId: string, userId: string) => {
    const blocks = message.blocks as Array<{
      type: string;
      block_id?: string;
      elements?: Array<{ type: string; action_id?: string; value?: string; text?: unknown; style?: string }>;
    }>;
    const found = blocks.flatMap((b) => (b.elements ?? []).map((e) => ({ block: b, element: e }))).find(({ element }) => element.action_id === actionId);
    if (!found) throw new Error(`no ${actionId} button on ${message.ts}`);
    const payload = {
      type: 'block_actions',
      user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: 'T0FAKE' },
      api_app_id: 'A0MISSION',
      token: 'legacy-verification-token',
      container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
      trigger_id: `trigger-${Date.now()}`,
      team: { id: 'T0FAKE', domain: 'fake' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: message.channel, name: 'directmessage' },
      message: {
        type: 'message',
        subtype: 'bot_message',
        user: 'U0BOT',
        bot_id: 'B0BOT',
        app_id: 'A0MISSION',
        ts: message.ts,
        text: message.text,
        team: 'T0FAKE',
        blocks: message.blocks,
      },
      state: { values: {} },
      response_url: fake.responseUrl(`dm-${userId}`),
      actions: [
        {
          type: found.element.type,
          action_id: actionId,
          block_id: found.block.block_id,
          text: found.element.text,
          value: found.element.value,
          ...(found.element.style ? { style: found.element.style } : {}),
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    };
    return sendInteraction(payload);
  };

  /** A modal submission as Slack sends it (view_submission), signed. */
  const submitView = (view: Record<string, unknown>, values: Record<string, Record<string, unknown>>, userId: string) =>
    sendInteraction({
      type: 'view_submission',
      team: { id: 'T0FAKE', domain: 'fake' },
      user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: 'T0FAKE' },
      api_app_id: 'A0MISSION',
      token: 'legacy-verification-token',
      trigger_id: `trigger-${Date.now()}`,
      view: { id: 'V0VIEW', team_id: 'T0FAKE', type: 'modal', ...view, state: { values }, hash: 'h', app_id: 'A0MISSION', bot_id: 'B0BOT' },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    });

  const sendInteraction = async (payload: unknown) => {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature },
      body,
    });
    return res.status;
  };

  /** Drives a mission to an open approval request on a low-risk play (one approval needed). */
  const toApprovalRequest = async (missionId: string) => {
    await ok('update_brief', { missionId, lock: true });
    await ok('select_toolkits', {
      missionId,
      toolkits: [{ toolkitId: 'github' }],
      coverage: [{ toolkitId: 'github', status: 'ready', summary: 'Repository inspected read-only' }],
    });
    await app.missions.acceptReportedCoverage({ missionId }, { kind: 'slack_user', id: 'U0JORDAN' });
    await ok('select_toolkits', { missionId });
    const proposed = await ok<{ proposed: string[] }>('propose_plays', { missionId, plays: [burstPlay(1, 2)] });
    return ok<{ status: string; approval: { id: string; eligibleApprovers: string[] }; postedTo: PostedTo }>('request_approval', {
      missionId,
      playId: proposed.proposed[0],
    });
  };

  return { fake, app, ok, clickInDm, submitView, toApprovalRequest, databaseUrl: database.url };
}

interface PostedTo {
  channelId: string | null;
  threadTs: string | null;
  home: string;
  messageTs: string | null;
  permalink: string | null;
  approvers: Array<{ userId: string; status: string; channelId: string | null; messageTs: string | null; error: string | null }>;
  note: string;
}

const hasButtons = (m: StoredMessage) => JSON.stringify(m.blocks).includes('"action_id"');

describe.each(PROVIDERS)('assistant-started missions reach approvers in Slack (%s)', (provider) => {
  it('posts in SLACK_DEFAULT_CHANNEL, DMs each approver, and a click in the DM approves and updates every copy', async () => {
    const { fake, ok, clickInDm, toApprovalRequest } = await openServer(provider, { SLACK_DEFAULT_CHANNEL: 'C0DEFAULT' }, 'U0JORDAN');
    const started = await ok<{ mission: { id: string }; slackHome: Record<string, unknown> }>('start_mission', {
      intent: 'Speed up the report refresh path behind a flag',
    });
    expect(started.slackHome).toMatchObject({ kind: 'channel', channelId: 'C0DEFAULT', userId: null });
    expect(started.text).toContain('C0DEFAULT');
    const missionId = started.mission.id;
    const card = await eventually(() => {
      const found = [...fake.messages.values()].find((m) => m.channel === 'C0DEFAULT' && m.threadTs === null);
      expect(found).toBeDefined();
      return found!;
    });

    const requested = await toApprovalRequest(missionId);
    expect(requested.status).toBe('pending');
    expect(requested.approval.eligibleApprovers).toEqual(['U0ADVISOR', 'U0SECLEAD']);
    const { postedTo } = requested;
    // Where it says it posted is where the messages are.
    expect(postedTo).toMatchObject({ home: 'channel', channelId: 'C0DEFAULT', threadTs: card.ts });
    const inThread = fake.messages.get(postedTo.messageTs!)!;
    expect(inThread).toMatchObject({ channel: 'C0DEFAULT', threadTs: card.ts });
    expect(inThread.text).toMatch(/^Approval needed/);
    expect(postedTo.permalink).toBe(`https://fake.slack.com/archives/C0DEFAULT/p${postedTo.messageTs!.replace('.', '')}?thread_ts=${card.ts}&cid=C0DEFAULT`);
    expect(postedTo.approvers.map((a) => ({ userId: a.userId, status: a.status, channelId: a.channelId }))).toEqual([
      { userId: 'U0ADVISOR', status: 'sent', channelId: 'D0ADVISOR' },
      { userId: 'U0SECLEAD', status: 'sent', channelId: 'D0SECLEAD' },
    ]);
    expect(postedTo.note).toContain('Sent directly to 2 of 2 approvers');
    const dms = postedTo.approvers.map((a) => fake.messages.get(a.messageTs!)!);
    for (const dm of dms) {
      expect(dm.threadTs).toBeNull();
      expect(dm.text).toMatch(/^Your approval is requested/);
      expect(JSON.stringify(dm.blocks)).toContain('<#C0DEFAULT>');
      expect(hasButtons(dm)).toBe(true);
    }

    // The advisor approves from the DM.
    expect(await clickInDm(dms[0]!, ACTION_IDS.approvalApprove, 'U0ADVISOR')).toBe(200);
    await eventually(async () => {
      const mission = await ok<{ state: string }>('get_mission', { missionId });
      expect(mission.state).toBe('executing');
    });
    // Every copy shows the outcome and no button is left to click.
    await eventually(() => {
      for (const shown of [fake.messages.get(dms[0]!.ts)!, fake.messages.get(dms[1]!.ts)!, fake.messages.get(inThread.ts)!]) {
        expect(hasButtons(shown)).toBe(false);
        expect(JSON.stringify(shown.blocks)).toContain('*Approved* by <@U0ADVISOR>');
      }
    });
    // Exactly one DM per approver, and nothing told the clicker they were refused.
    expect(fake.callsTo('chat.postMessage').filter((c) => String(c.args.channel).startsWith('D'))).toHaveLength(2);
    expect(fake.callsTo('response_url')).toEqual([]);
  });

  it("rejects from an approver's DM through the same modal, and refuses a person the policy does not name", async () => {
    const { fake, ok, clickInDm, submitView, toApprovalRequest } = await openServer(provider, {}, 'U0JORDAN');
    const started = await ok<{ mission: { id: string } }>('start_mission', { intent: 'Speed up the report refresh path behind a flag' });
    const missionId = started.mission.id;
    const { postedTo } = await toApprovalRequest(missionId);
    // Jordan sees the request in his DM thread, but he is not an approver: told why, nothing changes.
    const inHisThread = fake.messages.get(postedTo.messageTs!)!;
    expect(inHisThread.channel).toBe('D0JORDAN');
    expect(await clickInDm(inHisThread, ACTION_IDS.approvalApprove, 'U0JORDAN')).toBe(200);
    const refusal = await eventually(() => {
      const answer = fake.callsTo('response_url').find((c) => c.args.id === 'dm-U0JORDAN');
      expect(answer).toBeDefined();
      return answer!;
    });
    expect(String(refusal.args.text)).toContain('You are not an approver for this mission');
    expect((await ok<{ state: string }>('get_mission', { missionId })).state).toBe('awaiting_approval');

    const secLeadDm = fake.messages.get(postedTo.approvers.find((a) => a.userId === 'U0SECLEAD')!.messageTs!)!;
    const views = fake.views.length;
    expect(await clickInDm(secLeadDm, ACTION_IDS.approvalReject, 'U0SECLEAD')).toBe(200);
    const modal = await eventually(() => {
      const opened = fake.views.slice(views).find((v) => v.method === 'views.open');
      expect(opened).toBeDefined();
      return opened!.view;
    });
    expect(await submitView(modal, { reason: { reason: { type: 'plain_text_input', value: 'Needs a load test first' } } }, 'U0SECLEAD')).toBe(200);
    await eventually(async () => expect((await ok<{ state: string }>('get_mission', { missionId })).state).toBe('planning'));
    await eventually(() => {
      for (const approver of postedTo.approvers) {
        const shown = fake.messages.get(approver.messageTs!)!;
        expect(hasButtons(shown)).toBe(false);
        expect(JSON.stringify(shown.blocks)).toContain('*Rejected* by <@U0SECLEAD>');
        expect(JSON.stringify(shown.blocks)).toContain('Needs a load test first');
      }
    });
  });

  it('over stdio (MCP_ON_BEHALF_OF), the mission and its approval request are delivered by the server sharing the database', async () => {
    const { fake, databaseUrl, app } = await openServer(provider, {}, 'U0JORDAN');
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env))
      if (value !== undefined && !/^(SLACK_|GITHUB_|LINEAR_|DATABASE_URL|PORT|HOST|MCP_|APPROVAL)/.test(key)) env[key] = value;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp'],
      cwd: ROOT,
      stderr: 'pipe',
      env: {
        ...env,
        LOG_LEVEL: 'warn',
        DATABASE_URL: databaseUrl,
        SLACK_BOT_TOKEN: fake.token,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        SLACK_APPROVERS: 'U0ADVISOR,U0SECLEAD',
        MCP_ACTOR_NAME: 'claude-code-local',
        MCP_ON_BEHALF_OF: 'U0JORDAN',
      },
    });
    const client = new Client({ name: 'stdio-assistant', version: '1.0.0' });
    await client.connect(transport);
    cleanups.push(() => client.close());
    const call = async <T>(name: string, args: Record<string, unknown>) => {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      if (result.isError) throw new Error(`${name} was refused: ${JSON.stringify(result.content)}`);
      return result.structuredContent as T;
    };
    const started = await call<{ mission: { id: string }; slackHome: Record<string, unknown> }>('start_mission', {
      intent: 'Speed up the report refresh path behind a flag',
    });
    expect(started.slackHome).toMatchObject({ kind: 'direct_message', userId: 'U0JORDAN' });
    const missionId = started.mission.id;
    await call('update_brief', { missionId, lock: true });
    await call('select_toolkits', {
      missionId,
      toolkits: [{ toolkitId: 'github' }],
      coverage: [{ toolkitId: 'github', status: 'ready', summary: 'Repository inspected read-only' }],
    });
    await app.missions.acceptReportedCoverage({ missionId }, { kind: 'slack_user', id: 'U0JORDAN' });
    await call('select_toolkits', { missionId });
    const proposed = await call<{ proposed: string[] }>('propose_plays', { missionId, plays: [burstPlay(1, 2)] });
    const requested = await call<{ postedTo: PostedTo }>('request_approval', { missionId, playId: proposed.proposed[0] });
    expect(requested.postedTo.home).toBe('direct_message');
    expect(requested.postedTo.approvers.map((a) => a.userId)).toEqual(['U0ADVISOR', 'U0SECLEAD']);
    // The stdio process delivers nothing itself; the server's feed worker does, once per approver.
    await eventually(() => {
      const dms = [...fake.messages.values()].filter((m) => m.channel === 'D0ADVISOR' || m.channel === 'D0SECLEAD');
      expect(dms.map((m) => m.channel).sort()).toEqual(['D0ADVISOR', 'D0SECLEAD']);
      expect([...fake.messages.values()].filter((m) => m.channel === 'D0JORDAN' && m.text.startsWith('Approval needed'))).toHaveLength(1);
    });
  });

  it('without SLACK_DEFAULT_CHANNEL, the mission lives in a DM with the person the token acts for', async () => {
    const { fake, ok, toApprovalRequest } = await openServer(provider, {}, 'U0JORDAN');
    const started = await ok<{ mission: { id: string }; slackHome: Record<string, unknown> }>('start_mission', {
      intent: 'Speed up the report refresh path behind a flag',
    });
    expect(started.slackHome).toMatchObject({ kind: 'direct_message', userId: 'U0JORDAN' });
    const requested = await toApprovalRequest(started.mission.id);
    expect(requested.postedTo).toMatchObject({ home: 'direct_message', channelId: 'D0JORDAN' });
    const card = [...fake.messages.values()].find((m) => m.channel === 'D0JORDAN' && m.threadTs === null)!;
    expect(requested.postedTo.threadTs).toBe(card.ts);
    expect(fake.messages.get(requested.postedTo.messageTs!)).toMatchObject({ channel: 'D0JORDAN', threadTs: card.ts });
    expect(fake.callsTo('conversations.open').map((c) => c.args.users)).toEqual(expect.arrayContaining(['U0JORDAN', 'U0ADVISOR', 'U0SECLEAD']));
    expect(requested.postedTo.approvers.map((a) => a.status)).toEqual(['sent', 'sent']);
  });

  it('with no user behind the token and no default channel, says the mission has no thread and still DMs the approvers', async () => {
    const { fake, ok, toApprovalRequest } = await openServer(provider, {}, undefined);
    const started = await ok<{ mission: { id: string }; slackHome: { kind: string; note: string } }>('start_mission', {
      intent: 'Speed up the report refresh path behind a flag',
    });
    expect(started.slackHome.kind).toBe('none');
    expect(started.slackHome.note).toContain('SLACK_DEFAULT_CHANNEL');
    expect(started.slackHome.note).toContain('--on-behalf-of');
    expect(started.text).toContain('no thread in Slack');
    const requested = await toApprovalRequest(started.mission.id);
    expect(requested.postedTo).toMatchObject({ home: 'none', channelId: null, messageTs: null });
    expect(requested.postedTo.approvers.map((a) => `${a.userId}:${a.status}`)).toEqual(['U0ADVISOR:sent', 'U0SECLEAD:sent']);
    expect(requested.text).toContain('Sent directly to 2 of 2 approvers');
    const dm = fake.messages.get(requested.postedTo.approvers[0]!.messageTs!)!;
    expect(JSON.stringify(dm.blocks)).toContain('no Slack thread');
    expect([...fake.messages.values()].filter((m) => !m.channel.startsWith('D0ADVISOR') && !m.channel.startsWith('D0SECLEAD'))).toEqual([]);
  });
});

describe('SLACK_DEFAULT_CHANNEL', () => {
  it('must be a channel id; a #name or a user id is refused naming the variable, and empty means unset', () => {
    expect(() => loadConfig({ SLACK_DEFAULT_CHANNEL: '#missions' })).toThrow(
      /Invalid environment: SLACK_DEFAULT_CHANNEL: SLACK_DEFAULT_CHANNEL must be a channel id such as C012ABCDEF, not a #name/,
    );
    expect(() => loadConfig({ SLACK_DEFAULT_CHANNEL: 'U0JORDAN' })).toThrow(/SLACK_DEFAULT_CHANNEL must be a channel id/);
    expect(loadConfig({ SLACK_DEFAULT_CHANNEL: ' C0DEFAULT ' }).SLACK_DEFAULT_CHANNEL).toBe('C0DEFAULT');
    expect(loadConfig({ SLACK_DEFAULT_CHANNEL: '' }).SLACK_DEFAULT_CHANNEL).toBeUndefined();
  });
});
