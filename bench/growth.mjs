#!/usr/bin/env node
// Benchmark: do costs stay flat as history and the number of missions grow? Two
// `mission-control start` processes (delivery worker and Slack app on, fake Slack Web API) run
// side by side in the same run:
//   small: a database of BENCH_SMALL_MISSIONS (default 1,000) missions that also holds one mission
//          grown through the product's service to BENCH_EVENTS (default 50,000) events of mixed
//          report kinds (steps, test runs, alerts, usage, deviations, evidence), cached per schema;
//   large: a database of BENCH_LARGE_MISSIONS (default 100,000) missions.
// Measured over MCP with calls interleaved in blocks, each as a ratio in the same run:
//   report_progress, get_mission and the events list (mission://{id}/events) on the grown mission
//   against a fresh mission made in this run (small server) with one page of events;
//   list_missions (by state, by text, all), search_library and a /metrics scrape on the large
//   database against the small one; and idle CPU (no requests, BENCH_IDLE_SECONDS, default 20)
//   of the large server against the small one.
// Targets: each ratio within 1.5x.
//
// Env: BENCH_EVENTS, BENCH_SMALL_MISSIONS, BENCH_LARGE_MISSIONS, BENCH_SAMPLES (per operation and
// side, default 40), BENCH_IDLE_SECONDS, BENCH_GROW_BUDGET_SECONDS (default 900: growing the mission
// through the service stops there and the run measures what it reached), BENCH_SMOKE=1. `npm run bench:growth`.
import { performance } from 'node:perf_hooks';
import { HISTORY_PAGE as EVENTS_PAGE } from '../dist/mcp/missionResources.js';
import { FakeSlack } from '../scripts/demo/fakeSlack.mjs';
import { ASSISTANT, BENCH_PHASES, INTENTS, MixedReports } from './support/benchPlays.mjs';
import { connectionResets, connectMcp, executingMissionOverMcp } from './support/mcpClient.mjs';
import { fixed, loadLine, ratioLine, setting, sleep, SMOKE, stats, writeResult } from './support/measure.mjs';
import { startMissionControl } from './support/processes.mjs';
import { largestMission, seededDatabase, seededVariant } from './support/seedDatabase.mjs';

const EVENTS = setting('BENCH_EVENTS', 50_000, 300);
const SMALL = setting('BENCH_SMALL_MISSIONS', 1_000, 3);
const LARGE = setting('BENCH_LARGE_MISSIONS', 100_000, 30);
const SAMPLES = setting('BENCH_SAMPLES', 40, 4);
const GROW_BUDGET_SECONDS = setting('BENCH_GROW_BUDGET_SECONDS', 900, 60);
const IDLE_SECONDS = setting('BENCH_IDLE_SECONDS', 20, 2);
const BLOCK = 5;
/** Calls of each database-size operation on each side before any is timed (warmUp). */
const WARM_UP_ROUNDS = SMOKE ? 2 : 50;
const TARGET = 1.5;

/**
 * Grows one executing mission of the database at `url` to EVENTS events through the product's
 * service, within BENCH_GROW_BUDGET_SECONDS: a product whose report cost grows with history takes
 * far longer (quadratic), and then the run goes on with the events reached and says so.
 */
async function growOneMission(url) {
  const { withSeedingApp } = await import('./support/seedDatabase.mjs');
  return withSeedingApp(url, async (app) => {
    const page = await app.missions.listMissions({ state: 'executing', limit: 1 });
    const id = page.missions[0].id;
    const reports = new MixedReports();
    reports.add(id);
    const started = Date.now();
    let mission = await app.missions.getMission({ missionId: id });
    let lap = { at: Date.now(), seq: mission.eventSeq };
    while (mission.eventSeq < EVENTS) {
      const { name, arguments: args } = reports.next(id);
      mission = name === 'attach_evidence' ? (await app.missions.attachEvidence(args, ASSISTANT)).mission : await app.missions.reportProgress(args, ASSISTANT);
      if (Date.now() - lap.at >= 30_000) {
        const rate = (mission.eventSeq - lap.seq) / ((Date.now() - lap.at) / 1000);
        process.stderr.write(
          `[seed]   grown mission at ${mission.eventSeq} events after ${((Date.now() - started) / 1000).toFixed(0)} s (${rate.toFixed(0)} events/s lately)\n`,
        );
        lap = { at: Date.now(), seq: mission.eventSeq };
      }
      if (Date.now() - started > GROW_BUDGET_SECONDS * 1000) {
        console.log(
          `WARNING: growing a mission through the service reached ${mission.eventSeq} of ${EVENTS} events in ${GROW_BUDGET_SECONDS} s (BENCH_GROW_BUDGET_SECONDS); measuring with that (not cached)`,
        );
        return { complete: false };
      }
    }
    return { complete: true };
  });
}

