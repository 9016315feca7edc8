// One error shape for every connector call, whatever SDK made it: what kind of failure,
// whether retrying can help, and when the API said to come back. The feed worker reads
// `retryAfterMs` to schedule the next attempt.

export type ConnectorFailure = 'unauthorized' | 'forbidden' | 'not_found' | 'rate_limited' | 'unavailable' | 'timeout' | 'invalid_response' | 'rejected';

export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  constructor(
    readonly toolkitId: string,
    readonly failure: ConnectorFailure,
    message: string,
    readonly status: number | null = null,
    /** When the API asked us to wait (Retry-After, rate-limit reset), in ms from now. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }

  /** 429, 5xx, timeouts and network failures may pass; 401, 403 (not rate limited), 404 and 422 will not. */
  get retryable(): boolean {
    return this.failure === 'rate_limited' || this.failure === 'unavailable' || this.failure === 'timeout';
  }
}

/** Milliseconds to wait from Retry-After (seconds or an HTTP date) or a rate-limit reset header, or null. */
export function retryAfterFromHeaders(headers: Record<string, string | undefined>, nowMs: number): number | null {
  const get = (name: string) => headers[name] ?? headers[name.toLowerCase()];
  const retryAfter = get('retry-after');
  if (retryAfter !== undefined && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs);
  }
  // GitHub: x-ratelimit-remaining 0 and x-ratelimit-reset in epoch seconds.
  // Linear: x-ratelimit-requests-remaining 0 and x-ratelimit-requests-reset in epoch milliseconds.
  for (const [remainingHeader, resetHeader] of [
    ['x-ratelimit-remaining', 'x-ratelimit-reset'],
    ['x-ratelimit-requests-remaining', 'x-ratelimit-requests-reset'],
    ['x-ratelimit-complexity-remaining', 'x-ratelimit-complexity-reset'],
  ] as const) {
    const reset = Number(get(resetHeader));
    if (get(remainingHeader) === '0' && Number.isFinite(reset) && reset > 0) {
      const resetMs = reset > 1e12 ? reset : reset * 1000;
      return Math.max(0, resetMs - nowMs);
    }
  }
  return null;
}

export function isRateLimited(status: number, headers: Record<string, string | undefined>): boolean {
  if (status === 429) return true;
  // GitHub answers an exhausted (primary or secondary) rate limit with 403 and these headers.
  return status === 403 && (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined);
}

export function failureOfStatus(status: number): ConnectorFailure {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'unavailable';
  return 'rejected';
}
