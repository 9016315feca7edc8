// `mission-control start`'s HTTP server with the Slack app on a fresh database, its Web API
// pointed at a local fake, and helpers that send requests signed exactly as Slack signs them.
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import pino from 'pino';
import { expect } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Actor } from '../../src/domain/actors.js';
import { createHttpServer, listen } from '../../src/httpServer.js';
import { createToken, McpTokenAuthenticator } from '../../src/mcp/mcpTokens.js';
import { allowedHostsFor, createMcpHttpEndpoint } from '../../src/mcp/streamableHttp.js';
import { ACTION_IDS } from '../../src/slack/actionIds.js';
import { freshDatabaseUrl, type Provider } from '../support/databases.js';
import { FakeSlack, type StoredMessage } from '../support/fakeSlack.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const CHANNEL = 'C0MISSIONS';

export interface SlackResponse {
  status: number;
  text: string;
  json(): Record<string, unknown>;
}

export interface BotHarness {
  app: App;
  fake: FakeSlack;
  /** http://127.0.0.1:<port>/slack/events */
  eventsUrl: string;
  /** http://127.0.0.1:<port>/mcp, served by the same server when opened with `{ mcp: true }`; null otherwise. */
  mcpUrl: string | null;
  /** An MCP token as `token create --on-behalf-of` makes it (needs `{ mcp: true }`). */
  createMcpToken(name: string, onBehalfOf?: string): Promise<string>;
  /** Posts `body` signed with the signing secret at `timestamp` (seconds; now by default). */
  signedPost(
    body: string,
    contentType: string,
    opts?: { timestamp?: number; signature?: string | null; headers?: Record<string, string> },
  ): Promise<SlackResponse>;
  command(text: string, user: Actor & { kind: 'slack_user' }, opts?: { channel?: string }): Promise<SlackResponse>;
  /** Clicks the button `actionId` of a message as the fake shows it. */
  click(
    message: StoredMessage,
    actionId: string,
    user: Actor & { kind: 'slack_user' },
    opts?: {
      responseUrlId?: string /** Picks among buttons with this action id by their value (e.g. one play's). */;
      where?: (value: Record<string, unknown>) => boolean;
      triggerId?: string;
    },
  ): Promise<SlackResponse>;
  /** Ticks options of the checkboxes `actionId` of a message as the fake shows it (only options the message offers). */
  check(message: StoredMessage, actionId: string, values: string[], user: Actor & { kind: 'slack_user' }): Promise<SlackResponse>;
  submitView(view: Record<string, unknown>, values: Record<string, Record<string, unknown>>, user: Actor & { kind: 'slack_user' }): Promise<SlackResponse>;
  /** Clicks the button `actionId` of a view as the fake shows it (the App Home): no channel, no response_url, as Slack sends it. */
  clickView(view: Record<string, unknown>, actionId: string, user: Actor & { kind: 'slack_user' }): Promise<SlackResponse>;
  /** "Start a mission" (message shortcut) on `message`, as Slack sends a message_action. */
  shortcut(message: StoredMessage, callbackId: string, user: Actor & { kind: 'slack_user' }, opts?: { responseUrlId?: string }): Promise<SlackResponse>;
  /** An Events API event_callback carrying `event` (event_id generated unless given). */
  event(event: Record<string, unknown>, opts?: { eventId?: string; headers?: Record<string, string> }): Promise<SlackResponse>;
  /** Messages in the fake that carry a button with this action id. */
  messagesWith(actionId: string): StoredMessage[];
  close(): Promise<void>;
}