async function timed(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Calls every operation of `pairs` on both sides `rounds` times, so both servers have run each about as often before anything is timed. */
async function warmUp(pairs, rounds) {
  for (let i = 0; i < rounds; i++) for (const [a, b] of Object.values(pairs)) await Promise.all([a(), b()]);
}

/** Runs each named pair of operations SAMPLES times, alternating in blocks of BLOCK, after a warm-up of BLOCK each. */
async function interleaved(pairs) {
  const out = {};
  for (const [name, [a, b]] of Object.entries(pairs)) {
    for (let i = 0; i < BLOCK; i++) {
      await a();
      await b();
    }
    const samples = { a: [], b: [] };
    for (let done = 0; done < SAMPLES; done += BLOCK) {
      for (let i = 0; i < BLOCK; i++) samples.a.push(await timed(a));
      for (let i = 0; i < BLOCK; i++) samples.b.push(await timed(b));
    }
    out[name] = { a: stats(samples.a), b: stats(samples.b) };
  }
  return out;
}

async function main() {
  const loadBefore = loadLine('before');
  const small = await seededVariant({ missions: SMALL, name: `grown-${EVENTS}`, build: growOneMission });
  const grown = largestMission(small.url);
  const large = await seededDatabase({ missions: LARGE });
  const fakes = [new FakeSlack({ knowsEarlierMessages: true }), new FakeSlack({ knowsEarlierMessages: true })];
  for (const f of fakes) await f.start();
  const servers = [];
  const clients = [];
  try {
    servers.push(await startMissionControl({ label: 'small', databaseUrl: small.url, slack: fakes[0] }));
    servers.push(await startMissionControl({ label: 'large', databaseUrl: large.url, slack: fakes[1] }));
    const [s, l] = servers;
    const ms = await connectMcp(s.mcpUrl, s.token);
    const ml = await connectMcp(l.mcpUrl, l.token);
    clients.push(ms, ml);

    // The grown mission (the only one past a few hundred events) and a fresh one made now.
    const fresh = await executingMissionOverMcp(ms, `${INTENTS[0]} (fresh)`, small.url);
    const workload = new MixedReports();
    workload.add(grown.id, BENCH_PHASES.length - 1);
    workload.add(fresh, 0);
    const report = (id) => async () => {
      const { name, arguments: args } = workload.next(id, { transitions: false });
      await ms.call(name, args);
    };
    // The fresh mission gets a full page of events first (the events resource pages by
    // EVENTS_PAGE), so both sides of the events row read a full page: the ratio then shows what
    // 50,000 events of history cost, not a full page against a short one.
    for (let i = 0; i < (SMOKE ? 3 : EVENTS_PAGE); i++) await report(fresh)();
    const mission = await interleaved({
      report: [report(grown.id), report(fresh)],
      get_mission: [() => ms.call('get_mission', { missionId: grown.id }), () => ms.call('get_mission', { missionId: fresh })],
      events: [() => ms.read(`mission://${grown.id}/events`), () => ms.read(`mission://${fresh}/events`)],
    });
    const scrape = (server) => async () => {
      const res = await fetch(server.metricsUrl);
      await res.text();
      if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
    };
    const sizePairs = {
      'list_missions {state}': [
        () => ml.call('list_missions', { state: 'executing', limit: 20 }),
        () => ms.call('list_missions', { state: 'executing', limit: 20 }),
      ],
      'list_missions {text}': [() => ml.call('list_missions', { text: 'export', limit: 20 }), () => ms.call('list_missions', { text: 'export', limit: 20 })],
      list_missions: [() => ml.call('list_missions', { limit: 20 }), () => ms.call('list_missions', { limit: 20 })],
      search_library: [
        () => ml.call('search_library', { tags: ['exports'], text: 'export', limit: 10 }),
        () => ms.call('search_library', { tags: ['exports'], text: 'export', limit: 10 }),
      ],
      '/metrics scrape': [scrape(l), scrape(s)],
    };
    // The small server has just served hundreds of calls and the large one none: without this, the
    // first operations timed on the large side run on code the JIT has not optimized yet.
    await warmUp(sizePairs, WARM_UP_ROUNDS);
    const size = await interleaved(sizePairs);
    // Idle: no requests; what the delivery worker's polling and timers cost.
    await sleep(2000);
    const before = servers.map((x) => x.cpuMs());
    await sleep(IDLE_SECONDS * 1000);
    const idle = servers.map((x, i) => (x.cpuMs() - before[i]) / IDLE_SECONDS);
    const loadAfter = loadLine('after');
    if (connectionResets.count > 0) console.log(`client connections reset and retried once: ${connectionResets.count}`);

    console.log(
      `Growth: small database ${small.missions} missions with one grown to ${grown.eventSeq} events; large database ${large.missions} missions; both through \`mission-control start\` (SQLite), ${SAMPLES} samples per operation and side`,
    );
    console.log(`${'operation'.padEnd(30)}${'grown/large p50'.padStart(16)}${'fresh/small p50'.padStart(16)}${'p99'.padStart(10)}${'p99'.padStart(10)}`);
    const rows = [];
    const checks = [];
    for (const [name, r] of Object.entries(mission)) {
      console.log(
        `${`${name} (mission)`.padEnd(30)}${fixed(r.a.p50).padStart(16)}${fixed(r.b.p50).padStart(16)}${fixed(r.a.p99).padStart(10)}${fixed(r.b.p99).padStart(10)}`,
      );
      rows.push({ operation: name, compare: `mission with ${grown.eventSeq} events / fresh mission`, grown: r.a, base: r.b });
    }
    for (const [name, r] of Object.entries(size)) {
      console.log(
        `${`${name} (database)`.padEnd(30)}${fixed(r.a.p50).padStart(16)}${fixed(r.b.p50).padStart(16)}${fixed(r.a.p99).padStart(10)}${fixed(r.b.p99).padStart(10)}`,
      );
      rows.push({ operation: name, compare: `${large.missions} / ${small.missions} missions`, grown: r.a, base: r.b });
    }
    console.log(`${'idle CPU ms per second'.padEnd(30)}${fixed(idle[1]).padStart(16)}${fixed(idle[0]).padStart(16)}`);
    for (const [name, r] of Object.entries(mission))
      checks.push(ratioLine(`${name} p50, mission with ${grown.eventSeq} events / fresh mission`, r.a.p50 / r.b.p50, TARGET));
    for (const [name, r] of Object.entries(size))
      checks.push(ratioLine(`${name} p50, ${large.missions} / ${small.missions} missions`, r.a.p50 / r.b.p50, TARGET));
    checks.push(ratioLine(`idle CPU, ${large.missions} / ${small.missions} missions`, idle[1] / Math.max(idle[0], 0.01), TARGET));
    writeResult({
      benchmark: 'growth',
      events: grown.eventSeq,
      small: small.missions,
      large: large.missions,
      samples: SAMPLES,
      warmUpRounds: WARM_UP_ROUNDS,
      idleSeconds: IDLE_SECONDS,
      rows,
      idle: { large: idle[1], small: idle[0] },
      checks,
      load: { before: loadBefore, after: loadAfter },
      smoke: SMOKE,
    });
  } finally {
    for (const c of clients) await c.close().catch(() => undefined);
    for (const x of servers) await x.stop().catch(() => undefined);
    for (const f of fakes) await f.stop();
    await small.cleanup();
    await large.cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
