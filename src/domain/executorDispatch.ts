// Handing an approved mission to an executor that runs it unattended (a GitHub Actions
// workflow whose agent uses this server over MCP). The mission records the dispatch as it
// goes: requested (before the call, so a crash is visible), then dispatched or failed (after
// it), each once. Connectors implement `ExecutorDispatcher`; the rules here are pure.
import { MissionError } from './errors.js';
import type { Mission } from './mission.js';
import type { MissionCommand } from './missionCommand.js';

export type ExecutorKind = 'github_actions';

/** Where a mission runs: a workflow in a repository, on a ref (null: the repository's default branch). */
export interface DispatchTarget {
  executor: ExecutorKind;
  repository: string;
  workflow: string;
  ref: string | null;
}

export interface ExecutorDispatch extends DispatchTarget {
  status: 'requested' | 'dispatched' | 'failed';
  requestedAt: string;
  decidedAt: string | null;
  /** Where the runs are (the workflow's runs page, or the run found for this mission). */
  runsUrl: string | null;
  /** Why it failed, in words a person can act on (no secrets). */
  error: string | null;
}

export type DispatchOutcome = { kind: 'dispatched'; runsUrl: string; foundExisting: boolean } | { kind: 'refused'; error: string };

/**
 * The executor port. `target` says where a mission would run, or why it cannot (no
 * repository); `findRun` looks for a run already started for the mission (a crash between
 * sending and recording); `dispatch` starts one. A refusal that retrying cannot fix is an
 * outcome; a transient failure (rate limit, outage) is thrown, so the caller retries later.
 */
export interface ExecutorDispatcher {
  readonly executor: ExecutorKind;
  target(mission: Mission): DispatchTarget | { problem: string };
  findRun(mission: Mission, dispatch: ExecutorDispatch): Promise<string | null>;
  dispatch(mission: Mission, target: DispatchTarget): Promise<DispatchOutcome>;
}

export type DispatchRecord =
  | ({ phase: 'requested' } & DispatchTarget)
  | ({ phase: 'dispatched'; runsUrl: string; foundExisting: boolean } & DispatchTarget)
  | ({ phase: 'failed'; error: string } & DispatchTarget);

/** The mission's dispatch, if any (older missions have none). */
export function dispatchOf(mission: Mission): ExecutorDispatch | null {
  return mission.execution?.dispatch ?? null;
}

/** Records a step of the dispatch. Each step is recorded once: a repeated or late step changes nothing. */
export function recordDispatch(mission: Mission, record: DispatchRecord, cmd: MissionCommand): Mission {
  const execution = mission.execution;
  if (!execution) {
    throw new MissionError('transition_refused', `Mission ${mission.id} has not been approved for execution, so there is nothing to dispatch.`, {
      state: mission.state,
    });
  }
  const current = execution.dispatch ?? null;
  const target: DispatchTarget = { executor: record.executor, repository: record.repository, workflow: record.workflow, ref: record.ref };
  const about = { executor: record.executor, repository: record.repository, workflow: record.workflow, ref: record.ref };
  if (record.phase === 'requested') {
    if (current || mission.state !== 'executing') return mission;
    cmd.events.add('executor_dispatch_requested', about);
    return {
      ...mission,
      execution: { ...execution, dispatch: { ...target, status: 'requested', requestedAt: cmd.at, decidedAt: null, runsUrl: null, error: null } },
    };
  }
  if (current && current.status !== 'requested') return mission;
  const base = current ?? { ...target, status: 'requested' as const, requestedAt: cmd.at, decidedAt: null, runsUrl: null, error: null };
  if (record.phase === 'dispatched') {
    cmd.events.add('executor_dispatched', { ...about, runs_url: record.runsUrl, found_existing: record.foundExisting });
    return { ...mission, execution: { ...execution, dispatch: { ...base, status: 'dispatched', decidedAt: cmd.at, runsUrl: record.runsUrl, error: null } } };
  }
  cmd.events.add('executor_dispatch_failed', { ...about, error: record.error });
  return { ...mission, execution: { ...execution, dispatch: { ...base, status: 'failed', decidedAt: cmd.at, error: record.error } } };
}
