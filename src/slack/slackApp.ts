// The Bolt app: `/mission`, buttons, modals and the App Home, over HTTP at POST /slack/events
// (inside `mission-control start`) or over Socket Mode when SLACK_APP_TOKEN is set.
//
// HTTP: Bolt's own HTTPReceiver handles the request (signature check with the signing secret
// and the 5-minute timestamp window, 401 before anything runs; url_verification; ack), fed by
// our HTTP server's route instead of a server of its own. processBeforeResponse is false:
// the acknowledgement goes out as soon as a handler calls ack(), and the work continues.
// Before Bolt, requestGuard.ts refuses future timestamps and replayed requests or events.
//
// Thread messages are not posted by handlers: the `slack` feed consumer (SlackProjector)
// renders them from mission state, durably (see slackProjector.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { App, HTTPReceiver, type Authorize } from '@slack/bolt';
import type { Logger } from 'pino';
import { SYSTEM_ACTOR } from '../domain/actors.js';
import type { ParkedFilter } from '../domain/missionFeed.js';
import type { MissionService } from '../domain/missionService.js';
import type { Clock } from '../domain/runtime.js';
import { registerActionHandlers } from './actionHandlers.js';
import { registerAppHomeHandler } from './appHomeHandler.js';
import { registerCommandHandlers } from './commandHandlers.js';
import { registerEventHandlers } from './eventHandlers.js';
import { registerShortcutHandlers } from './shortcutHandlers.js';
import { missionLoader, SlackProjector, type SlackProjectorOptions } from './slackProjector.js';
import type { SlackMessageStore } from './slackMessageStore.js';
import { createSlackWebClient, INTERACTIVE_RETRY, normalizeSlackApiUrl, POST_RETRY, slackLoggerFrom } from './slackWebApi.js';
import { SlackRequestGuard, type SharedRequestReceipts } from './requestGuard.js';
import { SlackRequestIntake } from './requestIntake.js';
import { UnreachableChannelNotices } from './deliveryProblems.js';
import { registerViewHandlers } from './viewHandlers.js';
import type { SlackHandlerDeps } from './interactionReplies.js';

type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export const SLACK_EVENTS_PATH = '/slack/events';

/** Bolt's own limit on request bodies (its HTTPReceiver answers 413 beyond it). */
const BODY_LIMIT_BYTES = 4 * 1024 * 1024;

/**
 * Hands a request to Bolt's receiver, after refusing (400) a body that parses to JSON `null`
 * (`null`, or `payload=null`): Bolt reads a property of the parsed body inside a promise nobody
 * awaits, so such a request, correctly signed, ended the process with an unhandled rejection.
 * Bolt reuses the body buffered here (`rawBody`) and checks the signature as before. The guard
 * refuses future timestamps and replays first (see requestGuard.ts).
 */
async function feedBolt(
  receiver: HTTPReceiver,
  guard: SlackRequestGuard,
  intake: SlackRequestIntake,
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { answered } = intake.received();
  res.once('close', answered);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) {
      res.writeHead(413, { connection: 'close' });
      res.end();
      req.resume();
      return;
    }
    chunks.push(chunk);
  }
  const rawBody = Buffer.concat(chunks);
  if (parsesToNull(rawBody.toString('utf8'), req.headers['content-type'])) {
    res.writeHead(400);
    res.end();
    return;
  }
  const verdict = await guard.check({ headers: req.headers, body: rawBody.toString('utf8'), contentType: req.headers['content-type'] });
  if (verdict) {
    logger.warn({ status: verdict.status, reason: verdict.reason }, 'Slack request not handled');
    res.writeHead(verdict.status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(verdict.status === 200 ? '' : verdict.reason);
    return;
  }
  receiver.requestListener(Object.assign(req, { rawBody }), res);
}

/** Parses as Bolt's HTTPReceiver does (parseHTTPRequestBody); bodies it cannot parse are left to it (400 after the signature check). */
function parsesToNull(body: string, contentType: string | undefined): boolean {
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const { payload } = parseQuery(body);
      return typeof payload === 'string' && JSON.parse(payload) === null;
    }
    return JSON.parse(body) === null;
  } catch {
    return false;
  }
}

export interface SlackSettings {
  botToken: string;
  /** HTTP mode. */
  signingSecret?: string | undefined;
  /** Socket Mode (takes precedence: no public URL needed). */
  appToken?: string | undefined;
  apiUrl: string;
}

export interface SlackFrontDoor {
  mode: 'http' | 'socket';
  /** Routes for the HTTP server (empty in Socket Mode). */
  routes: Record<string, RouteHandler>;
  /** The `slack` feed consumer. */
  projector: SlackProjector;
  bolt: App;
  /** Connects Socket Mode; in HTTP mode only learns the bot's identity. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SlackFrontDoorOptions {
  settings: SlackSettings;
  service: MissionService;
  store: SlackMessageStore;
  clock: Clock;
  logger: Logger;
  /** Least time between edits of one message (default 1 s). */
  minEditIntervalMs?: number;
  rollback?: SlackHandlerDeps['rollback'];
  /** Where missions without a channel live (SLACK_DEFAULT_CHANNEL) and who is DMed approval requests. */
  projection?: Pick<SlackProjectorOptions, 'home' | 'approverDirectory' | 'progressEditIntervalMs'>;
  /** Signed requests and events already handled, shared by every instance (the database); this process's memory alone without it. */
  requestReceipts?: SharedRequestReceipts;
  /** Re-drives the `slack` consumer's parked deliveries (and wakes the feed worker); returns how many. */
  redeliver?: (filter: ParkedFilter) => Promise<number>;
}

