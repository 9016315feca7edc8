// The reads people run to find missions and plays (list_missions, search_library, the App
// Home), each served by an index:
// - lists walk (state | requesterId | nothing, updatedAt, id) newest first, and a page's cursor
//   is a row-value comparison on (updatedAt, id), so page 100 costs what page 1 does;
// - text filters are substring matches, case-insensitive, with % _ \ as plain characters. On
//   SQLite through FTS5 trigram tables (MissionText, LibraryText; migration
//   20261129002700_list_and_search_indexes keeps them in sync by triggers), where a quoted phrase
//   of 3+ characters matches rows holding it anywhere; shorter text has no trigram and is matched
//   by LIKE … ESCAPE. On PostgreSQL through ILIKE … ESCAPE, which pg_trgm's GIN indexes serve:
//   for missions on "MissionText", a copy of title and intent kept by triggers (migration
//   20261203020000_mission_text), since an index on "Mission" itself is written by every save;
// - on SQLite a text filter first walks the list's index newest first, checking each candidate
//   on its own row, for at most WALK_WINDOW candidates: a word most missions hold fills the page
//   within a few rows. Only when the window holds too few matches does it collect every match
//   from the FTS table (cheap for a rare word, ~0.3 s for a word in 90% of 100,000 missions, since
//   each match's id is read from the FTS table's content before the list's order can be applied);
// - the library is ranked by the database (shared tags, then reuse score, then most recently
//   pinned): level by level of shared tags, each along the (reuseScore, pinnedAt, id) index, so a
//   search stops when its page is full instead of ranking every candidate;
// - a person's overview (the App Home) is two queries: their latest missions, and every mission
//   awaiting approval whose request names them, however many.
// Statements return ids (or plain text columns); rows with dates are then read through Prisma,
// which knows each provider's date format.
import type { Actor } from '../domain/actors.js';
import { isAwaitingApprovalFrom } from '../domain/approvalPolicy.js';
import { MissionError } from '../domain/errors.js';
import type { LibraryMatch, LibrarySearch } from '../domain/library.js';
import type { MissionSummary } from '../domain/mission.js';
import type { AwaitingApproval, MissionListFilter, MissionPage, PersonOverview } from '../domain/missionRepository.js';
import type { PlayDraft } from '../domain/plays.js';
import type { PrismaClient } from '../../generated/prisma-sqlite/index.js';
import type { DirectSql, SqlStatement, SqlValue } from './driverAdapter.js';
import { decodeCursor, encodeCursor } from './listCursor.js';
import { storedDocument, storedState } from './storedDocuments.js';

type Provider = 'sqlite' | 'postgresql';

/** Shortest text the trigram index can look up; shorter text is matched by a scan. */
const TRIGRAM = 3;

/**
 * Candidates a text filter checks one by one, newest first, before collecting every match through
 * the FTS table instead (SQLite): a page of 20 is found in the window when at least 1 in 100 of
 * the missions holds the text; rarer text is cheap to collect.
 */
export const WALK_WINDOW = 2_000;

const SUMMARY_SELECT = { id: true, title: true, state: true, requester: true, channelId: true, createdAt: true, updatedAt: true } as const;

/** A statement's values as it is written: `param` appends one and returns its placeholder. */
function statement(provider: Provider) {
  const values: SqlValue[] = [];
  const param = (value: SqlValue): string => {
    values.push(value);
    return provider === 'sqlite' ? '?' : `$${values.length}`;
  };
  return { values, param };
}

/** `text` as a LIKE pattern matching it anywhere, with LIKE's wildcards and escape taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** An FTS5 query: `text` as one quoted phrase (quotes doubled) in the given columns. */
function trigramPhrase(columns: readonly string[], text: string): string {
  return `{${columns.join(' ')}} : "${text.replaceAll('"', '""')}"`;
}

/**
 * The condition "column a or column b of `alias` holds `text`": an FTS5 look-up on SQLite
 * (LIKE when the text is too short for a trigram), ILIKE on PostgreSQL, on the row itself or,
 * with `textTable`, on the copy of those columns that table keeps under the row's id.
 */
