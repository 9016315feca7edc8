// PostgreSQL connections keep the product's statements prepared: a report's save, the feed's
// claim and Prisma's queries are the same few texts thousands of times, and parsing and planning
// each again cost the database server CPU on every call. Bounded per connection.
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BoundedClient, PREPARED_PER_CONNECTION } from '../../src/storage/database.js';

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('PostgreSQL statements prepared once per connection', () => {
  // Typed as the pg.Client it is (its query override is typed loosely).
  let client: pg.Client;
  beforeEach(async () => {
    client = new BoundedClient({ connectionString: url });
    await client.connect();
  });
  afterEach(async () => {
    await client.end();
  });

  const preparedTexts = async () =>
    (await client.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements ORDER BY prepare_time')).rows.map((r) => r.statement);

  it('prepares a statement with values once and reuses it, with the right answers each time', async () => {
    const text = 'SELECT $1::int + 1 AS next';
    for (const n of [1, 41, 99]) expect((await client.query({ text, values: [n] })).rows).toEqual([{ next: n + 1 }]);
    expect(await preparedTexts()).toEqual([text]);
  });

  it('leaves a statement without values unprepared, so a text of several statements still runs', async () => {
    await client.query({ text: 'CREATE TEMP TABLE t (n int); INSERT INTO t VALUES (7)' });
    expect((await client.query({ text: 'SELECT n FROM t', values: [] })).rows).toEqual([{ n: 7 }]);
    expect(await preparedTexts()).toEqual([]);
  });

  it(`keeps at most ${PREPARED_PER_CONNECTION} texts prepared and still answers the rest`, async () => {
    for (let i = 0; i < PREPARED_PER_CONNECTION + 20; i++)
      expect((await client.query({ text: `SELECT $1::int * ${i} AS v`, values: [2] })).rows[0].v).toBe(2 * i);
    const prepared = await preparedTexts();
    expect(prepared).toHaveLength(PREPARED_PER_CONNECTION);
    expect(prepared.at(-1)).toBe(`SELECT $1::int * ${PREPARED_PER_CONNECTION - 1} AS v`);
  });
});
