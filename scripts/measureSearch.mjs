// Lists and searches at 1,000 and 100,000 missions (issue 15 item 4), through the service as
// the front doors call it: list by state, text filters (rare and common), search_library (tags,
// text), and the App Home's reads (statements counted at the driver). Run it against a build:
//   node scripts/measureSearch.mjs [--root DIR] [--provider sqlite|postgresql] [--sizes 1000,100000]
// (--root: another checkout's built tree, to measure a commit before this change; PostgreSQL
// uses TEST_DATABASE_URL). Prints median milliseconds over repeated calls; not a benchmark suite.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';

const { values: args } = parseArgs({
  options: {
    root: { type: 'string', default: process.cwd() },
    provider: { type: 'string', default: 'sqlite' },
    sizes: { type: 'string', default: '1000,100000' },
  },
});
const root = path.resolve(args.root);
const { openDatabase } = await import(path.join(root, 'dist/storage/database.js'));
const { MissionService } = await import(path.join(root, 'dist/domain/missionService.js'));
const { deterministicBriefDrafter } = await import(path.join(root, 'dist/domain/deterministicBriefDrafter.js'));
const { systemClock, randomIds } = await import(path.join(root, 'dist/domain/runtime.js'));

const ACTOR = { kind: 'slack_user', id: 'U0MEASURE', name: 'Measure' };
const WORDS = ['checklist', 'rollout', 'billing', 'login', 'cache', 'export', 'upload', 'search', 'invoice', 'webhook'];
const REPEAT = 25;

// Statements reaching the driver: better-sqlite3 statement runs, pg client queries.
let statements = 0;
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (...a) {
  const stmt = prepare.apply(this, a);
  for (const m of ['all', 'run', 'get', 'iterate']) {
    const run = stmt[m].bind(stmt);
    stmt[m] = (...v) => {
      statements += 1;
      return run(...v);
    };
  }
  return stmt;
};
const pgQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (...a) {
  statements += 1;
  return pgQuery.apply(this, a);
};

