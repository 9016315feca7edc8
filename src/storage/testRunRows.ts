// Test runs are stored one row each (MissionTestRun), not inside the execution document: they
// are what grows for as long as a mission runs, and a report should write its own run, not
// rewrite every earlier one. The domain still sees `phase.testRuns`; this module splits the
// execution document for storage, joins it back on load, and works out which runs are new.
import type { Execution, TestRun } from '../domain/execution.js';

export interface TestRunRow {
  missionId: string;
  phaseId: string;
  position: number;
  run: string;
}

/**
 * The test runs that have rows, per phase, as the arrays the saved (or loaded) mission held;
 * null when unknown (then the next save rewrites them all). Arrays, not counts: the stage rules
 * only ever append, keeping earlier runs as the same objects, so "these rows are a prefix of
 * the new runs" is a pointer comparison.
 */
export type StoredRuns = Readonly<Record<string, readonly TestRun[]>> | null;

/** The execution document as stored: every phase with its test runs left out. */
export function executionWithoutRuns(execution: Execution | null): Execution | null {
  if (!execution) return null;
  return { ...execution, phases: execution.phases.map((phase) => (phase.testRuns.length === 0 ? phase : { ...phase, testRuns: [] })) };
}

export function runsOf(execution: Execution | null): Record<string, readonly TestRun[]> {
  return Object.fromEntries((execution?.phases ?? []).map((phase) => [phase.phaseId, phase.testRuns]));
}

export function allRunRows(missionId: string, execution: Execution | null): TestRunRow[] {
  return (execution?.phases ?? []).flatMap((phase) => phase.testRuns.map((run, position) => ({ missionId, phaseId: phase.phaseId, position, run: JSON.stringify(run) })));
}

/**
 * The rows to add since `stored`: the runs appended to each phase. Null when the stored rows
 * are not a prefix of the new runs (unknown, a phase gone, a run replaced): then every row is rewritten.
 */
export function appendedRunRows(missionId: string, execution: Execution | null, stored: StoredRuns): TestRunRow[] | null {
  if (!stored) return null;
  const phases = new Map((execution?.phases ?? []).map((phase) => [phase.phaseId, phase.testRuns]));
  for (const [phaseId, before] of Object.entries(stored)) {
    const now = phases.get(phaseId) ?? [];
    if (now.length < before.length || before.some((run, i) => now[i] !== run)) return null;
  }
  return [...phases].flatMap(([phaseId, runs]) => {
    const from = stored[phaseId]?.length ?? 0;
    return runs.slice(from).map((run, i) => ({ missionId, phaseId, position: from + i, run: JSON.stringify(run) }));
  });
}

/**
 * Joins the stored document and its rows back into the execution the domain knows. A document
 * written before runs had rows still carries them inline; they come first, and the runs are
 * then unknown, so the next save moves them all into rows.
 */
export function joinRuns(stored: Execution | null, rows: ReadonlyArray<{ phaseId: string; position: number; run: string }>): { execution: Execution | null; runs: StoredRuns } {
  if (!stored) return { execution: null, runs: rows.length === 0 ? {} : null };
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
  const execution = { ...stored, phases };
  return { execution, runs: inline || orphaned ? null : runsOf(execution) };
}
