#!/usr/bin/env node
// Benchmark: Slack update economy in real time. How many Slack Web API calls (chat.postMessage +
// chat.update) an assistant's reports cost, through `mission-control start`'s full process (MCP,
// the delivery worker, the Slack projector) on a seeded database, against a local fake of the
// Slack Web API. The bare baseline is one chat call per report (posting or editing on every
// report). Real time, no simulated clock: the product's coalescing is driven by its own clock.
//   paced: BENCH_SLACK_REPORTS (default 100) reports, one every BENCH_SLACK_INTERVAL_MS (default
//          1000: one report per second, an assistant working steadily); the headline.
//   bursts: the same number of reports in bursts of BENCH_SLACK_BURST (default 20) back to back,
//          BENCH_SLACK_BURST_GAP_MS (default 5000) apart.
// Each on a mission of its own, started over MCP; reports are of mixed kinds (steps, test runs,
// auto-fixes, usage, evidence, deviations: progress; a phase completing and the next starting
// every 36 reports: urgent). The product edits a message at most once a second for a change a
// person must see at once, and at most once per SLACK_PROGRESS_EDIT_MS (default 10 s, passed to
// the server) for one that only moves progress along. Calls are counted from the first report
// until Slack has been quiet for 3 s longer than that interval, so the last state, delivered
// after the reports stop, is counted.
// Target: at most 15 calls per 100 reports at one report per second.
//
// Env: the above, SLACK_PROGRESS_EDIT_MS, BENCH_MISSIONS (seeded, default 10,000), BENCH_SMOKE=1.
// `npm run bench:slack`; a shorter real-time run: BENCH_MISSIONS=1000 BENCH_SLACK_REPORTS=60.
import { FakeSlack } from '../scripts/demo/fakeSlack.mjs';
import { INTENTS, MixedReports } from './support/benchPlays.mjs';
import { connectionResets, connectMcp, executingMissionOverMcp } from './support/mcpClient.mjs';
import { fixed, loadLine, setting, sleep, SMOKE, targetLine, writeResult } from './support/measure.mjs';
import { startMissionControl } from './support/processes.mjs';
import { seededDatabase } from './support/seedDatabase.mjs';

const REPORTS = setting('BENCH_SLACK_REPORTS', 100, 6);
const INTERVAL_MS = setting('BENCH_SLACK_INTERVAL_MS', 1000, 200);
const BURST = setting('BENCH_SLACK_BURST', 20, 3);
const BURST_GAP_MS = setting('BENCH_SLACK_BURST_GAP_MS', 5000, 500);
const MISSIONS = setting('BENCH_MISSIONS', 10_000, 3);
const PROGRESS_EDIT_MS = setting('SLACK_PROGRESS_EDIT_MS', 10_000, 1000);
const QUIET_MS = (SMOKE ? 1000 : 3000) + PROGRESS_EDIT_MS;
const TARGET = 15;

const chatCalls = (fake) => fake.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');

/** Waits until the fake has seen no call for QUIET_MS (at most 60 s more than that). */
async function quiet(fake) {
  const deadline = Date.now() + 60_000 + QUIET_MS;
  let last = -1;
  while (Date.now() < deadline && fake.calls.length !== last) {
    last = fake.calls.length;
    await sleep(QUIET_MS);
  }
}

async function scenario(mcp, fake, name, schedule, databaseUrl) {
  const missionId = await executingMissionOverMcp(mcp, `${INTENTS[0]} (${name})`, databaseUrl);
  await quiet(fake);
  const reports = new MixedReports();
  reports.add(missionId);
  const before = chatCalls(fake).length;
  const started = Date.now();
  let sent = 0;
  for (const waitMs of schedule) {
    if (waitMs > 0) await sleep(waitMs);
    const { name: tool, arguments: args } = reports.next(missionId, { transitions: true });
    await mcp.call(tool, args);
    sent += 1;
  }
  const reportingSeconds = (Date.now() - started) / 1000;
  await quiet(fake);
  const window = chatCalls(fake).slice(before);
  const calls = window.length;
  return {
    name,
    reports: sent,
    reportingSeconds,
    posts: window.filter((c) => c.method === 'chat.postMessage').length,
    updates: window.filter((c) => c.method === 'chat.update').length,
    calls,
    per100: (calls * 100) / sent,
  };
}

