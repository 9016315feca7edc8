#!/usr/bin/env node
// Benchmark: time to acknowledge `/mission <intent>` under bursts of concurrent slash commands,
// signed exactly as Slack signs them, against Mission Control's server (`mission-control start`'s
// HTTP server with the Slack app, a real database and the feed worker posting brief cards to a
// local fake Slack Web API) and against a bare Bolt app that only acks (same HTTPReceiver set-up:
// signing secret, processBeforeResponse false, mounted on a Node HTTP server), both started in this
// run. Rounds alternate between the two so machine noise hits both alike. Prints p50 and p99 of
// both, the ratios, and whether p99 is within 1.5x of the bare app.
//
// The client runs in a worker thread with its own event loop, as Slack's would be elsewhere: an
// acknowledgement is timed when it arrives, not when the server's thread is next free.
//
// Run with `npm run bench:ack` (builds first). Env: BENCH_CONCURRENCY (commands per burst,
// default 50), BENCH_ROUNDS (bursts per server, default 20), DATABASE_URL (postgresql://... to
// measure PostgreSQL; default a fresh SQLite file).
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { App, HTTPReceiver } from '@slack/bolt';
import pino from 'pino';
import { createApp } from '../dist/app.js';
import { loadConfig } from '../dist/config.js';
import { createHttpServer, listen } from '../dist/httpServer.js';
import { SLACK_EVENTS_PATH } from '../dist/slack/slackApp.js';
import { slackLoggerFrom } from '../dist/slack/slackWebApi.js';
import { FakeSlack } from '../scripts/demo/fakeSlack.mjs';
import { slackRequests } from '../scripts/demo/slackRequests.mjs';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const WARMUP_ROUNDS = 2;
const TARGET = 1.5;
const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
const logger = pino({ level: 'silent' });
const PEOPLE = Array.from({ length: CONCURRENCY }, (_, i) => ({ id: `U0BENCH${String(i).padStart(3, '0')}`, name: `person${i}` }));

