// Prisma CLI configuration for the embedded SQLite database.
// engine "js" + a driver adapter lets `migrate deploy/diff/status` run without
// Prisma's downloaded schema-engine binary (no machine here reaches its host).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';

const url = process.env.DATABASE_URL?.startsWith('file:')
  ? process.env.DATABASE_URL
  : 'file:./data/mission-control.db';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(import.meta.dirname, 'schema.prisma'),
  migrations: { path: path.join(import.meta.dirname, 'migrations') },
  async adapter() {
    return new PrismaBetterSQLite3({ url });
  },
});
