#!/usr/bin/env node
// Benchmark: time to acknowledge `/mission <intent>` under bursts of concurrent slash commands,
// signed exactly as Slack signs them, against `mission-control start`'s full process (its Slack
// app, the delivery worker posting brief cards to a local fake Slack Web API, a database seeded
// with BENCH_MISSIONS missions, default 10,000) and against a bare Bolt app that only acks (same
// HTTPReceiver set-up: signing secret, processBeforeResponse false, on a Node HTTP server), each a
// process of its own started in this run. Rounds alternate between the two so machine noise hits both alike. Prints p50 and p99 of
// both, the ratios, and whether p99 is within 1.5x of the bare app.
//
// The client runs in a worker thread with its own event loop, as Slack's would be elsewhere: an
// acknowledgement is timed when it arrives, not when the server's thread is next free.
//
// Run with `npm run bench:ack` (builds first). Env: BENCH_CONCURRENCY (commands per burst,
// default 50), BENCH_ROUNDS (bursts per server, default 20), BENCH_MISSIONS, BENCH_SMOKE=1.
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { FakeSlack } from '../scripts/demo/fakeSlack.mjs';
import { slackRequests } from '../scripts/demo/slackRequests.mjs';
import { loadLine, ratioLine, setting, SMOKE, writeResult } from './support/measure.mjs';
import { SIGNING_SECRET, startBare, startMissionControl } from './support/processes.mjs';
import { seededDatabase } from './support/seedDatabase.mjs';

const CONCURRENCY = setting('BENCH_CONCURRENCY', 50, 3);
const ROUNDS = setting('BENCH_ROUNDS', 20, 2);
const MISSIONS = setting('BENCH_MISSIONS', 10_000, 3);
const WARMUP_ROUNDS = SMOKE ? 1 : 2;
const TARGET = 1.5;
const PEOPLE = Array.from({ length: CONCURRENCY }, (_, i) => ({ id: `U0BENCH${String(i).padStart(3, '0')}`, name: `person${i}` }));

async function startBareBolt() {
  const server = await startBare('bolt');
  return { url: server.slackUrl, settle: async () => undefined, close: () => server.stop() };
}

/** `mission-control start` on a seeded database, its Slack app pointed at `fake`. */
async function startOurs(fake) {
  const db = await seededDatabase({ missions: MISSIONS });
  const server = await startMissionControl({ label: 'mission-control', databaseUrl: db.url, slack: fake });
  let expected = fake.callsTo('chat.postMessage').length;
  return {
    db,
    url: server.slackUrl,
    /** Waits until every command of the burst has its brief card posted. */
    settle: async (count) => {
      expected += count;
      const deadline = Date.now() + 60_000;
      for (;;) {
        const posted = fake.callsTo('chat.postMessage').filter((c) => String(c.args.text ?? '').startsWith('Mission brief')).length;
        if (posted >= expected) return;
        if (Date.now() > deadline) throw new Error(`only ${posted} of ${expected} brief cards posted after 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: async () => {
      await server.stop();
      await db.cleanup();
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
  const fakeOurs = new FakeSlack({ knowsEarlierMessages: true });
  await fakeBare.start();
  await fakeOurs.start();
  const loadBefore = loadLine('before');
  const bare = await startBareBolt();
  const ours = await startOurs(fakeOurs);
  const client = startClient();
  try {
    const samples = { bare: [], ours: [] };
    for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
      // Alternate which goes first, so neither always follows the other's background work.
      const order =
        round % 2 === 0
          ? [
              ['bare', bare, fakeBare],
              ['ours', ours, fakeOurs],
            ]
          : [
              ['ours', ours, fakeOurs],
              ['bare', bare, fakeBare],
            ];
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
    const provider = 'SQLite';
    const loadAfter = loadLine('after');
    console.log(
      `Slash command ack: ${ROUNDS} bursts of ${CONCURRENCY} concurrent signed \`/mission <intent>\` requests per server (after ${WARMUP_ROUNDS} warm-up bursts); ours is \`mission-control start\` on ${provider} seeded with ${ours.db.missions} missions`,
    );
    console.log(`${'server'.padEnd(26)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}${'acks'.padStart(7)}`);
    const row = (label, r) =>
      console.log(`${label.padEnd(26)}${r.p50.toFixed(2).padStart(9)}${r.p99.toFixed(2).padStart(9)}${r.max.toFixed(2).padStart(9)}${String(r.n).padStart(7)}`);
    row('bare Bolt app (ack only)', b);
    row('Mission Control', o);
    ratioLine('p50 ack, start / bare Bolt', o.p50 / b.p50);
    const checks = [ratioLine('p99 ack, start / bare Bolt', o.p99 / b.p99, TARGET)];
    writeResult({
      benchmark: 'ack',
      provider,
      seeded: ours.db.missions,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      bare: b,
      ours: o,
      checks,
      load: { before: loadBefore, after: loadAfter },
      smoke: SMOKE,
    });
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
