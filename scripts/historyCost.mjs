#!/usr/bin/env node
// Does a report's cost, and a mission load's, stay flat as a mission's history grows? Grows one
// mission through the product's service to HISTORY_REPORTS test runs and as many steps (default
// 10,000 each), then times report_progress (a test run and a step) and a mission load on it against
// a fresh mission in the same run, calls interleaved, on SQLite and on PostgreSQL (a fresh schema
// on TEST_DATABASE_URL, default the local server; HISTORY_SKIP_POSTGRES=1 skips it, HISTORY_SKIP_SQLITE=1 the other). Prints the
// medians and the ratios. Not a unit test: nothing here asserts a time.
//
//   npm run build && node scripts/historyCost.mjs
//   env: HISTORY_REPORTS (default 10000), HISTORY_SAMPLES (per operation and side, default 40),
//   HISTORY_MIX=alerts grows the mission with HISTORY_REPORTS auto-fix alerts and as many deviations
//   instead (and times those two reports), with one review alert left open from the start
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import pino from 'pino';
import { createApp } from '../dist/app.js';
import { loadConfig } from '../dist/config.js';
import { ASSISTANT, BENCH_PHASES, BENCH_PLAY, CHANNEL, INTENTS, PERSON, POLICY_ENV } from '../bench/support/benchPlays.mjs';

const REPORTS = Number(process.env.HISTORY_REPORTS ?? 10_000);
const SAMPLES = Number(process.env.HISTORY_SAMPLES ?? 40);
const POSTGRES = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const PHASE = BENCH_PHASES[0];
const ALERTS = process.env.HISTORY_MIX === 'alerts';

/** A mission of its own, through the service, executing its first phase. */
async function executingMission(service, intent) {
  const { id } = await service.startMission({ intent, channelId: CHANNEL }, PERSON);
  await service.lockBrief({ missionId: id }, PERSON);
  await service.selectToolkits({ missionId: id, toolkits: [{ toolkitId: 'github' }] }, PERSON);
  await service.recordCoverage(
    { missionId: id, toolkitId: 'github', status: 'ready', summary: '41 files, 212 tests', metrics: { files_analyzed: 41, test_count: 212, coverage: 0.88 } },
    ASSISTANT,
  );
  // Coverage the assistant reported counts once a person accepts it.
  await service.acceptReportedCoverage({ missionId: id }, PERSON);
  await service.confirmToolkits({ missionId: id }, PERSON);
  const planned = await service.proposePlays({ missionId: id, plays: [BENCH_PLAY] }, ASSISTANT);
  const play = planned.plays.find((p) => p.source === 'assistant');
  const requested = await service.requestApproval({ missionId: id, playId: play.id }, ASSISTANT);
  if (requested.state !== 'executing') throw new Error(`expected executing, got ${requested.state}`);
  await service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: PHASE.id }, ASSISTANT);
  return id;
}

const testRun = (missionId, i) => ({
  missionId,
  kind: 'test_run',
  phaseId: PHASE.id,
  total: 212,
  passing: 212,
  coverage: 0.9 + (i % 10) / 1000,
  suite: 'vitest',
});
const step = (missionId, i) => ({
  missionId,
  kind: 'step_completed',
  phaseId: PHASE.id,
  stepId: PHASE.steps[i % PHASE.steps.length],
  durationMs: 1200,
  counts: { tests_added: 1 },
});

