// Test runs are stored one row each (MissionTestRun), not inside the execution document: they
// are what grows for as long as a mission runs, and a report should write its own run, not
// rewrite every earlier one. The domain still sees `phase.testRuns`; this module splits the
// execution document for storage and joins it back on load. Which runs are new is never worked
// out here: the command records the runs it appended (`MissionWrites.testRuns`).
import type { Execution, TestRun } from '../domain/execution.js';
import type { AppendedTestRun } from '../domain/missionRepository.js';

export interface TestRunRow {
  missionId: string;
  phaseId: string;
  position: number;
  run: string;
}

/** The execution document as stored: every phase with its test runs left out. */
export function executionWithoutRuns(execution: Execution | null): Execution | null {
  if (!execution) return null;
  return { ...execution, phases: execution.phases.map((phase) => (phase.testRuns.length === 0 ? phase : { ...phase, testRuns: [] })) };
}

export function allRunRows(missionId: string, execution: Execution | null): TestRunRow[] {
  return (execution?.phases ?? []).flatMap((phase) =>
    phase.testRuns.map((run, position) => ({ missionId, phaseId: phase.phaseId, position, run: JSON.stringify(run) })),
  );
}

/** The rows of the runs a command appended, as it recorded them. */
export function appendedRunRows(missionId: string, appended: readonly AppendedTestRun[]): TestRunRow[] {
  return appended.map(({ phaseId, position, run }) => ({ missionId, phaseId, position, run: JSON.stringify(run) }));
}

/**
 * Joins the stored document and its rows back into the execution the domain knows. A document
 * written before runs had rows still carries them inline; they come first, and `runsInRows` is
 * then false, so the next save moves them all into rows (likewise for rows of a phase the
 * document no longer has).
 */
export function joinRuns(
  stored: Execution | null,
  rows: ReadonlyArray<{ phaseId: string; position: number; run: string }>,
): { execution: Execution | null; runsInRows: boolean } {
  if (!stored) return { execution: null, runsInRows: rows.length === 0 };
  const byPhase = new Map<string, TestRun[]>();
  for (const row of [...rows].sort((a, b) => a.position - b.position)) {
    const list = byPhase.get(row.phaseId) ?? [];
    list.push(JSON.parse(row.run) as TestRun);
    byPhase.set(row.phaseId, list);
  }
  let inline = false;
  const phases = stored.phases.map((phase) => {
    const fromRows = byPhase.get(phase.phaseId) ?? [];
    if (phase.testRuns.length > 0) inline = true;
    return { ...phase, testRuns: [...phase.testRuns, ...fromRows] };
  });
  const orphaned = [...byPhase.keys()].some((phaseId) => !stored.phases.some((p) => p.phaseId === phaseId));
  return { execution: { ...stored, phases }, runsInRows: !inline && !orphaned };
}
