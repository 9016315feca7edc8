// `mission-control start`'s HTTP server with the Slack app on a fresh database, its Web API
// pointed at a local fake, and helpers that send requests signed exactly as Slack signs them.
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import pino from 'pino';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Actor } from '../../src/domain/actors.js';
import { createHttpServer, listen } from '../../src/httpServer.js';
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
  /** Posts `body` signed with the signing secret at `timestamp` (seconds; now by default). */
  signedPost(body: string, contentType: string, opts?: { timestamp?: number; signature?: string | null; headers?: Record<string, string> }): Promise<SlackResponse>;
  command(text: string, user: Actor & { kind: 'slack_user' }, opts?: { channel?: string }): Promise<SlackResponse>;
  /** Clicks the button `actionId` of a message as the fake shows it. */
  click(
    message: StoredMessage,
    actionId: string,
    user: Actor & { kind: 'slack_user' },
    opts?: { responseUrlId?: string; /** Picks among buttons with this action id by their value (e.g. one play's). */ where?: (value: Record<string, unknown>) => boolean; triggerId?: string },
  ): Promise<SlackResponse>;
  submitView(view: Record<string, unknown>, values: Record<string, Record<string, unknown>>, user: Actor & { kind: 'slack_user' }): Promise<SlackResponse>;
  /** Messages in the fake that carry a button with this action id. */
  messagesWith(actionId: string): StoredMessage[];
  close(): Promise<void>;
}

export async function openBotHarness(provider: Provider, env: Record<string, string> = {}): Promise<BotHarness> {
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
  const server: Server = createHttpServer(app, app.slack!.routes);
  const { port } = await listen(server, '127.0.0.1', 0);
  await app.slack!.start();
  app.startBackgroundWork();
  const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  let clicks = 0;

  const signedPost: BotHarness['signedPost'] = async (body, contentType, opts = {}) => {
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const signature = opts.signature === undefined ? `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}` : opts.signature;
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
      const blocks = message.blocks as Array<{ type: string; block_id?: string; elements?: Array<{ action_id?: string; value?: string }>; accessory?: { action_id?: string; value?: string } }>;
      const matches = (value: string | undefined) => !opts.where || opts.where(JSON.parse(value ?? '{}') as Record<string, unknown>);
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
    messagesWith: (actionId) =>
      [...fake.messages.values()].filter((m) => JSON.stringify(m.blocks).includes(`"action_id":"${actionId}"`)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
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

export { ACTION_IDS };