/** The three variables decide the mode: bot token plus signing secret (HTTP) or app token (Socket Mode). */
export function slackSettingsFrom(env: {
  SLACK_BOT_TOKEN?: string | undefined;
  SLACK_SIGNING_SECRET?: string | undefined;
  SLACK_APP_TOKEN?: string | undefined;
  SLACK_API_URL: string;
}): SlackSettings | null {
  if (!env.SLACK_BOT_TOKEN || !(env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN)) return null;
  return { botToken: env.SLACK_BOT_TOKEN, signingSecret: env.SLACK_SIGNING_SECRET, appToken: env.SLACK_APP_TOKEN, apiUrl: env.SLACK_API_URL };
}

export function createSlackFrontDoor(opts: SlackFrontDoorOptions): SlackFrontDoor {
  const { settings, service, logger } = opts;
  const slackLogger = slackLoggerFrom(logger);
  const clientOptions = { slackApiUrl: normalizeSlackApiUrl(settings.apiUrl), retryConfig: INTERACTIVE_RETRY, timeout: 5_000 };

  // auth.test is learned in the background: Slack being down must never delay an ack.
  let identity: { botId: string; botUserId: string } | null = null;
  const authorize: Authorize<boolean> = async () => ({ botToken: settings.botToken, ...(identity ?? {}) });

  const socketMode = Boolean(settings.appToken);
  let receiver: HTTPReceiver | null = null;
  let guard: SlackRequestGuard | null = null;
  let bolt: App;
  if (socketMode) {
    bolt = new App({ appToken: settings.appToken!, socketMode: true, authorize, logger: slackLogger, clientOptions });
  } else {
    guard = new SlackRequestGuard(
      settings.signingSecret!,
      () => opts.clock.now().getTime(),
      opts.requestReceipts,
      (error) => logger.warn({ err: error }, 'could not check the shared record of Slack requests; this instance’s memory decides'),
    );
    receiver = new HTTPReceiver({ signingSecret: settings.signingSecret!, endpoints: SLACK_EVENTS_PATH, processBeforeResponse: false, logger: slackLogger });
    bolt = new App({ receiver, authorize, logger: slackLogger, clientOptions });
  }
  bolt.error(async (error) => {
    logger.error({ err: error }, 'Slack handler failed');
  });

  const unreachableNotices = new UnreachableChannelNotices(() => opts.clock.now().getTime());
  const intake = new SlackRequestIntake();
  const deps: SlackHandlerDeps = {
    service,
    logger,
    unreachableNotices,
    intake,
    ...(opts.rollback ? { rollback: opts.rollback } : {}),
    ...(opts.redeliver ? { redeliver: opts.redeliver } : {}),
  };
  registerCommandHandlers(bolt, deps);
  registerActionHandlers(bolt, deps);
  registerViewHandlers(bolt, deps);
  registerAppHomeHandler(bolt, deps);
  registerShortcutHandlers(bolt, deps);
  registerEventHandlers(bolt, deps);

  const projector = new SlackProjector({
    loadMission: missionLoader((input, since) => (since === undefined ? service.getMission(input) : service.getMissionSince(input, since))),
    client: createSlackWebClient(settings.botToken, { slackApiUrl: settings.apiUrl, logger }),
    postClient: createSlackWebClient(settings.botToken, { slackApiUrl: settings.apiUrl, logger, retryConfig: POST_RETRY }),
    store: opts.store,
    clock: opts.clock,
    logger,
    ...(opts.minEditIntervalMs !== undefined ? { minEditIntervalMs: opts.minEditIntervalMs } : {}),
    ...opts.projection,
    onChannelUnreachable: (mission, slackError) => unreachableNotices.report(mission.id, mission.channelId ?? '', slackError),
    recordProblem: async (missionId, problem) => {
      await service.recordConnectorFailure({ missionId, toolkitId: 'slack', operation: 'deliver thread messages', error: problem }, SYSTEM_ACTOR);
    },
  });

  const learnIdentity = async () => {
    try {
      const result = await bolt.client.auth.test({ token: settings.botToken });
      if (result.bot_id && result.user_id) identity = { botId: result.bot_id, botUserId: result.user_id };
      logger.info({ team: result.team, botUserId: result.user_id }, 'Slack bot token accepted');
    } catch (error) {
      logger.warn({ err: error }, 'Slack did not confirm the bot token (auth.test); the app keeps running and retries with each delivery');
    }
    return identity;
  };

  // The bot was invited to a channel: threads parked because it could not post there resume.
  bolt.event('member_joined_channel', async ({ event }) => {
    const bot = identity ?? (await learnIdentity());
    if (!bot || event.user !== bot.botUserId || !opts.redeliver) return;
    const resumed = await opts.redeliver({ channelId: event.channel });
    logger.info({ channel: event.channel, resumed }, 'bot joined a channel; parked Slack deliveries there resume');
  });

  return {
    mode: socketMode ? 'socket' : 'http',
    routes: receiver ? { [`POST ${SLACK_EVENTS_PATH}`]: (req, res) => feedBolt(receiver, guard!, intake, logger, req, res) } : {},
    projector,
    bolt,
    start: async () => {
      // A token Slack accepts (perhaps a new one) may fix what parked threads: they are tried again.
      void learnIdentity().then(async (bot) => {
        if (!bot || !opts.redeliver) return;
        const resumed = await opts.redeliver({}).catch((error: unknown) => logger.warn({ err: error }, 'could not re-drive parked Slack deliveries'));
        if (resumed) logger.info({ resumed }, 'Slack token accepted; parked Slack deliveries are tried again');
      });
      if (socketMode) await bolt.start();
    },
    stop: async () => {
      if (socketMode) await bolt.stop();
    },
  };
}
