// Opens the database named by DATABASE_URL: waits for it (bounded), migrates it, then connects
// Prisma through the matching driver adapter (no query-engine binary on either provider).
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient as SqlitePrismaClient } from '../../generated/prisma-sqlite/index.js';
import { PrismaClient as PostgresPrismaClient } from '../../generated/prisma-postgresql/index.js';
import { DEFAULT_DATABASE_SETTINGS, type DatabaseSettings } from './databaseSettings.js';
import { capturingAdapter, type DirectSql } from './driverAdapter.js';
import { describeDatabase, ensureSqliteFolder, parseDatabaseUrl, type DatabaseTarget } from './databaseUrl.js';
import { loadMigrations, migrate, unappliedMigrations, type MigrationReport } from './migrations.js';
import { PrismaAccessTokenRepository } from './prismaAccessTokenRepository.js';
import { PrismaChainCheckpoints } from './prismaChainCheckpoints.js';
import { PrismaMissionFeed } from './prismaMissionFeed.js';
import { PrismaMissionRepository } from './prismaMissionRepository.js';
import { refuseStorageFaults, storageFaultOf, storageRefusal } from './storageFaults.js';

export interface Database {
  target: DatabaseTarget;
  /** Where the database is, for messages (no password). */
  where: string;
  /** Typed as the SQLite client: both generated clients expose the same model API. */
  prisma: SqlitePrismaClient;
  /** Plain statements on Prisma's connection, for the hot path (driverAdapter.ts). */
  direct: DirectSql;
  missions: PrismaMissionRepository;
  /** Durable delivery of mission changes to Slack and trackers. */
  feed: PrismaMissionFeed;
  /** MCP bearer tokens (hashed). */
  accessTokens: PrismaAccessTokenRepository;
  /** Where each mission's hash chain was last verified. */
  chainCheckpoints: PrismaChainCheckpoints;
  migration: MigrationReport;
  /** Cheap round trip. */
  ping(): Promise<void>;
  /**
   * Readiness: the database answers, accepts a write (a committed header write on SQLite, a
   * transaction id on PostgreSQL) and has every migration this build ships. Throws a
   * MissionError (storage_unavailable) or an Error saying what is wrong.
   */
  checkReady(): Promise<void>;
  /**
   * Names this process's feed worker while it delivers (null when it stops): every save records it
   * on the mission's feed cursors, so other instances leave the change to it for a moment.
   */
  deliverSavesHere(owner: string | null): void;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  migrate?: boolean;
  settings?: DatabaseSettings;
  /** Told while the database does not answer yet (start logs it). */
  onWaiting?: (message: string) => void;
}

export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  const settings = options.settings ?? DEFAULT_DATABASE_SETTINGS;
  const target = parseDatabaseUrl(url);
  const where = describeDatabase(target);
  ensureSqliteFolder(target);
  if (target.provider === 'postgresql') await waitForPostgres(target, settings, options.onWaiting);
  const migration = options.migrate === false ? { applied: [], alreadyApplied: 0 } : await migrate(target, settings);
  const { prisma, direct } = createClient(target, settings);
  // Connects now, so the direct statements (driverAdapter.ts) have a connection to use.
  await prisma.$connect();
  if (target.provider === 'sqlite') {
    // WAL lets readers proceed while one writer commits; busy_timeout waits instead of failing.
    await prisma.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    await prisma.$queryRawUnsafe('PRAGMA busy_timeout = 5000');
    await prisma.$queryRawUnsafe('PRAGMA foreign_keys = ON');
  }
  const expected = loadMigrations(target.provider);
  let feedOwner: string | null = null;
  const readiness = async () => {
    if (target.provider === 'sqlite') {
      // Rewriting the header's user_version is a real committed write (a WAL frame) without a
      // table of our own: it fails on a full disk or a read-only file like any mission write.
      const [[version]] = (await direct.query({ sql: 'PRAGMA user_version', values: [] })) as [[number | bigint]];
      await direct.transaction([{ sql: `PRAGMA user_version = ${Number(version)}`, values: [] }]);
    } else {
      // Taking a transaction id fails on a read-only server (a standby) and needs a pooled connection.
      await direct.transaction([{ sql: 'SELECT txid_current()', values: [] }]);
      const [[readOnly]] = (await direct.query({ sql: "SELECT current_setting('transaction_read_only')", values: [] })) as [[string]];
      if (readOnly === 'on') throw Object.assign(new Error('transactions are read-only'), { code: '25006' });
    }
    const rows = (await direct.query({
      sql: 'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      values: [],
    })) as [string][];
    const missing = unappliedMigrations(
      expected,
      rows.map(([name]) => name),
    );
    if (missing.length > 0) throw new Error(`migrations not applied: ${missing.join(', ')} (run \`mission-control migrate\`)`);
  };
  return {
    target,
    where,
    prisma,
    direct,
    missions: refuseStorageFaults(new PrismaMissionRepository(prisma, target.provider, direct, () => feedOwner), target.provider, where),
    feed: refuseStorageFaults(new PrismaMissionFeed(prisma, target.provider, direct), target.provider, where),
    accessTokens: refuseStorageFaults(new PrismaAccessTokenRepository(prisma), target.provider, where),
    chainCheckpoints: refuseStorageFaults(new PrismaChainCheckpoints(prisma), target.provider, where),
    migration,
    deliverSavesHere: (owner) => {
      feedOwner = owner;
    },
    ping: async () => {
      await prisma.$queryRawUnsafe('SELECT 1');
    },
    checkReady: async () => {
      try {
        await readiness();
      } catch (error) {
        const fault = storageFaultOf(error, target.provider);
        throw fault ? storageRefusal(fault, where) : error;
      }
    },
    close: () => prisma.$disconnect(),
  };
}

