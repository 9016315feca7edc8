// Prometheus metrics for /metrics (prom-client). Gauges that describe stored state (missions by
// state, feed depth and age) are read from the database at scrape time, so every instance
// reports the same truth; counters and histograms are this process's own.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FEED_CONSUMERS, type MissionFeed } from './domain/missionFeed.js';
import type { MissionService } from './domain/missionService.js';
import type { Clock } from './domain/runtime.js';
import { withTimeout } from './timeouts.js';
import type { PayloadOf } from './domain/telemetryEvents.js';

export interface MetricsSources {
  service: MissionService;
  countMissionsByState(): Promise<Record<string, number>>;
  feed: MissionFeed;
  clock: Clock;
  /** How long a scrape waits for the database; past it (or on a database error) those gauges are left out, so /metrics still answers. */
  databaseTimeoutMs?: number;
}

/** How often the event loop delay gauges are sampled (prom-client's `eventLoopMonitoringPrecision`). */
export const EVENT_LOOP_SAMPLE_MS = 100;

export class Metrics {
  readonly registry = new Registry();
  private readonly externalCalls = new Counter({
    name: 'mission_control_external_calls_total',
    help: 'HTTP calls to Slack, GitHub and Linear by outcome (ok, failed); each retry counts as a call.',
    labelNames: ['service', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly externalLatency = new Histogram({
    name: 'mission_control_external_call_duration_seconds',
    help: 'Latency of calls to Slack, GitHub and Linear.',
    labelNames: ['service'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly httpLatency = new Histogram({
    name: 'mission_control_http_request_duration_seconds',
    help: 'HTTP requests served, by route and status.',
    labelNames: ['route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(sources: MetricsSources) {
    // The event loop delay is sampled every EVENT_LOOP_SAMPLE_MS, not prom-client's 10 ms: each
    // sample wakes an idle process, and a hundred wake-ups a second cost an idle instance most
    // of its CPU (measured: 18 ms of CPU a second idle, 7 ms at 100 ms). A stall still delays the
    // next sample, so stalls that matter show.
    collectDefaultMetrics({ register: this.registry, prefix: 'mission_control_', eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    const timeoutMs = sources.databaseTimeoutMs ?? 2000;
    const fromDatabase = <T>(read: () => Promise<T>): Promise<T | null> => withTimeout(read(), timeoutMs, 'database did not answer').catch(() => null);
    const eventsAppended = new Counter({
      name: 'mission_control_events_appended_total',
      help: 'Mission events appended by this instance.',
      labelNames: ['type'] as const,
      registers: [this.registry],
    });
    const modelTokens = new Counter({
      name: 'mission_control_model_tokens_total',
      help: 'Model tokens by model, task (draft, plan, review, assistant) and direction (input, output), from model calls and assistant usage reports saved by this instance.',
      labelNames: ['model', 'task', 'direction'] as const,
      registers: [this.registry],
    });
    const modelCost = new Counter({
      name: 'mission_control_model_cost_usd_total',
      help: 'Model cost in USD (configured prices) by model and task.',
      labelNames: ['model', 'task'] as const,
      registers: [this.registry],
    });
    sources.service.subscribe((_mission, events) => {
      for (const event of events) {
        eventsAppended.inc({ type: event.type });
        if (event.type === 'model_call_completed' || event.type === 'usage_reported') {
          const p = event.payload as PayloadOf<'model_call_completed'> | PayloadOf<'usage_reported'>;
          const task = 'task' in p ? p.task : 'assistant';
          modelTokens.inc({ model: p.model, task, direction: 'input' }, p.input_tokens);
          modelTokens.inc({ model: p.model, task, direction: 'output' }, p.output_tokens);
          modelCost.inc({ model: p.model, task }, p.cost_usd);
        }
      }
    });
    // The writer's own counts, read at scrape time (kept in the domain, which has no metrics library).
    const writerCounter = (name: string, help: string, pick: (c: ReturnType<MissionService['writerCounts']>) => number) =>
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(pick(sources.service.writerCounts()));
        },
      });
    writerCounter(
      'mission_control_stale_saves_total',
      'Saves this instance re-applied because its remembered mission was stale (another instance saved first and the notice had not arrived).',
      (c) => c.staleSaves,
    );
    writerCounter(
      'mission_control_remembered_dropped_total',
      "Remembered missions this instance dropped on another instance's change notice, so its next command read fresh state.",
      (c) => c.droppedOnNotice,
    );
    new Gauge({
      name: 'mission_control_missions',
      help: 'Missions by state (all instances).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [state, count] of Object.entries((await fromDatabase(() => sources.countMissionsByState())) ?? {})) this.set({ state }, count);
      },
    });
    const feedGauge = (name: string, help: string, pick: (s: Awaited<ReturnType<MissionFeed['stats']>>) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['consumer'] as const,
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const consumer of FEED_CONSUMERS) {
            const stats = await fromDatabase(() => sources.feed.stats(consumer, sources.clock.now()));
            const value = stats && pick(stats);
            if (value !== null) this.set({ consumer }, value);
          }
        },
      });
    feedGauge('mission_control_outbox_pending', 'Missions with changes not yet delivered, per consumer (the outbox depth).', (s) => s.pending);
    feedGauge('mission_control_outbox_dead', 'Missions whose delivery was parked after repeated failures.', (s) => s.dead);
    feedGauge('mission_control_outbox_oldest_pending_seconds', 'Age of the oldest undelivered change.', (s) => s.oldestPendingSeconds);
  }

  /** One call to an outside service (Slack and connector clients report through src/externalCalls.ts). */
  recordExternalCall(service: 'slack' | 'github' | 'linear', outcome: 'ok' | 'failed', seconds: number): void {
    this.externalCalls.inc({ service, outcome });
    this.externalLatency.observe({ service }, seconds);
  }

  recordHttpRequest(route: string, status: number, seconds: number): void {
    this.httpLatency.observe({ route, status: String(status) }, seconds);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