async function startBare(fake) {
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, endpoints: SLACK_EVENTS_PATH, processBeforeResponse: false, logger: slackLoggerFrom(logger) });
  const bolt = new App({ receiver, authorize: async () => ({ botToken: fake.token }), logger: slackLoggerFrom(logger) });
  bolt.command('/mission', async ({ ack }) => {
    await ack();
  });
  const server = createServer((req, res) => receiver.requestListener(req, res));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}${SLACK_EVENTS_PATH}`,
    settle: async () => undefined,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function startOurs(fake) {
  let dir = null;
  let url = process.env.DATABASE_URL;
  if (!url?.startsWith('postgresql:')) {
    dir = mkdtempSync(path.join(tmpdir(), 'mc-bench-ack-'));
    url = `file:${path.join(dir, 'bench.db')}`;
  }
  const app = await createApp(
    loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent', SLACK_BOT_TOKEN: fake.token, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl }),
    logger,
  );
  const server = createHttpServer(app, app.slack.routes);
  const { port } = await listen(server, '127.0.0.1', 0);
  await app.slack.start();
  app.startBackgroundWork();
  let expected = 0;
  return {
    app,
    url: `http://127.0.0.1:${port}${SLACK_EVENTS_PATH}`,
    /** Waits until every command of the burst has started its mission and its brief card is posted. */
    settle: async (count) => {
      expected += count;
      const deadline = Date.now() + 60_000;
      for (;;) {
        const posted = fake.callsTo('chat.postMessage').length;
        const { pending } = await app.db.feed.stats('slack', new Date());
        if (posted >= expected && pending === 0) return;
        if (Date.now() > deadline) throw new Error(`only ${posted} of ${expected} brief cards posted after 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- the client: a worker thread that sends a burst and times each acknowledgement -----------

if (!isMainThread) {
  parentPort.on('message', async ({ id, url, requests }) => {
    try {
      const latencies = await Promise.all(
        requests.map(async (init) => {
          const t = performance.now();
          const res = await fetch(url, init);
          const body = await res.text();
          const ms = performance.now() - t;
          if (res.status !== 200) throw new Error(`ack answered ${res.status}: ${body}`);
          return ms;
        }),
      );
      parentPort.postMessage({ id, latencies });
    } catch (error) {
      parentPort.postMessage({ id, error: String(error) });
    }
  });
}

function startClient() {
  const worker = new Worker(new URL(import.meta.url));
  const waiting = new Map();
  let next = 0;
  worker.on('message', ({ id, latencies, error }) => {
    const { resolve, reject } = waiting.get(id);
    waiting.delete(id);
    if (error) reject(new Error(error));
    else resolve(latencies);
  });
  return {
    send: (url, requests) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, url, requests });
      }),
    close: () => worker.terminate(),
  };
}

/** One burst: CONCURRENCY signed commands sent at once; returns each one's time to the acknowledgement. */
async function burst(client, target, fake, round) {
  const slack = slackRequests({ eventsUrl: target.url, signingSecret: SIGNING_SECRET, fake });
  const requests = PEOPLE.map((person, i) => slack.sign(slack.commandBody(`Fix the flaky login test #${round}-${i} in CI`, person, 'C0BENCH')));
  const latencies = await client.send(target.url, requests);
  await target.settle(CONCURRENCY);
  return latencies;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  const fakeBare = new FakeSlack();
  const fakeOurs = new FakeSlack();
  await fakeBare.start();
  await fakeOurs.start();
  const bare = await startBare(fakeBare);
  const ours = await startOurs(fakeOurs);
  const client = startClient();
  try {
    const samples = { bare: [], ours: [] };
    for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
      // Alternate which goes first, so neither always follows the other's background work.
      const order = round % 2 === 0 ? [['bare', bare, fakeBare], ['ours', ours, fakeOurs]] : [['ours', ours, fakeOurs], ['bare', bare, fakeBare]];
      for (const [name, target, fake] of order) {
        const latencies = await burst(client, target, fake, round);
        if (round >= WARMUP_ROUNDS) samples[name].push(...latencies);
      }
    }
    const stats = (xs) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1), n: sorted.length };
    };
    const b = stats(samples.bare);
    const o = stats(samples.ours);
    const provider = ours.app.db.target.provider === 'postgresql' ? 'PostgreSQL' : 'SQLite';
    console.log(`Slash command ack: ${ROUNDS} bursts of ${CONCURRENCY} concurrent signed \`/mission <intent>\` requests per server (after ${WARMUP_ROUNDS} warm-up bursts); ours on ${provider}`);
    console.log(`${'server'.padEnd(26)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}${'acks'.padStart(7)}`);
    const row = (label, r) => console.log(`${label.padEnd(26)}${r.p50.toFixed(2).padStart(9)}${r.p99.toFixed(2).padStart(9)}${r.max.toFixed(2).padStart(9)}${String(r.n).padStart(7)}`);
    row('bare Bolt app (ack only)', b);
    row('Mission Control', o);
    const p99Ratio = o.p99 / b.p99;
    console.log(`ratio (ours / bare): p50 ${(o.p50 / b.p50).toFixed(2)}x, p99 ${p99Ratio.toFixed(2)}x`);
    console.log(`target (p99 within ${TARGET}x of the bare app): ${p99Ratio <= TARGET ? 'met' : 'NOT met'}`);
    // For `npm run bench` (bench/runAll.mjs), which writes docs/benchmarks.md.
    if (process.env.BENCH_RESULT_FILE) {
      writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify({ benchmark: 'ack', provider, concurrency: CONCURRENCY, rounds: ROUNDS, bare: b, ours: o, p99Ratio, target: TARGET, targetMet: p99Ratio <= TARGET }));
    }
    const missions = (await ours.app.missions.listMissions({ limit: 1 })).missions.length > 0;
    if (!missions) throw new Error('no mission was started: the commands did not reach the service');
  } finally {
    await client.close();
    await ours.close();
    await bare.close();
    await fakeOurs.stop();
    await fakeBare.stop();
  }
}

if (isMainThread) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
