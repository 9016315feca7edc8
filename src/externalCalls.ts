// Every HTTP call to Slack, GitHub or Linear, timed and reported to whoever listens (the
// /metrics registry). Clients wrap their single attempts; retries show as several calls.
import { performance } from 'node:perf_hooks';

export type ExternalService = 'slack' | 'github' | 'linear';
export type ExternalCallListener = (service: ExternalService, outcome: 'ok' | 'failed', seconds: number) => void;

const listeners = new Set<ExternalCallListener>();

export function onExternalCall(listener: ExternalCallListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function timedExternalCall<T>(service: ExternalService, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let outcome: 'ok' | 'failed' = 'failed';
  try {
    const result = await call();
    outcome = 'ok';
    return result;
  } finally {
    const seconds = (performance.now() - started) / 1000;
    for (const listener of listeners) listener(service, outcome, seconds);
  }
}
