// Direct statements on Prisma's own connection, for the one write every report makes.
//
// Prisma 6 with driver adapters compiles every query, raw ones included, in a WebAssembly
// query compiler on the main thread, and passes every parameter through it: a mission's
// execution document (tens of kilobytes) crosses it on each report, which cost more than the
// statements themselves (docs/benchmarks.md). This captures the adapter Prisma connects with,
// so those statements run on the same connection (the same SQLite lock and transaction
// mutex, the same PostgreSQL pool) without the compiler. Everything else stays on the model API.
//
// It also makes every transaction release its lock when its COMMIT or ROLLBACK statement fails
// (releasingTransactions below), which the adapters do not do on their own, and makes a SQLite
// statement outside a transaction wait for the open one to end (ConnectionTurns).
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';
import type Database from 'better-sqlite3';
import { reuseStatements, type ReusableStatement } from './sqliteStatements.js';

export type SqlValue = string | number | Date | null;

export interface SqlStatement {
  sql: string;
  values: readonly SqlValue[];
}

/** Statements on Prisma's connection, without its query compiler. */
export interface DirectSql {
  /** Runs the statements in one transaction; returns each one's affected row count. */
  transaction(statements: readonly SqlStatement[]): Promise<number[]>;
  /** One statement on its own (atomic by itself); returns its rows. */
  query(statement: SqlStatement): Promise<unknown[][]>;
}

/**
 * Wraps an adapter factory so the adapter Prisma connects with can be used directly. Prisma
 * connects lazily, and `direct` refuses until it has (openDatabase connects at once).
 */
export function capturingAdapter(factory: SqlDriverAdapterFactory): { factory: SqlDriverAdapterFactory; direct: DirectSql } {
  let connected: SqlDriverAdapter | null = null;
  let sqliteTransaction: ((statements: readonly SqlStatement[]) => Promise<number[]>) | null = null;
  const wrapped: SqlDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      const turns = adapter.provider === 'sqlite' ? new ConnectionTurns() : null;
      const client = adapter.provider === 'sqlite' ? reuseAdapterStatements(adapter) : null;
      if (client && turns) sqliteTransaction = synchronousTransaction(client, turns);
      connected = releasingTransactions(adapter, turns);
      return connected;
    },
  };
  const adapter = (): SqlDriverAdapter => {
    if (!connected) throw new Error('the database is not connected yet');
    return connected;
  };
  const direct: DirectSql = {
    transaction: async (statements) => {
      if (sqliteTransaction) return sqliteTransaction(statements);
      const tx = await adapter().startTransaction();
      try {
        const counts: number[] = [];
        for (const statement of statements) counts.push(await tx.executeRaw(toQuery(statement)));
        await tx.executeRaw({ sql: 'COMMIT', args: [], argTypes: [] });
        await tx.commit();
        return counts;
      } catch (error) {
        await tx.executeRaw({ sql: 'ROLLBACK', args: [], argTypes: [] }).catch(() => undefined);
        await tx.rollback();
        throw error;
      }
    },
    query: async (statement) => (await adapter().queryRaw(toQuery(statement))).rows,
  };
  return { factory: wrapped, direct };
}

/**
 * The better-sqlite3 adapter keeps its connection in `client` (not part of the adapter
 * interface): statements prepared on it are reused by SQL text from then on (sqliteStatements.ts).
 * An adapter without it (a later Prisma) keeps preparing every time, which is only slower.
 */
function reuseAdapterStatements(adapter: SqlDriverAdapter): Database.Database | null {
  const client = (adapter as unknown as { client?: Database.Database }).client;
  if (!client || typeof client.prepare !== 'function' || typeof client.transaction !== 'function') return null;
  reuseStatements(client);
  return client;
}

/**
 * SQLite: the statements in one better-sqlite3 transaction, run synchronously once the connection
 * is this caller's turn. Through the adapter each statement (and BEGIN, and COMMIT) is a promise
 * of its own, and a report's save waited behind whatever other work was queued at every one of
 * them; the statements themselves take a fraction of that. better-sqlite3 rolls back when a
 * statement or the COMMIT fails, including after SQLite rolled back by itself (SQLITE_FULL).
 * Errors are the driver's own (SqliteError with its code), which storageFaults.ts and
 * isUniqueViolationError read.
 */
function synchronousTransaction(client: Database.Database, turns: ConnectionTurns): (statements: readonly SqlStatement[]) => Promise<number[]> {
  const run = client.transaction((statements: readonly SqlStatement[]) =>
    statements.map((statement) => (client.prepare(statement.sql) as unknown as ReusableStatement).run(...statement.values.map(sqliteValue)).changes),
  );
  return async (statements) => {
    const waiting = turns.take();
    if (waiting) await waiting;
    try {
      return run(statements);
    } finally {
      turns.give();
    }
  };
}