const alert = (missionId, i) => ({
  missionId,
  kind: 'validator_alert',
  phaseId: PHASE.id,
  type: 'auto_fix',
  severity: 'low',
  description: `Formatted ${i} files the linter flagged in the token refresh module`,
});
const deviation = (missionId, i) => ({
  missionId,
  kind: 'deviation',
  phaseId: PHASE.id,
  rule: 1,
  description: `Fixed an off-by-one in the retry loop (${i})`,
  reason: 'Found while writing the refresh tests; without it the tests fail',
});
const openAlert = (missionId) => ({
  missionId,
  kind: 'validator_alert',
  phaseId: PHASE.id,
  type: 'review_required',
  severity: 'low',
  description: 'Left open',
});

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function measure(provider, url) {
  const app = await createApp(loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent', ...POLICY_ENV }), pino({ level: 'silent' }));
  try {
    const service = app.missions;
    const grown = await executingMission(service, INTENTS[0]);
    const started = Date.now();
    const [first, second] = ALERTS ? [alert, deviation] : [step, testRun];
    if (ALERTS) await service.reportProgress(openAlert(grown), ASSISTANT);
    for (let i = 0; i < REPORTS; i++) {
      await service.reportProgress(first(grown, i), ASSISTANT);
      await service.reportProgress(second(grown, i), ASSISTANT);
      if ((i + 1) % 2000 === 0) process.stderr.write(`[${provider}] ${i + 1} test runs and steps after ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    }
    const fresh = await executingMission(service, INTENTS[1]);
    if (ALERTS) await service.reportProgress(openAlert(fresh), ASSISTANT);
    const operations = {
      ...(ALERTS
        ? {
            'report_progress validator_alert': (id, i) => service.reportProgress(alert(id, i), ASSISTANT),
            'report_progress deviation': (id, i) => service.reportProgress(deviation(id, i), ASSISTANT),
          }
        : {}),
      'report_progress test_run': (id, i) => service.reportProgress(testRun(id, i), ASSISTANT),
      'report_progress step_completed': (id, i) => service.reportProgress(step(id, i), ASSISTANT),
      // A load as the feed consumers do it: read from the database, not from the writer's memory.
      'mission load (repository get)': (id) => app.db.missions.get(id),
    };
    const results = [];
    for (const [name, run] of Object.entries(operations)) {
      const times = { grown: [], fresh: [] };
      // Warm up, then alternate the two missions so both see the same machine.
      for (let i = 0; i < 3; i++) {
        await run(grown, i);
        await run(fresh, i);
      }
      for (let i = 0; i < SAMPLES; i++) {
        times.grown.push(await timed(() => run(grown, i)));
        times.fresh.push(await timed(() => run(fresh, i)));
      }
      results.push({ name, grown: median(times.grown), fresh: median(times.fresh) });
    }
    const row = await app.db.prisma.mission.findUniqueOrThrow({ where: { id: grown }, select: { execution: true } });
    const runs = await app.db.prisma.missionTestRun.count({ where: { missionId: grown } });
    const steps = await app.db.prisma.missionStep.count({ where: { missionId: grown } });
    const fresher = await app.db.prisma.mission.findUniqueOrThrow({ where: { id: fresh }, select: { execution: true } });
    console.log(
      `\n${provider}: grown mission ${runs} test runs, ${steps} steps${ALERTS ? `, ${REPORTS} alerts and deviations` : ''} (execution document ${(row.execution.length / 1024).toFixed(1)} KiB; fresh ${(fresher.execution.length / 1024).toFixed(1)} KiB)`,
    );
    for (const r of results)
      console.log(`  ${r.name.padEnd(34)} grown ${r.grown.toFixed(2)} ms  fresh ${r.fresh.toFixed(2)} ms  ratio ${(r.grown / r.fresh).toFixed(2)}x`);
  } finally {
    await app.close();
  }
}

async function main() {
  if (process.env.HISTORY_SKIP_SQLITE !== '1') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mc-history-cost-'));
    try {
      await measure('sqlite', `file:${path.join(dir, 'missions.db')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (process.env.HISTORY_SKIP_POSTGRES === '1') return;
  const schema = `mc_history_${randomBytes(4).toString('hex')}`;
  const url = new URL(POSTGRES);
  url.searchParams.set('schema', schema);
  try {
    await measure('postgresql', url.toString());
  } finally {
    const admin = new pg.Client({ connectionString: POSTGRES });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

await main();