async function main() {
  const loadBefore = loadLine('before');
  const db = await seededDatabase({ missions: MISSIONS });
  const fake = new FakeSlack({ knowsEarlierMessages: true });
  await fake.start();
  let server = null;
  let mcp = null;
  try {
    server = await startMissionControl({
      label: 'mission-control',
      databaseUrl: db.url,
      slack: fake,
      env: { SLACK_PROGRESS_EDIT_MS: String(PROGRESS_EDIT_MS) },
    });
    mcp = await connectMcp(server.mcpUrl, server.token);
    const paced = await scenario(
      mcp,
      fake,
      'paced',
      Array.from({ length: REPORTS }, (_, i) => (i === 0 ? 0 : INTERVAL_MS)),
      db.url,
    );
    const bursts = await scenario(
      mcp,
      fake,
      'bursts',
      Array.from({ length: REPORTS }, (_, i) => (i > 0 && i % BURST === 0 ? BURST_GAP_MS : 0)),
      db.url,
    );
    const loadAfter = loadLine('after');
    if (connectionResets.count > 0) console.log(`client connections reset and retried once: ${connectionResets.count}`);
    console.log(
      `Slack update economy through \`mission-control start\` (SQLite, ${db.missions} missions seeded), real time, fake Slack Web API; mixed report kinds over MCP; progress-only edits at most every ${PROGRESS_EDIT_MS} ms (SLACK_PROGRESS_EDIT_MS), urgent ones within 1 s`,
    );
    console.log(
      `${'scenario'.padEnd(44)}${'reports'.padStart(8)}${'over s'.padStart(8)}${'posts'.padStart(7)}${'updates'.padStart(9)}${'calls'.padStart(7)}${'per 100'.padStart(9)}${'vs 1/report'.padStart(13)}`,
    );
    const label = (r) => (r.name === 'paced' ? `one report every ${INTERVAL_MS} ms` : `bursts of ${BURST}, ${BURST_GAP_MS} ms apart`);
    for (const r of [paced, bursts]) {
      console.log(
        `${label(r).padEnd(44)}${String(r.reports).padStart(8)}${fixed(r.reportingSeconds, 0).padStart(8)}${String(r.posts).padStart(7)}${String(r.updates).padStart(9)}${String(r.calls).padStart(7)}${fixed(r.per100, 1).padStart(9)}${`${fixed(r.calls / r.reports)}x`.padStart(13)}`,
      );
    }
    console.log(`ratio Slack calls per report, ${label(paced)} / one call per report: ${fixed(paced.calls / paced.reports)}x`);
    console.log(`ratio Slack calls per report, ${label(bursts)} / one call per report: ${fixed(bursts.calls / bursts.reports)}x`);
    const checks = [targetLine(`Slack calls per 100 reports, ${label(paced)}`, paced.per100, TARGET, 'calls per 100 reports')];
    writeResult({
      benchmark: 'slack',
      seeded: db.missions,
      intervalMs: INTERVAL_MS,
      progressEditMs: PROGRESS_EDIT_MS,
      burst: BURST,
      burstGapMs: BURST_GAP_MS,
      results: [
        { ...paced, label: label(paced) },
        { ...bursts, label: label(bursts) },
      ],
      checks,
      load: { before: loadBefore, after: loadAfter },
      smoke: SMOKE,
    });
  } finally {
    await mcp?.close().catch(() => undefined);
    await server?.stop();
    await fake.stop();
    await db.cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
