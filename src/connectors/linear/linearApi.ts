// The Linear GraphQL client the Linear connectors share. The SDK's `LinearClient` carries the
// key, the API URL (LINEAR_API_URL for tests) and Linear's error types; our operations are
// small named documents sent through its raw request, so each asks for exactly the fields it
// uses. Reads are retried and shared when identical (single flight); failures become
// `ConnectorError`.
import { LinearClient, LinearError, LinearErrorType, RatelimitedLinearError } from '@linear/sdk';
import { ConnectorError, retryAfterFromHeaders } from '../connectorError.js';
import { DEFAULT_RETRY_POLICY, realRetryRuntime, withRetry, type RetryPolicy, type RetryRuntime } from '../httpRetry.js';
import { SingleFlight } from '../singleFlight.js';
import { timedExternalCall } from '../../externalCalls.js';

export const DEFAULT_LINEAR_API_URL = 'https://api.linear.app/graphql';

export interface LinearApiOptions {
  apiKey: string;
  apiUrl?: string | undefined;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  runtime?: RetryRuntime;
}

export class LinearApi {
  private readonly flights = new SingleFlight();
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly runtime: RetryRuntime;

  constructor(private readonly options: LinearApiOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.runtime = options.runtime ?? realRetryRuntime;
  }

  /** A query: retried, and shared with an identical one already in flight. */
  query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
    const key = `${document}\n${JSON.stringify(variables)}`;
    return this.flights.run(key, () =>
      withRetry(
        () => this.once<T>(document, variables),
        (e) => this.classify(e, document),
        this.policy,
        this.runtime,
      ),
    );
  }

  /** A mutation, sent once (see `GitHubApi.send`: callers make it idempotent before retrying it). */
  mutate<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
    return this.once<T>(document, variables).catch((error: unknown) => {
      throw this.classify(error, document);
    });
  }

  private async once<T>(document: string, variables: Record<string, unknown>): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    // A client per attempt: the SDK takes its fetch options (the abort signal) at construction.
    const client = new LinearClient({ apiKey: this.options.apiKey, apiUrl: this.options.apiUrl ?? DEFAULT_LINEAR_API_URL, signal: controller.signal });
    try {
      const response = await timedExternalCall('linear', () => client.client.rawRequest<T, Record<string, unknown>>(document, variables));
      return response.data as T;
    } catch (error) {
      if (controller.signal.aborted)
        throw new ConnectorError('linear', 'timeout', `Linear did not answer ${operationName(document)} within ${this.timeoutMs} ms`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  classify(error: unknown, document: string): ConnectorError {
    if (error instanceof ConnectorError) return error;
    const operation = operationName(document);
    if (!(error instanceof LinearError)) {
      return new ConnectorError(
        'linear',
        'unavailable',
        `Linear could not be reached for ${operation}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const status = error.status ?? null;
    const message = `Linear refused ${operation}${status ? ` (${status})` : ''}: ${error.message}`;
    if (error instanceof RatelimitedLinearError || error.type === LinearErrorType.Ratelimited || status === 429) {
      const headers = headerRecord((error.raw as { response?: { headers?: Headers } } | undefined)?.response?.headers);
      return new ConnectorError('linear', 'rate_limited', message, status, retryAfterFromHeaders(headers, this.runtime.now()));
    }
    if (status === 401 || (error.type === LinearErrorType.AuthenticationError && status !== 404))
      return new ConnectorError('linear', 'unauthorized', `${message} (the API key is missing, expired or revoked)`, status);
    if (status === 403 || error.type === LinearErrorType.Forbidden) return new ConnectorError('linear', 'forbidden', message, status);
    if (status === 404 || /\bnot found\b/i.test(error.message)) return new ConnectorError('linear', 'not_found', message, status);
    if (
      (status !== null && status >= 500) ||
      error.type === LinearErrorType.NetworkError ||
      error.type === LinearErrorType.InternalError ||
      error.type === LinearErrorType.LockTimeout
    ) {
      return new ConnectorError('linear', 'unavailable', message, status);
    }
    return new ConnectorError('linear', 'rejected', message, status);
  }
}

function operationName(document: string): string {
  return /\b(?:query|mutation)\s+(\w+)/.exec(document)?.[1] ?? 'a request';
}

function headerRecord(headers: Headers | undefined): Record<string, string | undefined> {
  const record: Record<string, string | undefined> = {};
  headers?.forEach((value, key) => {
    record[key.toLowerCase()] = value;
  });
  return record;
}
