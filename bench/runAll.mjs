#!/usr/bin/env node
// `npm run bench` (builds first): runs every benchmark one after another, each in its own
// process, shows their output as they go, then regenerates docs/benchmarks.md with the figures
// of this run, the machine and its load. Every figure is a ratio against a baseline started in the
// same run, because absolute times on a shared machine are not comparable. The server benchmarks
// run `mission-control start` as a process on databases seeded to a realistic size (cached between
// runs, see bench/support/seedDatabase.mjs).
//
// Env: BENCH_PG_URL (PostgreSQL for the two-instance run; default the local
// postgresql://postgres@127.0.0.1:5432/test; skipped, and said so, when it does not answer),
// BENCH_ONLY (comma-separated ids: ack,slack,mcp,mcp-pg2,growth,events,brief), BENCH_NO_DOCS=1
// (print only), BENCH_SMOKE=1 (tiny sizes: checks that every benchmark runs; never writes the
// document). docs/benchmarks.md is written only when every benchmark ran. Other BENCH_* variables
// pass through to the benchmarks (see each file's header for its sizes).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');
const PG_URL = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : null;
const SMOKE = process.env.BENCH_SMOKE === '1';
let stopping = false;

const BENCHMARKS = [
  { id: 'ack', title: 'Slash command acknowledgement', script: 'bench/slashAck.mjs', env: {} },
  { id: 'slack', title: 'Slack update economy (real time)', script: 'bench/slackEconomy.mjs', env: {} },
  { id: 'mcp', title: 'MCP report_progress through start (SQLite)', script: 'bench/mcpHttp.mjs', env: { BENCH_DATABASE: 'sqlite', BENCH_INSTANCES: '1' } },
  {
    id: 'mcp-pg2',
    title: 'MCP report_progress through start (PostgreSQL, one vs two instances)',
    script: 'bench/mcpHttp.mjs',
    env: { BENCH_DATABASE: 'postgresql', BENCH_INSTANCES: '2', BENCH_PG_URL: PG_URL },
    needsPostgres: true,
  },
  { id: 'growth', title: 'Growth: history and database size', script: 'bench/growth.mjs', env: {} },
  { id: 'events', title: 'Event log appends (service vs raw insert)', script: 'bench/eventLog.mjs', env: { DATABASE_URL: '' } },
  { id: 'brief', title: '/mission to brief card: model drafter vs built-in', script: 'bench/briefCard.mjs', env: {} },
];