function textCondition(
  provider: Provider,
  param: (value: SqlValue) => string,
  text: string,
  where: { alias: string; columns: readonly [string, string]; ftsTable: string; ftsKey: string; idExpression?: string; textTable?: boolean },
): string {
  const [a, b] = where.columns;
  if (provider === 'postgresql') {
    const pattern = param(containsPattern(text));
    const matches = (alias: string) => `(${alias}."${a}" ILIKE ${pattern} ESCAPE '\\' OR ${alias}."${b}" ILIKE ${pattern} ESCAPE '\\')`;
    if (!where.textTable) return matches(where.alias);
    return `${where.idExpression ?? `${where.alias}."id"`} IN (SELECT t."${where.ftsKey}" FROM "${where.ftsTable}" t WHERE ${matches('t')})`;
  }
  if ([...text].length >= TRIGRAM) {
    return `${where.idExpression ?? `${where.alias}."id"`} IN (SELECT "${where.ftsKey}" FROM "${where.ftsTable}" WHERE "${where.ftsTable}" MATCH ${param(trigramPhrase(where.columns, text))})`;
  }
  const pattern = containsPattern(text);
  return `(${where.alias}."${a}" LIKE ${param(pattern)} ESCAPE '\\' OR ${where.alias}."${b}" LIKE ${param(pattern)} ESCAPE '\\')`;
}

/** The list's own conditions (state, requester, the cursor), shared by every statement of a page. */
function listConditions(param: (value: SqlValue) => string, filter: MissionListFilter): string[] {
  const cursor = filter.cursor ? decodeCursor(filter.cursor) : null;
  const conditions: string[] = [];
  if (filter.state) conditions.push(`m."state" = ${param(filter.state)}`);
  if (filter.requesterId) conditions.push(`m."requesterId" = ${param(filter.requesterId)}`);
  if (cursor) conditions.push(`(m."updatedAt", m."id") < (${param(cursor.updatedAt)}, ${param(cursor.id)})`);
  return conditions;
}

const whereAll = (conditions: readonly string[]) => (conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '');
const NEWEST_FIRST = 'ORDER BY m."updatedAt" DESC, m."id" DESC';

/** The ids of one list page (limit + 1, to know whether another follows), newest first; on SQLite, text filters collect every FTS match first. */
export function missionListStatement(provider: Provider, filter: MissionListFilter): SqlStatement {
  if (newestMatchesServe(provider, filter)) return newestMatchesStatement({ ...filter, text: filter.text as string });
  const { values, param } = statement(provider);
  const conditions = listConditions(param, filter);
  if (filter.text && provider === 'sqlite' && [...filter.text].length >= TRIGRAM) {
    // The matches are collected once (an ephemeral set), then the list's own index is walked
    // newest first until the page is full. The unary + keeps SQLite from probing (updatedAt, id)
    // once per match instead (a skip-scan: seconds for a word in 10% of 100,000 missions), and
    // joining the matches to their rows would read every matching row's documents.
    conditions.push(`+m."id" IN (SELECT "missionId" FROM "MissionText" WHERE "MissionText" MATCH ${param(trigramPhrase(['title', 'intent'], filter.text))})`);
  } else if (filter.text) {
    conditions.push(
      textCondition(provider, param, filter.text, { alias: 'm', columns: ['title', 'intent'], ftsTable: 'MissionText', ftsKey: 'missionId', textTable: true }),
    );
  }
  const sql = `SELECT m."id" FROM "Mission" m ${whereAll(conditions)} ${NEWEST_FIRST} LIMIT ${param(filter.limit + 1)}`;
  return { sql, values };
}

/** SQLite, a text filter of 3+ characters and nothing else: the FTS table's own order (newest first) finds the page. */
function newestMatchesServe(provider: Provider, filter: MissionListFilter): boolean {
  return provider === 'sqlite' && !!filter.text && [...filter.text].length >= TRIGRAM && !filter.state && !filter.requesterId;
}

/** MissionText's rowids of one minute of updatedAt start at that minute (Unix time / 60) times BLOCK (migration 20261201010000). */
const BLOCK = 1_048_576;
const MINUTE_MS = 60_000;

