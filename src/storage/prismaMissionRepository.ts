// MissionRepository on Prisma; the same code serves SQLite and PostgreSQL (both generated
// clients share one model API). JSON documents are stored as text.
import type { Actor } from '../domain/actors.js';
import type { ArtifactRecord } from '../domain/evidence.js';
import { MissionError } from '../domain/errors.js';
import type { MissionEvent } from '../domain/eventLog.js';
import type { Execution, StepReport, TestRun } from '../domain/execution.js';
import type { LibraryEntry, LibraryMatch, LibrarySearch } from '../domain/library.js';
import { FEED_CONSUMERS } from '../domain/missionFeed.js';
import { inStoredOrder, type Mission, type MissionToolkit } from '../domain/mission.js';
import type { MissionListFilter, MissionPage, MissionRepository, MissionWrites, PersonOverview } from '../domain/missionRepository.js';
import type { EventType } from '../domain/telemetryEvents.js';
import type { Prisma, PrismaClient } from '../../generated/prisma-sqlite/index.js';
import { isUniqueViolationError, type DirectSql, type SqlStatement, type SqlValue } from './driverAdapter.js';
import { corruptRow, storedAuthStatus, storedDocument, storedState } from './storedDocuments.js';
import { isSqliteBusy, isTransactionConflict } from './storageFaults.js';
import { appendedRunRows, appendedStepRows, isBounded, upgradeExecution, type PendingPhaseRows, type StepRow, type TestRunRow } from './historyRows.js';
import { type MarkedSave, markPending, markPendingSql } from './feedMarkers.js';
import { listMissions, overviewOf, searchLibrary } from './missionSearch.js';
import { type LoadedMissionRow, readMissionRow } from './missionRowRead.js';

type Tx = Prisma.TransactionClient;

type MissionRow = LoadedMissionRow;

/** Missions that never called a model have no models document (null column): they carry none. */
function modelsOf(missionId: string, text: string | null, known?: string | null): Pick<Mission, 'models'> {
  const models = storedDocument(missionId, 'models', text, known);
  return models ? { models } : {};
}

