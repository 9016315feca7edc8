// The HTTP front: health, metrics, and the routes front doors mount (/mcp, /slack/events).
// It also knows what is in flight, so a shutdown can drain it (src/cli.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { App } from './app.js';
import { MissionError } from './domain/errors.js';
import { withTimeout } from './timeouts.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface HttpServer extends Server {
  /** From now on /readyz and /healthz answer 503 (draining) and new work is refused with 503; requests already running go on. */
  startDraining(): void;
  /** Resolves true once no request is running (long-lived event streams aside), or false after `timeoutMs`. */
  waitForInFlight(timeoutMs: number): Promise<boolean>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

const HEALTH_PATHS = new Set(['/livez', '/readyz', '/healthz']);

export function createHttpServer(app: App, extraRoutes: Record<string, RouteHandler> = {}): HttpServer {
  const healthTimeoutMs = app.config.HEALTH_TIMEOUT_MS ?? 2000;
  let draining = false;
  let inFlight = 0;
  const idleWaiters: Array<() => void> = [];
  // One readiness check at a time: while the database hangs, every probe shares the same pending check.
  let checking: Promise<void> | null = null;
  const checkReady = () => {
    checking ??= app.db.checkReady().finally(() => {
      checking = null;
    });
    return withTimeout(checking, healthTimeoutMs, `the database at ${app.db.where} did not answer within ${healthTimeoutMs} ms`);
  };
  const readiness: RouteHandler = async (_req, res) => {
    const database = app.db.target.provider;
    if (draining) return sendJson(res, 503, { status: 'draining', database, reason: 'the server is shutting down' });
    try {
      await checkReady();
      // PostgreSQL: whether other instances' saves are heard now (`reconnecting`: polling covers; not a reason to stop traffic).
      sendJson(res, 200, { status: 'ok', database, ...(app.changes ? { changeNotifications: app.changes.status().state } : {}) });
    } catch (error) {
      sendJson(res, 503, { status: 'unavailable', database, reason: error instanceof Error ? error.message : String(error) });
    }
  };
  const routes: Record<string, RouteHandler> = {
    'GET /livez': (_req, res) => sendJson(res, 200, { status: 'alive', draining }),
    'GET /readyz': readiness,
    'GET /healthz': readiness,
    'GET /metrics': async (_req, res) => {
      const { contentType, body } = await app.metrics.render();
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    },
    // GitHub deliveries (signature-verified in the handler); without a secret the route says how to turn it on.
    'POST /github/webhooks':
      app.githubWebhooks ??
      ((_req, res) =>
        sendJson(res, 503, {
          error:
            "GitHub webhooks are off on this server: set GITHUB_WEBHOOK_SECRET (and the same secret in the repository's webhook settings). Until then pull requests are read when linked (link_pull_request).",
        })),
    ...extraRoutes,
  };
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handler = routes[`${req.method} ${pathname}`];
    const started = performance.now();
    // An event stream (GET with Accept: text/event-stream, e.g. an MCP notification stream) stays open by design: not work to wait for.
    const counted = !(req.method === 'GET' && /text\/event-stream/.test(req.headers.accept ?? ''));
    if (counted) inFlight++;
    res.once('close', () => {
      if (!counted) return;
      inFlight--;
      if (inFlight === 0) for (const wake of idleWaiters.splice(0)) wake();
    });
    res.once('finish', () => app.metrics.recordHttpRequest(handler ? pathname : 'unmatched', res.statusCode, (performance.now() - started) / 1000));
    if (draining) {
      res.setHeader('connection', 'close');
      if (!HEALTH_PATHS.has(pathname)) {
        sendJson(res, 503, { error: 'Mission Control is shutting down; retry shortly (another instance may answer).' }, { 'retry-after': '5' });
        return;
      }
    }
    if (!handler) {
      const known = Object.keys(routes).some((key) => key.endsWith(` ${pathname}`));
      sendJson(res, known ? 405 : 404, { error: known ? `${req.method} is not supported on ${pathname}` : `No route for ${pathname}` });
      return;
    }
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      // The database failing (e.g. while checking a stored MCP token) is a 503 that says so, not an internal error.
      const unavailable = error instanceof MissionError && error.code === 'storage_unavailable';
      if (unavailable) app.logger.warn({ path: pathname, error: error.message }, 'request refused: database unavailable');
      else app.logger.error({ err: error, path: pathname }, 'request failed');
      if (res.headersSent) res.end();
      else if (unavailable) sendJson(res, 503, { error: error.message }, { 'retry-after': '5' });
      else sendJson(res, 500, { error: 'internal error; see the server log' });
    });
  });
  return Object.assign(server, {
    startDraining: () => {
      draining = true;
      server.closeIdleConnections();
    },
    waitForInFlight: (timeoutMs: number) =>
      new Promise<boolean>((resolve) => {
        if (inFlight === 0) return resolve(true);
        const timer = setTimeout(() => resolve(false), timeoutMs);
        idleWaiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      }),
  });
}

export function listen(server: Server, host: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({ host, port: typeof address === 'object' && address ? address.port : port });
    });
  });
}
