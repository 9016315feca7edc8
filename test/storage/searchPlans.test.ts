// The lists and searches people run are served by indexes, as each database's planner reports
// it (EXPLAIN QUERY PLAN / EXPLAIN) on a few thousand missions with statistics gathered: no
// timing, the plan itself. Listing by state walks (state, updatedAt, id) in order, with no sort;
// text filters go through the trigram indexes (FTS5 on SQLite, pg_trgm GIN on PostgreSQL).
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import type { SqlStatement } from '../../src/storage/driverAdapter.js';
import { awaitingApprovalStatement, libraryStatement, missionListStatement } from '../../src/storage/missionSearch.js';
import { openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
import { SEED_POLICY } from '../support/seedJourney.js';
import { JORDAN } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

const MISSIONS = 3000;
const COLUMNS = [
  'title',
  'intent',
  'state',
  'requesterKind',
  'requesterId',
  'requester',
  'channelId',
  'threadTs',
  'version',
  'eventSeq',
  'headHash',
  'brief',
  'coverage',
  'createdAt',
  'updatedAt',
];

describe.each(PROVIDERS)('query plans on %s', (provider) => {
  let db: TestDatabase;
  let plan: (statement: SqlStatement) => Promise<string>;
  /**
   * PostgreSQL's plan with plain scans priced out (sequential and ordered index walks; bitmap
   * index scans stay): on a table of a few thousand rows it rightly prefers reading it all to a
   * trigram look-up. This shows the text filter can be served by its index.
   */
  let planUnlessTiny: (statement: SqlStatement) => Promise<string>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    db = await openTestDatabase(provider);
    const service = new MissionService({
      repository: db.missions,
      clock: new TestClock(),
      ids: sequentialIds(),
      drafter: deterministicBriefDrafter,
      approvalPolicy: SEED_POLICY,
    });
    const template = await service.startMission({ intent: 'Fix the flaky checkout test in CI', channelId: 'C1' }, JORDAN);
    // Copies of a real row: distinct ids, titles and states (most missions finished, as in a team's database).
    const others = COLUMNS.filter((c) => !['title', 'intent', 'state', 'updatedAt'].includes(c))
      .map((c) => `"${c}"`)
      .join(', ');
    const state = `CASE WHEN i % 50 = 0 THEN 'planning' WHEN i % 7 = 0 THEN 'cancelled' ELSE 'done' END`;
    const updatedAt =
      provider === 'sqlite' ? `strftime('%Y-%m-%dT%H:%M:%S.000+00:00', "updatedAt", '-' || i || ' seconds')` : `"updatedAt" - i * interval '1 second'`;
    const series = provider === 'sqlite' ? 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)' : '';
    const from = provider === 'sqlite' ? 'n' : 'generate_series(1, 3000) AS n(i)';
    await db.prisma.$executeRawUnsafe(
      `${series} INSERT INTO "Mission" ("id", "title", "intent", "state", "updatedAt", ${others}) SELECT 'msn_copy_' || i, 'Copy ' || i || ' of the release checklist', 'Walk through release checklist ' || i, ${state}, ${updatedAt}, ${others} FROM ${from}, "Mission" WHERE "Mission"."id" = '${template.id}'`,
    );
    expect(await db.prisma.mission.count()).toBe(MISSIONS + 1);
    if (provider === 'sqlite') {
      const file = new Database(db.target.provider === 'sqlite' ? db.target.filename : '');
      file.exec('ANALYZE');
      plan = async ({ sql, values }) =>
        (file.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...values.map((v) => (v instanceof Date ? v.toISOString() : v))) as Array<{ detail: string }>)
          .map((r) => r.detail)
          .join('\n');
      planUnlessTiny = plan;
      close = async () => {
        file.close();
      };
    } else {
      const url = new URL(db.url);
      const schema = url.searchParams.get('schema')!;
      url.searchParams.delete('schema');
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      await client.query(`SET search_path TO "${schema}"`);
      await client.query('ANALYZE');
      plan = async ({ sql, values }) =>
        ((await client.query(`EXPLAIN ${sql}`, [...values])).rows as Array<{ 'QUERY PLAN': string }>).map((r) => r['QUERY PLAN']).join('\n');
      planUnlessTiny = async (statement) => {
        await client.query('SET enable_seqscan = off; SET enable_indexscan = off');
        try {
          return await plan(statement);
        } finally {
          await client.query('RESET enable_seqscan; RESET enable_indexscan');
        }
      };
      close = () => client.end();
    }
  }, 120_000);
  afterAll(async () => {
    await close?.();
    await db?.destroy();
  });

  it('lists by state (and pages on) along the (state, updatedAt, id) index, without sorting', async () => {
    const first = await plan(missionListStatement(provider, { state: 'planning', limit: 20 }));
    expect(first).toContain('Mission_state_updatedAt_id_idx');
    expect(first).not.toMatch(/TEMP B-TREE|Sort/);
    const page = await db.missions.list({ state: 'planning', limit: 20 });
    expect(page.missions).toHaveLength(20);
    const next = await plan(missionListStatement(provider, { state: 'planning', limit: 20, cursor: page.nextCursor! }));
    expect(next).toContain('Mission_state_updatedAt_id_idx');
    expect(next).not.toMatch(/TEMP B-TREE|Sort/);
  });

  it("lists a requester's missions along (requesterId, updatedAt, id), and all missions along (updatedAt, id)", async () => {
    expect(await plan(missionListStatement(provider, { requesterId: 'U0NOBODY', limit: 20 }))).toContain('Mission_requesterId_updatedAt_id_idx');
    const all = await plan(missionListStatement(provider, { limit: 20 }));
    expect(all).toContain('Mission_updatedAt_id_idx');
    expect(all).not.toMatch(/TEMP B-TREE|Sort/);
  });

  it('filters by text through the trigram index, and still finds the one mission holding it', async () => {
    const text = await planUnlessTiny(missionListStatement(provider, { text: 'flaky checkout', limit: 20 }));
    if (provider === 'sqlite') expect(text).toMatch(/SCAN MissionText VIRTUAL TABLE INDEX/);
    else expect(text).toMatch(/Bitmap Index Scan on "?Mission_(title|intent)_trgm_idx/);
    expect((await db.missions.list({ text: 'flaky checkout', limit: 20 })).missions.map((m) => m.title)).toEqual(['Fix the flaky checkout test in CI']);
  });

  it('searches the library text through its trigram index', async () => {
    const library = await planUnlessTiny(libraryStatement(provider, { text: 'rollout', limit: 10 }));
    if (provider === 'sqlite') expect(library).toMatch(/SCAN LibraryText VIRTUAL TABLE INDEX/);
    else expect(library).toMatch(/LibraryEntry_(title|note)_trgm_idx/);
  });

  it("finds a person's approvals among the missions awaiting approval only (the state index)", async () => {
    expect(await plan(awaitingApprovalStatement(provider, 'U0ADVISOR'))).toContain('Mission_state_updatedAt_id_idx');
  });
});