function freshUrl(provider) {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'mc-measure-'));
    return { url: `file:${path.join(dir, 'missions.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `mc_measure_${randomBytes(4).toString('hex')}`;
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    cleanup: async () => {
      const admin = new URL(url);
      admin.searchParams.delete('schema');
      const client = new pg.Client({ connectionString: admin.toString() });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/** `count` copies of a real mission row: most finished, 1 in 200 awaiting approval, 1 in 50 planning; 100 requesters; every 10th pinned to the library with two tags. */
async function seed(db, provider, template, count) {
  const sqlite = provider === 'sqlite';
  const series = sqlite ? `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})` : '';
  const from = sqlite ? 'n' : `generate_series(1, ${count}) AS n(i)`;
  const word = (k) => `(CASE (i + ${k}) % 10 ${WORDS.map((w, j) => `WHEN ${j} THEN '${w}'`).join(' ')} END)`;
  const concat = (...parts) => parts.join(' || ');
  const updatedAt = sqlite ? `strftime('%Y-%m-%dT%H:%M:%S.000+00:00', "updatedAt", '-' || i || ' seconds')` : `"updatedAt" - i * interval '1 second'`;
  const state = `CASE WHEN i % 200 = 0 THEN 'awaiting_approval' WHEN i % 50 = 0 THEN 'planning' WHEN i % 7 = 0 THEN 'cancelled' ELSE 'done' END`;
  const same = [
    'requesterKind',
    'requester',
    'channelId',
    'threadTs',
    'version',
    'eventSeq',
    'headHash',
    'brief',
    'coverage',
    'createdAt',
    'plays',
    'approvals',
    'execution',
    'evidence',
    'reflection',
  ]
    .map((c) => `"${c}"`)
    .join(', ');
  await db.prisma.$executeRawUnsafe(
    `${series} INSERT INTO "Mission" ("id", "title", "intent", "state", "requesterId", "updatedAt", ${same}) ` +
      `SELECT ${concat(`'msn_copy_'`, 'i')}, ${concat(`'Copy '`, 'i', `' of the '`, word(0), `' '`, word(3))}, ${concat(`'Keep the '`, word(5), `' work moving, item '`, 'i')}, ${state}, ${concat(`'U'`, 'CAST(i % 100 AS TEXT)')}, ${updatedAt}, ${same} ` +
      `FROM ${from}, "Mission" WHERE "Mission"."id" = '${template.id}'`,
  );
  const entries = Math.floor(count / 10);
  const pinnedAt = sqlite ? `strftime('%Y-%m-%dT%H:%M:%S.000+00:00', 'now', '-' || i || ' seconds')` : `now() - i * interval '1 second'`;
  const entrySeries = sqlite ? `WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 10 FROM n WHERE i < ${entries * 10})` : '';
  const entryFrom = sqlite ? 'n' : `generate_series(10, ${entries * 10}, 10) AS n(i)`;
  await db.prisma.$executeRawUnsafe(
    `${entrySeries} INSERT INTO "LibraryEntry" ("id", "missionId", "playId", "title", "note", "rating", "reuseScore", "play", "pinnedBy", "pinnedAt") ` +
      `SELECT ${concat(`'lib_'`, 'i')}, ${concat(`'msn_copy_'`, 'i')}, 'play_1', ${concat(`'Play '`, 'i', `' for '`, `(CASE (i / 10) % 10 ${WORDS.map((w, j) => `WHEN ${j} THEN '${w}'`).join(' ')} END)`)}, ${concat(`'Went well: '`, word(2))}, 5, (i % 13) * 0.1, '{"title":"p","phases":[]}', '{"kind":"slack_user","id":"U0X","name":"X"}', ${pinnedAt} FROM ${entryFrom}`,
  );
  await db.prisma.$executeRawUnsafe(
    `${entrySeries} INSERT INTO "LibraryEntryTag" ("entryId", "tag") SELECT ${concat(`'lib_'`, 'i')}, ${concat(`'tag'`, 'CAST(i % 30 AS TEXT)')} FROM ${entryFrom}`,
  );
  await db.prisma.$executeRawUnsafe(
    `${entrySeries} INSERT INTO "LibraryEntryTag" ("entryId", "tag") SELECT ${concat(`'lib_'`, 'i')}, ${concat(`'tag'`, 'CAST(i % 7 + 30 AS TEXT)')} FROM ${entryFrom}`,
  );
  await db.prisma.$executeRawUnsafe('ANALYZE');
}

async function median(fn) {
  await fn();
  const times = [];
  for (let i = 0; i < REPEAT; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function homeReads(service, userId) {
  if (typeof service.overviewOf === 'function') return service.overviewOf(userId);
  // The handler before this change: two lists, then each of up to 50 missions awaiting approval read whole.
  const [mine, waiting] = await Promise.all([
    service.listMissions({ requesterId: userId, limit: 20 }),
    service.listMissions({ state: 'awaiting_approval', limit: 50 }),
  ]);
  const missions = await Promise.all(waiting.missions.map((m) => service.getMission({ missionId: m.id }).catch(() => null)));
  return { mine, missions };
}

for (const size of args.sizes.split(',').map(Number)) {
  const { url, cleanup } = freshUrl(args.provider);
  const db = await openDatabase(url);
  try {
    const service = new MissionService({ repository: db.missions, clock: systemClock, ids: randomIds, drafter: deterministicBriefDrafter });
    const template = await service.startMission({ intent: 'Fix the flaky checkout test in CI', channelId: 'C1' }, ACTOR);
    const t = performance.now();
    await seed(db, args.provider, template, size);
    const seeded = ((performance.now() - t) / 1000).toFixed(1);
    const row = {
      'list {state}': await median(() => service.listMissions({ state: 'planning', limit: 20 })),
      'list done p5': 0,
      'text rare': await median(() => service.listMissions({ text: 'flaky checkout', limit: 20 })),
      'text common': await median(() => service.listMissions({ text: 'rollout', limit: 20 })),
      'library tags': await median(() => service.searchLibrary({ tags: ['tag3', 'tag31'], limit: 10 })),
      'library text': await median(() => service.searchLibrary({ text: 'webhook', limit: 10 })),
      home: await median(() => homeReads(service, 'U7')),
    };
    let cursor;
    for (let p = 0; p < 4; p++) cursor = (await service.listMissions({ state: 'done', limit: 20, ...(cursor ? { cursor } : {}) })).nextCursor;
    row['list done p5'] = await median(() => service.listMissions({ state: 'done', limit: 20, cursor }));
    statements = 0;
    await homeReads(service, 'U7');
    const homeStatements = statements;
    console.log(
      `${args.provider} ${size} missions (seeded in ${seeded}s): ` +
        Object.entries(row)
          .map(([k, v]) => `${k} ${v.toFixed(2)} ms`)
          .join(' | ') +
        ` | home statements ${homeStatements}`,
    );
  } finally {
    await db.close();
    await cleanup();
  }
}
