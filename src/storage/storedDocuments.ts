// The mission row's columns as read from the database, checked before the domain sees them: a
// row a person or an old bug left broken (bad JSON, a document of the wrong shape, an unknown
// state) becomes a MissionError naming the mission and the column, not a TypeError deep inside a
// stage rule. The checks are shallow on purpose (each document's outline: its kind and the
// fields every rule reads first); the domain wrote these documents, and loading sits on the
// path of every command.
import { z } from 'zod';
import { actorSchema, type Actor } from '../domain/actors.js';
import type { ApprovalRequest } from '../domain/approvalPolicy.js';
import type { Brief } from '../domain/brief.js';
import { MissionError } from '../domain/errors.js';
import type { Execution } from '../domain/execution.js';
import { UNRECORDED_COVERAGE_SOURCE, type Coverage, type Mission, type MissionToolkit } from '../domain/mission.js';
import { MISSION_STATES, type MissionState } from '../domain/missionStateMachine.js';
import type { Play } from '../domain/plays.js';
import type { Reflection } from '../domain/reflection.js';
import type { MissionModels } from '../domain/modelUsage.js';

const withId = z.looseObject({ id: z.string() });

/** Each JSON column's outline; a column holding null where a document belongs is a broken row. */
const DOCUMENT_SCHEMAS = {
  requester: actorSchema,
  brief: z.looseObject({ chips: z.array(z.looseObject({ kind: z.string() })), editsMade: z.number(), lockedAt: z.string().nullable() }),
  coverage: z.looseObject({
    // Entries saved before recordedBy existed read as the assistant's (see UNRECORDED_COVERAGE_SOURCE).
    entries: z.array(z.looseObject({ toolkitId: z.string(), recordedBy: z.enum(['connector', 'assistant', 'person']).default(UNRECORDED_COVERAGE_SOURCE) })),
    override: z.looseObject({}).nullable(),
  }),
  plays: z.array(withId),
  approvals: z.array(z.looseObject({ id: z.string(), playId: z.string(), status: z.string() })),
  execution: z
    .looseObject({
      playId: z.string(),
      phases: z.array(
        z.looseObject({
          phaseId: z.string(),
          steps: z.array(z.unknown()),
          testRuns: z.array(z.unknown()),
          // The summaries readers count with (absent on documents from before steps had rows).
          history: z
            .looseObject({
              stepCount: z.number(),
              testRunCount: z.number(),
              countTotals: z.record(z.string(), z.number()),
              plannedStepReports: z.array(z.unknown()),
            })
            .optional(),
        }),
      ),
      alerts: z.array(withId),
      // Counts over every alert (absent on documents from before the alerts window: their list is complete).
      alertTotals: z
        .looseObject({ raised: z.number().int().nonnegative(), byStatus: z.record(z.string(), z.number()), byType: z.record(z.string(), z.number()) })
        .optional(),
      deviations: z.array(withId),
      // Absent on documents from before the deviations window (their list is complete).
      deviationTotal: z.number().int().nonnegative().optional(),
    })
    .nullable(),
  // Absent `count` on documents from before the evidence window (their list is complete).
  evidence: z.looseObject({ artifacts: z.array(withId), count: z.number().int().nonnegative().optional() }),
  reflection: z.looseObject({ followUps: z.array(z.unknown()) }),
  models: z
    .looseObject({ budgetUsd: z.number().nullable(), total: z.looseObject({ costUsd: z.number() }), byPhase: z.record(z.string(), z.unknown()) })
    .nullable(),
} as const;

type DocumentColumn = keyof typeof DOCUMENT_SCHEMAS;

/** What each column holds once checked (the outline above stands for the domain's type). */
interface StoredDocuments {
  requester: Actor;
  brief: Brief;
  coverage: Coverage;
  plays: Play[];
  approvals: ApprovalRequest[];
  execution: Execution | null;
  evidence: Mission['evidence'];
  reflection: Reflection;
  models: MissionModels | null;
}

/** Absent columns (rows written before the column existed) read as these. */
const ABSENT: Partial<{ [C in DocumentColumn]: StoredDocuments[C] }> = {
  plays: [],
  approvals: [],
  execution: null,
  evidence: { artifacts: [], bundle: null },
  reflection: { feedback: null, followUps: [], library: null, retrospective: null },
  models: null,
};

export function corruptRow(missionId: string, column: string, problem: string): MissionError {
  return new MissionError(
    'stored_data_invalid',
    `Mission ${missionId} cannot be read: its stored "${column}" is ${problem}. Nothing was changed; an operator has to repair or restore this mission's row.`,
    { missionId, field: column },
  );
}

/**
 * One JSON column of a mission row, parsed and checked; a missing optional column reads as its default.
 * `known`: text this process already checked or wrote for the column (the repository remembers
 * it); the same text again needs no second outline check, only parsing. Coverage is always checked
 * (its outline fills a default).
 */
export function storedDocument<C extends DocumentColumn>(missionId: string, column: C, text: string | null, known?: string | null): StoredDocuments[C] {
  if (text === null || (column === 'models' && text === 'null')) {
    if (column in ABSENT) return structuredClone(ABSENT[column]) as StoredDocuments[C];
    throw corruptRow(missionId, column, 'empty');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corruptRow(missionId, column, 'not valid JSON');
  }
  if (known !== undefined && known !== null && text === known && column !== 'coverage') return value as StoredDocuments[C];
  const checked = DOCUMENT_SCHEMAS[column].safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw corruptRow(missionId, column, `not a valid ${column} document (${issue?.message ?? 'wrong shape'}${where})`);
  }
  // The outline matched; the domain's own type describes the rest, which only the domain writes.
  // Coverage is the one document whose outline fills a default (recordedBy on older entries).
  return (column === 'coverage' ? checked.data : value) as StoredDocuments[C];
}

const STATES: ReadonlySet<string> = new Set(MISSION_STATES);
const AUTH_STATUSES: ReadonlySet<string> = new Set<MissionToolkit['authStatus']>(['ready', 'needs_auth', 'deferred', 'degraded', 'unknown']);

export function storedState(missionId: string, state: string): MissionState {
  if (!STATES.has(state)) throw corruptRow(missionId, 'state', `"${state}", not a mission state`);
  return state as MissionState;
}

export function storedAuthStatus(missionId: string, toolkitId: string, status: string): MissionToolkit['authStatus'] {
  if (!AUTH_STATUSES.has(status)) throw corruptRow(missionId, `toolkits.${toolkitId}.authStatus`, `"${status}", not an auth status`);
  return status as MissionToolkit['authStatus'];
}
