// Databases seeded to a realistic size for the server benchmarks. Template missions are made
// through the product's own service (dist/), in every state a team's database holds (drafted,
// planning, awaiting approval, executing with mixed reports, done with evidence and a
// retrospective, some pinned to the library, cancelled), and delivered by the product's own feed
// worker to a fake Slack, so nothing is pending. Then each template is copied with bulk SQL, row for
// row in every table that references a mission (found from the database's own foreign keys, so new
// tables and columns are copied too), with new ids. SQLite files are cached between runs, keyed
// by the Prisma schema, the migrations and this seeder (BENCH_CACHE_DIR, default
// <tmpdir>/mission-control-bench); PostgreSQL gets a fresh schema per run.
//
// Limits, said plainly: a copy's event hash chain is its template's (the hash covers the mission
// id), so `verifyEventLog` would report copies as broken; no benchmark verifies chains. Derived data
// that application code (not a foreign key or trigger) keeps outside mission-keyed tables is not
// copied: if storage gains such a table, teach `cloneTemplates` about it.
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { createApp } from '../../dist/app.js';
import { loadConfig } from '../../dist/config.js';
import { openDatabase } from '../../dist/storage/database.js';
import { FeedWorker } from '../../dist/feedWorker.js';
import { onInterrupt } from './processes.mjs';
import { FakeSlack } from '../../scripts/demo/fakeSlack.mjs';
import { ASSISTANT, BENCH_PHASES, BENCH_PLAY, CHANNEL, INTENTS, MixedReports, PERSON, POLICY_ENV, REVIEWED_PLAY } from './benchPlays.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LOCAL_POSTGRES = 'postgresql://postgres@127.0.0.1:5432/test';
const CLONE_MARK = '~';
/** Bump when what the seeder makes changes (the schema, migrations and plays are hashed already). */
const SEED_VERSION = 2;

/** What the template set holds per intent; ten missions: half done, the rest spread over the other states. */
const FULL_COMPOSITION = ['done', 'done', 'done', 'done_pinned', 'executing', 'executing', 'cancelled', 'defining', 'planning', 'awaiting_approval'];
// BENCH_SMOKE=1 (checking that benchmarks run): three templates of one intent, made in seconds.
const SMOKE = process.env.BENCH_SMOKE === '1';
const COMPOSITION = SMOKE ? ['done_pinned', 'executing', 'defining'] : FULL_COMPOSITION;
const TEMPLATE_INTENTS = SMOKE ? INTENTS.slice(0, 1) : INTENTS;

function log(message) {
  if (process.env.BENCH_QUIET !== '1') process.stderr.write(`[seed] ${message}\n`);
}

