#!/usr/bin/env node
// Benchmark: report_progress (and attach_evidence) over Streamable HTTP as `mission-control start`
// serves it: the full process (bin/mission-control.js start: delivery worker on, Slack app
// delivering to a local fake Slack Web API, /metrics), on a database seeded to a realistic size
// (BENCH_MISSIONS, default 10,000 missions in every state), against a bare MCP SDK echo server,
// each a process of its own, started in the same run. Reports are of mixed kinds (steps, test
// runs, validator alerts, usage, deviations, evidence, phase changes); half go to a few missions
// that grow during the run (BENCH_GROWING), half are spread over seeded missions in execution.
// The servers take turns in blocks of calls so the machine's noise falls on all of them.
//
// BENCH_INSTANCES=2 (PostgreSQL; BENCH_PG_URL, default the local test database): two deployments
// on two seeded schemas, one instance and two instances, with each mission's reports alternating
// between the two instances; prints server CPU per report (from /proc) of both and the ratio.
// Two bare SDK echo servers take the same calls routed the same way: on this machine splitting
// calls over two processes costs CPU per call by itself (the bare pair measured 1.66-1.83x of one
// bare server; a pure compute loop shows no such effect, so it is presumably each process waking
// for every other call with its caches cold), so the coordination the
// target is about is Mission Control's ratio over the bare pair's, and the two-instance latency is
// compared with the bare pair's too (both printed beside the single-server figures).
// BENCH_ROUTING=sticky sends each mission's reports to one instance instead: the difference from
// the default is what the instances' coordination costs, the rest is what splitting the load does.
//
// Env: BENCH_DATABASE (sqlite | postgresql; default sqlite, postgresql with BENCH_INSTANCES=2),
// BENCH_CALLS (sequential calls per server, default 2000), BENCH_CONCURRENCY (parallel sessions,
// default 8), BENCH_MISSIONS, BENCH_GROWING (default 4), BENCH_SPREAD (seeded missions reported
// on, default 200), BENCH_SMOKE=1 (tiny sizes, to check it runs). `npm run bench:mcp`, `npm run bench:mcp:pg2`.
import { performance } from 'node:perf_hooks';
import { FakeSlack } from '../scripts/demo/fakeSlack.mjs';
import { INTENTS, MixedReports } from './support/benchPlays.mjs';
import { connectionResets, connectMcp, executingMissionOverMcp } from './support/mcpClient.mjs';
import { fixed, loadLine, ratioLine, setting, sleep, SMOKE, stats, writeResult } from './support/measure.mjs';
import { startBare, startMissionControl } from './support/processes.mjs';
import { missionIds, seededDatabase } from './support/seedDatabase.mjs';

const INSTANCES = setting('BENCH_INSTANCES', 1);
const PROVIDER = process.env.BENCH_DATABASE || (INSTANCES > 1 ? 'postgresql' : 'sqlite');
const MISSIONS = setting('BENCH_MISSIONS', 10_000, 120);
const CALLS = setting('BENCH_CALLS', 2000, 40);
const CONCURRENCY = setting('BENCH_CONCURRENCY', 8, 2);
const GROWING = setting('BENCH_GROWING', 4, 2);
const SPREAD = setting('BENCH_SPREAD', 200, 10);
const BLOCK = setting('BENCH_BLOCK', 50, 10);
/**
 * Untimed calls first: enough for the JIT, and for every mission to get a report on every
 * instance. A process's first report on a mission reads it from the database and delivers it whole
 * (~35 ms at the tail); with 200 missions that were 100 of the 2000 timed calls, so p99 measured
 * where the warm-up happened to end, not the steady cost of a report.
 */
const WARMUP = Math.max(Math.min(200, Math.ceil(CALLS / 10)), 2 * SPREAD * INSTANCES);
/** How the two-instance run routes a mission's reports: `alternate` (default, each report to the other instance) or `sticky` (always the same one). */
const ROUTING = process.env.BENCH_ROUTING || 'alternate';
if (!['alternate', 'sticky'].includes(ROUTING)) throw new Error(`BENCH_ROUTING must be alternate or sticky, got "${ROUTING}"`);
const stickyInstance = (missionId, count) => [...missionId].reduce((sum, ch) => sum + ch.charCodeAt(0), 0) % count;
const TARGETS = { p50: PROVIDER === 'postgresql' ? 3 : 2, p99: 3, cpuTwoVsOne: 1.15 };

