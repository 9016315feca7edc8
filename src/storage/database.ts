// Opens the database named by DATABASE_URL: migrates it, then connects Prisma through
// the matching driver adapter (no query-engine binary on either provider).
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqlitePrismaClient } from '../../generated/prisma-sqlite/index.js';
import { PrismaClient as PostgresPrismaClient } from '../../generated/prisma-postgresql/index.js';
import { capturingAdapter, type DirectSql } from './driverAdapter.js';
import { ensureSqliteFolder, parseDatabaseUrl, type DatabaseTarget } from './databaseUrl.js';
import { migrate, type MigrationReport } from './migrations.js';
import { PrismaAccessTokenRepository } from './prismaAccessTokenRepository.js';
import { PrismaMissionFeed } from './prismaMissionFeed.js';
import { PrismaMissionRepository } from './prismaMissionRepository.js';

export interface Database {
  target: DatabaseTarget;
  /** Typed as the SQLite client: both generated clients expose the same model API. */
  prisma: SqlitePrismaClient;
  missions: PrismaMissionRepository;
  /** Durable delivery of mission changes to Slack and trackers. */
  feed: PrismaMissionFeed;
  /** MCP bearer tokens (hashed). */
  accessTokens: PrismaAccessTokenRepository;
  migration: MigrationReport;
  /** Cheap round trip for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openDatabase(url: string, options: { migrate?: boolean } = {}): Promise<Database> {
  const target = parseDatabaseUrl(url);
  ensureSqliteFolder(target);
  const migration = options.migrate === false ? { applied: [], alreadyApplied: 0 } : await migrate(target);
  const { prisma, direct } = createClient(target);
  // Connects now, so the direct statements (driverAdapter.ts) have a connection to use.
  await prisma.$connect();
  if (target.provider === 'sqlite') {
    // WAL lets readers proceed while one writer commits; busy_timeout waits instead of failing.
    await prisma.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    await prisma.$queryRawUnsafe('PRAGMA busy_timeout = 5000');
    await prisma.$queryRawUnsafe('PRAGMA foreign_keys = ON');
  }
  return {
    target,
    prisma,
    missions: new PrismaMissionRepository(prisma, target.provider, direct),
    feed: new PrismaMissionFeed(prisma, target.provider),
    accessTokens: new PrismaAccessTokenRepository(prisma),
    migration,
    ping: async () => {
      await prisma.$queryRawUnsafe('SELECT 1');
    },
    close: () => prisma.$disconnect(),
  };
}

function createClient(target: DatabaseTarget): { prisma: SqlitePrismaClient; direct: DirectSql } {
  if (target.provider === 'sqlite') {
    const { factory, direct } = capturingAdapter(new PrismaBetterSQLite3({ url: target.filename, timeout: 5000 }));
    return { prisma: new SqlitePrismaClient({ adapter: factory }), direct };
  }
  // search_path makes hand-written SQL (the feed's claim query, driverAdapter.ts) find the same schema as Prisma's own queries.
  const { factory, direct } = capturingAdapter(
    new PrismaPg({ connectionString: target.connectionString, max: 10, options: `-c search_path=${target.schema}` }, { schema: target.schema }),
  );
  return { prisma: new PostgresPrismaClient({ adapter: factory }) as unknown as SqlitePrismaClient, direct };
}