/** Hash of what decides a seeded database's shape: the schema, the migrations, the plays, SEED_VERSION. */
function seedKey() {
  const hash = createHash('sha256');
  const files = [path.join(ROOT, 'prisma', 'sqlite', 'schema.prisma'), path.join(ROOT, 'bench', 'support', 'benchPlays.mjs')];
  // Both providers' migrations: a PostgreSQL-only one changes what its template schema holds.
  for (const provider of ['sqlite', 'postgresql']) {
    const migrations = path.join(ROOT, 'prisma', provider, 'migrations');
    for (const dir of readdirSync(migrations).sort()) {
      const file = path.join(migrations, dir, 'migration.sql');
      if (existsSync(file)) files.push(file);
    }
  }
  hash.update(`${SEED_VERSION}:${SMOKE ? 'smoke' : 'full'}`);
  for (const file of files) hash.update(file).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

// ---- templates, through the product's service ---------------------------------------------

async function templateMission(service, kind, intent) {
  const m = await service.startMission({ intent, channelId: CHANNEL }, PERSON);
  const id = m.id;
  if (kind === 'defining') return id;
  await service.lockBrief({ missionId: id }, PERSON);
  await service.selectToolkits({ missionId: id, toolkits: [{ toolkitId: 'github' }] }, PERSON);
  await service.recordCoverage(
    {
      missionId: id,
      toolkitId: 'github',
      status: 'ready',
      summary: '41 files, 212 tests, 88% coverage',
      metrics: { files_analyzed: 41, test_count: 212, coverage: 0.88 },
    },
    ASSISTANT,
  );
  await service.acceptReportedCoverage({ missionId: id }, PERSON);
  await service.confirmToolkits({ missionId: id }, PERSON);
  const reviewed = kind === 'awaiting_approval';
  const planned = await service.proposePlays({ missionId: id, plays: [reviewed ? REVIEWED_PLAY : BENCH_PLAY] }, ASSISTANT);
  if (kind === 'planning') return id;
  const play = planned.plays.find((p) => p.source === 'assistant');
  const requested = await service.requestApproval({ missionId: id, playId: play.id }, ASSISTANT);
  if (kind === 'awaiting_approval') {
    if (requested.state !== 'awaiting_approval') throw new Error(`template ${kind} is ${requested.state}`);
    return id;
  }
  if (requested.state !== 'executing') throw new Error(`template ${kind} is ${requested.state}, expected executing (does the intent name a risky area?)`);
  const reports = new MixedReports();
  reports.add(id);
  await service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: BENCH_PHASES[0].id }, ASSISTANT);
  if (kind === 'cancelled') {
    await service.reportProgress(reports.next(id).arguments, ASSISTANT);
    await service.cancelMission({ missionId: id, reason: 'Superseded by another approach' }, PERSON);
    return id;
  }
  const call = async (c) => (c.name === 'attach_evidence' ? service.attachEvidence(c.arguments, ASSISTANT) : service.reportProgress(c.arguments, ASSISTANT));
  if (kind === 'executing') {
    // Part of the way into the first phase: the state the workload's reports continue from.
    for (let i = 0; i < 12; i++) await call(reports.next(id, { transitions: false }));
    return id;
  }
  // Done: every phase through its gate, evidence, review, reflection.
  for (const [p, phase] of BENCH_PHASES.entries()) {
    if (p > 0) await service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: phase.id }, ASSISTANT);
    for (const step of phase.steps)
      await service.reportProgress({ missionId: id, kind: 'step_completed', phaseId: phase.id, stepId: step, durationMs: 2400 }, ASSISTANT);
    await service.reportProgress({ missionId: id, kind: 'test_run', phaseId: phase.id, total: 212, passing: 212, coverage: 0.92, suite: 'vitest' }, ASSISTANT);
    await service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: phase.id }, ASSISTANT);
  }
  await service.attachEvidence(
    { missionId: id, name: 'Pull request', kind: 'link', url: 'https://github.com/acme/app/pull/482', checks: [{ name: 'ci / test', conclusion: 'success' }] },
    ASSISTANT,
  );
  await service.attachEvidence(
    {
      missionId: id,
      name: 'Review of PR #482',
      kind: 'link',
      url: 'https://github.com/acme/app/pull/482#pullrequestreview-1',
      review: { state: 'approved', reviewer: 'reviewer_001' },
    },
    PERSON,
  );
  await service.completeMission({ missionId: id }, ASSISTANT);
  await service.submitFeedback({ missionId: id, rating: 5, effortSavedHours: 3, comments: 'Went smoothly.' }, PERSON);
  if (kind === 'done_pinned')
    await service.pinToLibrary(
      {
        missionId: id,
        tags: [
          'exports',
          'streaming',
          intent
            .split(' ')[1]
            .toLowerCase()
            .replace(/[^a-z0-9-]/g, ''),
        ],
        note: `Reusable: ${intent}`,
      },
      PERSON,
    );
  await service.submitRetrospective({ missionId: id, wentWell: ['Small steps'], toImprove: ['Inspect earlier'] }, PERSON);
  return id;
}