if (INSTANCES > 1 && PROVIDER !== 'postgresql') throw new Error('BENCH_INSTANCES > 1 needs PostgreSQL (instances share one database)');

/** One Mission Control deployment: `instances` start processes on one seeded database, and the assistant's sessions. */
async function deployment(label, instances) {
  const db = await seededDatabase({ provider: PROVIDER, missions: MISSIONS });
  const fake = new FakeSlack({ knowsEarlierMessages: true });
  await fake.start();
  const servers = [];
  try {
    for (let i = 0; i < instances; i++) servers.push(await startMissionControl({ label: `${label} #${i + 1}`, databaseUrl: db.url, slack: fake }));
    const sequential = await Promise.all(servers.map((s) => connectMcp(s.mcpUrl, s.token)));
    const parallel = await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, j) => connectMcp(servers[j % servers.length].mcpUrl, servers[j % servers.length].token)),
    );
    const workload = new MixedReports();
    const growing = [];
    for (let g = 0; g < GROWING; g++)
      growing.push(await executingMissionOverMcp(sequential[g % sequential.length], `${INTENTS[g % INTENTS.length]} (growing ${g})`, db.url));
    const spread = await missionIds(db.url, 'executing', SPREAD);
    for (const id of growing) workload.add(id);
    for (const id of spread) workload.add(id);
    const route = router(growing, spread, servers.length);
    /** Call i: even calls go to the growing missions, odd ones across the seeded ones; a mission's reports alternate between instances. */
    const callFor = (i, { transitions } = {}) => {
      const { missionId, instance } = route(i);
      return { call: workload.next(missionId, { transitions }), instance };
    };
    let reports = 0;
    const kinds = new Map();
    const send = async (mcp, { call }) => {
      kinds.set(call.kind, (kinds.get(call.kind) ?? 0) + 1);
      reports += 1;
      try {
        await mcp.call(call.name, call.arguments);
      } catch (error) {
        throw new Error(
          `${label}: ${call.name} (${call.kind}) on ${call.arguments.missionId}: ${error.message}${error.cause ? ` (${error.cause.code ?? error.cause.message})` : ''}`,
        );
      }
    };
    return {
      label,
      servers,
      fake,
      db,
      kinds,
      reports: () => reports,
      cpuMs: () => servers.reduce((sum, s) => sum + s.cpuMs(), 0),
      rssMiB: () => servers.map((s) => s.rssMiB()),
      block: async (from, to) => {
        const latencies = [];
        for (let i = from; i < to; i++) {
          const next = callFor(i, { transitions: true });
          const started = performance.now();
          await send(sequential[next.instance], next);
          latencies.push(performance.now() - started);
        }
        return latencies;
      },
      // Each parallel session reports on missions of its own (order matters within a mission), without phase changes.
      parallelRound: async (perClient, round) => {
        const started = performance.now();
        await Promise.all(
          parallel.map(async (mcp, j) => {
            const mine = [growing[j % growing.length], ...spread.filter((_, x) => x % CONCURRENCY === j)];
            for (let i = 0; i < perClient; i++) {
              const missionId = mine[(round * perClient + i) % mine.length];
              await send(mcp, { call: workload.next(missionId, { transitions: false }) });
            }
          }),
        );
        return performance.now() - started;
      },
      /** Waits until the fake Slack has seen no call for a second (deliveries done), at most 15 s. */
      settle: async () => {
        const deadline = Date.now() + 15_000;
        for (let last = -1; Date.now() < deadline; ) {
          const count = fake.calls.length;
          if (count === last) break;
          last = count;
          await sleep(1000);
        }
      },
      close: async () => {
        for (const c of [...sequential, ...parallel]) await c.close().catch(() => undefined);
        for (const s of servers) await s.stop();
        await fake.stop();
        await db.cleanup();
      },
    };
  } catch (error) {
    for (const s of servers) await s.stop().catch(() => undefined);
    await fake.stop();
    await db.cleanup();
    throw error;
  }
}

/**
 * Which mission call i reports on (even calls the growing missions, odd ones across the seeded
 * ones) and which instance takes it: each mission's reports alternate between instances, or with
 * sticky routing each mission stays on one. The bare pair routes its calls the same way.
 */
