// The suite runs against SQLite always, and against PostgreSQL too when TEST_DATABASE_URL
// is set (.ci/run sets it when the local server answers). Each call gets a fresh database:
// a new SQLite file, or a new PostgreSQL schema dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/storage/database.js';

export type Provider = 'sqlite' | 'postgresql';

export const PROVIDERS: Provider[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgresql'] : ['sqlite'];

export interface TestDatabase extends Database {
  url: string;
  /** Closes the connection and removes the database. */
  destroy(): Promise<void>;
}

export function freshDatabaseUrl(provider: Provider): { url: string; cleanup: () => Promise<void> } {
  const suffix = randomBytes(6).toString('hex');
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'mc-test-'));
    return { url: `file:${path.join(dir, 'missions.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const base = new URL(process.env.TEST_DATABASE_URL!);
  const schema = `mc_test_${suffix}`;
  base.searchParams.set('schema', schema);
  return {
    url: base.toString(),
    cleanup: async () => {
      const admin = new URL(process.env.TEST_DATABASE_URL!);
      admin.searchParams.delete('schema');
      const client = new pg.Client({ connectionString: admin.toString() });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/** A plain pg client on a PostgreSQL test database's own schema (its `?schema=` becomes the search path). */
export async function connectToSchema(databaseUrl: string): Promise<pg.Client> {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema')!;
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(`SET search_path TO "${schema}"`);
  return client;
}

export async function openTestDatabase(provider: Provider): Promise<TestDatabase> {
  const { url, cleanup } = freshDatabaseUrl(provider);
  const db = await openDatabase(url);
  return {
    ...db,
    url,
    destroy: async () => {
      await db.close();
      await cleanup();
    },
  };
}
