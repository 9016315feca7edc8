// A mission's row and child rows read with plain statements (driverAdapter.ts), the same values
// Prisma's findUnique with its includes returned, without its query compiler: every command on a
// mission another instance changed, and every first read of a mission, loads it.
import type { DirectSql } from './driverAdapter.js';
import { placeholders, type Provider } from './feedMarkers.js';

export interface LoadedToolkitRow {
  toolkitId: string;
  recommended: boolean;
  selected: boolean;
  authStatus: string;
  rationale: string;
  confidence: number;
  precedentCount: number;
}

/** What loading a mission reads: the row's columns the domain needs, its toolkits and tags (never its test runs or steps: the execution document holds the recent ones, historyRows.ts). */
export interface LoadedMissionRow {
  id: string;
  title: string;
  intent: string;
  state: string;
  requester: string;
  channelId: string | null;
  threadTs: string | null;
  version: number;
  eventSeq: number;
  headHash: string;
  brief: string;
  coverage: string;
  plays: string | null;
  approvals: string | null;
  execution: string | null;
  evidence: string | null;
  reflection: string | null;
  models: string | null;
  createdAt: Date;
  updatedAt: Date;
  toolkits: LoadedToolkitRow[];
  tags: Array<{ tag: string }>;
}

const TEXT_COLUMNS = ['id', 'title', 'intent', 'state', 'requester', 'channelId', 'threadTs', 'headHash', 'brief', 'coverage'] as const;
const DOCUMENT_COLUMNS = ['plays', 'approvals', 'execution', 'evidence', 'reflection', 'models'] as const;

/** A DateTime column: milliseconds on PostgreSQL (selected so), ISO 8601 text with its offset on SQLite. */
function storedDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  const text = String(value);
  return /^-?\d+$/.test(text) ? new Date(Number(text)) : new Date(text);
}

const text = (value: unknown): string => String(value);
const nullableText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export async function readMissionRow(direct: DirectSql, provider: Provider, missionId: string): Promise<LoadedMissionRow | null> {
  // PostgreSQL's timestamp has no zone: its milliseconds since the epoch are read instead.
  const date = (column: string) => (provider === 'postgresql' ? `CAST(EXTRACT(EPOCH FROM "${column}") * 1000 AS BIGINT)` : `"${column}"`);
  const byMission = (sql: (param: string) => string) => {
    const { values, param } = placeholders(provider);
    return direct.query({ sql: sql(param(missionId, 'TEXT')), values });
  };
  const columns = [...TEXT_COLUMNS, 'version', 'eventSeq', ...DOCUMENT_COLUMNS].map((c) => `"${c}"`);
  const toolkitColumns = `"toolkitId", "recommended", "selected", "authStatus", "rationale", "confidence", "precedentCount"`;
  let row: unknown[] | undefined;
  let toolkits: unknown[][];
  let tags: unknown[][];
  if (provider === 'postgresql') {
    // One round trip: the child rows come along as JSON arrays (each round trip to the server costs more than the rows).
    const [read] = await byMission(
      (id) =>
        `SELECT ${columns.map((c) => `m.${c}`).join(', ')}, ${date('createdAt')}, ${date('updatedAt')},
           CAST((SELECT json_agg(json_build_array(${toolkitColumns})) FROM "MissionToolkit" WHERE "missionId" = m."id") AS TEXT),
           CAST((SELECT json_agg(json_build_array("tag")) FROM "MissionTag" WHERE "missionId" = m."id") AS TEXT)
         FROM "Mission" m WHERE m."id" = ${id}`,
    );
    if (!read) return null;
    const jsonRows = (value: unknown): unknown[][] => (value === null || value === undefined ? [] : (JSON.parse(String(value)) as unknown[][]));
    toolkits = jsonRows(read[read.length - 2]);
    tags = jsonRows(read[read.length - 1]);
    row = read.slice(0, -2);
  } else {
    [row] = await byMission((id) => `SELECT ${columns.join(', ')}, ${date('createdAt')}, ${date('updatedAt')} FROM "Mission" WHERE "id" = ${id}`);
    if (!row) return null;
    toolkits = await byMission((id) => `SELECT ${toolkitColumns} FROM "MissionToolkit" WHERE "missionId" = ${id}`);
    tags = await byMission((id) => `SELECT "tag" FROM "MissionTag" WHERE "missionId" = ${id}`);
  }
  const [id, title, intent, state, requester, channelId, threadTs, headHash, brief, coverage, version, eventSeq, ...rest] = row;
  const [plays, approvals, execution, evidence, reflection, models, createdAt, updatedAt] = rest;
  return {
    id: text(id),
    title: text(title),
    intent: text(intent),
    state: text(state),
    requester: text(requester),
    channelId: nullableText(channelId),
    threadTs: nullableText(threadTs),
    version: Number(version),
    eventSeq: Number(eventSeq),
    headHash: text(headHash),
    brief: text(brief),
    coverage: text(coverage),
    plays: nullableText(plays),
    approvals: nullableText(approvals),
    execution: nullableText(execution),
    evidence: nullableText(evidence),
    reflection: nullableText(reflection),
    models: nullableText(models),
    createdAt: storedDate(createdAt),
    updatedAt: storedDate(updatedAt),
    // SQLite keeps booleans as 0 and 1.
    toolkits: toolkits.map(([toolkitId, recommended, selected, authStatus, rationale, confidence, precedentCount]) => ({
      toolkitId: text(toolkitId),
      recommended: Boolean(Number(recommended)),
      selected: Boolean(Number(selected)),
      authStatus: text(authStatus),
      rationale: text(rationale),
      confidence: Number(confidence),
      precedentCount: Number(precedentCount),
    })),
    tags: tags.map(([tag]) => ({ tag: text(tag) })),
  };
}
