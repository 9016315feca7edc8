// The lists and searches people run are served by indexes, as each database's planner reports
// it (EXPLAIN QUERY PLAN / EXPLAIN) on a few thousand missions with statistics gathered: no
// timing, the plan itself. Listing by state walks (state, updatedAt, id) in order, with no sort;
// text filters go through the trigram indexes (FTS5 on SQLite, pg_trgm GIN on PostgreSQL).
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { MissionService } from '../../src/domain/missionService.js';
import type { SqlStatement } from '../../src/storage/driverAdapter.js';
import {
  awaitingApprovalStatement,
  FEW_TAG_HOLDERS,
  libraryLevels,
  libraryStatement,
  missionListStatement,
  missionWalkStatement,
  WALK_WINDOW,
} from '../../src/storage/missionSearch.js';
import { connectToSchema, openTestDatabase, PROVIDERS, type TestDatabase } from '../support/databases.js';
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
      const client = await connectToSchema(db.url);
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
    else expect(text).toMatch(/Bitmap Index Scan on "?MissionText_(title|intent)_trgm_idx/);
    expect((await db.missions.list({ text: 'flaky checkout', limit: 20 })).missions.map((m) => m.title)).toEqual(['Fix the flaky checkout test in CI']);
  });

  it('filters by a common word by walking (updatedAt, id) newest first, without sorting or collecting the matches first', async () => {
    if (provider !== 'sqlite') return; // PostgreSQL has one plan for every word (ILIKE through pg_trgm).
    const walk = await plan(missionWalkStatement({ text: 'release checklist', limit: 20 }, null));
    expect(walk).toContain('Mission_updatedAt_id_idx');
    expect(walk).not.toMatch(/TEMP B-TREE/);
  });

  it('pages through a common word, a word rarer than the walk finds, and a missing one, in list order with working cursors', async () => {
    expect(MISSIONS).toBeGreaterThan(WALK_WINDOW); // so the rare word's matches lie beyond the walk and are collected
    const rows = await db.prisma.mission.findMany({ orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }], select: { id: true, title: true, intent: true } });
    const holding = (text: string) => rows.filter((r) => `${r.title}\n${r.intent}`.toLowerCase().includes(text.toLowerCase())).map((r) => r.id);
    // In every copy: every page is found by the walk; 3001 missions in 7 pages of 500.
    const common = holding('RELEASE checklist');
    expect(common).toHaveLength(MISSIONS);
    expect(await textPages('RELEASE checklist', 500)).toEqual(common);
    // "checklist 29" is in copies 29, 290–299 (inside the walk) and 2900–2999 (beyond it): pages mix both ways.
    const rarer = holding('checklist 29');
    expect(rarer).toHaveLength(111);
    expect(await textPages('checklist 29', 20)).toEqual(rarer);
    expect(await textPages('checklist 2999', 20)).toEqual(holding('checklist 2999'));
    expect(await textPages('no such words', 20)).toEqual([]);
    // With a state: only that state's missions, still in order.
    const planning = await db.missions.list({ text: 'release checklist', state: 'planning', limit: 100 });
    expect(planning.missions.every((m) => m.state === 'planning')).toBe(true);
    expect(planning.missions.map((m) => m.id)).toEqual(rows.filter((r) => planning.missions.some((m) => m.id === r.id)).map((r) => r.id));
    expect(planning.missions).toHaveLength(60);
  });

  it('matches non-ASCII text with Unicode case folding on the walk as the FTS table does (SQLite)', async () => {
    if (provider !== 'sqlite') return; // PostgreSQL's ILIKE folds case as the database's locale says.
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "Mission" ("id", "title", "intent", "state", "updatedAt", ${COLUMNS.filter((c) => !['title', 'intent', 'state', 'updatedAt'].includes(c))
        .map((c) => `"${c}"`)
        .join(
          ', ',
        )}) SELECT 'msn_umlaut_' || n, 'ÄRGER mit der Checkliste ' || n, 'Über die Checkliste', 'done', strftime('%Y-%m-%dT%H:%M:%S.000+00:00', 'now', '+' || n || ' days'), ${COLUMNS.filter(
        (c) => !['title', 'intent', 'state', 'updatedAt'].includes(c),
      )
        .map((c) => `"${c}"`)
        .join(', ')} FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3), "Mission" WHERE "Mission"."id" = 'msn_copy_1'`,
    );
    // Newest first; LIKE alone would miss every one of them ("ä" is not "Ä" to LIKE).
    const page1 = await db.missions.list({ text: 'ärger mit', limit: 2 });
    expect(page1.missions.map((m) => m.id)).toEqual(['msn_umlaut_3', 'msn_umlaut_2']);
    const page2 = await db.missions.list({ text: 'ärger mit', limit: 2, cursor: page1.nextCursor! });
    expect(page2.missions.map((m) => m.id)).toEqual(['msn_umlaut_1']);
    expect(page2.nextCursor).toBeNull();
    expect((await db.missions.list({ text: 'über die', limit: 5 })).missions).toHaveLength(3);
  });

  /** Every page of a text filter, following the cursors: the ids in the order listed. */
  const textPages = async (text: string, limit: number) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 200; page++) {
      const result = await db.missions.list({ text, limit, ...(cursor ? { cursor } : {}) });
      ids.push(...result.missions.map((m) => m.id));
      if (!result.nextCursor) break;
      expect(result.missions).toHaveLength(limit); // a page with another after it is full
      cursor = result.nextCursor;
    }
    return ids;
  };

  it('pages a text filter in list order through many missions saved in the same millisecond, whatever order they were saved in', async () => {
    // 240 missions share one updatedAt (ids inserted in a scrambled order, so the order they were
    // saved in is not the list's id order); every third holds the words, some in non-ASCII case.
    // Older and newer missions hold them too, so pages start and end inside the shared millisecond.
    const others = COLUMNS.filter((c) => !['title', 'intent', 'state', 'updatedAt'].includes(c))
      .map((c) => `"${c}"`)
      .join(', ');
    const at = (offsetSeconds: number) =>
      provider === 'sqlite'
        ? `strftime('%Y-%m-%dT%H:%M:%S.123+00:00', '2027-01-01 00:00:00', '${offsetSeconds} seconds')`
        : `TIMESTAMP '2027-01-01 00:00:00.123' + interval '${offsetSeconds} seconds'`;
    const insert = async (id: string, title: string, offsetSeconds: number) =>
      db.prisma.$executeRawUnsafe(
        `INSERT INTO "Mission" ("id", "title", "intent", "state", "updatedAt", ${others}) SELECT '${id}', '${title}', 'Same millisecond', 'done', ${at(offsetSeconds)}, ${others} FROM "Mission" WHERE "Mission"."id" = 'msn_copy_1'`,
      );
    for (let i = 0; i < 240; i++) {
      const n = (i * 97) % 240; // a permutation of 0..239
      const title = n % 3 === 0 ? (n % 2 === 0 ? `Tied block ${n} QUIET ÄRGER` : `tied block ${n} quiet ärger`) : `Tied block ${n} other`;
      await insert(`msn_tie_${String(n).padStart(3, '0')}`, title, 0);
    }
    for (const [id, offset] of [
      ['msn_tie_newer_a', 5],
      ['msn_tie_newer_b', 9],
      ['msn_tie_older_a', -5],
      ['msn_tie_older_b', -9],
    ] as const)
      await insert(id, `Quiet ärger ${id}`, offset);
    const rows = await db.prisma.mission.findMany({ orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }], select: { id: true, title: true } });
    const expected = rows.filter((r) => r.title.toLowerCase().includes('quiet ärger')).map((r) => r.id);
    expect(expected).toHaveLength(84);
    for (const limit of [1, 7, 20, 100]) expect(await textPages('QUIET ärger', limit)).toEqual(expected);
  });

  it('pages a text filter in list order while saves move missions within a minute and into the next', async () => {
    // On SQLite a mission's FTS row moves only when its updatedAt enters another minute: saves in
    // the same minute (most reports) leave it where it entered, in another order than the list's.
    const others = COLUMNS.filter((c) => !['id', 'title', 'intent', 'state', 'updatedAt'].includes(c))
      .map((c) => `"${c}"`)
      .join(', ');
    const at = (minute: number, ms: number) => {
      const stamp = new Date(Date.UTC(2027, 1, 1, 0, minute, 0, ms));
      return provider === 'sqlite'
        ? `'${stamp.toISOString().replace('Z', '+00:00')}'`
        : `TIMESTAMP '${stamp.toISOString().replace('T', ' ').replace('Z', '')}'`;
    };
    const ids: string[] = [];
    for (let i = 0; i < 90; i++) {
      const id = `msn_min_${String(i).padStart(3, '0')}`;
      ids.push(id);
      const title = i % 2 === 0 ? `Minute ${i} larkspur` : `Minute ${i} other`;
      await db.prisma.$executeRawUnsafe(
        `INSERT INTO "Mission" ("id", "title", "intent", "state", "updatedAt", ${others}) SELECT '${id}', '${title}', 'Saved within a minute', 'done', ${at(i % 3, (i * 3701) % 60_000)}, ${others} FROM "Mission" WHERE "Mission"."id" = 'msn_copy_1'`,
      );
    }
    const expectedOrder = async () => {
      const rows = await db.prisma.mission.findMany({ orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }], select: { id: true, title: true } });
      return rows.filter((r) => r.title.toLowerCase().includes('larkspur')).map((r) => r.id);
    };
    for (let round = 0; round < 3; round++) {
      // Saves: some within their minute (newest-first order changes, FTS rows stay), some into the next.
      for (let i = round; i < ids.length; i += 4) {
        const minute = (i % 3) + (i % 8 === round ? 1 : 0) + round;
        await db.prisma.$executeRawUnsafe(`UPDATE "Mission" SET "updatedAt" = ${at(minute, (i * 7103 + round * 1301) % 60_000)} WHERE "id" = '${ids[i]}'`);
      }
      const expected = await expectedOrder();
      expect(expected).toHaveLength(45);
      for (const limit of [1, 4, 10, 50]) expect(await textPages('larkspur', limit)).toEqual(expected);
    }
  });

  it('searches the library text through its trigram index', async () => {
    const library = await planUnlessTiny(libraryStatement(provider, { text: 'rollout', limit: 10 }));
    if (provider === 'sqlite') expect(library).toMatch(/SCAN LibraryText VIRTUAL TABLE INDEX/);
    else expect(library).toMatch(/LibraryEntry_(title|note)_trgm_idx/);
  });

  it('ranks the library level by level of shared tags along the rank index, without sorting, and reads only the levels a page needs', async () => {
    expect(libraryLevels({ tags: ['a', 'b', 'a'], text: 'x', limit: 5 })).toEqual([2, 1, 0]);
    expect(libraryLevels({ tags: ['a', 'b'], limit: 5 })).toEqual([2, 1]);
    expect(libraryLevels({ text: 'x', limit: 5 })).toEqual([0]);
    expect(libraryLevels({ limit: 5 })).toEqual([0]);
    if (provider !== 'sqlite') return; // PostgreSQL rightly reads an empty table rather than an index.
    const all = await plan(libraryStatement(provider, { limit: 10 }));
    expect(all).toContain('LibraryEntry_reuseScore_pinnedAt_id_idx');
    expect(all).not.toMatch(/TEMP B-TREE|Sort/);
  });

  it('ranks a large library the same whichever way a level is read: shared tags, reuse score, latest pin, then id', async () => {
    // 700 entries (more than FEW_TAG_HOLDERS hold "alpha", so that level walks the rank index;
    // "gamma" few enough to be read through the tag index), with ties in reuse score and pin time.
    expect(700).toBeGreaterThan(FEW_TAG_HOLDERS);
    const series = provider === 'sqlite' ? 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 700)' : '';
    const from = provider === 'sqlite' ? 'n' : 'generate_series(1, 700) AS n(i)';
    const pinnedAt =
      provider === 'sqlite'
        ? `strftime('%Y-%m-%dT%H:%M:%S.000+00:00', '2026-01-01', '+' || (i % 11) || ' minutes')`
        : `TIMESTAMP '2026-01-01' + (i % 11) * interval '1 minute'`;
    await db.prisma.$executeRawUnsafe(
      `${series} INSERT INTO "LibraryEntry" ("id", "missionId", "playId", "title", "note", "rating", "reuseScore", "play", "pinnedBy", "pinnedAt")
       SELECT 'lib_' || (1000 + (i * 37) % 700), 'msn_copy_' || i, 'play_1', 'Entry ' || i, CASE WHEN i % 9 = 0 THEN 'Rolls out the canary' ELSE 'Plain' END,
              5, (i % 7) * 0.5, '{}', '{"kind":"slack_user","id":"U1"}', ${pinnedAt} FROM ${from}`,
    );
    const tagRows = `${series} INSERT INTO "LibraryEntryTag" ("entryId", "tag") SELECT 'lib_' || (1000 + (i * 37) % 700), t.tag FROM ${from}, (SELECT 'alpha' AS tag UNION ALL SELECT 'beta' UNION ALL SELECT 'gamma') t
       WHERE (t.tag = 'alpha' AND i % 10 <> 0) OR (t.tag = 'beta' AND i % 3 = 0) OR (t.tag = 'gamma' AND i % 50 = 0)`;
    await db.prisma.$executeRawUnsafe(tagRows);
    const entries = await db.prisma.libraryEntry.findMany({ include: { tags: true } });
    const ranked = (tags: string[], text?: string) =>
      entries
        .map((e) => ({ e, shared: e.tags.filter((t) => tags.includes(t.tag)).length }))
        .filter(
          ({ e, shared }) =>
            shared > 0 ||
            (text !== undefined && `${e.title}\n${e.note}`.toLowerCase().includes(text.toLowerCase())) ||
            (tags.length === 0 && text === undefined),
        )
        .sort(
          (x, y) =>
            y.shared - x.shared ||
            y.e.reuseScore - x.e.reuseScore ||
            y.e.pinnedAt.getTime() - x.e.pinnedAt.getTime() ||
            (x.e.id < y.e.id ? -1 : x.e.id > y.e.id ? 1 : 0),
        )
        .map(({ e }) => e.id);
    for (const [tags, text] of [
      [['alpha'], undefined],
      [['alpha', 'beta'], undefined],
      [['alpha', 'beta', 'gamma'], 'canary'],
      [['gamma', 'nobody-has-this'], 'CANARY'],
      [['beta', 'nobody-has-this'], undefined],
      [[], 'canary'],
      [[], undefined],
      [['nobody-has-this'], undefined],
      [['nobody-has-this'], 'canary'],
    ] as Array<[string[], string | undefined]>) {
      for (const limit of [7, 60]) {
        const found = await db.missions.searchLibrary({ tags, ...(text ? { text } : {}), limit });
        expect(found.map((m) => m.entry.id)).toEqual(ranked(tags, text).slice(0, limit));
      }
    }
  });

  it("finds a person's approvals among the missions awaiting approval only (the state index)", async () => {
    expect(await plan(awaitingApprovalStatement(provider, 'U0ADVISOR'))).toContain('Mission_state_updatedAt_id_idx');
  });
});