function router(growing, spread, instances) {
  const sent = new Map();
  return (i) => {
    const missionId = i % 2 === 0 ? growing[(i / 2) % growing.length] : spread[((i - 1) / 2) % spread.length];
    const k = sent.get(missionId) ?? 0;
    sent.set(missionId, k + 1);
    // Sticky routing (each mission always on one instance) shows what splitting the load costs apart from coordination.
    return { missionId, instance: ROUTING === 'sticky' ? stickyInstance(missionId, instances) : k % instances };
  };
}

/** Bare MCP SDK echo servers (`instances` processes), called as Mission Control is: same routing, same parallel sessions. */
async function bareTarget(instances = 1) {
  const servers = [];
  for (let i = 0; i < instances; i++) servers.push(await startBare('mcp'));
  const sequential = await Promise.all(servers.map((s) => connectMcp(s.mcpUrl, null)));
  const parallel = await Promise.all(Array.from({ length: CONCURRENCY }, (_, j) => connectMcp(servers[j % servers.length].mcpUrl, null)));
  // Stand-in mission names, routed as the deployment routes its growing and spread missions.
  const route = router(
    Array.from({ length: GROWING }, (_, g) => `growing-${g}`),
    Array.from({ length: SPREAD }, (_, s) => `spread-${s}`),
    servers.length,
  );
  let calls = 0;
  const echo = async (mcp, i) => {
    calls += 1;
    try {
      await mcp.call('echo', { text: `hello ${i}` });
    } catch (error) {
      throw new Error(`bare SDK echo: ${error.message}${error.cause ? ` (${error.cause.code ?? error.cause.message})` : ''}`);
    }
  };
  return {
    label: instances > 1 ? `bare SDK echo, ${instances} servers` : 'bare SDK echo',
    servers,
    reports: () => calls,
    cpuMs: () => servers.reduce((sum, s) => sum + s.cpuMs(), 0),
    rssMiB: () => servers.map((s) => s.rssMiB()),
    block: async (from, to) => {
      const latencies = [];
      for (let i = from; i < to; i++) {
        const client = sequential[route(i).instance];
        const started = performance.now();
        await echo(client, i);
        latencies.push(performance.now() - started);
      }
      return latencies;
    },
    parallelRound: async (perClient) => {
      const started = performance.now();
      await Promise.all(
        parallel.map(async (mcp) => {
          for (let i = 0; i < perClient; i++) await echo(mcp, i);
        }),
      );
      return performance.now() - started;
    },
    settle: async () => undefined,
    close: async () => {
      for (const c of [...sequential, ...parallel]) await c.close().catch(() => undefined);
      for (const s of servers) await s.stop();
    },
  };
}

/** Blocks of BLOCK calls, target after target, then parallel rounds the same way; CPU read around the measured part. */
async function measure(targets) {
  for (const t of targets) await t.block(0, WARMUP);
  const latencies = targets.map(() => []);
  const spent = targets.map(() => 0);
  const cpuBefore = targets.map((t) => t.cpuMs());
  const callsBefore = targets.map((t) => t.reports());
  const wallStarted = performance.now();
  for (let done = WARMUP; done < WARMUP + CALLS; done += BLOCK) {
    for (const [k, t] of targets.entries()) {
      const block = await t.block(done, Math.min(WARMUP + CALLS, done + BLOCK));
      latencies[k].push(...block);
      spent[k] += block.reduce((a, b) => a + b, 0);
    }
  }
  const perClient = Math.max(1, Math.ceil(BLOCK / CONCURRENCY));
  const rounds = Math.max(1, Math.ceil(CALLS / (perClient * CONCURRENCY)));
  const parallelSpent = targets.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    for (const [k, t] of targets.entries()) parallelSpent[k] += await t.parallelRound(perClient, round);
  }
  for (const t of targets) await t.settle();
  const wallSeconds = (performance.now() - wallStarted) / 1000;
  return targets.map((t, k) => {
    const calls = t.reports() - callsBefore[k];
    return {
      label: t.label,
      ...stats(latencies[k]),
      sequentialPerSecond: latencies[k].length / (spent[k] / 1000),
      parallelPerSecond: (rounds * perClient * CONCURRENCY) / (parallelSpent[k] / 1000),
      calls,
      cpuMsPerCall: (t.cpuMs() - cpuBefore[k]) / calls,
      cpuShare: (t.cpuMs() - cpuBefore[k]) / 1000 / wallSeconds,
      rssMiB: t.rssMiB(),
    };
  });
}