/**
 * SQLite: one page of a text filter alone, whatever share of the missions holds the text. MissionText's
 * rowid orders matches by updatedAt's minute (then by when each entered it: a row moves only when
 * its mission's updatedAt enters another minute, so a report does not re-index the mission's text),
 * so the newest limit + 1 matches strictly older than the cursor's minute are one FTS look-up that
 * stops there. Within one minute rowid order is not the list's order, so the two minutes at the
 * page's edges are read along (updatedAt, id) instead, each row checked on its own: the cursor's
 * (rows before the cursor) and the oldest one the look-up reached (which may hold more matches than
 * it returned). Everything newer than that is in the look-up. A row checked on its own matches by
 * LIKE, and a row holding non-ASCII text (LIKE folds ASCII case only) is asked of the FTS table
 * within its minute, so the answer is exactly the FTS table's. A minute's rows are those whose
 * stored updatedAt ('2026-11-29T06:43:41.117+00:00') starts with that minute: at or after the
 * prefix and before the prefix followed by '~', which sorts after every character a stored date
 * holds there.
 */
export function newestMatchesStatement(filter: MissionListFilter & { text: string }): SqlStatement {
  // SQLite's placeholders are positional: every piece is written in the order it appears.
  const { values, param } = statement('sqlite');
  const cursor = filter.cursor ? decodeCursor(filter.cursor) : null;
  const phrase = trigramPhrase(['title', 'intent'], filter.text);
  const pattern = containsPattern(filter.text);
  const both = `m."title" || m."intent"`;
  const inMinute = (minute: () => string) => `${minute()} * ${BLOCK} AND ${minute()} * ${BLOCK} + ${BLOCK - 1}`;
  const startsIn = (prefix: () => string) => `m."updatedAt" >= ${prefix()} AND m."updatedAt" < ${prefix()} || '~'`;
  // The rows of one minute in list order (`where` picks them), checked one by one.
  const oneMinute = (where: () => string, minute: () => string) => {
    let sql = `SELECT m."id", m."updatedAt" FROM "Mission" m WHERE ${where()}`;
    sql += ` AND (m."title" LIKE ${param(pattern)} ESCAPE '\\' OR m."intent" LIKE ${param(pattern)} ESCAPE '\\'`;
    sql += ` OR (length(CAST(${both} AS BLOB)) <> length(${both}) AND +m."id" IN (SELECT "missionId" FROM "MissionText"`;
    sql += ` WHERE "MissionText" MATCH ${param(phrase)} AND "rowid" BETWEEN ${inMinute(minute)})))`;
    return `SELECT * FROM (${sql} ${NEWEST_FIRST} LIMIT ${param(filter.limit + 1)})`;
  };
  const cursorMinute = cursor ? Math.floor(cursor.updatedAt.getTime() / MINUTE_MS) : 0;
  let sql = `WITH "newest" AS MATERIALIZED (SELECT "rowid" AS "key", "missionId" FROM "MissionText" WHERE "MissionText" MATCH ${param(phrase)}`;
  if (cursor) sql += ` AND "rowid" < CAST(${param(cursorMinute)} AS INTEGER) * ${BLOCK}`;
  sql += ` ORDER BY "rowid" DESC LIMIT ${param(filter.limit + 1)})`;
  sql += ` SELECT "id" FROM (SELECT m."id", m."updatedAt" FROM "newest" JOIN "Mission" m ON m."id" = "newest"."missionId"`;
  const oldestReached = `(SELECT min("key") >> 20 FROM "newest")`;
  sql += ` UNION ${oneMinute(
    () => startsIn(() => `strftime('%Y-%m-%dT%H:%M', ${oldestReached} * 60, 'unixepoch')`),
    () => oldestReached,
  )}`;
  if (cursor)
    sql += ` UNION ${oneMinute(
      () =>
        `${startsIn(() => param(new Date(cursorMinute * MINUTE_MS).toISOString().slice(0, 16)))}` +
        ` AND (m."updatedAt" < ${param(cursor.updatedAt)} OR (m."updatedAt" = ${param(cursor.updatedAt)} AND m."id" < ${param(cursor.id)}))`,
      () => `CAST(${param(cursorMinute)} AS INTEGER)`,
    )}`;
  sql += `) ORDER BY "updatedAt" DESC, "id" DESC LIMIT ${param(filter.limit + 1)}`;
  return { sql, values };
}

