// Test runs and steps are stored one row each (MissionTestRun, MissionStep), not inside the
// execution document: they are what grows for as long as a mission runs, and a report should
// write its own row, not rewrite every earlier one. The document keeps each phase's latest
// entries and the summaries the domain maintains (`PhaseProgress.history`), so loading a mission
// reads no rows at all. Which entries are new is never worked out here: the command records what
// it appended (`MissionWrites.testRuns`, `.steps`).
//
// Documents written before this carry history inline (steps always; test runs before they had
// rows) and no summary. `upgradeExecution` turns such a document and its run rows into the
// bounded form and the rows to write; the next save writes them.
import { RECENT_HISTORY, summarize, type Execution, type PhaseProgress, type StepReport, type TestRun } from '../domain/execution.js';
import type { AppendedStep, AppendedTestRun } from '../domain/missionRepository.js';
import { corruptRow } from './storedDocuments.js';

export interface TestRunRow {
  missionId: string;
  phaseId: string;
  position: number;
  run: string;
}

export interface StepRow {
  missionId: string;
  phaseId: string;
  position: number;
  step: string;
}

/**
 * Rows an upgraded phase still needs, written in place of the phase's rows: every step (they were
 * inline), and every run when some were inline (null: its run rows are complete as stored).
 */
export interface PendingPhaseRows {
  phaseId: string;
  testRuns: TestRunRow[] | null;
  steps: StepRow[];
}

/** The document is in the bounded form: every phase carries its summary. */
export function isBounded(execution: Execution | null): boolean {
  return !execution || execution.phases.every((phase) => phase.history !== undefined);
}

/** The rows of the runs a command appended, as it recorded them. */
export function appendedRunRows(missionId: string, appended: readonly AppendedTestRun[]): TestRunRow[] {
  return appended.map(({ phaseId, position, run }) => ({ missionId, phaseId, position, run: JSON.stringify(run) }));
}

/** The rows of the steps a command appended, as it recorded them. */
export function appendedStepRows(missionId: string, appended: readonly AppendedStep[]): StepRow[] {
  return appended.map(({ phaseId, position, step }) => ({ missionId, phaseId, position, step: JSON.stringify(step) }));
}

function storedRun(missionId: string, row: { position: number; run: string }): TestRun {
  try {
    return JSON.parse(row.run) as TestRun;
  } catch {
    throw corruptRow(missionId, `testRuns.${row.position}`, 'not valid JSON');
  }
}

/** A phase whose lists are its whole history, in the bounded form. */
function boundedPhase(phase: PhaseProgress, steps: StepReport[], runs: TestRun[]): PhaseProgress {
  return { ...phase, steps: steps.slice(-RECENT_HISTORY), testRuns: runs.slice(-RECENT_HISTORY), history: summarize(steps, runs) };
}

/**
 * The execution in the bounded form and the rows it still needs. Phases with a summary are kept
 * as they are; a phase without one holds its whole history in its lists (a document from before
 * summaries, or a mission built in full by its caller), followed by test runs that already have
 * rows (`runRows`, read only for such documents).
 */
export function upgradeExecution(
  missionId: string,
  execution: Execution | null,
  runRows: ReadonlyArray<{ phaseId: string; position: number; run: string }> = [],
): { execution: Execution | null; pending: PendingPhaseRows[] } {
  if (!execution || isBounded(execution)) return { execution, pending: [] };
  const rowRuns = new Map<string, TestRun[]>();
  for (const row of [...runRows].sort((a, b) => a.position - b.position)) {
    const list = rowRuns.get(row.phaseId) ?? [];
    list.push(storedRun(missionId, row));
    rowRuns.set(row.phaseId, list);
  }
  const pending: PendingPhaseRows[] = [];
  const phases = execution.phases.map((phase) => {
    if (phase.history) return phase;
    const runs = [...phase.testRuns, ...(rowRuns.get(phase.phaseId) ?? [])];
    pending.push({
      phaseId: phase.phaseId,
      // Runs held inline come before any with rows, so the phase's run rows are written again in order.
      testRuns: phase.testRuns.length > 0 ? runs.map((run, position) => ({ missionId, phaseId: phase.phaseId, position, run: JSON.stringify(run) })) : null,
      steps: phase.steps.map((step, position) => ({ missionId, phaseId: phase.phaseId, position, step: JSON.stringify(step) })),
    });
    return boundedPhase(phase, phase.steps, runs);
  });
  return { execution: { ...execution, phases }, pending };
}