async function main() {
  const loadBefore = loadLine('before');
  const targets = [];
  try {
    const where = PROVIDER === 'postgresql' ? 'PostgreSQL' : 'SQLite';
    targets.push(await deployment(`start, 1 instance (${where})`, 1));
    if (INSTANCES > 1) targets.push(await deployment(`start, ${INSTANCES} instances (${where}${ROUTING === 'sticky' ? ', sticky' : ''})`, INSTANCES));
    targets.unshift(await bareTarget());
    if (INSTANCES > 1) targets.push(await bareTarget(INSTANCES));
    const seeded = targets[1].db.missions;
    const results = await measure(targets);
    const loadAfter = loadLine('after');
    if (connectionResets.count > 0) console.log(`client connections reset and retried once: ${connectionResets.count}`);
    console.log(
      `MCP tool calls through \`mission-control start\` (delivery worker and Slack app on, fake Slack Web API) on ${where} seeded with ${seeded} missions; ${CALLS} sequential calls per server in blocks of ${BLOCK}, then ${CONCURRENCY} parallel sessions; ${GROWING} growing missions + ${SPREAD} seeded ones`,
    );
    console.log(`report kinds sent: ${[...targets[1].kinds.entries()].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    console.log(
      `${'server'.padEnd(34)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'seq/s'.padStart(8)}${'par/s'.padStart(8)}${'CPU ms/call'.padStart(13)}${'RSS MiB'.padStart(12)}`,
    );
    for (const r of results) {
      console.log(
        `${r.label.padEnd(34)}${fixed(r.p50).padStart(9)}${fixed(r.p99).padStart(9)}${fixed(r.sequentialPerSecond, 0).padStart(8)}${fixed(r.parallelPerSecond, 0).padStart(8)}${fixed(r.cpuMsPerCall).padStart(13)}${r.rssMiB
          .map((m) => fixed(m, 0))
          .join('+')
          .padStart(12)}`,
      );
    }
    const [bare, one, two, barePair] = results;
    const checks = [
      ratioLine(`p50 ${one.label} / bare`, one.p50 / bare.p50, TARGETS.p50),
      ratioLine(`p99 ${one.label} / bare`, one.p99 / bare.p99, TARGETS.p99),
      ratioLine(`parallel throughput ${one.label} / bare`, one.parallelPerSecond / bare.parallelPerSecond),
    ];
    if (two) {
      // Against the bare pair, routed alike: what two instances cost beyond splitting calls over two processes.
      checks.push(ratioLine(`p50 ${two.label} / bare pair`, two.p50 / barePair.p50, TARGETS.p50));
      checks.push(ratioLine(`p99 ${two.label} / bare pair`, two.p99 / barePair.p99, TARGETS.p99));
      checks.push(ratioLine(`p50 ${two.label} / one bare server`, two.p50 / bare.p50));
      checks.push(ratioLine(`p99 ${two.label} / one bare server`, two.p99 / bare.p99));
      const cpuTwoVsOne = two.cpuMsPerCall / one.cpuMsPerCall;
      const bareTwoVsOne = barePair.cpuMsPerCall / bare.cpuMsPerCall;
      checks.push(ratioLine('server CPU per report, 2 instances / 1 instance', cpuTwoVsOne));
      checks.push(ratioLine('bare CPU per call, 2 servers / 1 server (splitting calls over two processes)', bareTwoVsOne));
      checks.push(ratioLine('coordination: CPU per report 2 / 1 instances, over the bare 2 / 1 servers', cpuTwoVsOne / bareTwoVsOne, TARGETS.cpuTwoVsOne));
      checks.push(ratioLine('parallel throughput, 2 instances / 1 instance', two.parallelPerSecond / one.parallelPerSecond));
    }
    writeResult({
      benchmark: 'mcp',
      provider: where,
      instances: INSTANCES,
      seeded,
      calls: CALLS,
      warmUp: WARMUP,
      concurrency: CONCURRENCY,
      growing: GROWING,
      spread: SPREAD,
      kinds: Object.fromEntries(targets[1].kinds),
      results,
      checks,
      load: { before: loadBefore, after: loadAfter },
      smoke: SMOKE,
    });
  } finally {
    for (const t of targets) await t.close().catch((error) => console.error(`closing ${t.label}: ${error}`));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
