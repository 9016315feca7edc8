// Prepared statements reused on SQLite. Prisma's better-sqlite3 adapter prepares every statement
// again on every call (`client.prepare(sql).bind(args)`), its own and ours (driverAdapter.ts):
// parsing and planning the same few statements on each report cost more CPU than running them.
// This gives the adapter's connection a prepare that keeps statements by SQL text (a bounded
// LRU: the texts are a fixed set, one per statement shape) and binds each call's values when it
// runs, since better-sqlite3 binds a statement's parameters for good once `bind` is called.
import type Database from 'better-sqlite3';

type Statement = Database.Statement<unknown[], unknown>;

/** What the adapter does with a prepared statement: bind, then run it or read its rows (raw). */
export interface ReusableStatement {
  readonly reader: boolean;
  run(...params: unknown[]): Database.RunResult;
  bind(...params: unknown[]): BoundStatement;
}

export interface BoundStatement {
  readonly reader: boolean;
  run(): Database.RunResult;
  columns(): Database.ColumnDefinition[];
  raw(toggle?: boolean): { all(): unknown[] };
}

/** Distinct statement texts kept per connection; a statement shape beyond that is prepared again. */
export const STATEMENTS_KEPT = 500;

/** Replaces `db.prepare` with one that reuses statements by SQL text. Returns the cache, for tests. */
export function reuseStatements(db: Database.Database, limit = STATEMENTS_KEPT): Map<string, Statement> {
  const prepare = db.prepare.bind(db) as (sql: string) => Statement;
  const kept = new Map<string, Statement>();
  const statementFor = (sql: string): Statement => {
    let statement = kept.get(sql);
    if (statement) {
      // Most recently used last, so the oldest is dropped first.
      kept.delete(sql);
    } else {
      statement = prepare(sql);
      if (kept.size >= limit) kept.delete(kept.keys().next().value!);
    }
    kept.set(sql, statement);
    return statement;
  };
  const reusable = (sql: string): ReusableStatement => {
    const statement = statementFor(sql);
    return {
      reader: statement.reader,
      run: (...params) => statement.run(...params),
      bind: (...params) => ({
        reader: statement.reader,
        run: () => statement.run(...params),
        columns: () => statement.columns(),
        // The adapter reads rows as arrays; the values are passed here rather than bound for good.
        raw: (toggle = true) => ({ all: () => statement.raw(toggle).all(...params) }),
      }),
    };
  };
  (db as unknown as { prepare: (sql: string) => ReusableStatement }).prepare = reusable;
  return kept;
}
