// The Slack Web API client and how its failures are classified.
//
// 5xx and network failures of idempotent calls are retried inside WebClient (p-retry:
// exponential backoff with jitter) up to a small budget, posts never (POST_RETRY); a 429 is waited out in place when Retry-After is short and
// otherwise handed back as a SlackDeliveryError carrying retryAfterMs, so the feed worker
// parks the mission until then instead of holding a worker on a sleep. Giving up is safe:
// the mission's events stay unacknowledged in the feed and the projection is retried later.
import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  type Logger as SlackLogger,
  type RetryOptions,
} from '@slack/web-api';
import type { Logger } from 'pino';
import { timedExternalCall } from '../externalCalls.js';

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/** About 4 attempts over ~3 s: long enough for a blip, short enough to hand back to the feed. */
export const DELIVERY_RETRY: RetryOptions = { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 2_000, randomize: true };
/**
 * chat.postMessage is never retried by WebClient: a 5xx or a timeout may come after Slack has
 * posted, and a blind retry posts a second card with live buttons. The feed worker retries
 * instead, and the projector looks the message up (by its metadata) before posting again.
 */
export const POST_RETRY: RetryOptions = { retries: 0 };
/** Interactive calls (ephemeral replies, modals) must land within seconds, or not at all. */
export const INTERACTIVE_RETRY: RetryOptions = { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1_000, randomize: true };

/** Retry-After up to this long is waited out in place; longer ones go back to the feed worker. */
const MAX_INLINE_RATE_LIMIT_WAIT_MS = 3_000;

/** Slack errors that retrying cannot fix (the feed worker still retries, then parks the mission). */
const PERMANENT_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'invalid_blocks',
  'msg_too_long',
  'no_text',
  'cant_update_message',
  'edit_window_closed',
]);

/** A Slack call that failed; `retryAfterMs` is set when Slack said when to come back (429). */
export class SlackDeliveryError extends Error {
  readonly retryAfterMs: number | undefined;
  /** Slack's `error` string for platform errors (ok: false), e.g. "message_not_found". */
  readonly slackError: string | undefined;
  readonly permanent: boolean;

  constructor(message: string, opts: { retryAfterMs?: number; slackError?: string; permanent?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SlackDeliveryError';
    this.retryAfterMs = opts.retryAfterMs;
    this.slackError = opts.slackError;
    this.permanent = opts.permanent ?? false;
  }
}

/** WebClient's logger interface over pino (WebClient logs retries and rate limits). */
export function slackLoggerFrom(logger: Logger): SlackLogger {
  const child = logger.child({ component: 'slack' });
  let level = LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => child.debug(msg.map(String).join(' ')),
    info: (...msg: unknown[]) => child.info(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => child.error(msg.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

export function normalizeSlackApiUrl(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

export function createSlackWebClient(token: string, opts: { slackApiUrl: string; logger: Logger; retryConfig?: RetryOptions; timeoutMs?: number }): WebClient {
  return new WebClient(token, {
    slackApiUrl: normalizeSlackApiUrl(opts.slackApiUrl),
    logger: slackLoggerFrom(opts.logger),
    retryConfig: opts.retryConfig ?? DELIVERY_RETRY,
    rejectRateLimitedCalls: true,
    timeout: opts.timeoutMs ?? 10_000,
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one Web API call: waits out a short Retry-After (with jitter) a couple of times, and
 * turns every failure into a SlackDeliveryError.
 */
export async function callSlack<T>(what: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await timedExternalCall('slack', call);
    } catch (error) {
      if (error instanceof WebAPIRateLimitedError) {
        const waitMs = error.retryAfter * 1000;
        if (waitMs <= MAX_INLINE_RATE_LIMIT_WAIT_MS && attempt < 3) {
          await sleep(waitMs + Math.random() * 250);
          continue;
        }
        throw new SlackDeliveryError(`${what}: rate limited by Slack, retry after ${error.retryAfter} s`, { retryAfterMs: waitMs, cause: error });
      }
      throw classify(what, error);
    }
  }
}

function classify(what: string, error: unknown): SlackDeliveryError {
  if (error instanceof WebAPIPlatformError) {
    const code = error.data.error;
    return new SlackDeliveryError(`${what}: Slack answered ${code}`, { slackError: code, permanent: PERMANENT_ERRORS.has(code), cause: error });
  }
  if (error instanceof WebAPIHTTPError) return new SlackDeliveryError(`${what}: Slack answered HTTP ${error.statusCode}`, { cause: error });
  if (error instanceof WebAPIRequestError) return new SlackDeliveryError(`${what}: Slack did not answer (${error.original.message})`, { cause: error });
  if (error instanceof SlackDeliveryError) return error;
  return new SlackDeliveryError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
