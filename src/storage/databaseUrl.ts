// DATABASE_URL decides the provider: `file:` is embedded SQLite, `postgres(ql)://` is PostgreSQL.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export const DEFAULT_DATABASE_URL = 'file:./data/mission-control.db';

export type DatabaseTarget =
  | { provider: 'sqlite'; url: string; filename: string }
  | { provider: 'postgresql'; url: string; connectionString: string; schema: string };

export function parseDatabaseUrl(url: string, cwd = process.cwd()): DatabaseTarget {
  if (url.startsWith('file:')) {
    const raw = url.slice('file:'.length).split('?')[0]!;
    if (raw.length === 0) throw new Error('DATABASE_URL "file:" needs a path, e.g. file:./data/mission-control.db');
    const filename = path.resolve(cwd, raw);
    return { provider: 'sqlite', url: `file:${filename}`, filename };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const parsed = new URL(url);
    // `?schema=` is Prisma's convention; node-postgres does not know it, so take it out.
    const schema = parsed.searchParams.get('schema') ?? 'public';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new Error(`DATABASE_URL schema "${schema}" is not a plain identifier`);
    parsed.searchParams.delete('schema');
    return { provider: 'postgresql', url, connectionString: parsed.toString(), schema };
  }
  throw new Error('DATABASE_URL must start with file: (embedded SQLite) or postgresql:// (PostgreSQL)');
}

/** Makes sure the SQLite file's folder exists, so a fresh checkout starts without set-up. */
export function ensureSqliteFolder(target: DatabaseTarget): void {
  if (target.provider === 'sqlite') mkdirSync(path.dirname(target.filename), { recursive: true });
}

/** The URL with any password hidden, for logs and errors. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/** Where the database is, for messages: the SQLite file, or host:port/database (schema) without user or password. */
export function describeDatabase(target: DatabaseTarget): string {
  if (target.provider === 'sqlite') return target.filename;
  const parsed = new URL(target.connectionString);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres';
  return `${parsed.hostname}:${parsed.port || '5432'}/${database}${target.schema === 'public' ? '' : ` (schema ${target.schema})`}`;
}