/** `known`: the documents' text this process last checked or wrote for the mission (their outline holds). */
function toMission(row: MissionRow, execution: Execution | null, known?: DocumentTexts): Mission {
  const approvals = storedDocument(row.id, 'approvals', row.approvals, known?.approvals);
  return inStoredOrder({
    id: row.id,
    title: row.title,
    intent: row.intent,
    state: storedState(row.id, row.state),
    requester: storedDocument(row.id, 'requester', row.requester, known?.requester),
    channelId: row.channelId,
    threadTs: row.threadTs,
    version: row.version,
    eventSeq: row.eventSeq,
    headHash: row.headHash,
    brief: storedDocument(row.id, 'brief', row.brief, known?.brief),
    tags: row.tags.map((t) => t.tag),
    toolkits: row.toolkits.map(
      (t): MissionToolkit => ({
        toolkitId: t.toolkitId,
        recommended: t.recommended,
        selected: t.selected,
        authStatus: storedAuthStatus(row.id, t.toolkitId, t.authStatus),
        rationale: t.rationale,
        confidence: t.confidence,
        precedentCount: t.precedentCount,
      }),
    ),
    coverage: storedDocument(row.id, 'coverage', row.coverage, known?.coverage),
    plays: storedDocument(row.id, 'plays', row.plays, known?.plays),
    approval: approvals[approvals.length - 1] ?? null,
    approvalHistory: approvals.slice(0, -1),
    execution,
    evidence: storedDocument(row.id, 'evidence', row.evidence, known?.evidence),
    reflection: storedDocument(row.id, 'reflection', row.reflection, known?.reflection),
    ...modelsOf(row.id, row.models, known?.models),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}

function missionColumns(m: Mission) {
  return {
    title: m.title,
    intent: m.intent,
    state: m.state,
    requesterKind: m.requester.kind,
    requesterId: m.requester.id,
    requester: JSON.stringify(m.requester),
    channelId: m.channelId,
    threadTs: m.threadTs,
    version: m.version,
    eventSeq: m.eventSeq,
    headHash: m.headHash,
    brief: JSON.stringify(m.brief),
    coverage: JSON.stringify(m.coverage),
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    briefLockedAt: m.brief.lockedAt ? new Date(m.brief.lockedAt) : null,
    plays: JSON.stringify(m.plays),
    approvals: JSON.stringify(m.approval ? [...m.approvalHistory, m.approval] : m.approvalHistory),
    // Bounded: each phase's latest steps and runs and its summaries; every entry has a row (historyRows.ts).
    execution: JSON.stringify(m.execution),
    evidence: JSON.stringify(m.evidence),
    reflection: JSON.stringify(m.reflection),
    models: m.models ? JSON.stringify(m.models) : null,
    approvalExpiresAt: m.approval?.status === 'requested' ? new Date(m.approval.expiresAt) : null,
  };
}

/** An attached artifact's row: its content stored once, with its record and position. */
interface ArtifactRow {
  id: string;
  missionId: string;
  name: string;
  kind: string;
  sha256: string;
  sizeBytes: number;
  content: string;
  attachedAt: Date;
  position: number;
  record: string;
}

function artifactRows(missionId: string, artifacts: NonNullable<MissionWrites['artifacts']>): ArtifactRow[] {
  return artifacts.map(({ record, ...a }) => ({
    id: a.id,
    missionId,
    name: a.name,
    kind: a.kind,
    sha256: a.sha256,
    sizeBytes: Buffer.byteLength(a.content, 'utf8'),
    content: a.content,
    attachedAt: a.attachedAt,
    position: a.position,
    record: JSON.stringify(record),
  }));
}

/** What a command appended, as rows: nothing in them is ever written again. */
interface AppendedRows {
  runs: readonly TestRunRow[];
  steps: readonly StepRow[];
  artifacts: readonly ArtifactRow[];
}

function eventRows(events: readonly MissionEvent[]) {
  return events.map((e) => ({
    id: e.id,
    missionId: e.missionId,
    seq: e.seq,
    type: e.type,
    stage: e.stage,
    actorKind: e.actor.kind,
    actorId: e.actor.id,
    actor: JSON.stringify(e.actor),
    occurredAt: e.occurredAt,
    payload: JSON.stringify(e.payload),
    prevHash: e.prevHash,
    hash: e.hash,
  }));
}

type MissionColumns = ReturnType<typeof missionColumns>;

/** The JSON documents of a mission row: large, and mostly unchanged by any one command. */
const DOCUMENT_COLUMNS = ['requester', 'brief', 'coverage', 'plays', 'approvals', 'execution', 'evidence', 'reflection', 'models', 'intent'] as const;
/** Bound on the document text remembered across missions (UTF-16 code units, ~2 bytes each): memory is bounded by size, not count. */
const REMEMBERED_DOCUMENT_CHARS = 16 * 1024 * 1024;
/** Those documents' text, as written by missionColumns or read from a row (where older rows may hold null). */
type DocumentTexts = Record<(typeof DOCUMENT_COLUMNS)[number], string | null>;

interface RememberedRow {
  version: number;
  documents: DocumentTexts;
  /** Rows a document from before steps had rows still needs (historyRows.ts); written by the next save. */
  pending: PendingPhaseRows[];
  chars: number;
}

export class PrismaMissionRepository implements MissionRepository {
  /**
   * The documents as stored at a version, for missions this process read or wrote lately.
   * A save against that version sends only the documents that changed; the version check
   * still guards against writers elsewhere, so a stale memory can only cost a retry.
   */
  private readonly stored = new Map<string, RememberedRow>();
  private storedChars = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly provider: 'sqlite' | 'postgresql',
    /** Statements without Prisma's query compiler, for the row-and-events save (driverAdapter.ts). */
    private readonly direct: DirectSql,
    /** This process's feed worker while it delivers (`Database.deliverSavesHere`): saved changes are left to it first. */
    private readonly feedOwner: () => string | null = () => null,
  ) {}

  /** The save as the feed's pending marker records it (feedMarkers.ts). */
  private marked(mission: Pick<Mission, 'id' | 'eventSeq' | 'updatedAt'>): MarkedSave {
    return { missionId: mission.id, eventSeq: mission.eventSeq, savedAt: mission.updatedAt, savedBy: this.feedOwner() };
  }

  /**
   * Remembers a row as read or written. Nothing a reader remembers can make a writer rewrite
   * history: steps and test runs are appended from what the command recorded, so a read only
   * refreshes the documents a later save compares against.
   */
  private remember(id: string, version: number, columns: DocumentTexts, pending: PendingPhaseRows[]): void {
    this.forgetRow(id);
    const documents = Object.fromEntries(DOCUMENT_COLUMNS.map((c) => [c, columns[c]])) as DocumentTexts;
    const chars = DOCUMENT_COLUMNS.reduce((sum, c) => sum + (documents[c]?.length ?? 0), 0);
    // A mission larger than the whole budget is not remembered; its saves send every document.
    if (chars > REMEMBERED_DOCUMENT_CHARS) return;
    this.stored.set(id, { version, documents, pending, chars });
    this.storedChars += chars;
    while (this.storedChars > REMEMBERED_DOCUMENT_CHARS) this.forgetRow(this.stored.keys().next().value!);
  }

  private forgetRow(id: string): void {
    const known = this.stored.get(id);
    if (!known) return;
    this.stored.delete(id);
    this.storedChars -= known.chars;
  }

  private changedColumns(missionId: string, columns: MissionColumns, expectedVersion: number): Partial<MissionColumns> {
    const known = this.stored.get(missionId);
    if (known?.version !== expectedVersion) return columns;
    const changed: Partial<MissionColumns> = { ...columns };
    for (const column of DOCUMENT_COLUMNS) if (columns[column] === known.documents[column]) delete changed[column];
    return changed;
  }

  async create(given: Mission, events: readonly MissionEvent[]): Promise<void> {
    // A caller may hand over phases holding their whole history; they are stored bounded, with rows.
    const { execution, pending: historyRows } = upgradeExecution(given.id, given.execution);
    const mission = { ...given, execution };
    const columns = missionColumns(mission);
    await this.prisma.$transaction(async (tx) => {
      await tx.mission.create({ data: { id: mission.id, ...columns } });
      for (const write of this.childWrites(tx, mission)) await write;
      // Every consumer starts before the first event, so the mission's whole story is delivered.
      // Due at once, with the pending marker the claim's index finds (feedMarkers.ts).
      const pending =
        mission.eventSeq > 0
          ? { dueAt: BigInt(mission.updatedAt.getTime()), pendingSince: BigInt(mission.updatedAt.getTime()), preferredOwner: this.feedOwner() }
          : {};
      await tx.missionFeedCursor.createMany({
        data: FEED_CONSUMERS.map((consumer) => ({ consumer, missionId: mission.id, eventSeq: mission.eventSeq, ...pending })),
      });
      await tx.missionEvent.createMany({ data: eventRows(events) });
      const runs = historyRows.flatMap((p) => p.testRuns ?? []);
      const steps = historyRows.flatMap((p) => p.steps);
      if (runs.length > 0) await tx.missionTestRun.createMany({ data: runs });
      if (steps.length > 0) await tx.missionStep.createMany({ data: steps });
    });
    this.remember(mission.id, mission.version, columns, []);
  }

  async get(missionId: string): Promise<Mission | null> {
    const row = await readMissionRow(this.direct, this.provider, missionId);
    if (!row) return null;
    // Documents whose text is what this process last checked or wrote for the mission (the other
    // instance changed only some) are parsed without checking their outline again.
    const known = this.stored.get(row.id)?.documents;
    const { execution, pending } = await this.boundedExecution(row.id, storedDocument(row.id, 'execution', row.execution, known?.execution));
    const mission = toMission(row, execution, known);
    // Remembered only once the row read cleanly, so a later save of a repaired row sends every column.
    // An upgraded document is remembered as stored (not as upgraded), so the next save writes it.
    this.remember(row.id, row.version, row, pending);
    return mission;
  }

  async currentVersion(missionId: string): Promise<number | null> {
    // Plain SQL on the primary key: no query compiler, and on SQLite a statement prepared once.
    const { values, param } = statementValues(this.provider);
    const rows = await this.direct.query({ sql: `SELECT "version" FROM "Mission" WHERE "id" = ${param(missionId)}`, values });
    return rows.length > 0 ? Number(rows[0]![0]) : null;
  }

  /** The stored execution in the bounded form; a document from before reads its run rows once to be upgraded. */
  private async boundedExecution(missionId: string, stored: Execution | null): Promise<{ execution: Execution | null; pending: PendingPhaseRows[] }> {
    if (isBounded(stored)) return { execution: stored, pending: [] };
    const runRows = await this.prisma.missionTestRun.findMany({ where: { missionId }, select: { phaseId: true, position: true, run: true } });
    return upgradeExecution(missionId, stored, runRows);
  }

  /** The rows the stored document at `version` still needs, for a save this process holds no memory of (one small read). */
  private async pendingRowsAt(missionId: string, version: number): Promise<PendingPhaseRows[]> {
    const row = await this.prisma.mission.findUnique({ where: { id: missionId }, select: { version: true, execution: true } });
    // Another version: the save's version check fails anyway.
    if (row?.version !== version) return [];
    return (await this.boundedExecution(missionId, storedDocument(missionId, 'execution', row.execution))).pending;
  }

  async save(given: Mission, expectedVersion: number, events: readonly MissionEvent[], writes: MissionWrites = {}): Promise<void> {
    // Phases a caller built with their whole history are stored bounded, their rows written again.
    const own = upgradeExecution(given.id, given.execution);
    const mission = { ...given, execution: own.execution };
    const columns = missionColumns(mission);
    const changed = this.changedColumns(mission.id, columns, expectedVersion);
    const known = this.stored.get(mission.id);
    // Rows a document from before steps had rows still needs: known from the load, or looked up.
    const upgraded = known?.version === expectedVersion ? known.pending : await this.pendingRowsAt(mission.id, expectedVersion);
    const pending = [...upgraded.filter((p) => !own.pending.some((o) => o.phaseId === p.phaseId)), ...own.pending];
    // The runs and steps the command appended, exactly as it recorded them; nothing earlier is written again.
    const appended: AppendedRows = {
      runs: appendedRunRows(mission.id, writes.testRuns ?? []),
      steps: appendedStepRows(mission.id, writes.steps ?? []),
      artifacts: artifactRows(mission.id, writes.artifacts ?? []),
    };
    const onlyRowAndEvents =
      events.length > 0 && pending.length === 0 && writes.replaceChildren === false && !writes.artifactRecords?.length && !writes.libraryEntry;
    await (onlyRowAndEvents
      ? this.saveRowAndEvents(mission, expectedVersion, changed, events, appended)
      : this.saveAll(mission, expectedVersion, changed, events, writes, appended, pending)
    ).catch((error: unknown) => {
      // No row at the expected version, a duplicate (missionId, seq), or PostgreSQL chose this save as a
      // deadlock or serialization victim (rolled back whole): another writer went first.
      // On SQLite, another process's write lock held past busy_timeout likewise (nothing was written).
      if (
        error instanceof LostRace ||
        isUniqueViolation(error) ||
        isRecordNotFound(error) ||
        isTransactionConflict(error) ||
        (this.provider === 'sqlite' && isSqliteBusy(error))
      ) {
        throw new MissionError('concurrent_update', 'The mission changed while this request was being handled. Try again.', { state: mission.state });
      }
      throw error;
    });
    this.remember(mission.id, mission.version, columns, []);
  }

  /**
   * The path nearly every command takes (reports, evidence, decisions): the mission row, its new
   * events and new test runs, steps and artifacts, as plain SQL in one transaction, since Prisma's query compiler costs more
   * than the statements. The update matches only the expected version; every insert happens
   * only if that update did (the row then carries this save's version and head hash), so a
   * writer that lost the race writes nothing and learns it from the counts.
   */
  private async saveRowAndEvents(
    mission: Mission,
    expectedVersion: number,
    changed: Partial<MissionColumns>,
    events: readonly MissionEvent[],
    appended: AppendedRows,
  ): Promise<void> {
    // A duplicate key means another writer took this event's seq or this run's or step's position first.
    const lostOnDuplicate = (error: unknown): never => {
      throw isUniqueViolationError(error) ? new LostRace() : error;
    };
    if (this.provider === 'postgresql') {
      // One statement, one round trip: the inserts read from the update, so they happen only if it did.
      const [counts] = await this.direct
        .query(this.saveStatementForPostgres(mission.id, expectedVersion, changed, eventRows(events), appended, mission))
        .catch(lostOnDuplicate);
      if (!counts || counts.some((count) => Number(count) === 0)) throw new LostRace();
      return;
    }
    const guard = { missionId: mission.id, version: mission.version, headHash: mission.headHash };
    const counts = await this.direct
      .transaction([
        this.updateMissionRow(mission.id, expectedVersion, changed),
        ...eventRows(events).map((row) => this.guardedInsert('MissionEvent', EVENT_COLUMN_TYPES, row, guard)),
        ...appended.runs.map((row) => this.guardedInsert('MissionTestRun', TEST_RUN_COLUMN_TYPES, row, guard)),
        ...appended.steps.map((row) => this.guardedInsert('MissionStep', STEP_COLUMN_TYPES, row, guard)),
        ...appended.artifacts.map((row) => this.guardedInsert('MissionArtifact', ARTIFACT_COLUMN_TYPES, row, guard)),
        // Feed pending marker (feedMarkers.ts); its count (one per consumer) is not checked.
        markPending('sqlite', this.marked(mission), guard),
      ])
      .catch(lostOnDuplicate);
    if (counts.slice(0, -1).some((count) => count !== 1)) throw new LostRace();
  }

  /**
   * PostgreSQL: the update and the inserts as one statement with data-modifying CTEs; it returns
   * how many rows each part wrote (all zero when the version had moved). Each round trip to the
   * server costs more than the work, and a transaction would take five.
   */
  private saveStatementForPostgres(
    missionId: string,
    expectedVersion: number,
    changed: Partial<MissionColumns>,
    events: ReturnType<typeof eventRows>,
    appended: AppendedRows,
    saved: Pick<Mission, 'eventSeq' | 'updatedAt'>,
  ): SqlStatement {
    const { values, param } = statementValues('postgresql');
    const insert = <Row extends { [K in keyof Row]: SqlValue }>(table: string, types: Record<keyof Row & string, string>, rows: readonly Row[]) =>
      `INSERT INTO "${table}" ${columnList(types)} SELECT v.* FROM (VALUES ${rows.map((row) => `(${rowValues(param, types, row)})`).join(', ')}) AS v CROSS JOIN moved RETURNING 1`;
    const parts = [
      `moved AS (${updateMissionSql(param, missionId, expectedVersion, changed)} RETURNING "id")`,
      `events AS (${insert('MissionEvent', EVENT_COLUMN_TYPES, events)})`,
    ];
    if (appended.runs.length > 0) parts.push(`runs AS (${insert('MissionTestRun', TEST_RUN_COLUMN_TYPES, appended.runs)})`);
    if (appended.steps.length > 0) parts.push(`steps AS (${insert('MissionStep', STEP_COLUMN_TYPES, appended.steps)})`);
    if (appended.artifacts.length > 0) parts.push(`artifacts AS (${insert('MissionArtifact', ARTIFACT_COLUMN_TYPES, appended.artifacts)})`);
    // Feed pending marker (feedMarkers.ts), only if the update matched; not counted.
    parts.push(`feed AS (${markPendingSql('postgresql', param, this.marked({ id: missionId, ...saved }), 'EXISTS (SELECT 1 FROM moved)')})`);
    const counted = [
      'moved',
      'events',
      ...(appended.runs.length > 0 ? ['runs'] : []),
      ...(appended.steps.length > 0 ? ['steps'] : []),
      ...(appended.artifacts.length > 0 ? ['artifacts'] : []),
    ].map((name) => `CAST((SELECT count(*) FROM ${name}) AS INTEGER)`);
    return { sql: `WITH ${parts.join(', ')} SELECT ${counted.join(', ')}`, values };
  }

  /** Everything else (toolkits, tags, older artifacts' records, a library entry, an upgrade's rows): one batch transaction that fails as a whole when the version moved. */
  private async saveAll(
    mission: Mission,
    expectedVersion: number,
    changed: Partial<MissionColumns>,
    events: readonly MissionEvent[],
    writes: MissionWrites,
    appended: AppendedRows,
    pending: readonly PendingPhaseRows[],
  ): Promise<void> {
    const { prisma } = this;
    const operations: Prisma.PrismaPromise<unknown>[] = [
      prisma.mission.update({ where: { id: mission.id, version: expectedVersion }, data: changed, select: { id: true } }),
    ];
    if (writes.replaceChildren !== false) {
      operations.push(
        prisma.missionToolkit.deleteMany({ where: { missionId: mission.id } }),
        prisma.missionTag.deleteMany({ where: { missionId: mission.id } }),
        ...this.childWrites(prisma, mission),
      );
    }
    if (events.length > 0) operations.push(prisma.missionEvent.createMany({ data: eventRows(events) }));
    // An upgraded phase's rows replace whatever it had; then what the command appended.
    for (const phase of pending) {
      const where = { missionId: mission.id, phaseId: phase.phaseId };
      if (phase.testRuns) operations.push(prisma.missionTestRun.deleteMany({ where }));
      operations.push(prisma.missionStep.deleteMany({ where }));
    }
    const runs = [...pending.flatMap((p) => p.testRuns ?? []), ...appended.runs];
    const steps = [...pending.flatMap((p) => p.steps), ...appended.steps];
    if (runs.length > 0) operations.push(prisma.missionTestRun.createMany({ data: runs }));
    if (steps.length > 0) operations.push(prisma.missionStep.createMany({ data: steps }));
    // Rows from before the document's window get their records once, as it first bounds (evidence.ts).
    for (const a of writes.artifactRecords ?? []) {
      operations.push(
        prisma.missionArtifact.updateMany({ where: { id: a.id, missionId: mission.id }, data: { position: a.position, record: JSON.stringify(a.record) } }),
      );
    }
    if (appended.artifacts.length > 0) operations.push(prisma.missionArtifact.createMany({ data: [...appended.artifacts] }));
    if (writes.libraryEntry) operations.push(this.libraryEntryWrite(writes.libraryEntry));
    if (events.length > 0) {
      // Feed pending marker (feedMarkers.ts); the batch fails as a whole if the version moved.
      const marker = markPending(this.provider, this.marked(mission));
      operations.push(prisma.$executeRawUnsafe(marker.sql, ...marker.values));
    }
    await prisma.$transaction(operations);
  }

  private updateMissionRow(missionId: string, expectedVersion: number, changed: Partial<MissionColumns>): SqlStatement {
    const { values, param } = statementValues('sqlite');
    return { sql: updateMissionSql(param, missionId, expectedVersion, changed), values };
  }

  /** SQLite: inserts the row only if the mission row now carries this save's version and head hash. */
  private guardedInsert<Row extends { [K in keyof Row]: SqlValue }>(
    table: string,
    types: Record<keyof Row & string, string>,
    row: Row,
    guard: { missionId: string; version: number; headHash: string },
  ): SqlStatement {
    const { values, param } = statementValues('sqlite');
    const sql =
      `INSERT INTO "${table}" ${columnList(types)} SELECT ${rowValues(param, types, row)} ` +
      `WHERE EXISTS (SELECT 1 FROM "Mission" WHERE "id" = ${param(guard.missionId)} AND "version" = ${param(guard.version)} AND "headHash" = ${param(guard.headHash)})`;
    return { sql, values };
  }

  private childWrites(client: Tx, mission: Mission): Prisma.PrismaPromise<unknown>[] {
    const writes: Prisma.PrismaPromise<unknown>[] = [];
    if (mission.toolkits.length > 0) writes.push(client.missionToolkit.createMany({ data: mission.toolkits.map((t) => ({ missionId: mission.id, ...t })) }));
    if (mission.tags.length > 0) writes.push(client.missionTag.createMany({ data: [...new Set(mission.tags)].map((tag) => ({ missionId: mission.id, tag })) }));
    return writes;
  }

  private libraryEntryWrite(entry: LibraryEntry): Prisma.PrismaPromise<unknown> {
    const tags = [...new Set(entry.tags)];
    return this.prisma.libraryEntry.create({
      data: {
        id: entry.id,
        missionId: entry.missionId,
        playId: entry.playId,
        title: entry.title,
        note: entry.note,
        rating: entry.rating,
        reuseScore: entry.reuseScore,
        play: JSON.stringify(entry.play),
        pinnedBy: JSON.stringify(entry.pinnedBy),
        pinnedAt: new Date(entry.pinnedAt),
        tags: { createMany: { data: tags.map((tag) => ({ tag })) } },
      },
      select: { id: true },
    });
  }

  async artifactContents(missionId: string): Promise<Map<string, string>> {
    const rows = await this.prisma.missionArtifact.findMany({ where: { missionId }, select: { id: true, content: true } });
    return new Map(rows.map((r) => [r.id, r.content]));
  }

  async artifactPage(missionId: string, fromPosition: number, limit: number): Promise<ArtifactRecord[]> {
    // The (missionId, position) index serves this range: a page costs the same however many artifacts.
    const rows = await this.prisma.missionArtifact.findMany({
      where: { missionId, position: { gte: fromPosition } },
      orderBy: { position: 'asc' },
      take: limit,
      select: { position: true, record: true },
    });
    return rows.map((r) => storedEventJson(missionId, r.position!, 'artifact', r.record ?? '') as ArtifactRecord);
  }

  async searchLibrary(search: LibrarySearch): Promise<LibraryMatch[]> {
    return searchLibrary(this.prisma, this.direct, this.provider, search);
  }

  /** Maintained counters (MissionStateCount, kept by triggers on the mission row): a few rows however many missions exist. */
  async countByState(): Promise<Record<string, number>> {
    const rows = await this.prisma.missionStateCount.findMany({ where: { n: { not: 0 } } });
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  async monitoringCandidates(): Promise<string[]> {
    // The execution document is JSON text written by JSON.stringify: an open window is stored as
    // `"monitoring":{"environment":…,"closedAt":null,…}` (afterSuccess in releaseRules.ts builds it
    // in that order). A substring match is a superset the caller narrows by loading each mission.
    const { values, param } = statementValues(this.provider);
    const rows = await this.direct.query({
      sql: `SELECT "id" FROM "Mission" WHERE "state" IN (${param('executing')}, ${param('reflecting')}) AND "execution" LIKE ${param('%"monitoring":{"environment":%"closedAt":null%')}`,
      values,
    });
    return rows.map(([id]) => String(id));
  }

  async githubCandidates(repository: string): Promise<string[]> {
    // JSON text written by JSON.stringify: a followed pull request stores `"repository":"owner/name"`
    // in the execution document, evidence from it a `github.com/owner/name/pull/` URL. LIKE's `_`
    // matches any character, which keeps this a superset the caller narrows by loading each mission.
    const literal = repository.replace(/[\\%]/g, (c) => `\\${c}`);
    const { values, param } = statementValues(this.provider);
    const rows = await this.direct.query({
      sql:
        `SELECT "id" FROM "Mission" WHERE "state" IN (${param('executing')}, ${param('reflecting')}) ` +
        `AND ("execution" LIKE ${param(`%"repository":"${literal}"%`)} ESCAPE '\\' OR "evidence" LIKE ${param(`%/${literal}/pull/%`)} ESCAPE '\\')`,
      values,
    });
    return rows.map(([id]) => String(id));
  }

  async overdueApprovals(now: Date, limit: number): Promise<string[]> {
    const rows = await this.prisma.mission.findMany({
      where: { state: 'awaiting_approval', approvalExpiresAt: { lte: now } },
      orderBy: { approvalExpiresAt: 'asc' },
      take: limit,
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }

  async list(filter: MissionListFilter): Promise<MissionPage> {
    return listMissions(this.prisma, this.direct, this.provider, filter);
  }

  async overviewOf(personId: string, missionLimit: number): Promise<PersonOverview> {
    return overviewOf(this.prisma, this.direct, this.provider, personId, missionLimit);
  }

  async events(missionId: string): Promise<MissionEvent[]> {
    return this.eventsWhere(missionId, { where: { missionId }, orderBy: { seq: 'asc' } });
  }

  async eventPage(missionId: string, afterSeq: number, limit: number): Promise<MissionEvent[]> {
    // The (missionId, seq) unique index serves this range: a page costs the same however long the log.
    return this.eventsWhere(missionId, { where: { missionId, seq: { gt: afterSeq } }, orderBy: { seq: 'asc' }, take: limit });
  }

  async testRunPage(missionId: string, phaseId: string, fromPosition: number, limit: number): Promise<TestRun[]> {
    const rows = await this.prisma.missionTestRun.findMany({
      where: { missionId, phaseId, position: { gte: fromPosition } },
      orderBy: { position: 'asc' },
      take: limit,
      select: { position: true, run: true },
    });
    return rows.map((r) => storedEventJson(missionId, r.position, 'test run', r.run) as TestRun);
  }

  async stepPage(missionId: string, phaseId: string, fromPosition: number, limit: number): Promise<StepReport[]> {
    // The (missionId, phaseId, position) key serves this range: a page costs the same however many steps.
    const rows = await this.prisma.missionStep.findMany({
      where: { missionId, phaseId, position: { gte: fromPosition } },
      orderBy: { position: 'asc' },
      take: limit,
      select: { position: true, step: true },
    });
    return rows.map((r) => storedEventJson(missionId, r.position, 'step', r.step) as StepReport);
  }

  private async eventsWhere(missionId: string, query: Prisma.MissionEventFindManyArgs): Promise<MissionEvent[]> {
    const rows = await this.prisma.missionEvent.findMany(query);
    return rows.map((r) => ({
      id: r.id,
      missionId: r.missionId,
      seq: r.seq,
      type: r.type as EventType,
      stage: r.stage as MissionEvent['stage'],
      actor: storedEventJson(missionId, r.seq, 'actor', r.actor) as Actor,
      occurredAt: r.occurredAt,
      payload: storedEventJson(missionId, r.seq, 'payload', r.payload) as MissionEvent['payload'],
      prevHash: r.prevHash,
      hash: r.hash,
    }));
  }

  async countToolkitPrecedents(tags: readonly string[], excludeMissionId: string): Promise<Record<string, number>> {
    if (tags.length === 0) return {};
    const groups = await this.prisma.missionToolkit.groupBy({
      by: ['toolkitId'],
      where: { selected: true, missionId: { not: excludeMissionId }, mission: { tags: { some: { tag: { in: [...tags] } } } } },
      _count: { missionId: true },
    });
    return Object.fromEntries(groups.map((g) => [g.toolkitId, g._count.missionId]));
  }
}

/** An event's JSON column; the hash chain (verifyEventLog) is what checks its content. */
function storedEventJson(missionId: string, seq: number, column: 'actor' | 'payload' | 'test run' | 'step' | 'artifact', text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const where =
      column === 'test run' ? `testRuns.${seq}` : column === 'step' ? `steps.${seq}` : column === 'artifact' ? `artifacts.${seq}` : `events.${seq}.${column}`;
    throw corruptRow(missionId, where, 'not valid JSON');
  }
}

/** A save whose expected version was no longer current; it wrote nothing. */
class LostRace extends Error {}

type Param = (value: SqlValue, postgresType?: string) => string;

/** A statement's values as it is written: `param` appends one and returns its placeholder (`$n`, cast when typed, on PostgreSQL; `?` on SQLite). */
function statementValues(provider: 'sqlite' | 'postgresql'): { values: SqlValue[]; param: Param } {
  const values: SqlValue[] = [];
  const param: Param = (value, postgresType) => {
    values.push(value);
    if (provider === 'sqlite') return '?';
    return postgresType ? `CAST($${values.length} AS ${postgresType})` : `$${values.length}`;
  };
  return { values, param };
}

/** The version-checked update of the mission row, setting the changed columns. */
function updateMissionSql(param: Param, missionId: string, expectedVersion: number, changed: Partial<MissionColumns>): string {
  const entries = Object.entries(changed).filter(([, value]) => value !== undefined) as Array<[string, SqlValue]>;
  const assignments = entries.map(([column, value]) => `"${column}" = ${param(value)}`).join(', ');
  return `UPDATE "Mission" SET ${assignments} WHERE "id" = ${param(missionId)} AND "version" = ${param(expectedVersion)}`;
}

function columnList(types: Record<string, string>): string {
  return `(${Object.keys(types)
    .map((c) => `"${c}"`)
    .join(', ')})`;
}

/** One row's values in `types`' column order; PostgreSQL casts each, since it cannot infer a parameter's type in a SELECT list or VALUES. */
function rowValues<Row extends { [K in keyof Row]: SqlValue }>(param: Param, types: Record<keyof Row & string, string>, row: Row): string {
  return (Object.keys(types) as Array<keyof Row & string>).map((column) => param(row[column], types[column])).join(', ');
}

/** Columns of the rows inserted with plain SQL, in order, with the PostgreSQL types their parameters are cast to (PostgreSQL cannot infer a parameter's type in VALUES; SQLite needs no casts). */
const EVENT_COLUMN_TYPES: Record<keyof ReturnType<typeof eventRows>[number], string> = {
  id: 'TEXT',
  missionId: 'TEXT',
  seq: 'INTEGER',
  type: 'TEXT',
  stage: 'TEXT',
  actorKind: 'TEXT',
  actorId: 'TEXT',
  actor: 'TEXT',
  occurredAt: 'TIMESTAMP(3)',
  payload: 'TEXT',
  prevHash: 'TEXT',
  hash: 'TEXT',
};
const TEST_RUN_COLUMN_TYPES: Record<keyof TestRunRow, string> = { missionId: 'TEXT', phaseId: 'TEXT', position: 'INTEGER', run: 'TEXT' };
const STEP_COLUMN_TYPES: Record<keyof StepRow, string> = { missionId: 'TEXT', phaseId: 'TEXT', position: 'INTEGER', step: 'TEXT' };
const ARTIFACT_COLUMN_TYPES: Record<keyof ArtifactRow, string> = {
  id: 'TEXT',
  missionId: 'TEXT',
  name: 'TEXT',
  kind: 'TEXT',
  sha256: 'TEXT',
  sizeBytes: 'INTEGER',
  content: 'TEXT',
  attachedAt: 'TIMESTAMP(3)',
  position: 'INTEGER',
  record: 'TEXT',
};

function isRecordNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2025';
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