/** SQLite: the (updatedAt, id) of the last of the next `window` candidates of the list, the end of the walk; none when fewer remain. */
export function walkBoundaryStatement(filter: MissionListFilter, window: number = WALK_WINDOW): SqlStatement {
  const { values, param } = statement('sqlite');
  const conditions = listConditions(param, filter);
  return { sql: `SELECT m."updatedAt", m."id" FROM "Mission" m ${whereAll(conditions)} ${NEWEST_FIRST} LIMIT 1 OFFSET ${param(window - 1)}`, values };
}

/**
 * SQLite: one page of a text filter found by walking the list's index newest first (down to
 * `boundary` when given) and checking each candidate's own title and intent. LIKE is
 * case-insensitive for ASCII only, while the FTS table folds all of Unicode; so a row LIKE does
 * not match but that holds non-ASCII text is asked of the FTS table (collected on first need),
 * which keeps the answer exactly the FTS table's.
 */
export function missionWalkStatement(filter: MissionListFilter & { text: string }, boundary: readonly [SqlValue, SqlValue] | null): SqlStatement {
  const { values, param } = statement('sqlite');
  const conditions = listConditions(param, filter);
  if (boundary) conditions.push(`(m."updatedAt", m."id") >= (${param(boundary[0])}, ${param(boundary[1])})`);
  const pattern = containsPattern(filter.text);
  const both = `m."title" || m."intent"`;
  conditions.push(
    `(m."title" LIKE ${param(pattern)} ESCAPE '\\' OR m."intent" LIKE ${param(pattern)} ESCAPE '\\'` +
      ` OR (length(CAST(${both} AS BLOB)) <> length(${both})` +
      ` AND +m."id" IN (SELECT "missionId" FROM "MissionText" WHERE "MissionText" MATCH ${param(trigramPhrase(['title', 'intent'], filter.text))})))`,
  );
  return { sql: `SELECT m."id" FROM "Mission" m ${whereAll(conditions)} ${NEWEST_FIRST} LIMIT ${param(filter.limit + 1)}`, values };
}

/** The ids of one page (limit + 1): on SQLite a text filter walks first and collects only when the window holds too few matches. */
async function pageIdsOf(direct: DirectSql, provider: Provider, filter: MissionListFilter): Promise<string[]> {
  const ids = async (statement: SqlStatement) => (await direct.query(statement)).map(([id]) => id as string);
  const text = filter.text;
  if (provider !== 'sqlite' || !text || [...text].length < TRIGRAM || newestMatchesServe(provider, filter)) return ids(missionListStatement(provider, filter));
  const [boundary] = await direct.query(walkBoundaryStatement(filter));
  const walked = await ids(missionWalkStatement({ ...filter, text }, boundary ? [boundary[0] as SqlValue, boundary[1] as SqlValue] : null));
  // A full page, or a walk that reached the end of the list, is the answer; otherwise the text is rare: collect it.
  if (walked.length > filter.limit || !boundary) return walked;
  return ids(missionListStatement(provider, filter));
}

export async function listMissions(prisma: PrismaClient, direct: DirectSql, provider: Provider, filter: MissionListFilter): Promise<MissionPage> {
  const ids = await pageIdsOf(direct, provider, filter);
  const pageIds = ids.slice(0, filter.limit);
  const rows = pageIds.length > 0 ? await prisma.mission.findMany({ where: { id: { in: pageIds } }, select: SUMMARY_SELECT }) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  // A mission deleted between the two reads is left out.
  const missions = pageIds.flatMap((id) => {
    const row = byId.get(id);
    return row ? [summaryOf(row)] : [];
  });
  const last = missions.at(-1);
  return { missions, nextCursor: ids.length > filter.limit && last ? encodeCursor(last.updatedAt, last.id) : null };
}