/** pg settings that bound every wait: connecting, each statement, a transaction left idle, a silent network. */
export function boundedPgConfig(connectionString: string, settings: DatabaseSettings): pg.ClientConfig {
  return {
    connectionString,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    statement_timeout: settings.statementTimeoutMs,
    // The server cancels a slow statement itself; this is for a server or network that says nothing at all.
    query_timeout: settings.statementTimeoutMs + 2000,
    idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/** Statement texts each PostgreSQL connection keeps prepared (the product runs a few dozen statement shapes). */
export const PREPARED_PER_CONNECTION = 200;

const isQueryConfig = (value: unknown): value is pg.QueryConfig =>
  typeof value === 'object' && value !== null && typeof (value as { text?: unknown }).text === 'string';

/**
 * A pool client that ends itself when a query times out on the client side: the server never
 * answered, so the connection is stuck behind that query, and the pool must not hand it out
 * again (it discards ended clients). It also keeps the product's statements prepared (`prepared`).
 */
export class BoundedClient extends pg.Client {
  /** Statement texts prepared on this connection, by name (see `prepared`). */
  private readonly names = new Map<string, string>();

  override query(...args: unknown[]): never {
    if (isQueryConfig(args[0])) args[0] = this.prepared(args[0]);
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: Error | null, result: unknown) => {
        if (error) this.endIfStuck(error);
        (callback as (e: Error | null, r: unknown) => void)(error, result);
      };
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) result.catch((error: Error) => this.endIfStuck(error));
    return result as never;
  }

  /**
   * The same statement texts (a report's save, the feed's claim, Prisma's own queries) run
   * thousands of times: named, each is parsed and planned once per connection instead of on
   * every call, work the database server does on the machine's same CPUs. At most
   * PREPARED_PER_CONNECTION texts are named per connection; the rest stay unnamed.
   */
  private prepared(config: pg.QueryConfig): pg.QueryConfig {
    // Only statements with values: they use the extended protocol already (one statement each).
    if (config.name || typeof config.text !== 'string' || !config.values?.length) return config;
    let name = this.names.get(config.text);
    if (!name) {
      if (this.names.size >= PREPARED_PER_CONNECTION) return config;
      name = `mc_${this.names.size + 1}`;
      this.names.set(config.text, name);
    }
    return { ...config, name };
  }

  private endIfStuck(error: Error): void {
    if (error?.message === 'Query read timeout') void this.end().catch(() => undefined);
  }
}

/** Waits until PostgreSQL answers, saying so, up to settings.startTimeoutMs; then fails naming the database. */
async function waitForPostgres(
  target: Extract<DatabaseTarget, { provider: 'postgresql' }>,
  settings: DatabaseSettings,
  onWaiting?: (message: string) => void,
): Promise<void> {
  const where = describeDatabase(target);
  const deadline = Date.now() + settings.startTimeoutMs;
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ ...boundedPgConfig(target.connectionString, settings), query_timeout: settings.connectTimeoutMs });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (Date.now() + 1000 > deadline) {
        throw new Error(
          `The database at ${where} did not answer within ${Math.round(settings.startTimeoutMs / 1000)} s (last error: ${reason}). Check DATABASE_URL and that PostgreSQL is running and reachable; DATABASE_START_TIMEOUT_MS sets how long to wait.`,
        );
      }
      onWaiting?.(`waiting for the database at ${where} (attempt ${attempt}: ${reason})`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      void client.end().catch(() => undefined);
    }
  }
}

function createClient(target: DatabaseTarget, settings: DatabaseSettings): { prisma: SqlitePrismaClient; direct: DirectSql } {
  if (target.provider === 'sqlite') {
    const { factory, direct } = capturingAdapter(new PrismaBetterSQLite3({ url: target.filename, timeout: 5000 }));
    return { prisma: new SqlitePrismaClient({ adapter: factory }), direct };
  }
  // search_path makes hand-written SQL (the feed's claim query, driverAdapter.ts) find the same schema as Prisma's own queries.
  const { factory, direct } = capturingAdapter(
    new PrismaPg(
      { ...boundedPgConfig(target.connectionString, settings), max: 10, options: `-c search_path=${target.schema}`, Client: BoundedClient } as pg.PoolConfig,
      { schema: target.schema },
    ),
  );
  return { prisma: new PostgresPrismaClient({ adapter: factory }) as unknown as SqlitePrismaClient, direct };
}
