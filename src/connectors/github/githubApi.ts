// The GitHub REST client every GitHub connector shares: Octokit pointed at GITHUB_API_URL
// (GitHub Enterprise, or a test server), with a timeout per attempt, retries with backoff
// (`httpRetry.ts`), one in-flight request for identical concurrent reads (`singleFlight.ts`),
// and failures as `ConnectorError`.
import { Octokit } from '@octokit/rest';
import { ConnectorError, failureOfStatus, isRateLimited, retryAfterFromHeaders } from '../connectorError.js';
import { DEFAULT_RETRY_POLICY, realRetryRuntime, withRetry, type RetryPolicy, type RetryRuntime } from '../httpRetry.js';
import { SingleFlight } from '../singleFlight.js';
import { timedExternalCall } from '../../externalCalls.js';

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

export interface GitHubApiOptions {
  token: string;
  baseUrl?: string | undefined;
  /** Per attempt. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  runtime?: RetryRuntime;
}

export interface GitHubResponse<T> {
  status: number;
  headers: Record<string, string | undefined>;
  data: T;
}

type Params = Record<string, unknown>;

export class GitHubApi {
  private readonly octokit: Octokit;
  private readonly flights = new SingleFlight();
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly runtime: RetryRuntime;

  constructor(options: GitHubApiOptions) {
    this.octokit = new Octokit({
      auth: options.token,
      baseUrl: (options.baseUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, ''),
      userAgent: 'mission-control',
      // Late-bound so a test's fetch interception (msw) is always the one used.
      request: { fetch: (input: Parameters<typeof fetch>[0], init?: RequestInit) => globalThis.fetch(input, init) },
      // Octokit would log deprecations and its own warnings to the console; our logs are pino JSON.
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.runtime = options.runtime ?? realRetryRuntime;
  }

  /** A read: retried, and shared with identical reads already in flight. */
  get<T>(route: string, params: Params = {}): Promise<GitHubResponse<T>> {
    const key = `${route} ${JSON.stringify(params, Object.keys(params).sort())}`;
    return this.flights.run(key, () =>
      withRetry(
        () => this.once<T>(route, params),
        (e) => this.classify(e, route),
        this.policy,
        this.runtime,
      ),
    );
  }

  /**
   * A write, sent once: a write that timed out or failed with 5xx may still have happened,
   * so callers that need retries make the write idempotent first (look it up, then write).
   */
  send<T>(route: string, params: Params = {}): Promise<GitHubResponse<T>> {
    return this.once<T>(route, params).catch((error: unknown) => {
      throw this.classify(error, route);
    });
  }

  private async once<T>(route: string, params: Params): Promise<GitHubResponse<T>> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TimeoutError(this.timeoutMs)), this.timeoutMs);
    try {
      const response = await timedExternalCall('github', () => this.octokit.request(route, { ...params, request: { signal: controller.signal } }));
      return { status: response.status, headers: response.headers as Record<string, string | undefined>, data: response.data as T };
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  classify(error: unknown, route: string): ConnectorError {
    if (error instanceof ConnectorError) return error;
    if (error instanceof TimeoutError) return new ConnectorError('github', 'timeout', `GitHub did not answer ${route} within ${error.timeoutMs} ms`);
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : null;
    const headers = ((error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {}) as Record<string, string | undefined>;
    const message = error instanceof Error ? error.message : String(error);
    if (status === null || !(error as { response?: unknown }).response) {
      return new ConnectorError('github', 'unavailable', `GitHub could not be reached for ${route}: ${message}`, status);
    }
    if (isRateLimited(status, headers)) {
      const wait = retryAfterFromHeaders(headers, this.runtime.now());
      return new ConnectorError(
        'github',
        'rate_limited',
        `GitHub rate limit reached on ${route}${wait !== null ? `; resets in ${Math.ceil(wait / 1000)} s` : ''}`,
        status,
        wait,
      );
    }
    const failure = failureOfStatus(status);
    const hint =
      failure === 'unauthorized'
        ? ' (the token is missing, expired or revoked)'
        : failure === 'forbidden'
          ? ' (the token lacks access to this repository or scope)'
          : '';
    return new ConnectorError(
      'github',
      failure,
      `GitHub answered ${status} to ${route}: ${message}${hint}`,
      status,
      failure === 'unavailable' ? retryAfterFromHeaders(headers, this.runtime.now()) : null,
    );
  }
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

/** `owner/name` from `owner/name`, a github.com URL, or a GitHub Enterprise URL. */
export interface RepositoryRef {
  owner: string;
  repo: string;
}

export function parseRepository(text: string): RepositoryRef | null {
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/.exec(text.trim());
  if (!match || match[2] === '.' || match[2] === '..') return null;
  return { owner: match[1]!, repo: match[2]!.replace(/\.git$/, '') };
}

export function repositoryName(ref: RepositoryRef): string {
  return `${ref.owner}/${ref.repo}`;
}
