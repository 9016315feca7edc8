// What Bolt's signature check leaves open, closed before a request reaches Bolt:
// - Bolt refuses timestamps more than 5 minutes in the past, not in the future: a request
//   signed for tomorrow would be accepted, and replayable, all day. Refused here (401).
// - A signed request sent twice within the window (a replay, or a proxy sending it again) ran
//   twice: two missions from one `/mission`. Its signature is remembered until its timestamp
//   leaves the window, and a second sighting is refused (409) before anything runs.
// - Slack re-delivers an Events API event it thinks we missed (`X-Slack-Retry-Num`), with a
//   fresh signature but the same `event_id`: acknowledged (200) and not handled again.
// Only requests whose signature is valid are remembered, so nobody can poison the memory.
// Sightings are kept in this process and, when given, in the database (SlackRequestReceipt),
// so a replay sent to another instance behind the load balancer is refused as well.
import { verifySlackRequest } from '@slack/bolt';

/** Slack's (and Bolt's) window for x-slack-request-timestamp, either side of now. */
export const REQUEST_WINDOW_MS = 5 * 60_000;
/** Kept past the window: Bolt compares whole seconds, so a request stays acceptable a little longer than 5 minutes. */
const MEMORY_MARGIN_MS = 60_000;
/** Slack retries an event three times within about an hour at most. */
const EVENT_ID_MEMORY_MS = 60 * 60_000;
/** Bounds memory under a flood of valid requests; the oldest are forgotten first. */
const MAX_REMEMBERED = 100_000;

export type GuardVerdict = { status: 401 | 409 | 200; reason: string } | null;

export interface RequestGuardInput {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  contentType: string | undefined;
}

/**
 * Sightings shared by every instance (the database): true the first time `key` is seen before
 * it expires, false for a repeat. Storage implements it (prismaSlackRequestReceipts.ts).
 */
export interface SharedRequestReceipts {
  firstSighting(key: string, expiresAtMs: number, nowMs: number): Promise<boolean>;
}

export class SlackRequestGuard {
  /** "sig:<ts>:<signature>" or "event:<event_id>" -> when it may be forgotten (ms). */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly signingSecret: string,
    private readonly now: () => number = Date.now,
    /** Without it, only this process remembers; with it, a replay to another instance is refused too. */
    private readonly shared?: SharedRequestReceipts,
    private readonly onSharedError: (error: unknown) => void = () => undefined,
  ) {}

  /** null: hand the request to Bolt; otherwise answer with the verdict and run nothing. */
  async check(input: RequestGuardInput): Promise<GuardVerdict> {
    const nowMs = this.now();
    const timestamp = Number(header(input.headers, 'x-slack-request-timestamp'));
    const signature = header(input.headers, 'x-slack-signature');
    if (Number.isFinite(timestamp) && timestamp * 1000 > nowMs + REQUEST_WINDOW_MS) {
      return { status: 401, reason: 'x-slack-request-timestamp is more than 5 minutes in the future; refused (is this server’s clock right?)' };
    }
    if (!signature || !this.validlySigned(signature, timestamp, input.body, nowMs)) return null; // Bolt answers 401
    if (!(await this.firstSighting(`sig:${timestamp}:${signature}`, timestamp * 1000 + REQUEST_WINDOW_MS + MEMORY_MARGIN_MS, nowMs))) {
      return { status: 409, reason: 'this signed request was received already; a replay is not handled again' };
    }
    const eventId = eventIdOf(input.body, input.contentType);
    if (eventId && !(await this.firstSighting(`event:${eventId}`, nowMs + EVENT_ID_MEMORY_MS, nowMs))) {
      return { status: 200, reason: `event ${eventId} was delivered already (retry ${header(input.headers, 'x-slack-retry-num') ?? '?'}); not handled again` };
    }
    return null;
  }

  /** This process's memory first (no round trip for a local repeat), then the shared one; if the database fails, this process's memory decides. */
  private async firstSighting(key: string, expiresAtMs: number, nowMs: number): Promise<boolean> {
    forgetExpired(this.seen, nowMs);
    if (this.seen.has(key)) return false;
    remember(this.seen, key, expiresAtMs);
    if (!this.shared) return true;
    try {
      return await this.shared.firstSighting(key, expiresAtMs, nowMs);
    } catch (error) {
      this.onSharedError(error);
      return true;
    }
  }

  private validlySigned(signature: string, timestamp: number, body: string, nowMs: number): boolean {
    try {
      verifySlackRequest({
        signingSecret: this.signingSecret,
        body,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        nowMilliseconds: nowMs,
      });
      return true;
    } catch {
      return false;
    }
  }
}

function header(headers: RequestGuardInput['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function eventIdOf(body: string, contentType: string | undefined): string | null {
  if (!contentType?.startsWith('application/json')) return null;
  try {
    const parsed = JSON.parse(body) as { type?: unknown; event_id?: unknown } | null;
    return parsed?.type === 'event_callback' && typeof parsed.event_id === 'string' ? parsed.event_id : null;
  } catch {
    return null;
  }
}

function remember(memory: Map<string, number>, key: string, until: number): void {
  memory.set(key, until);
  if (memory.size > MAX_REMEMBERED) memory.delete(memory.keys().next().value!);
}

/** Entries are mostly in expiry order (insertion order), so sweeping stops at the first live one. */
function forgetExpired(memory: Map<string, number>, nowMs: number): void {
  for (const [key, until] of memory) {
    if (until > nowMs) return;
    memory.delete(key);
  }
}
