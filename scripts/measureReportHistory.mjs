// Report cost against history (issue 15): p50 of a test_run report on a mission that already
// holds N test runs, with the mission read between reports as the trackers/Slack consumers do
// after every save. Usage: node scripts/measureReportHistory.mjs [built root, default .] [N...]
// (run `npm run build` first). Prints p50 per N and the ratio to a fresh mission.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(process.argv[2] ?? '.');
const sizes = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [0, 10_000, 50_000];
const REPORTS = Number(process.env.REPORTS ?? 40);
const load = (file) => import(pathToFileURL(path.join(root, file)).href);
const { openDatabase } = await load('dist/storage/database.js');
const { MissionService } = await load('dist/domain/missionService.js');
const { deterministicBriefDrafter } = await load('dist/domain/deterministicBriefDrafter.js');
const { executingMissions, testRunReport, BENCH_PHASE, ASSISTANT } = await import(pathToFileURL(path.resolve('bench/benchMissions.mjs')).href);

const policy = { approvers: [], requiredApprovals: { low: 0, medium: 1, high: 1, critical: 2 }, requesterExcludedAt: [], expiresAfterMinutes: 60 };
let counter = 0;
const serviceOn = (db) =>
  new MissionService({
    repository: db.missions,
    clock: { now: () => new Date() },
    ids: { next: (p) => `${p}_${process.pid}_${++counter}` },
    drafter: deterministicBriefDrafter,
    approvalPolicy: policy,
  });
const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results = [];
for (const size of sizes) {
  const dir = mkdtempSync(path.join(tmpdir(), 'mc-history-'));
  const db = await openDatabase(`file:${path.join(dir, 'm.db')}`);
  try {
    const [missionId] = await executingMissions(serviceOn(db), 1);
    const run = JSON.stringify({ total: 120, passing: 120, failing: 0, coverage: 0.9, suite: 'vitest', at: new Date().toISOString() });
    for (let from = 0; from < size; from += 5000) {
      const rows = Array.from({ length: Math.min(5000, size - from) }, (_, i) => ({ missionId, phaseId: BENCH_PHASE, position: from + i, run }));
      await db.prisma.missionTestRun.createMany({ data: rows });
    }
    // A service that has not seen the mission: its first report loads the N runs, as after a restart.
    const service = serviceOn(db);
    await service.reportProgress(testRunReport([missionId], 0), ASSISTANT);
    const reportMs = [];
    const readMs = [];
    for (let i = 0; i < REPORTS; i++) {
      let t = performance.now();
      await service.reportProgress(testRunReport([missionId], i), ASSISTANT);
      reportMs.push(performance.now() - t);
      // The feed consumers read the mission after every save.
      t = performance.now();
      await db.missions.get(missionId);
      readMs.push(performance.now() - t);
    }
    const rows = await db.prisma.missionTestRun.count({ where: { missionId } });
    results.push({ size, report: p50(reportMs), read: p50(readMs), rows });
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
const fresh = results[0];
for (const r of results) {
  console.log(
    `${String(r.size).padStart(6)} runs: report p50 ${r.report.toFixed(1)} ms (${(r.report / fresh.report).toFixed(2)}x fresh), mission read p50 ${r.read.toFixed(1)} ms; ${r.rows} rows after`,
  );
}
