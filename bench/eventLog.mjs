#!/usr/bin/env node
// Benchmark: event-log appends per second through the mission service (validate, load, rule,
// hash-chain, save with optimistic version check) against raw single-row inserts into the same
// MissionEvent table through the bare driver (better-sqlite3 or pg), one transaction each,
// measured in the same run on the same database. Prints both rates and the ratio.
// Run with `npm run bench:events` (builds first). Env: BENCH_APPENDS (default 2000),
// BENCH_MISSIONS (default 20), DATABASE_URL (postgresql://... to measure PostgreSQL).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { createApp } from '../dist/app.js';
import { loadConfig } from '../dist/config.js';
import { ASSISTANT, BENCH_PHASE, executingMissions, testRunReport } from './benchMissions.mjs';
import { setting, SMOKE } from './support/measure.mjs';

const APPENDS = setting('BENCH_APPENDS', 2000, 50);
const MISSIONS = setting('BENCH_MISSIONS', 20, 2);
/** One INSERT per append, in its own transaction, with a payload shaped like a test_suite_run event. */
function rawInserter(url) {
  const payload = JSON.stringify({ phase: 1, phase_id: BENCH_PHASE, tests_total: 120, tests_passing: 120, tests_failing: 0, coverage: 0.9 });
  const actor = JSON.stringify(ASSISTANT);
  if (url.startsWith('file:')) {
    const db = new Database(url.slice('file:'.length));
    db.pragma('journal_mode = WAL');
    const insert = db.prepare(
      'INSERT INTO "MissionEvent" ("id","missionId","seq","type","stage","actorKind","actorId","actor","occurredAt","payload","prevHash","hash") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
    );
    const run = db.transaction((missionId, seq) =>
      insert.run(
        randomUUID(),
        missionId,
        seq,
        'test_suite_run',
        'execute_observe',
        'mcp_token',
        'bench',
        actor,
        Date.now(),
        payload,
        'x'.repeat(64),
        'y'.repeat(64),
      ),
    );
    return { append: async (missionId, seq) => run(missionId, seq), close: async () => db.close() };
  }
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'public';
  parsed.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: parsed.toString(), options: `-c search_path=${schema}` });
  const ready = client.connect();
  return {
    append: async (missionId, seq) => {
      await ready;
      await client.query(
        'INSERT INTO "MissionEvent" ("id","missionId","seq","type","stage","actorKind","actorId","actor","occurredAt","payload","prevHash","hash") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,now(),$9,$10,$11)',
        [randomUUID(), missionId, seq, 'test_suite_run', 'execute_observe', 'mcp_token', 'bench', actor, payload, 'x'.repeat(64), 'y'.repeat(64)],
      );
    },
    close: () => client.end(),
  };
}

async function main() {
  let url = process.env.DATABASE_URL;
  let dir = null;
  if (!url) {
    dir = mkdtempSync(path.join(tmpdir(), 'mc-bench-events-'));
    url = `file:${path.join(dir, 'bench.db')}`;
  }
  const app = await createApp(loadConfig({ DATABASE_URL: url, APPROVALS_REQUIRED: 'low:0' }), pino({ level: 'silent' }));
  try {
    const missions = await executingMissions(app.missions, MISSIONS);
    const report = (i) => testRunReport(missions, i);
    for (let i = 0; i < (SMOKE ? 5 : 100); i++) await app.missions.reportProgress(report(i), ASSISTANT);

    let started = performance.now();
    for (let i = 0; i < APPENDS; i++) await app.missions.reportProgress(report(i), ASSISTANT);
    const serviceSeconds = (performance.now() - started) / 1000;

    // Raw rows go to a mission of their own, with sequence numbers far past the service's.
    const raw = rawInserter(url);
    const target = missions[0];
    for (let i = 0; i < 100; i++) await raw.append(target, 1_000_000 + i);
    started = performance.now();
    for (let i = 0; i < APPENDS; i++) await raw.append(target, 2_000_000 + i);
    const rawSeconds = (performance.now() - started) / 1000;
    await raw.close();

    const serviceRate = APPENDS / serviceSeconds;
    const rawRate = APPENDS / rawSeconds;
    const db = url.startsWith('postgresql:') ? 'PostgreSQL' : 'SQLite';
    console.log(`Event log appends on ${db}: ${APPENDS} appends each, one transaction per append, ${MISSIONS} missions`);
    console.log(`through the service   ${serviceRate.toFixed(0).padStart(7)} appends/s  (${((serviceSeconds * 1000) / APPENDS).toFixed(2)} ms each)`);
    console.log(`raw driver inserts    ${rawRate.toFixed(0).padStart(7)} appends/s  (${((rawSeconds * 1000) / APPENDS).toFixed(2)} ms each)`);
    console.log(`ratio appends per second, service / raw insert: ${(serviceRate / rawRate).toFixed(2)}x`);
    // For `npm run bench` (bench/runAll.mjs), which writes docs/benchmarks.md.
    if (process.env.BENCH_RESULT_FILE) {
      writeFileSync(
        process.env.BENCH_RESULT_FILE,
        JSON.stringify({
          benchmark: 'events',
          provider: db,
          appends: APPENDS,
          missions: MISSIONS,
          serviceRate,
          rawRate,
          serviceMs: (serviceSeconds * 1000) / APPENDS,
          rawMs: (rawSeconds * 1000) / APPENDS,
          checks: [],
          smoke: SMOKE,
        }),
      );
    }
  } finally {
    await app.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
