// The HTTP front: health, metrics, and the routes front doors mount (/mcp, /slack/events).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { App } from './app.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createHttpServer(app: App, extraRoutes: Record<string, RouteHandler> = {}): Server {
  const routes: Record<string, RouteHandler> = {
    'GET /healthz': async (_req, res) => {
      try {
        await app.db.ping();
        sendJson(res, 200, { status: 'ok', database: app.db.target.provider });
      } catch {
        sendJson(res, 503, { status: 'unavailable', database: app.db.target.provider, error: 'database did not answer' });
      }
    },
    'GET /metrics': async (_req, res) => {
      const { contentType, body } = await app.metrics.render();
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    },
    ...extraRoutes,
  };
  return createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handler = routes[`${req.method} ${pathname}`];
    const started = performance.now();
    res.once('finish', () => app.metrics.recordHttpRequest(handler ? pathname : 'unmatched', res.statusCode, (performance.now() - started) / 1000));
    if (!handler) {
      const known = Object.keys(routes).some((key) => key.endsWith(` ${pathname}`));
      sendJson(res, known ? 405 : 404, { error: known ? `${req.method} is not supported on ${pathname}` : `No route for ${pathname}` });
      return;
    }
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      app.logger.error({ err: error, path: pathname }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error; see the server log' });
      else res.end();
    });
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