async function postgresAnswers(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function run(bench, resultFile) {
  return new Promise((resolve) => {
    const env = { ...process.env, ...bench.env, BENCH_RESULT_FILE: resultFile };
    for (const [key, value] of Object.entries(bench.env)) if (value === '') delete env[key];
    const started = Date.now();
    const child = spawn(process.execPath, [path.join(ROOT, bench.script)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Ctrl-C or a test's kill stops the benchmark too (it stops its servers on the way out), then this run.
    const forward = () => {
      stopping = true;
      child.kill('SIGTERM');
    };
    process.once('SIGTERM', forward);
    process.once('SIGINT', forward);
    child.on('close', () => {
      process.off('SIGTERM', forward);
      process.off('SIGINT', forward);
      if (stopping) process.exit(130);
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    // The MCP SDK's client transport adds an abort listener per request to one long-lived signal
    // (undici drops them when requests are collected), so Node warns once per call past 1500:
    // show the first warning only.
    let warned = false;
    let pending = '';
    child.stderr.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        if (/MaxListenersExceededWarning|--trace-warnings/.test(line)) {
          if (warned) continue;
          warned = true;
          process.stderr.write(`${line} (repeats are hidden: the MCP SDK client's per-request abort listeners, not the server)\n`);
          continue;
        }
        process.stderr.write(`${line}\n`);
      }
    });
    child.on('close', (code) => resolve({ code, output, seconds: (Date.now() - started) / 1000 }));
  });
}

/** Busy share of all CPUs (0..1) from /proc/stat over `ms`; null where /proc is not there. */
async function busyShare(ms) {
  const sample = () => {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    const ticks = cpu.trim().split(/\s+/).slice(1).map(Number);
    // idle and iowait are the 4th and 5th fields.
    return { idle: ticks[3] + (ticks[4] ?? 0), total: ticks.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = sample();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const b = sample();
    return b.total > a.total ? 1 - (b.idle - a.idle) / (b.total - a.total) : 0;
  } catch {
    return null;
  }
}

/**
 * Waits until the machine is quiet before a benchmark starts: the build, the previous benchmark's
 * servers exiting and PostgreSQL cleaning up after a dropped schema otherwise run beside the first
 * seconds of the next one, and on 2 CPUs they fall on the product's server and its baseline
 * unevenly. Quiet is under QUIET_SHARE of all CPUs busy for QUIET_SECONDS seconds in a row; after
 * QUIET_MAX_SECONDS it goes on and says so.
 */
const QUIET_SHARE = 0.15;
const QUIET_SECONDS = 3;
const QUIET_MAX_SECONDS = 90;
async function waitForQuiet() {
  const started = Date.now();
  let quiet = 0;
  let last = null;
  while (quiet < QUIET_SECONDS) {
    last = await busyShare(1000);
    if (last === null) return { waitedSeconds: 0, quiet: null };
    quiet = last < QUIET_SHARE ? quiet + 1 : 0;
    if ((Date.now() - started) / 1000 >= QUIET_MAX_SECONDS) {
      console.log(`machine still busy after ${QUIET_MAX_SECONDS} s (${n(last * 100, 0)}% of CPUs): starting anyway`);
      return { waitedSeconds: (Date.now() - started) / 1000, quiet: false };
    }
  }
  return { waitedSeconds: (Date.now() - started) / 1000, quiet: true };
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}

// ---- docs/benchmarks.md --------------------------------------------------------------------------

const n = (x, digits = 2) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : Number(x).toFixed(digits));
const verdict = (met) => (met === null || met === undefined ? '–' : met ? 'yes' : '**no**');
const checkValue = (c) => (c.ratio !== undefined ? `${n(c.ratio)}x` : `${n(c.value, 1)} ${c.unit}`);
const checkTarget = (c) => (c.target === null ? 'none' : c.ratio !== undefined ? `≤ ${c.target}x` : `≤ ${c.target}`);
const loadText = (l) => (l ? `load ${n(l.before?.one)} before, ${n(l.after?.one)} after (1-minute average, ${l.before?.cpus} CPUs)` : '');

function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const checksTable = (r) =>
  table(
    ['ratio', 'value', 'target', 'met'],
    r.checks.map((c) => [c.label, checkValue(c), checkTarget(c), verdict(c.met)]),
  );

const SECTIONS = {
  ack: (r) => [
    `${r.rounds} bursts of ${r.concurrency} concurrent signed \`/mission <intent>\` requests to \`POST /slack/events\`, alternating between \`mission-control start\` (${r.provider} seeded with ${r.seeded} missions, the delivery worker posting brief cards to a fake Slack Web API) and a bare Bolt app with the same \`HTTPReceiver\` set-up whose handler only acks, each a process of its own. Time to acknowledgement:`,
    table(
      ['server', 'p50 ms', 'p99 ms', 'max ms'],
      [
        ['bare Bolt app (ack only)', n(r.bare.p50), n(r.bare.p99), n(r.bare.max)],
        ['mission-control start', n(r.ours.p50), n(r.ours.p99), n(r.ours.max)],
      ],
    ),
    checksTable(r),
  ],
  slack: (r) => [
    `Reports of mixed kinds over MCP to \`mission-control start\` (SQLite, ${r.seeded} missions seeded), its Slack projector and delivery worker against a fake Slack Web API, in real time (no simulated clock). The bare baseline is one chat call per report.`,
    table(
      ['pace', 'reports', 'over s', 'chat.postMessage', 'chat.update', 'calls per 100 reports', 'vs one call per report'],
      r.results.map((x) => [x.label, x.reports, n(x.reportingSeconds, 0), x.posts, x.updates, n(x.per100, 1), `${n(x.calls / x.reports)}x`]),
    ),
    checksTable(r),
  ],
  mcp: (r) => mcpSection(r),
  'mcp-pg2': (r) => mcpSection(r),
  growth: (r) => [
    `Two \`mission-control start\` processes side by side (SQLite, Slack app and delivery worker on): a database of ${r.small} missions holding one mission grown through the service to ${r.events} events of mixed kinds, and a database of ${r.large} missions. ${r.samples} calls per operation and side, alternating in blocks (the database-size operations after ${r.warmUpRounds ?? 50} untimed calls of each on both sides, so neither server runs colder code); idle CPU over ${r.idleSeconds} s without requests.`,
    table(
      ['operation', 'compared', 'p50 ms', 'baseline p50 ms', 'p99 ms', 'baseline p99 ms'],
      r.rows.map((x) => [x.operation, x.compare, n(x.grown.p50), n(x.base.p50), n(x.grown.p99), n(x.base.p99)]),
    ),
    `Idle CPU: ${n(r.idle.large)} ms per second at ${r.large} missions, ${n(r.idle.small)} at ${r.small}.`,
    checksTable(r),
  ],
  brief: (r) => [
    `${r.commands} signed \`/mission <intent>\` commands per server, alternating between two \`mission-control start\` processes (seeded SQLite, delivery worker, fake Slack Web API): one with the built-in drafter, one with \`MODEL_PROVIDER=anthropic\` against a local fake of the Messages API that answers after ${r.modelLatencyMs} ms. Medians from sending the command:`,
    table(
      ['drafter', 'ack ms', 'first brief card ms', 'full brief card ms'],
      [
        ['built-in drafter', n(r.builtIn.ack), n(r.builtIn.first), n(r.builtIn.full)],
        [`model drafter (model answers in ${r.modelLatencyMs} ms)`, n(r.model.ack), n(r.model.first), n(r.model.full)],
      ],
    ),
    `With a model, the full card is complete ${n(r.model.full - r.modelLatencyMs)} ms after the model answers. No target is set; the seed asks for chips within about 4 s.`,
  ],
  events: (r) => [
    `${r.appends} \`test_run\` reports appended through \`MissionService\` in-process (validate, load, stage rule, hash chain, save with the version check) against raw single-row \`INSERT\`s into the same \`MissionEvent\` table through the bare driver, one transaction each, ${r.provider}. Not a server benchmark: it isolates the service's own cost.`,
    table(
      ['path', 'appends/s', 'ms each'],
      [
        ['raw driver insert', n(r.rawRate, 0), n(r.rawMs)],
        ['through the service', n(r.serviceRate, 0), n(r.serviceMs)],
        ['**ratio (service / raw)**', `**${n(r.serviceRate / r.rawRate)}x**`, `${n(r.serviceMs / r.rawMs)}x`],
      ],
    ),
    'No target is set.',
  ],
};

function mcpSection(r) {
  return [
    `\`report_progress\` and \`attach_evidence\` over Streamable HTTP to \`mission-control start\` (delivery worker and Slack app on, fake Slack Web API; ${r.provider} seeded with ${r.seeded} missions) against a bare MCP SDK echo server, each a process of its own, started in the same run: ${r.calls} sequential calls per server in alternating blocks (after ${r.warmUp ?? 200} untimed ones, enough for every mission to get a report on every instance first), then ${r.concurrency} parallel sessions. Half the reports go to ${r.growing} missions that grow during the run, half across ${r.spread} seeded missions in execution${r.instances > 1 ? "; with two instances each mission's reports alternate between them, and a pair of bare servers takes the same calls routed the same way (splitting calls over two processes costs CPU per call by itself, so the coordination target divides Mission Control's two-to-one ratio by the bare pair's)" : ''}. Kinds sent: ${Object.entries(
      r.kinds,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}. CPU is the servers' own (from /proc), over the whole measured window (idle work included).`,
    table(
      ['server', 'p50 ms', 'p99 ms', 'sequential calls/s', 'parallel calls/s', 'server CPU ms per call', 'RSS MiB'],
      r.results.map((x) => [
        x.label,
        n(x.p50),
        n(x.p99),
        n(x.sequentialPerSecond, 0),
        n(x.parallelPerSecond, 0),
        n(x.cpuMsPerCall),
        x.rssMiB.map((m) => n(m, 0)).join(' + '),
      ]),
    ),
    checksTable(r),
  ];
}

function writeDoc(results, skipped, host) {
  const lines = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (bench/runAll.mjs) on ${host.date.slice(0, 10)}; rerun it to refresh this file. Each benchmark starts its own baseline in the same run and prints ratios against it, because absolute times on a shared, noisy machine are not comparable between runs: compare ratios, not milliseconds. Each benchmark starts once the machine is quiet (under ${QUIET_SHARE * 100}% of the CPUs busy for ${QUIET_SECONDS} s in a row, or after ${QUIET_MAX_SECONDS} s of waiting). Server benchmarks run \`mission-control start\` as a process of its own on databases seeded to a realistic size.`,
    '',
    '## Machine',
    '',
    table(['CPU', 'CPUs', 'memory', 'Node.js', 'OS', 'date'], [[host.cpu, host.cpus, `${n(host.memoryGiB, 1)} GiB`, host.node, host.platform, host.date]]),
    '',
    '## Targets',
    '',
    table(
      ['benchmark', 'ratio', 'value', 'target', 'met'],
      results.flatMap(({ bench, data }) =>
        data.checks.filter((c) => c.target !== null).map((c) => [bench.title, c.label, checkValue(c), checkTarget(c), verdict(c.met)]),
      ),
    ),
    '',
  ];
  for (const { bench, data, seconds } of results) {
    lines.push(
      `## ${bench.title}`,
      '',
      `\`${bench.script}\`${
        Object.keys(bench.env).length > 0
          ? ` with ${Object.entries(bench.env)
              .filter(([k]) => k !== 'BENCH_PG_URL')
              .map(([k, v]) => `\`${k}=${v}\``)
              .join(' ')}`
          : ''
      }, ${n(seconds, 0)} s; ${loadText(data.load)}.`,
      '',
    );
    for (const paragraph of SECTIONS[bench.id](data)) lines.push(paragraph, '');
  }
  for (const { bench, reason } of skipped) lines.push(`## ${bench.title}`, '', `Not run: ${reason}.`, '');
  writeFileSync(DOC, `${lines.join('\n').trimEnd()}\n`);
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mc-bench-all-'));
  const results = [];
  const skipped = [];
  let failed = false;
  try {
    for (const bench of BENCHMARKS) {
      if (ONLY && !ONLY.has(bench.id)) continue;
      if (bench.needsPostgres && !(await postgresAnswers(PG_URL))) {
        console.log(`\n== ${bench.title}: skipped, PostgreSQL at ${PG_URL.replace(/\/\/[^@]*@/, '//…@')} does not answer (set BENCH_PG_URL)`);
        skipped.push({ bench, reason: 'no PostgreSQL answered (set `BENCH_PG_URL`)' });
        continue;
      }
      console.log(`\n== ${bench.title} (${bench.script})`);
      const settled = SMOKE ? { waitedSeconds: 0, quiet: null } : await waitForQuiet();
      if (settled.waitedSeconds > QUIET_SECONDS + 1) console.log(`waited ${n(settled.waitedSeconds, 0)} s for the machine to be quiet`);
      const resultFile = path.join(dir, `${bench.id}.json`);
      const { code, seconds } = await run(bench, resultFile);
      if (code !== 0) {
        failed = true;
        skipped.push({ bench, reason: `the benchmark failed (exit code ${code})` });
        continue;
      }
      results.push({ bench, data: JSON.parse(readFileSync(resultFile, 'utf8')), seconds });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const host = machine();
  console.log(`\n== Machine: ${host.cpu} × ${host.cpus}, ${n(host.memoryGiB, 1)} GiB, Node ${host.node}, ${host.date}`);
  const unmet = results.flatMap(({ bench, data }) => data.checks.filter((c) => c.met === false).map((c) => `${bench.id}: ${c.label}`));
  console.log(unmet.length > 0 ? `Targets not met (${unmet.length}):\n  ${unmet.join('\n  ')}` : 'Every target met.');
  if (process.env.BENCH_NO_DOCS === '1' || ONLY || SMOKE) console.log('docs/benchmarks.md left as it was (BENCH_ONLY, BENCH_NO_DOCS or BENCH_SMOKE set)');
  else if (skipped.length > 0)
    console.log(`docs/benchmarks.md left as it was: ${skipped.length} benchmark(s) did not run (${skipped.map((s) => s.bench.id).join(', ')})`);
  else {
    writeDoc(results, skipped, host);
    console.log(`Wrote ${path.relative(process.cwd(), DOC)}`);
  }
  if (failed) process.exitCode = 1;
}

await main();