/** A value as the better-sqlite3 adapter binds it (mapArg): dates as ISO 8601 text with an explicit offset. */
function sqliteValue(value: SqlValue): string | number | null {
  return value instanceof Date ? value.toISOString().replace('Z', '+00:00') : value;
}

/**
 * Prisma closes an interactive transaction by running COMMIT or ROLLBACK through the
 * transaction and only then calling its commit()/rollback(), which is what releases the
 * adapter's lock (the SQLite adapter's mutex, the PostgreSQL pool client). When that statement
 * fails, the lock is never released and every later transaction waits forever. It fails for
 * real: SQLite rolls a transaction back by itself on SQLITE_FULL or SQLITE_IOERR, so the
 * ROLLBACK that follows finds no transaction; a dead PostgreSQL connection fails both. Here a
 * failed COMMIT is rolled back and a failed ROLLBACK counts as done (the transaction is gone
 * either way), and the lock is released exactly once.
 */
export function releasingTransactions(adapter: SqlDriverAdapter, turns: ConnectionTurns | null): SqlDriverAdapter {
  // `turns`: SQLite's one connection, shared with direct transactions; null on PostgreSQL, which gives each transaction its own pooled connection.
  const outside = <T>(statement: () => Promise<T>): Promise<T> => (turns ? turns.run(statement) : statement());
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => outside(() => adapter.queryRaw(query)),
    executeRaw: (query) => outside(() => adapter.executeRaw(query)),
    executeScript: (script) => outside(() => adapter.executeScript(script)),
    ...(adapter.getConnectionInfo ? { getConnectionInfo: () => adapter.getConnectionInfo!() } : {}),
    dispose: () => adapter.dispose(),
    startTransaction: async (isolationLevel) => {
      if (!turns) return releasingTransaction(await adapter.startTransaction(isolationLevel), () => undefined);
      await turns.take();
      try {
        return releasingTransaction(await adapter.startTransaction(isolationLevel), () => turns.give());
      } catch (error) {
        turns.give();
        throw error;
      }
    },
  };
}

/**
 * Whose turn it is on the one SQLite connection. The adapter locks the connection only for
 * transactions, so a statement issued outside one (another task's read or write) used to run
 * inside whichever transaction was open: its write was undone with that transaction's rollback,
 * and its read pinned a snapshot, so the transaction's next write failed with SQLITE_BUSY at
 * once instead of waiting for another process's write lock. Here such a statement waits until
 * the transaction ends; statements and transactions take turns in the order they came.
 */
class ConnectionTurns {
  private held = false;
  private readonly waiting: Array<() => void> = [];

  take(): Promise<void> | undefined {
    if (!this.held) {
      this.held = true;
      return undefined;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    // Handed straight to the next in line, so nobody arriving meanwhile jumps ahead.
    if (next) next();
    else this.held = false;
  }

  async run<T>(statement: () => Promise<T>): Promise<T> {
    await this.take();
    try {
      return await statement();
    } finally {
      this.give();
    }
  }
}

const ROLLBACK: SqlQuery = { sql: 'ROLLBACK', args: [], argTypes: [] };

function releasingTransaction(tx: Transaction, ended: () => void): Transaction {
  let released = false;
  const release = async (how: 'commit' | 'rollback') => {
    if (released) return;
    released = true;
    try {
      await (how === 'commit' ? tx.commit() : tx.rollback());
    } finally {
      ended();
    }
  };
  return {
    provider: tx.provider,
    adapterName: tx.adapterName,
    options: tx.options,
    queryRaw: (query) => tx.queryRaw(query),
    executeRaw: async (query) => {
      const ending = /^\s*(COMMIT|ROLLBACK)\s*;?\s*$/i.exec(query.sql)?.[1]?.toUpperCase();
      if (!ending) return tx.executeRaw(query);
      try {
        return await tx.executeRaw(query);
      } catch (error) {
        if (ending === 'COMMIT') await tx.executeRaw(ROLLBACK).catch(() => undefined);
        await release('rollback');
        if (ending === 'ROLLBACK') return 0;
        throw error;
      }
    },
    commit: () => release('commit'),
    rollback: () => release('rollback'),
  };
}

function toQuery(statement: SqlStatement): SqlQuery {
  return {
    sql: statement.sql,
    args: [...statement.values],
    argTypes: statement.values.map((value) => ({
      scalarType: value instanceof Date ? 'datetime' : typeof value === 'number' ? 'int' : typeof value === 'string' ? 'string' : 'unknown',
      arity: 'scalar',
    })),
  };
}

/** The adapter error for a unique constraint violation (another writer took the key first). */
export function isUniqueViolationError(error: unknown): boolean {
  // The driver's own error (a direct SQLite transaction), or the adapter's translation of it.
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return true;
  const cause = (error as { cause?: { kind?: unknown } } | null)?.cause;
  return typeof cause === 'object' && cause !== null && cause.kind === 'UniqueConstraintViolation';
}
