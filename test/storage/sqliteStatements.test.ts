// Statements reused on SQLite: each SQL text is prepared once, every call runs with its own
// values, and the number kept is bounded.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reuseStatements } from '../../src/storage/sqliteStatements.js';

describe('reused SQLite statements', () => {
  let db: Database.Database;
  let prepared: string[];

  beforeEach(() => {
    db = new Database(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    prepared = [];
    const original = db.prepare.bind(db);
    (db as unknown as { prepare: (sql: string) => unknown }).prepare = (sql: string) => {
      prepared.push(sql);
      return original(sql);
    };
  });
  afterEach(() => db.close());

  // As Prisma's adapter uses a statement: prepare, bind the call's values, then run or read raw rows.
  const insert = (id: number, name: string) => db.prepare('INSERT INTO t (id, name) VALUES (?, ?)').bind([id, name]).run();
  const names = (from: number) => {
    const statement = db.prepare('SELECT id, name FROM t WHERE id >= ? ORDER BY id').bind([from]);
    return { reader: statement.reader, columns: statement.columns().map((c) => c.name), rows: statement.raw().all() };
  };

  it('prepares each SQL text once and runs every call with its own values', () => {
    reuseStatements(db);
    for (let i = 1; i <= 5; i++) expect(insert(i, `n${i}`).changes).toBe(1);
    expect(names(4)).toEqual({
      reader: true,
      columns: ['id', 'name'],
      rows: [
        [4, 'n4'],
        [5, 'n5'],
      ],
    });
    expect(names(2).rows).toHaveLength(4);
    expect(prepared).toEqual(['INSERT INTO t (id, name) VALUES (?, ?)', 'SELECT id, name FROM t WHERE id >= ? ORDER BY id']);
  });

  it('reports a failing call and keeps working with the next one', () => {
    reuseStatements(db);
    insert(1, 'a');
    expect(() => insert(1, 'again')).toThrow(/UNIQUE constraint failed/);
    expect(insert(2, 'b').changes).toBe(1);
    expect(names(0).rows).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  it('keeps at most the given number of statements, dropping the least recently used', () => {
    const kept = reuseStatements(db, 2);
    db.prepare('SELECT 1').bind([]).run();
    db.prepare('SELECT 2').bind([]).run();
    db.prepare('SELECT 1').bind([]).run();
    db.prepare('SELECT 3').bind([]).run();
    expect([...kept.keys()]).toEqual(['SELECT 1', 'SELECT 3']);
    db.prepare('SELECT 2').bind([]).run();
    expect(prepared).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3', 'SELECT 2']);
  });
});
