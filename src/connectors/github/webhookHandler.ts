// POST /github/webhooks: GitHub's deliveries, verified before anything else.
//
// Order matters for "nothing is written": the signature (X-Hub-Signature-256, HMAC-SHA256 with
// GITHUB_WEBHOOK_SECRET, checked by @octokit/webhooks in constant time) first, 401 when missing
// or wrong; then the headers and the payload's shape, 400 when malformed; only then is the
// delivery id remembered (GitHubWebhookDelivery, shared by every instance), so a redelivery is
// answered 200 "duplicate" and changes nothing. If applying fails, the id is forgotten again so
// GitHub's redelivery can succeed later.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhooks } from '@octokit/webhooks';
import type { Logger } from 'pino';
import type { GitHubEventService } from '../../domain/githubEventService.js';
import { GITHUB_CONNECTOR } from './pullRequestEvidence.js';
import { isFollowedEvent, MalformedPayloadError, toGitHubEvent } from './webhookPayloads.js';

/** GitHub caps payloads at 25 MB; the events we follow are a few kB. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface WebhookDeliveryLog {
  /** Records the delivery id; false when it was recorded before (a redelivery or a replay). */
  firstSighting(deliveryId: string, event: string, nowMs: number): Promise<boolean>;
  forget(deliveryId: string): Promise<void>;
}

export interface GitHubWebhookOptions {
  secret: string;
  events: GitHubEventService;
  deliveries: WebhookDeliveryLog;
  logger: Logger;
  now?: () => number;
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  if (Number(req.headers['content-length']) > MAX_BODY_BYTES) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** The route handler; without a secret the route says how to turn webhooks on (polling via link_pull_request stays the fallback). */
export function githubWebhookHandler(options: GitHubWebhookOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const webhooks = new Webhooks({ secret: options.secret });
  const now = options.now ?? Date.now;
  return async (req, res) => {
    const body = await readBody(req);
    if (body === null) return send(res, 413, { error: `Payload too large: a GitHub delivery must not exceed ${MAX_BODY_BYTES} bytes.` });
    const signature = header(req, 'x-hub-signature-256');
    if (!signature)
      return send(res, 401, {
        error: 'Unsigned delivery: the X-Hub-Signature-256 header is missing. Set the webhook secret in GitHub to the one this server uses.',
      });
    // Nothing to verify in an empty body (GitHub never sends one): malformed, before any signature arithmetic.
    if (body.length === 0) return send(res, 400, { error: 'Malformed delivery: the body is empty.' });
    const valid = await webhooks.verify(body, signature).catch(() => false);
    if (!valid) return send(res, 401, { error: "Signature mismatch: X-Hub-Signature-256 does not match the body signed with this server's webhook secret." });

    const event = header(req, 'x-github-event');
    const deliveryId = header(req, 'x-github-delivery');
    if (!event || !deliveryId)
      return send(res, 400, {
        error: `Missing ${!event ? 'X-GitHub-Event' : 'X-GitHub-Delivery'} header: only GitHub's webhook deliveries are accepted here.`,
      });
    if (event === 'ping') return send(res, 200, { status: 'pong' });
    if (!isFollowedEvent(event)) return send(res, 202, { status: 'ignored', reason: `Mission Control does not follow "${event}" events.` });
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return send(res, 400, { error: 'Malformed delivery: the body is not JSON (set the webhook content type to application/json).' });
    }
    let domainEvent: ReturnType<typeof toGitHubEvent>;
    try {
      domainEvent = toGitHubEvent(event, payload);
    } catch (error) {
      if (error instanceof MalformedPayloadError) return send(res, 400, { error: `Malformed delivery: ${error.message}.` });
      throw error;
    }
    if (!domainEvent)
      return send(res, 202, {
        status: 'ignored',
        reason: `The "${(payload as { action?: string }).action ?? ''}" action of ${event} changes nothing Mission Control follows.`,
      });

    if (!(await options.deliveries.firstSighting(deliveryId, event, now()))) {
      options.logger.info({ deliveryId, event }, 'GitHub redelivery ignored');
      return send(res, 200, { status: 'duplicate', deliveryId });
    }
    try {
      const outcome = await options.events.apply(domainEvent, GITHUB_CONNECTOR);
      options.logger.info({ deliveryId, event, applied: outcome.applied, unchanged: outcome.unchanged.length }, 'GitHub delivery handled');
      send(res, 200, { status: outcome.applied.length > 0 ? 'applied' : 'no_change', deliveryId, missions: outcome.applied, unchanged: outcome.unchanged });
    } catch (error) {
      // Not handled: let GitHub's redelivery (or a person's "Redeliver") try again.
      await options.deliveries.forget(deliveryId).catch(() => undefined);
      throw error;
    }
  };
}