/**
 * Runs `work(app)` on the database at `url` through the product's own app (service, storage), then
 * lets its feed worker deliver everything to a fake Slack, so nothing is pending afterwards.
 */
export async function withSeedingApp(url, work) {
  const fake = new FakeSlack({ knowsEarlierMessages: true });
  await fake.start();
  const app = await createApp(
    loadConfig({
      DATABASE_URL: url,
      LOG_LEVEL: 'silent',
      SLACK_BOT_TOKEN: fake.token,
      SLACK_SIGNING_SECRET: 'bench-seed-secret',
      SLACK_API_URL: fake.apiUrl,
      SLACK_DEFAULT_CHANNEL: CHANNEL,
      ...POLICY_ENV,
    }),
    pino({ level: 'silent' }),
  );
  try {
    const started = Date.now();
    const result = await work(app);
    log(`  made in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // Deliver everything (edits are spaced a second apart, so this takes a few seconds). A call
    // that failed on a loaded machine is retried with backoff; after a minute a second worker,
    // whose clock runs an hour ahead, makes such retries due at once.
    const ahead = new FeedWorker({
      feed: app.db.feed,
      clock: { now: () => new Date(Date.now() + 3_600_000) },
      logger: pino({ level: 'silent' }),
      consumers: app.feedConsumers,
      owner: 'bench-seed-ahead',
    });
    const deadline = Date.now() + 300_000;
    for (;;) {
      const late = Date.now() > started + 60_000;
      await (late ? ahead : app.feedWorker).runOnce();
      let pending = 0;
      for (const consumer of ['slack', 'trackers', 'executor'])
        pending += (await app.db.feed.stats(consumer, new Date(Date.now() + (late ? 3_600_000 : 0)))).pending;
      if (pending === 0) break;
      if (Date.now() > deadline) throw new Error(`${pending} deliveries still pending after 300 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    log(`  made and delivered in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  } finally {
    await app.close();
    await fake.stop();
  }
}

/** Makes the templates in a database at `url`. */
async function makeTemplates(url) {
  return withSeedingApp(url, async (app) => {
    const ids = [];
    for (const [v, intent] of TEMPLATE_INTENTS.entries()) {
      for (const kind of COMPOSITION) {
        // Half the intents pin their done mission: about 5% of missions are in the library.
        const k = kind === 'done_pinned' && v % 2 === 1 ? 'done' : kind;
        ids.push(await templateMission(app.missions, k, intent));
      }
    }
    return ids;
  });
}

// ---- copies, with bulk SQL --------------------------------------------------------------------

/** The tables to copy, parents first: Mission, then every table whose foreign key points at a copied table. */
function copyPlan(tables) {
  const plan = [];
  const copied = new Set(['Mission']);
  plan.push(tables.get('Mission'));
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of tables.values()) {
      if (copied.has(t.name)) continue;
      if (t.fks.length > 0 && t.fks.some((fk) => copied.has(fk.table))) {
        plan.push(t);
        copied.add(t.name);
        grew = true;
      }
    }
  }
  return plan;
}

/**
 * How far back each copy's mission dates go: copy n is n times this many minutes older than its
 * template, so 100,000 missions span about a year, as a team's would, instead of sharing the few
 * minutes the templates were made in (indexes keyed by time would see tens of thousands of
 * missions saved in one second, which no team's database holds).
 */
const COPY_AGE_STEP_MINUTES = 523;

/** The SELECT list copying table `t` as copy number `n` (a SQL expression). */
function selectList(t, n, quote, provider) {
  const fkColumns = new Set(t.fks.map((fk) => fk.from));
  return t.columns
    .map((c) => {
      const q = quote(c);
      if (c === 'id' || fkColumns.has(c)) return `${q} || '${CLONE_MARK}' || ${n}`;
      if (t.name === 'Mission' && c === 'title') return `${q} || ' #' || ${n}`;
      if (t.name === 'Mission' && (c === 'createdAt' || c === 'updatedAt')) {
        // Prisma stores SQLite dates as text: '2026-11-29T06:43:41.117+00:00'.
        return provider === 'sqlite'
          ? `strftime('%Y-%m-%dT%H:%M:%f', ${q}, '-' || (${n} * ${COPY_AGE_STEP_MINUTES}) || ' minutes') || '+00:00'`
          : `${q} - ${n} * interval '${COPY_AGE_STEP_MINUTES} minutes'`;
      }
      return q;
    })
    .join(', ');
}

/** Rows of `t` that belong to templates (not to copies). */
function templateFilter(t, quote) {
  const key = t.name === 'Mission' ? 'id' : t.fks[0].from;
  return `${quote(key)} NOT LIKE '%${CLONE_MARK}%'`;
}

function cloneSqlite(file, copies) {
  const db = new Database(file);
  try {
    const names = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_%' ESCAPE '\\'")
      .all()
      .map((r) => r.name);
    const tables = new Map();
    for (const name of names) {
      const sql = db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name).sql ?? '';
      if (/^CREATE VIRTUAL/i.test(sql)) continue;
      const columns = db
        .prepare(`PRAGMA table_xinfo("${name}")`)
        .all()
        .filter((c) => c.hidden === 0)
        .map((c) => c.name);
      const fks = db
        .prepare(`PRAGMA foreign_key_list("${name}")`)
        .all()
        .map((f) => ({ table: f.table, from: f.from }));
      tables.set(name, { name, columns, fks });
    }
    const quote = (c) => `"${c}"`;
    const plan = copyPlan(tables);
    db.exec('BEGIN');
    for (const t of plan) {
      const started = Date.now();
      db.prepare(
        `WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < ${copies})
         INSERT INTO "${t.name}" (${t.columns.map(quote).join(', ')})
         SELECT ${selectList(t, 'k.n', quote, 'sqlite')} FROM "${t.name}", k WHERE ${templateFilter(t, quote)}`,
      ).run();
      log(`  ${t.name}: copied in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    db.exec('COMMIT');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

async function postgresTables(client, schema) {
  const { rows: cols } = await client.query(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 AND is_generated = 'NEVER' ORDER BY table_name, ordinal_position`,
    [schema],
  );
  const { rows: fkRows } = await client.query(
    `SELECT kcu.table_name, kcu.column_name, ccu.table_name AS ref
       FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
       JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
      WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = $1`,
    [schema],
  );
  const tables = new Map();
  for (const { table_name, column_name } of cols) {
    if (table_name.startsWith('_')) continue;
    if (!tables.has(table_name)) tables.set(table_name, { name: table_name, columns: [], fks: [] });
    tables.get(table_name).columns.push(column_name);
  }
  for (const r of fkRows) tables.get(r.table_name)?.fks.push({ table: r.ref, from: r.column_name });
  return tables;
}

async function clonePostgres(client, schema, copies) {
  const tables = await postgresTables(client, schema);
  const quote = (c) => `"${c}"`;
  await client.query('BEGIN');
  for (const t of copyPlan(tables)) {
    const started = Date.now();
    await client.query(
      `INSERT INTO "${schema}"."${t.name}" (${t.columns.map(quote).join(', ')})
       SELECT ${selectList(t, 'k.n', quote, 'postgresql')} FROM "${schema}"."${t.name}", generate_series(1, ${copies}) AS k(n) WHERE ${templateFilter(t, quote)}`,
    );
    log(`  ${t.name}: copied in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  await client.query('COMMIT');
  // As autovacuum would have by the time a team's database is this size: statistics, hint bits
  // and the visibility map set, so the measured rounds do not pay for the copy's first reads
  // (the test server here runs with autovacuum off).
  for (const t of tables.values()) await client.query(`VACUUM (ANALYZE) "${schema}"."${t.name}"`);
}

// ---- the public part ----------------------------------------------------------------------------

export const templateCount = TEMPLATE_INTENTS.length * COMPOSITION.length;
const copiesFor = (missions) => Math.max(0, Math.ceil(missions / templateCount) - 1);

function cacheDir() {
  const dir = process.env.BENCH_CACHE_DIR ?? path.join(os.tmpdir(), 'mission-control-bench');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Flushes a database file to disk before a server uses it. A seeded file is hundreds of MiB just
 * written (seeding, or the per-run copy): left in the page cache, the kernel writes it back during
 * the first measured rounds, and a team's database is not hundreds of MiB waiting to be written.
 */
async function onDisk(file) {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A private copy of a seeded file, on disk (see `onDisk`). */
async function copyOnDisk(from, to) {
  await copyFile(from, to);
  await onDisk(to);
}

/** A cached SQLite file with about `missions` missions (a multiple of the template count), made once per schema. */
async function cachedSqlite(missions) {
  const copies = copiesFor(missions);
  const file = path.join(cacheDir(), `seed-${seedKey()}-${templateCount * (copies + 1)}.db`);
  if (existsSync(file)) return file;
  const building = `${file}.building-${process.pid}`;
  const started = Date.now();
  log(`seeding ${templateCount * (copies + 1)} missions into ${file} (once per schema)`);
  await makeTemplates(`file:${building}`);
  if (copies > 0) cloneSqlite(building, copies);
  for (const suffix of ['-wal', '-shm']) rmSync(`${building}${suffix}`, { force: true });
  renameSync(building, file);
  await onDisk(file);
  log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s, ${(statSync(file).size / 1024 ** 2).toFixed(0)} MiB`);
  return file;
}

/** Ids of missions in `state` (executing ones are where workloads report). */
export async function missionIds(url, state, limit) {
  if (url.startsWith('file:')) {
    const db = new Database(url.slice('file:'.length), { readonly: true });
    try {
      return db
        .prepare('SELECT "id" FROM "Mission" WHERE "state" = ? ORDER BY "id" LIMIT ?')
        .all(state, limit)
        .map((r) => r.id);
    } finally {
      db.close();
    }
  }
  const { base, schema } = splitSchema(url);
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT "id" FROM "${schema}"."Mission" WHERE "state" = $1 ORDER BY "id" LIMIT $2`, [state, limit]);
    return rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

/** The mission with the most events in a SQLite database (the grown one): { id, eventSeq }. */
export function largestMission(url) {
  const db = new Database(url.slice('file:'.length), { readonly: true });
  try {
    return db.prepare('SELECT "id", "eventSeq" FROM "Mission" ORDER BY "eventSeq" DESC LIMIT 1').get();
  } finally {
    db.close();
  }
}

function withSchema(url, schema) {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

/** The template missions in PostgreSQL, made once per seed key in a schema of their own and kept. */
async function postgresTemplates(admin, base) {
  const schema = `mc_bench_tpl_${seedKey()}`; // one per seed key (smoke and full differ)
  const { rows } = await admin.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, '_bench_ready']);
  if (rows.length > 0) return schema;
  log(`making the template missions in PostgreSQL schema ${schema} (once per schema)`);
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await makeTemplates(withSchema(base, schema));
  await admin.query(`CREATE TABLE "${schema}"."_bench_ready" (at timestamptz)`);
  return schema;
}

/** Copies every table's rows from one migrated schema to another (parents first). */
async function copySchema(client, from, to) {
  const tables = await postgresTables(client, to);
  // MissionStateCount and MissionText are kept by triggers on Mission: the copied missions fill them.
  const keptByTriggers = new Set(['Mission', 'MissionStateCount', 'MissionText']);
  const order = [...[...tables.values()].filter((t) => t.fks.length === 0 && !keptByTriggers.has(t.name)), ...copyPlan(tables)];
  const quote = (c) => `"${c}"`;
  await client.query('BEGIN');
  for (const t of order)
    await client.query(
      `INSERT INTO "${to}"."${t.name}" (${t.columns.map(quote).join(', ')}) SELECT ${t.columns.map(quote).join(', ')} FROM "${from}"."${t.name}"`,
    );
  await client.query('COMMIT');
}

function splitSchema(url) {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? 'public';
  u.searchParams.delete('schema');
  return { base: u.toString(), schema };
}

/**
 * A cached variant of a seeded SQLite database: `build(url)` changes a copy of the seeded file
 * once (e.g. grows one mission through the service); later runs get a private copy of the result.
 * A build that returns { complete: false } is used for this run only and not cached.
 */
export async function seededVariant({ missions, name, build }) {
  const base = await cachedSqlite(missions);
  const file = base.replace(/\.db$/, `-${name}.db`);
  if (!existsSync(file)) {
    const building = `${file}.building-${process.pid}`;
    copyFileSync(base, building);
    log(`building ${path.basename(file)} (once per schema)`);
    const outcome = await build(`file:${building}`);
    const db = new Database(building);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    for (const suffix of ['-wal', '-shm']) rmSync(`${building}${suffix}`, { force: true });
    if (outcome?.complete === false) {
      // Cut short (a time budget): used for this run only, never cached as the full variant.
      const dir = mkdtempSync(path.join(os.tmpdir(), 'mc-bench-db-'));
      renameSync(building, path.join(dir, 'bench.db'));
      return removable({
        url: `file:${path.join(dir, 'bench.db')}`,
        provider: 'sqlite',
        missions: templateCount * (copiesFor(missions) + 1),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      });
    }
    renameSync(building, file);
    await onDisk(file);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mc-bench-db-'));
  await copyOnDisk(file, path.join(dir, 'bench.db'));
  return removable({
    url: `file:${path.join(dir, 'bench.db')}`,
    provider: 'sqlite',
    missions: templateCount * (copiesFor(missions) + 1),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  });
}

/** A seeded database whose cleanup also runs when the benchmark is interrupted. */
function removable(db) {
  const forget = onInterrupt(db.cleanup);
  return {
    ...db,
    cleanup: async () => {
      forget();
      await db.cleanup();
    },
  };
}

/**
 * A database holding about `missions` missions for one benchmark run: a private copy of the
 * cached SQLite file, or a fresh PostgreSQL schema (provider 'postgresql', at BENCH_PG_URL or the
 * local test database). `cleanup` removes it.
 */
export async function seededDatabase({ provider = 'sqlite', missions }) {
  if (provider === 'sqlite') {
    const cached = await cachedSqlite(missions);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mc-bench-db-'));
    const file = path.join(dir, 'bench.db');
    // Asynchronously: a copy of a large file would otherwise stall this process's clients and fakes for seconds.
    await copyOnDisk(cached, file);
    return removable({
      url: `file:${file}`,
      provider,
      missions: templateCount * (copiesFor(missions) + 1),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    });
  }
  const base = process.env.BENCH_PG_URL ?? LOCAL_POSTGRES;
  const schema = `mc_bench_${randomBytes(5).toString('hex')}`;
  const url = withSchema(base, schema);
  const admin = new pg.Client({ connectionString: splitSchema(base).base });
  await admin.connect();
  const cleanup = async () => {
    const c = new pg.Client({ connectionString: splitSchema(base).base });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  };
  try {
    const started = Date.now();
    const copies = copiesFor(missions);
    const templates = await postgresTemplates(admin, base);
    log(`seeding ${templateCount * (copies + 1)} missions into PostgreSQL schema ${schema}`);
    // The product's own migrations make the schema; the templates are copied in, then cloned.
    const db = await openDatabase(url);
    await db.close();
    await copySchema(admin, templates, schema);
    if (copies > 0) await clonePostgres(admin, schema, copies);
    log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  } finally {
    await admin.end();
  }
  return removable({ url, provider, schema, missions: templateCount * (copiesFor(missions) + 1), cleanup });
}
