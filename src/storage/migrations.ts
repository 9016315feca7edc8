// Applies the committed SQL migrations in prisma/<provider>/migrations, in order, and
// records them in Prisma's own `_prisma_migrations` table (same layout and checksums), so
// `prisma migrate status` agrees with us. We apply them ourselves because Prisma's offline
// JS schema engine cannot migrate PostgreSQL through @prisma/adapter-pg (prisma/prisma#27403),
// and starting the process should not depend on spawning the Prisma CLI.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DEFAULT_DATABASE_SETTINGS, type DatabaseSettings } from './databaseSettings.js';
import type { DatabaseTarget } from './databaseUrl.js';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// Prisma's own advisory lock key, so our runner and `prisma migrate` never run at once.
const ADVISORY_LOCK_KEY = 72707369;

export function loadMigrations(provider: DatabaseTarget['provider'], root = PACKAGE_ROOT): Migration[] {
  const dir = path.join(root, 'prisma', provider, 'migrations');
  if (!existsSync(dir)) throw new Error(`No migrations folder at ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export async function migrate(target: DatabaseTarget, settings: DatabaseSettings = DEFAULT_DATABASE_SETTINGS): Promise<MigrationReport> {
  const migrations = loadMigrations(target.provider);
  return target.provider === 'sqlite' ? migrateSqlite(target.filename, migrations) : migratePostgres(target, migrations, settings);
}

/** Names of `expected` migrations missing from `appliedNames`. */
export function unappliedMigrations(expected: readonly Migration[], appliedNames: readonly string[]): string[] {
  const done = new Set(appliedNames);
  return expected.filter((m) => !done.has(m.name)).map((m) => m.name);
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

function pendingMigrations(migrations: Migration[], applied: AppliedRow[], provider: DatabaseTarget['provider']): Migration[] {
  const live = applied.filter((row) => row.rolled_back_at === null);
  for (const row of live) {
    if (row.finished_at === null) {
      throw new Error(
        `Migration ${row.migration_name} started earlier but did not finish. Inspect the database, then mark it rolled back (prisma migrate resolve) before starting again.`,
      );
    }
  }
  // A migration edited after it ran would leave this database different from a fresh one built from the files.
  const files = new Map(migrations.map((m) => [m.name, m]));
  for (const row of live) {
    const file = files.get(row.migration_name);
    if (file && file.checksum !== row.checksum) {
      throw new Error(
        `Migration ${row.migration_name} was changed after it was applied to this database (checksum ${row.checksum.slice(0, 12)}… recorded, ${file.checksum.slice(0, 12)}… in prisma/${provider}/migrations/${row.migration_name}/migration.sql). Restore the original file (git checkout) and put the change in a new migration; refusing to start.`,
      );
    }
  }
  const done = new Set(live.map((row) => row.migration_name));
  return migrations.filter((m) => !done.has(m.name));
}

function migrateSqlite(filename: string, migrations: Migration[]): MigrationReport {
  try {
    return migrateSqliteFile(filename, migrations);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(READONLY|CANTOPEN|FULL|IOERR|PERM)/.test(code)) {
      throw new Error(
        `The database file ${filename} is not writable (${code}: ${(error as Error).message}). Make the file, its -wal/-shm files and its folder writable by this process, and free disk space if the volume is full.`,
      );
    }
    throw error;
  }
}

function migrateSqliteFile(filename: string, migrations: Migration[]): MigrationReport {
  const db = new Database(filename);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "checksum" TEXT NOT NULL,
      "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL,
      "logs" TEXT,
      "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
      "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
    )`);
    const applied: string[] = [];
    // IMMEDIATE takes the write lock up front, so two processes starting together migrate once.
    const run = db.transaction(() => {
      const rows = db.prepare('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"').all() as AppliedRow[];
      const pending = pendingMigrations(migrations, rows, 'sqlite');
      for (const m of pending) {
        db.exec(m.sql);
        db.prepare(
          'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)',
        ).run(randomUUID(), m.checksum, Date.now(), m.name, Date.now());
        applied.push(m.name);
      }
      return migrations.length - pending.length;
    });
    const alreadyApplied = run.immediate();
    return { applied, alreadyApplied };
  } finally {
    db.close();
  }
}

async function migratePostgres(
  target: Extract<DatabaseTarget, { provider: 'postgresql' }>,
  migrations: Migration[],
  settings: DatabaseSettings,
): Promise<MigrationReport> {
  // Bounded like every other wait; a migration statement may run as long as start waits for the database.
  const longest = Math.max(settings.startTimeoutMs, settings.statementTimeoutMs);
  const client = new pg.Client({
    connectionString: target.connectionString,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    statement_timeout: longest,
    query_timeout: longest + 2000,
    keepAlive: true,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    // Lock first: even CREATE SCHEMA IF NOT EXISTS races between two starting instances.
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${target.schema}"`);
      await client.query(`SET search_path TO "${target.schema}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
        "id" VARCHAR(36) PRIMARY KEY NOT NULL,
        "checksum" VARCHAR(64) NOT NULL,
        "finished_at" TIMESTAMPTZ,
        "migration_name" VARCHAR(255) NOT NULL,
        "logs" TEXT,
        "rolled_back_at" TIMESTAMPTZ,
        "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
        "applied_steps_count" INTEGER NOT NULL DEFAULT 0
      )`);
      const { rows } = await client.query<AppliedRow>('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"');
      const pending = pendingMigrations(migrations, rows, 'postgresql');
      const applied: string[] = [];
      for (const m of pending) {
        await client.query('BEGIN');
        try {
          // Migrations are written for the default schema; run them in the target schema.
          await client.query(m.sql.replace(/CREATE SCHEMA IF NOT EXISTS "public";/g, ''));
          await client.query(
            'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, now(), 1)',
            [randomUUID(), m.checksum, m.name],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`Migration ${m.name} failed and was rolled back: ${error instanceof Error ? error.message : String(error)}`);
        }
        applied.push(m.name);
      }
      return { applied, alreadyApplied: migrations.length - pending.length };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}