export async function openBotHarness(provider: Provider, env: Record<string, string> = {}, opts: { mcp?: boolean } = {}): Promise<BotHarness> {
  const fake = new FakeSlack();
  await fake.start();
  const database = freshDatabaseUrl(provider);
  const config = loadConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    SLACK_BOT_TOKEN: fake.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    ...env,
  });
  const app = await createApp(config, pino({ level: 'silent' }));
  // `start` serves MCP and the Slack app on one HTTP server; tests that need an assistant mount both.
  const mcp = opts.mcp
    ? createMcpHttpEndpoint({
        service: app.missions,
        logger: pino({ level: 'silent' }),
        authenticator: new McpTokenAuthenticator(app.db.accessTokens, config.MCP_TOKENS),
        readOnly: false,
        allowedHosts: allowedHostsFor('127.0.0.1', []),
        slackPresence: app.slackPresence,
      })
    : null;
  const server: Server = createHttpServer(app, { ...(mcp?.routes ?? {}), ...app.slack!.routes });
  const { port } = await listen(server, '127.0.0.1', 0);
  await app.slack!.start();
  app.startBackgroundWork();
  const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  let clicks = 0;

  const signedPost: BotHarness['signedPost'] = async (body, contentType, opts = {}) => {
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const signature =
      opts.signature === undefined ? `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}` : opts.signature;
    const headers: Record<string, string> = { 'content-type': contentType, 'x-slack-request-timestamp': String(timestamp), ...opts.headers };
    if (signature !== null) headers['x-slack-signature'] = signature;
    const res = await fetch(eventsUrl, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const interaction = (payload: unknown) => signedPost(form({ payload: JSON.stringify(payload) }), 'application/x-www-form-urlencoded');

  return {
    app,
    fake,
    eventsUrl,
    mcpUrl: mcp ? `http://127.0.0.1:${port}/mcp` : null,
    createMcpToken: async (name, onBehalfOf) => {
      if (!mcp) throw new Error('open the harness with { mcp: true } to make MCP tokens');
      return (await createToken(app.db.accessTokens, { name, ...(onBehalfOf ? { onBehalfOf } : {}) })).secret;
    },
    signedPost,
    command: (text, user, opts = {}) =>
      signedPost(
        form({
          token: 'legacy-verification-token',
          team_id: 'T0FAKE',
          team_domain: 'fake',
          channel_id: opts.channel ?? CHANNEL,
          channel_name: 'missions',
          user_id: user.id,
          user_name: user.name ?? user.id,
          command: '/mission',
          text,
          api_app_id: 'A0MISSION',
          response_url: fake.responseUrl(`command-${++clicks}`),
          trigger_id: `trigger-${clicks}`,
        }),
        'application/x-www-form-urlencoded',
      ),
    click: (message, actionId, user, opts = {}) => {
      const blocks = message.blocks as Array<{
        type: string;
        block_id?: string;
        elements?: Array<{ action_id?: string; value?: string }>;
        accessory?: { action_id?: string; value?: string };
      }>;
      const matches = (value: string | undefined) => !opts.where || (value !== undefined && opts.where(JSON.parse(value) as Record<string, unknown>));
      const found = blocks
        .flatMap((b) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])].map((e) => ({ block: b, element: e })))
        .find(({ element }) => element.action_id === actionId && matches(element.value));
      if (!found) throw new Error(`no ${actionId} button on message ${message.ts}`);
      clicks += 1;
      return interaction({
        type: 'block_actions',
        user: { id: user.id, username: user.name ?? user.id, name: user.name ?? user.id, team_id: 'T0FAKE' },
        api_app_id: 'A0MISSION',
        token: 'legacy-verification-token',
        container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
        trigger_id: opts.triggerId ?? `trigger-${clicks}`,
        team: { id: 'T0FAKE', domain: 'fake' },
        channel: { id: message.channel, name: 'missions' },
        message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks },
        response_url: fake.responseUrl(opts.responseUrlId ?? `click-${clicks}`),
        actions: [{ type: 'button', action_id: actionId, block_id: found.block.block_id, value: found.element.value, action_ts: `${Date.now() / 1000}` }],
      });
    },
    check: (message, actionId, values, user) => {
      const blocks = message.blocks as Array<{
        block_id?: string;
        elements?: Array<{ type: string; action_id?: string; options?: Array<{ text: unknown; value: string; description?: unknown }> }>;
      }>;
      const block = blocks.find((b) => (b.elements ?? []).some((e) => e.action_id === actionId && e.type === 'checkboxes'));
      const element = block?.elements?.find((e) => e.action_id === actionId);
      if (!block || !element) throw new Error(`no ${actionId} checkboxes on message ${message.ts}`);
      const selected = values.map((v) => {
        const option = element.options?.find((o) => o.value === v);
        if (!option) throw new Error(`the ${actionId} checkboxes offer no option ${v}`);
        return option;
      });
      clicks += 1;
      return interaction({
        type: 'block_actions',
        user: { id: user.id, username: user.name ?? user.id, name: user.name ?? user.id, team_id: 'T0FAKE' },
        api_app_id: 'A0MISSION',
        token: 'legacy-verification-token',
        container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
        trigger_id: `trigger-${clicks}`,
        team: { id: 'T0FAKE', domain: 'fake' },
        channel: { id: message.channel, name: 'missions' },
        message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks },
        response_url: fake.responseUrl(`check-${clicks}`),
        actions: [{ type: 'checkboxes', action_id: actionId, block_id: block.block_id, selected_options: selected, action_ts: `${Date.now() / 1000}` }],
      });
    },
    submitView: (view, values, user) =>
      interaction({
        type: 'view_submission',
        team: { id: 'T0FAKE', domain: 'fake' },
        user: { id: user.id, name: user.name ?? user.id, team_id: 'T0FAKE' },
        api_app_id: 'A0MISSION',
        token: 'legacy-verification-token',
        trigger_id: `trigger-${++clicks}`,
        view: { id: 'V0VIEW', team_id: 'T0FAKE', type: 'modal', ...view, state: { values }, hash: 'h', app_id: 'A0MISSION', bot_id: 'B0BOT' },
      }),
    clickView: (view, actionId, user) => {
      const blocks = (view.blocks ?? []) as Array<{ block_id?: string; elements?: Array<{ action_id?: string; value?: string }> }>;
      const block = blocks.find((b) => b.elements?.some((e) => e.action_id === actionId));
      const element = block?.elements?.find((e) => e.action_id === actionId);
      if (!block || !element) throw new Error(`no ${actionId} button on the view`);
      clicks += 1;
      return interaction({
        type: 'block_actions',
        user: { id: user.id, username: user.name ?? user.id, name: user.name ?? user.id, team_id: 'T0FAKE' },
        api_app_id: 'A0MISSION',
        token: 'legacy-verification-token',
        container: { type: 'view', view_id: 'V0HOME' },
        trigger_id: `trigger-${clicks}`,
        team: { id: 'T0FAKE', domain: 'fake' },
        view: {
          id: 'V0HOME',
          team_id: 'T0FAKE',
          type: 'home',
          blocks: view.blocks,
          private_metadata: '',
          callback_id: '',
          state: { values: {} },
          hash: 'h',
          app_id: 'A0MISSION',
          bot_id: 'B0BOT',
        },
        actions: [{ type: 'button', action_id: actionId, block_id: block.block_id, value: element.value, action_ts: `${Date.now() / 1000}` }],
      });
    },
    shortcut: (message, callbackId, user, opts = {}) => {
      clicks += 1;
      return interaction({
        type: 'message_action',
        token: 'legacy-verification-token',
        action_ts: `${Date.now() / 1000}`,
        team: { id: 'T0FAKE', domain: 'fake' },
        user: { id: user.id, username: user.name ?? user.id, name: user.name ?? user.id, team_id: 'T0FAKE' },
        channel: { id: message.channel, name: 'missions' },
        is_enterprise_install: false,
        enterprise: null,
        callback_id: callbackId,
        trigger_id: `trigger-${clicks}`,
        response_url: fake.responseUrl(opts.responseUrlId ?? `shortcut-${clicks}`),
        message_ts: message.ts,
        message: {
          type: 'message',
          text: message.text,
          ts: message.ts,
          ...(message.user ? { user: message.user } : {}),
          ...(message.blocks.length > 0 ? { blocks: message.blocks } : {}),
        },
      });
    },
    event: (event, opts = {}) =>
      signedPost(
        JSON.stringify({
          token: 'legacy-verification-token',
          team_id: 'T0FAKE',
          api_app_id: 'A0MISSION',
          event: { event_ts: `${Date.now() / 1000}`, ...event },
          type: 'event_callback',
          event_id: opts.eventId ?? `Ev0${++clicks}`,
          event_time: Math.floor(Date.now() / 1000),
          authorizations: [{ enterprise_id: null, team_id: 'T0FAKE', user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
          is_ext_shared_channel: false,
        }),
        'application/json',
        opts.headers ? { headers: opts.headers } : {},
      ),
    messagesWith: (actionId) => [...fake.messages.values()].filter((m) => JSON.stringify(m.blocks).includes(`"action_id":"${actionId}"`)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await mcp?.close();
      await app.close();
      await fake.stop();
      await database.cleanup();
    },
  };
}

export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 15_000): Promise<T> {
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

/** The modal the last click opened with views.open (`before`: how many views the fake held before the click). */
export function openedModal(b: BotHarness, callbackId: string, before: number): Promise<Record<string, unknown>> {
  return eventually(() => {
    const opened = b.fake.views.slice(before).find((v) => v.method === 'views.open' && v.view.callback_id === callbackId);
    expect(opened).toBeDefined();
    return opened!.view;
  });
}

export { ACTION_IDS };
