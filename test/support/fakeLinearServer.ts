// The fake Linear GraphQL API of test/connectors/fakeLinear.ts served over real HTTP, for
// processes the tests spawn (LINEAR_API_URL=http://127.0.0.1:<port>/graphql). It can answer
// 429 (with Retry-After) and 500 until told to recover, and counts the operations it served.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse } from 'msw';
import { fakeLinearHandlers, fakeLinearState, LINEAR_API, type FakeLinearState } from '../connectors/fakeLinear.js';

export type LinearFailure = { status: 429; retryAfter: number } | { status: 500 };

export class FakeLinearServer {
  readonly state: FakeLinearState = fakeLinearState();
  /** Every request: operation name and the status answered. */
  readonly requests: Array<{ operation: string; status: number }> = [];
  private readonly handlers = fakeLinearHandlers(this.state);
  private failing: LinearFailure[] | null = null;
  private server: Server = createServer((req, res) => void this.handle(req, res));
  private port = 0;

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Answers every request with these failures in turn until `recover()`. */
  failWith(failures: LinearFailure[]): void {
    this.failing = failures;
  }

  recover(): void {
    this.failing = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let operation = 'unknown';
    try {
      const parsed = JSON.parse(body) as { query?: string; operationName?: string };
      operation = parsed.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(parsed.query ?? '')?.[1] ?? 'unknown';
    } catch {
      // not JSON: answered below by the handlers (or not at all)
    }
    if (this.failing) {
      const failure = this.failing[this.requests.filter((r) => r.status !== 200).length % this.failing.length]!;
      this.requests.push({ operation, status: failure.status });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (failure.status === 429) headers['retry-after'] = String(failure.retryAfter);
      res.writeHead(failure.status, headers);
      res.end(
        JSON.stringify({
          errors: [
            {
              message: failure.status === 429 ? 'Rate limit exceeded' : 'Internal server error',
              extensions: {
                type: failure.status === 429 ? 'Ratelimited' : 'internal error',
                code: failure.status === 429 ? 'RATELIMITED' : 'INTERNAL_SERVER_ERROR',
              },
            },
          ],
        }),
      );
      return;
    }
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(key, value);
    const response = await getResponse(this.handlers, new Request(LINEAR_API, { method: req.method ?? 'POST', headers, body }));
    const status = response?.status ?? 400;
    this.requests.push({ operation, status });
    if (!response) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: `fake Linear does not know operation ${operation}` }] }));
      return;
    }
    res.writeHead(status, Object.fromEntries(response.headers.entries()));
    res.end(Buffer.from(await response.arrayBuffer()));
  }
}
