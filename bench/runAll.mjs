#!/usr/bin/env node
// `npm run bench` (builds first): runs every benchmark one after another, each in its own
// process, shows their output as they go, then regenerates docs/benchmarks.md with the figures
// of this run and the machine they came from. Every figure is a ratio against a bare baseline
// started in the same run, because absolute times on a shared machine are not comparable.
//
// Env: BENCH_PG_URL (PostgreSQL for the two-instance MCP run; default the local
// postgresql://postgres@127.0.0.1:5432/test; the run is skipped, and says so, when it does not
// answer), BENCH_ONLY (comma-separated ids: ack,slack,mcp,mcp-pg2,events,brief), BENCH_NO_DOCS=1
// (print only). Other BENCH_* variables pass through to the benchmarks.
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

const BENCHMARKS = [
  { id: 'ack', title: 'Slash command acknowledgement', script: 'bench/slashAck.mjs', env: {} },
  { id: 'slack', title: 'Slack update economy', script: 'bench/slackEconomy.mjs', env: {} },
  { id: 'mcp', title: 'MCP report_progress (one instance, SQLite)', script: 'bench/mcpHttp.mjs', env: { DATABASE_URL: '' } },
  { id: 'mcp-pg2', title: 'MCP report_progress (two instances, one PostgreSQL schema)', script: 'bench/mcpHttp.mjs', env: { DATABASE_URL: PG_URL, BENCH_INSTANCES: '2' }, needsPostgres: true },
  { id: 'events', title: 'Event log appends', script: 'bench/eventLog.mjs', env: { DATABASE_URL: '' } },
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
const ratio = (a, b) => `${n(a / b)}x`;
const verdict = (met) => (met ? '**met**' : '**not met**');

function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const SECTIONS = {
  ack: (r) => [
    `${r.rounds} bursts of ${r.concurrency} concurrent signed \`/mission <intent>\` requests to \`POST /slack/events\`, alternating between Mission Control (${r.provider}, feed worker posting the brief cards to a fake Slack) and a bare Bolt app with the same \`HTTPReceiver\` set-up whose handler only acks; the client runs in a worker thread. Time to acknowledgement:`,
    table(
      ['server', 'p50 ms', 'p99 ms', 'max ms'],
      [
        ['bare Bolt app (ack only)', n(r.bare.p50), n(r.bare.p99), n(r.bare.max)],
        ['Mission Control', n(r.ours.p50), n(r.ours.p99), n(r.ours.max)],
        ['**ratio (ours / bare)**', `**${ratio(r.ours.p50, r.bare.p50)}**`, `**${ratio(r.ours.p99, r.bare.p99)}**`, ratio(r.ours.max, r.bare.max)],
      ],
    ),
    `Target: p99 within ${r.target}x of the bare app: ${verdict(r.targetMet)}. Read the ratio, not the milliseconds: it is how much longer someone typing \`/mission\` in a busy channel waits for Slack's acknowledgement than with an app that does nothing (Slack gives up after 3 s).`,
  ],
  slack: (r) => [
    `${r.reports} step reports on one executing mission through the real \`SlackProjector\` and \`FeedWorker\` (${r.provider}) against the fake Slack Web API, on a simulated clock (coalescing is clock-driven, so this is what real time gives). The bare baseline is one chat call per report.`,
    table(
      ['reports spread over', 'chat.postMessage', 'chat.update', 'calls per 100 reports', 'vs one call per report'],
      r.results.map((x) => [`${x.spreadSeconds} s${x.spreadSeconds === r.spreadSeconds ? ' (headline)' : ''}`, x.posts, x.updates, n((x.calls * 100) / r.reports, 1), ratio(x.calls, r.reports)]),
    ),
    `Target: at most ${r.target} calls per 100 step reports (reported over ${r.spreadSeconds} s): ${verdict(r.targetMet)} (${n(r.per100, 1)}). The status message is edited at most once a second, so the cost follows how long the reporting lasts (about one edit per second), not how many reports there are.`,
  ],
  brief: (r) => [
    `${r.commands} signed \`/mission <intent>\` commands per server, alternating between two Mission Control servers started in this run (SQLite, feed worker, fake Slack Web API): one with the built-in drafter, one with \`MODEL_PROVIDER=anthropic\` against a local fake of the Messages API that answers after ${r.modelLatencyMs} ms. Medians from sending the command:`,
    table(
      ['drafter', 'ack ms', 'first brief card ms', 'full brief card ms'],
      [
        ['built-in drafter', n(r.builtIn.ack), n(r.builtIn.first), n(r.builtIn.full)],
        [`model drafter (model answers in ${r.modelLatencyMs} ms)`, n(r.model.ack), n(r.model.first), n(r.model.full)],
      ],
    ),
    `With a model, the card appears as fast as with the built-in drafter (the built-in draft, marked drafting) and is complete ${n(r.model.full - r.modelLatencyMs)} ms after the model answers. No target is set; the seed asks for chips within about 4 s.`,
  ],
  mcp: (r) => mcpSection(r),
  'mcp-pg2': (r) => mcpSection(r),
  events: (r) => [
    `${r.appends} \`test_run\` reports appended through \`MissionService\` (validate, load, stage rule, hash chain, save with the version check) against raw single-row \`INSERT\`s into the same \`MissionEvent\` table through the bare driver, one transaction each, ${r.provider}.`,
    table(
      ['path', 'appends/s', 'ms each'],
      [
        ['raw driver insert', n(r.rawRate, 0), n(r.rawMs)],
        ['through the service', n(r.serviceRate, 0), n(r.serviceMs)],
        ['**ratio (service / raw)**', `**${ratio(r.serviceRate, r.rawRate)}**`, ratio(r.serviceMs, r.rawMs)],
      ],
    ),
    'No target is set; the ratio is the price of validation, the hash chain and the optimistic version check over a bare insert.',
  ],
};

function mcpSection(r) {
  const where = r.instances > 1 ? `${r.instances} Mission Control instances sharing one ${r.provider} schema, clients spread across both` : `one instance on ${r.provider}`;
  return [
    `\`report_progress\` over Streamable HTTP (${where}) against a bare MCP SDK server with one echo tool, started in the same run: ${r.calls} sequential calls each, then ${r.concurrency} parallel sessions; ${r.missions} missions. The servers and the service alone take turns in blocks of 50 calls, so the machine's noise falls on all of them; the MCP clients run in a worker thread, as an assistant would run in a process of its own.`,
    table(
      ['server', 'p50 ms', 'p99 ms', 'sequential calls/s', 'parallel calls/s'],
      [
        ['bare SDK echo', n(r.bare.p50), n(r.bare.p99), n(r.bare.sequentialPerSecond, 0), n(r.bare.parallelPerSecond, 0)],
        [r.ours.label, n(r.ours.p50), n(r.ours.p99), n(r.ours.sequentialPerSecond, 0), n(r.ours.parallelPerSecond, 0)],
        ['service only (no MCP, no HTTP)', n(r.service.p50), n(r.service.p99), n(r.service.sequentialPerSecond, 0), 'n/a'],
        ['**ratio (ours / bare)**', `**${ratio(r.ours.p50, r.bare.p50)}**`, ratio(r.ours.p99, r.bare.p99), ratio(r.ours.sequentialPerSecond, r.bare.sequentialPerSecond), ratio(r.ours.parallelPerSecond, r.bare.parallelPerSecond)],
      ],
    ),
    `Target: p50 within 2x of the bare server: ${verdict(r.targetMet)}. A latency ratio above 1 is what a real tool call (validation, a database transaction, events, notifications) costs over an echo; \`service only\` shows how much of it is the domain work rather than the MCP layer. The target is set for the default set-up (one instance, SQLite); on PostgreSQL each save is a network round trip and a commit, which the bare echo server does not make.`,
  ];
}

function writeDoc(results, skipped, host) {
  const lines = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (bench/runAll.mjs) on ${host.date.slice(0, 10)}; rerun it to refresh this file. Each benchmark starts its own bare baseline in the same run and prints ratios against it, because absolute times on a shared, noisy machine are not comparable between runs: compare ratios, not milliseconds.`,
    '',
    '## Machine',
    '',
    table(
      ['CPU', 'CPUs', 'memory', 'Node.js', 'OS', 'date'],
      [[host.cpu, host.cpus, `${n(host.memoryGiB, 1)} GiB`, host.node, host.platform, host.date]],
    ),
    '',
    '## Summary',
    '',
    table(
      ['benchmark', 'headline ratio', 'target', 'met'],
      results.map(({ bench, data }) => {
        switch (bench.id) {
          case 'ack':
            return [bench.title, `p99 ${ratio(data.ours.p99, data.bare.p99)} the bare Bolt app`, `p99 ≤ ${data.target}x`, data.targetMet ? 'yes' : 'no'];
          case 'slack':
            return [bench.title, `${n(data.per100, 1)} calls per 100 reports (${ratio(data.results.find((x) => x.spreadSeconds === data.spreadSeconds).calls, data.reports)} one per report)`, `≤ ${data.target}`, data.targetMet ? 'yes' : 'no'];
          case 'mcp':
          case 'mcp-pg2':
            return [bench.title, `p50 ${ratio(data.ours.p50, data.bare.p50)} the bare SDK server`, 'p50 ≤ 2x', data.targetMet ? 'yes' : 'no'];
          case 'events':
            return [bench.title, `${ratio(data.serviceRate, data.rawRate)} the raw insert rate`, 'none', '–'];
          case 'brief':
            return [bench.title, `full card ${n(data.model.full, 0)} ms with a ${data.modelLatencyMs} ms model vs ${n(data.builtIn.full, 0)} ms built-in; first card ${n(data.model.first, 0)} vs ${n(data.builtIn.first, 0)} ms`, 'none', '–'];
          default:
            return [bench.title, '', '', ''];
        }
      }),
    ),
    '',
  ];
  for (const { bench, data, seconds } of results) {
    lines.push(`## ${bench.title}`, '', `\`${bench.script}\`${bench.env.BENCH_INSTANCES ? ` with \`BENCH_INSTANCES=${bench.env.BENCH_INSTANCES}\`` : ''}, ${n(seconds, 0)} s.`, '');
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
  if (process.env.BENCH_NO_DOCS !== '1' && !ONLY) {
    writeDoc(results, skipped, host);
    console.log(`Wrote ${path.relative(process.cwd(), DOC)}`);
  } else {
    console.log('docs/benchmarks.md left as it was (BENCH_ONLY or BENCH_NO_DOCS set)');
  }
  if (failed) process.exitCode = 1;
}

await main();
