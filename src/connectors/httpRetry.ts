// Retries for connector calls: exponential backoff with full jitter on 429, 5xx, timeouts
// and network failures; a Retry-After or rate-limit reset from the API wins over the
// computed delay. A time budget bounds the whole call: when the API asks for a longer wait
// than is left, the error goes up with `retryAfterMs`, so a durable caller (the feed worker)
// schedules the next attempt instead of holding a request open.
import type { ConnectorError } from './connectorError.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest the call may take in all, waits included. */
  budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 8_000, budgetMs: 30_000 };

export interface RetryRuntime {
  sleep(ms: number): Promise<void>;
  random(): number;
  now(): number;
}

export const realRetryRuntime: RetryRuntime = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  now: Date.now,
};

/** Full jitter: a random wait between 0 and the capped exponential step. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  classify: (error: unknown) => ConnectorError,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  runtime: RetryRuntime = realRetryRuntime,
): Promise<T> {
  const started = runtime.now();
  for (let attempt = 1; ; attempt++) {
    let failure: ConnectorError;
    try {
      return await operation(attempt);
    } catch (error) {
      failure = classify(error);
    }
    if (!failure.retryable || attempt >= policy.maxAttempts) throw failure;
    const wait = failure.retryAfterMs ?? backoffDelay(attempt, policy, runtime.random);
    if (runtime.now() - started + wait > policy.budgetMs) throw failure;
    await runtime.sleep(wait);
  }
}
