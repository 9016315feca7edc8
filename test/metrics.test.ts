// GET /metrics: Prometheus text with missions by state, events appended, outbox depth and
// age per consumer, and request latency.
import type { Server } from 'node:http';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createHttpServer, listen } from '../src/httpServer.js';
import { EVENT_LOOP_SAMPLE_MS } from '../src/metrics.js';
import { freshDatabaseUrl, PROVIDERS } from './support/databases.js';
import { JORDAN } from './support/seedMission.js';

describe.each(PROVIDERS)('/metrics on %s', (provider) => {
  let app: App;
  let server: Server;
  let cleanup: () => Promise<void>;

  /** The app on a fresh database, served on a free port (closed after each test). */
  const startApp = async (): Promise<number> => {
    const database = freshDatabaseUrl(provider);
    cleanup = database.cleanup;
    app = await createApp(loadConfig({ DATABASE_URL: database.url }), pino({ level: 'silent' }));
    server = createHttpServer(app);
    return (await listen(server, '127.0.0.1', 0)).port;
  };

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await app.close();
    await cleanup();
  });

  it('reports stored state and this instance’s activity in Prometheus text', async () => {
    const port = await startApp();
    const first = await app.missions.startMission({ intent: 'Fix the flaky login test', channelId: 'C0MISSIONS' }, JORDAN);
    await app.missions.startMission({ intent: 'Add CSRF tokens to all POST routes' }, JORDAN);
    await app.missions.lockBrief({ missionId: first.id }, JORDAN);
    await fetch(`http://127.0.0.1:${port}/healthz`);

    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^mission_control_missions\{state="defining"\} 1$/m);
    expect(text).toMatch(/^mission_control_missions\{state="preparing"\} 1$/m);
    expect(text).toMatch(/^mission_control_events_appended_total\{type="intent_submitted"\} 2$/m);
    // Nothing delivers yet in this process, so both missions wait in each consumer's outbox.
    expect(text).toMatch(/^mission_control_outbox_pending\{consumer="slack"\} 2$/m);
    expect(text).toMatch(/^mission_control_outbox_dead\{consumer="trackers"\} 0$/m);
    expect(text).toMatch(/^mission_control_outbox_oldest_pending_seconds\{consumer="slack"\} \d+$/m);
    expect(text).toMatch(/^mission_control_http_request_duration_seconds_count\{route="\/healthz",status="200"\} 1$/m);
    expect(text).toContain('mission_control_process_resident_memory_bytes');
  });

  it('shows a stall of the event loop in the lag gauges, though it samples the delay only every 100 ms', async () => {
    const port = await startApp();
    const lagMax = async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return Number(/^mission_control_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1]);
    };
    await new Promise((resolve) => setTimeout(resolve, 3 * EVENT_LOOP_SAMPLE_MS));
    // Blocks this process's thread (the app's) for 400 ms, as a synchronous scan would.
    const until = Date.now() + 400;
    while (Date.now() < until);
    await new Promise((resolve) => setTimeout(resolve, 2 * EVENT_LOOP_SAMPLE_MS));
    expect(await lagMax()).toBeGreaterThan(0.25);
  });
});