function summaryOf(r: {
  id: string;
  title: string;
  state: string;
  requester: string;
  channelId: string | null;
  createdAt: Date;
  updatedAt: Date;
}): MissionSummary {
  return {
    id: r.id,
    title: r.title,
    state: storedState(r.id, r.state),
    requester: storedDocument(r.id, 'requester', r.requester),
    channelId: r.channelId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** The library's rank within one count of shared tags, along LibraryEntry_reuseScore_pinnedAt_id_idx. */
const LIBRARY_RANK = 'ORDER BY e."reuseScore" DESC, e."pinnedAt" DESC, e."id" ASC';

/**
 * The levels of a library search, best first: entries sharing every queried tag, then one fewer,
 * down to one, then entries matching only the text (or, with no tags, every entry the text
 * matches, or every entry). Ranked, the result is each level in turn along the rank index, so a
 * search reads levels only until its page is full and stops inside a level as soon as it has its
 * entries, however large the library.
 */
export function libraryLevels(search: LibrarySearch): number[] {
  const tags = new Set(search.tags ?? []).size;
  const levels = Array.from({ length: tags }, (_, i) => tags - i);
  return tags === 0 || search.text ? [...levels, 0] : levels;
}

/**
 * Entries holding a queried tag up to which a level reads them through the tag index and sorts
 * them; a level whose tags more entries hold walks the rank index instead, counting each entry's
 * tags, and stops at its limit.
 */
export const FEW_TAG_HOLDERS = 500;

/**
 * Which of the queried tags any entry holds (one index probe each), and how many entries hold
 * any of them, counted up to FEW_TAG_HOLDERS: a tag nobody holds adds no level to read.
 */
export function tagHoldersStatement(provider: Provider, tags: readonly string[]): SqlStatement {
  const { values, param } = statement(provider);
  const held = tags
    .map((tag) => `SELECT ${param(tag)} AS "tag" WHERE EXISTS (SELECT 1 FROM "LibraryEntryTag" WHERE "tag" = ${param(tag)})`)
    .join(' UNION ALL ');
  // Placeholders are positional on SQLite: `held`'s come first in the text as in `values`.
  const holders = `SELECT COUNT(*) AS "n" FROM (SELECT 1 FROM "LibraryEntryTag" WHERE "tag" IN (${tags.map((tag) => param(tag)).join(', ')}) LIMIT ${param(FEW_TAG_HOLDERS)}) AS "some"`;
  const sql = `SELECT "held"."tag", "holders"."n" FROM (${held}) AS "held", (${holders}) AS "holders"`;
  return { sql, values };
}

/**
 * The ids of the best `limit` library entries of one level (`shared`: how many queried tags each
 * holds; `fewHolders`: read the level through the tag index rather than along the rank index).
 */
export function libraryStatement(
  provider: Provider,
  search: LibrarySearch,
  shared = libraryLevels(search)[0] ?? 0,
  limit = search.limit,
  fewHolders = true,
): SqlStatement {
  const { values, param } = statement(provider);
  const tags = [...new Set(search.tags ?? [])];
  const tagList = () => tags.map((tag) => param(tag)).join(', ');
  const conditions: string[] = [];
  // On SQLite the unary + keeps the planner from collecting every text match through its id and
  // sorting them: it walks the rank index and stops at the limit.
  const id = provider === 'sqlite' ? '+e."id"' : 'e."id"';
  if (shared > 0) {
    if (fewHolders) conditions.push(`e."id" IN (SELECT "entryId" FROM "LibraryEntryTag" WHERE "tag" IN (${tagList()}))`);
    conditions.push(`(SELECT COUNT(*) FROM "LibraryEntryTag" t WHERE t."entryId" = e."id" AND t."tag" IN (${tagList()})) = ${param(shared)}`);
  } else {
    if (search.text)
      conditions.push(
        textCondition(provider, param, search.text, { alias: 'e', columns: ['title', 'note'], ftsTable: 'LibraryText', ftsKey: 'entryId', idExpression: id }),
      );
    if (tags.length > 0) conditions.push(`NOT EXISTS (SELECT 1 FROM "LibraryEntryTag" t WHERE t."entryId" = e."id" AND t."tag" IN (${tagList()}))`);
  }
  const sql = `SELECT e."id" FROM "LibraryEntry" e ${whereAll(conditions)} ${LIBRARY_RANK} LIMIT ${param(limit)}`;
  return { sql, values };
}

/** The ids of the best library matches, ranked: most shared tags, highest reuse score, most recently pinned. */
async function libraryIds(direct: DirectSql, provider: Provider, search: LibrarySearch): Promise<string[]> {
  const queried = [...new Set(search.tags ?? [])];
  const held = queried.length > 0 ? await direct.query(tagHoldersStatement(provider, queried)) : [];
  const fewHolders = Number(held[0]?.[1] ?? 0) < FEW_TAG_HOLDERS;
  // Tags no entry holds match nothing: leaving them out changes no entry's level, only the levels read.
  const narrowed: LibrarySearch = { ...search, tags: held.map(([tag]) => tag as string) };
  const ids: string[] = [];
  // Tags asked for and none held: only the text can match (and with no text, nothing does).
  const levels = queried.length > 0 && held.length === 0 ? (search.text ? [0] : []) : libraryLevels(narrowed);
  for (const shared of levels) {
    if (ids.length >= search.limit) break;
    const rows = await direct.query(libraryStatement(provider, narrowed, shared, search.limit - ids.length, fewHolders));
    ids.push(...rows.map(([id]) => id as string));
  }
  return ids;
}

export async function searchLibrary(prisma: PrismaClient, direct: DirectSql, provider: Provider, search: LibrarySearch): Promise<LibraryMatch[]> {
  const ids = await libraryIds(direct, provider, search);
  if (ids.length === 0) return [];
  const rows = await prisma.libraryEntry.findMany({ where: { id: { in: ids } }, include: { tags: true } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const queried = new Set(search.tags ?? []);
  return ids.flatMap((id): LibraryMatch[] => {
    const row = byId.get(id);
    if (!row) return [];
    const entryTags = row.tags.map((t) => t.tag).sort();
    const entry = {
      id: row.id,
      missionId: row.missionId,
      playId: row.playId,
      title: row.title,
      tags: entryTags,
      note: row.note,
      rating: row.rating,
      reuseScore: row.reuseScore,
      play: JSON.parse(row.play) as PlayDraft,
      pinnedBy: JSON.parse(row.pinnedBy) as Actor,
      pinnedAt: row.pinnedAt.toISOString(),
    };
    return [{ entry, matchedTags: entryTags.filter((t) => queried.has(t)) }];
  });
}

/**
 * Missions awaiting approval whose request names `personId`, soonest to expire first. The
 * request is a JSON document: the statement keeps the rows whose approvals mention the person
 * as a JSON string, and isAwaitingApprovalFrom decides exactly.
 */
export function awaitingApprovalStatement(provider: Provider, personId: string): SqlStatement {
  // SQLite's placeholders are positional: values are added in the order they appear.
  const { values, param } = statement(provider);
  const state = param('awaiting_approval');
  const mentions = `${provider === 'sqlite' ? 'instr' : 'strpos'}(m."approvals", ${param(JSON.stringify(personId))}) > 0`;
  const sql = `SELECT m."id", m."title", m."state", m."plays", m."approvals" FROM "Mission" m WHERE m."state" = ${state} AND ${mentions} ORDER BY m."approvalExpiresAt" ASC, m."id" ASC`;
  return { sql, values };
}

export async function overviewOf(prisma: PrismaClient, direct: DirectSql, provider: Provider, personId: string, missionLimit: number): Promise<PersonOverview> {
  const [mine, awaiting] = await Promise.all([
    prisma.mission.findMany({ where: { requesterId: personId }, orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }], take: missionLimit, select: SUMMARY_SELECT }),
    direct.query(awaitingApprovalStatement(provider, personId)),
  ]);
  const awaitingApproval = awaiting.flatMap(([id, title, state, plays, approvals]): AwaitingApproval[] => {
    const missionId = id as string;
    try {
      const history = storedDocument(missionId, 'approvals', approvals as string | null);
      const mission: AwaitingApproval = {
        id: missionId,
        title: title as string,
        state: storedState(missionId, state as string),
        plays: storedDocument(missionId, 'plays', plays as string | null),
        approval: history.at(-1) ?? null,
      };
      return isAwaitingApprovalFrom(mission, personId) ? [mission] : [];
    } catch (error) {
      // A broken row is refused where the mission is opened; the overview shows the others.
      if (error instanceof MissionError && error.code === 'stored_data_invalid') return [];
      throw error;
    }
  });
  return { missions: mine.map(summaryOf), awaitingApproval };
}
