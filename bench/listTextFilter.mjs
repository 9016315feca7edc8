#!/usr/bin/env node
// Measures list_missions' text filter on SQLite at 100,000 missions: a common word (in most
// missions), a word in 1 in 1,000, a rare one (1 mission) and one only the oldest 10% hold (as a
// word of an old team's missions), first page and a page further on,
// each as the median of repeated calls through MissionService.listMissions (the repository's
// real statement). The database is synthetic and quick to make: the migrations, one mission
// started through the service, then rows copied from it with raw SQL (better-sqlite3) with their
// own id, title, intent and updatedAt (the FTS5 table is kept by the triggers).
//   BENCH_SEARCH_MISSIONS (default 100,000), BENCH_SEARCH_REPEATS (default 20).
// Run after `npx tsc -p tsconfig.build.json`: `node bench/listTextFilter.mjs`.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { createApp } from '../dist/app.js';
import { loadConfig } from '../dist/config.js';
import { missionWalkStatement, newestMatchesStatement, walkBoundaryStatement } from '../dist/storage/missionSearch.js';

const MISSIONS = Number(process.env.BENCH_SEARCH_MISSIONS ?? 100_000);
const REPEATS = Number(process.env.BENCH_SEARCH_REPEATS ?? 20);
// BENCH_SEARCH_DB: a database file to make once and keep (seeded when it does not exist).
const kept = process.env.BENCH_SEARCH_DB;
const dir = kept ? null : mkdtempSync(path.join(tmpdir(), 'mc-search-'));
const file = kept ?? path.join(dir, 'search.db');
const url = `file:${file}`;

const WORDS = ['export', 'toggle', 'report', 'layout', 'upload', 'search', 'billing', 'webhook', 'cache', 'login'];

