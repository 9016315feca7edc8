import { spawnSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/storage/databaseUrl.js';
import { loadMigrations, migrate } from '../../src/storage/migrations.js';
import { freshDatabaseUrl, PROVIDERS } from '../support/databases.js';

const root = path.resolve(import.meta.dirname, '..', '..');

describe.each(PROVIDERS)('migrations on %s', (provider) => {
  it('creates every table on a fresh database, once, and records Prisma-compatible checksums', async () => {
    const { url, cleanup } = freshDatabaseUrl(provider);
    try {
      const target = parseDatabaseUrl(url);
      const migrations = loadMigrations(provider);
      // Run twice at once: the lock makes one of them apply and the other find nothing to do.
      const [a, b] = await Promise.all([migrate(target), migrate(target)]);
      expect([...a.applied, ...b.applied]).toEqual(migrations.map((m) => m.name));
      expect(await migrate(target)).toEqual({ applied: [], alreadyApplied: migrations.length });

      const rows = await query(target, 'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name');
      expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(migrations.map((m) => [m.name, m.checksum]));
      expect(rows.every((r) => r.finished_at !== null)).toBe(true);
      const tables = await query(
        target,
        provider === 'sqlite'
          ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
          : `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '${target.provider === 'postgresql' ? target.schema : ''}' ORDER BY table_name`,
      );
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['Mission', 'MissionEvent', 'MissionTag', 'MissionToolkit', '_prisma_migrations']));
    } finally {
      await cleanup();
    }
  });
});

describe.each(PROVIDERS)('a migration changed after it was applied (%s)', (provider) => {
  it('is refused by name, and nothing else is applied', async () => {
    const { url, cleanup } = freshDatabaseUrl(provider);
    try {
      const target = parseDatabaseUrl(url);
      const migrations = loadMigrations(provider);
      await migrate(target);
      // What the database recorded when an earlier version of the first migration's file ran.
      const changed = migrations[0]!;
      await query(target, `UPDATE "_prisma_migrations" SET checksum = '${'0'.repeat(64)}' WHERE migration_name = '${changed.name}'`);
      const last = migrations.at(-1)!;
      await query(target, `DELETE FROM "_prisma_migrations" WHERE migration_name = '${last.name}'`);

      await expect(migrate(target)).rejects.toThrow(
        new RegExp(
          `Migration ${changed.name} was changed after it was applied.*prisma/${provider}/migrations/${changed.name}/migration\\.sql.*refusing to start`,
        ),
      );
      const rows = await query(target, 'SELECT migration_name FROM "_prisma_migrations"');
      expect(rows.map((r) => r.migration_name)).not.toContain(last.name);
    } finally {
      await cleanup();
    }
  });
});

describe('migrations and the Prisma CLI', () => {
  it('leaves a SQLite database that `prisma migrate status` calls up to date', async () => {
    const { url, cleanup } = freshDatabaseUrl('sqlite');
    try {
      await migrate(parseDatabaseUrl(url));
      const status = spawnSync(process.execPath, [path.join(root, 'scripts', 'prisma.mjs'), 'sqlite', 'migrate', 'status'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: url },
        encoding: 'utf8',
      });
      expect(status.stdout + status.stderr).toContain('Database schema is up to date');
      expect(status.status).toBe(0);
    } finally {
      await cleanup();
    }
  });
});

async function query(target: ReturnType<typeof parseDatabaseUrl>, sql: string): Promise<Array<Record<string, unknown>>> {
  if (target.provider === 'sqlite') {
    const db = new Database(target.filename, { readonly: !/^\s*(UPDATE|DELETE)/i.test(sql) });
    try {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all() as Array<Record<string, unknown>>;
      statement.run();
      return [];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${target.schema}"`);
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}