async function seed() {
  const app = await createApp(loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' }), pino({ level: 'silent' }));
  const template = await app.missions.startMission(
    { intent: 'Make the nightly export resumable', channelId: 'C0SEARCH' },
    { kind: 'slack_user', id: 'U0SEARCH', name: 'Search Person' },
  );
  await app.close();
  const db = new Database(file);
  const columns = db
    .prepare(`SELECT name FROM pragma_table_info('Mission')`)
    .all()
    .map((c) => c.name)
    .filter((c) => !['id', 'title', 'intent', 'updatedAt', 'createdAt'].includes(c));
  const row = db.prepare(`SELECT "updatedAt" FROM "Mission" WHERE "id" = ?`).get(template.id);
  // Dates as the template stores them (Prisma's format), stepped back one second per mission.
  const base = typeof row.updatedAt === 'number' ? row.updatedAt : Date.parse(row.updatedAt);
  const asStored = (ms) => (typeof row.updatedAt === 'number' ? ms : new Date(ms).toISOString().replace('Z', '+00:00'));
  const insert = db.prepare(
    `INSERT INTO "Mission" ("id", "title", "intent", "createdAt", "updatedAt", ${columns.map((c) => `"${c}"`).join(', ')})
     SELECT ?, ?, ?, ?, ?, ${columns.map((c) => `"${c}"`).join(', ')} FROM "Mission" WHERE "id" = ?`,
  );
  const many = db.transaction(() => {
    for (let i = 0; i < MISSIONS - 1; i++) {
      const word = WORDS[i % WORDS.length];
      // "common" in 90% of missions, "quarterly" in 1 in 1,000, "zanzibar" in exactly one.
      const common = i % 10 !== 0 ? ' and keep the common path fast' : '';
      const sometimes = i % 1000 === 7 ? ' for the quarterly audit' : '';
      const rare = i === Math.floor(MISSIONS / 2) ? ' near zanzibar' : '';
      const old = i >= MISSIONS * 0.9 ? ' with the vintage importer' : '';
      const at = asStored(base - (i + 1) * 1000);
      insert.run(`msn_s${String(i).padStart(7, '0')}`, `Fix the ${word} ${i}`, `Make the ${word} work${common}${sometimes}${rare}${old}`, at, at, template.id);
    }
  });
  many();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  if (!kept || !existsSync(file)) {
    const seeding = Date.now();
    await seed();
    console.log(`seeded ${MISSIONS} missions in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);
  }
  const app = await createApp(loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' }), pino({ level: 'silent' }));
  try {
    const cases = [
      ['no filter', undefined],
      ['common (90%): "common"', 'common'],
      ['in 1 of 10 (10%): "export"', 'export'],
      ['in 1 of 1,000: "quarterly"', 'quarterly'],
      ['rare (1 mission): "zanzibar"', 'zanzibar'],
      ['oldest 10% only: "vintage"', 'vintage'],
      ['absent: "xylophone"', 'xylophone'],
      ['short (2 characters, LIKE): "ex"', 'ex'],
    ];
    console.log(`list_missions on SQLite, ${MISSIONS} missions, limit 20, median of ${REPEATS}`);
    console.log(`${'filter'.padEnd(40)}${'page 1 ms'.padStart(11)}${'page 5 ms'.padStart(11)}${'found'.padStart(8)}`);
    for (const [label, text] of cases) {
      const page1 = [];
      const page5 = [];
      let found = 0;
      for (let r = 0; r < REPEATS; r++) {
        let started = performance.now();
        let page = await app.missions.listMissions({ ...(text ? { text } : {}), limit: 20 });
        page1.push(performance.now() - started);
        found = page.missions.length;
        let cursor = page.nextCursor;
        for (let p = 2; p <= 5 && cursor; p++) {
          started = performance.now();
          page = await app.missions.listMissions({ ...(text ? { text } : {}), limit: 20, cursor });
          if (p === 5) page5.push(performance.now() - started);
          cursor = page.nextCursor;
        }
      }
      console.log(
        `${label.padEnd(40)}${median(page1).toFixed(1).padStart(11)}${(page5.length ? median(page5).toFixed(1) : '-').padStart(11)}${String(found).padStart(8)}`,
      );
    }
    // The same first pages as statements on their own, interleaved: walking (updatedAt, id) then
    // collecting every FTS match (the plan before) against the FTS table's newest-first order (now).
    const file_ = new Database(file, { readonly: true });
    const run = ({ sql, values }) =>
      file_
        .prepare(sql)
        .raw(true)
        .all(...values);
    const walkThenCollect = (filter) => {
      const [boundary] = run(walkBoundaryStatement(filter));
      const walked = run(missionWalkStatement(filter, boundary ?? null));
      if (walked.length > filter.limit || !boundary) return walked;
      const phrase = `{title intent} : "${filter.text.replaceAll('"', '""')}"`;
      return run({
        sql: `SELECT m."id" FROM "Mission" m WHERE +m."id" IN (SELECT "missionId" FROM "MissionText" WHERE "MissionText" MATCH ?) ORDER BY m."updatedAt" DESC, m."id" DESC LIMIT ?`,
        values: [phrase, filter.limit + 1],
      });
    };
    console.log(`statements alone (better-sqlite3), first page of 20, median of ${REPEATS}`);
    console.log(`${'filter'.padEnd(40)}${'walk+collect ms'.padStart(16)}${'newest ms'.padStart(11)}`);
    for (const [label, text] of cases.filter(([, t]) => t && t.length >= 3)) {
      const filter = { text, limit: 20 };
      const before = [];
      const after = [];
      for (let r = 0; r < REPEATS; r++) {
        let started = performance.now();
        const old = walkThenCollect(filter);
        before.push(performance.now() - started);
        started = performance.now();
        const now = run(newestMatchesStatement(filter));
        after.push(performance.now() - started);
        if (JSON.stringify(now) !== JSON.stringify(old)) throw new Error(`"${text}": the two statements found different pages`);
      }
      console.log(`${label.padEnd(40)}${median(before).toFixed(2).padStart(16)}${median(after).toFixed(2).padStart(11)}`);
    }
    file_.close();
  } finally {
    await app.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
