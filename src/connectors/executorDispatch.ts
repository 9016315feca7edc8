// The `executor` feed consumer: once a mission is approved and executing, it hands the mission
// to the configured executor (a GitHub Actions workflow_dispatch) exactly once. The dispatch is
// recorded as requested before the call and as dispatched or failed after it; if the process
// dies in between, the next attempt first looks for a run already started for the mission
// (found by its title), so at worst a second run starts when GitHub has not listed the first yet.
// A transient failure (rate limit, outage) is thrown so the feed worker retries later; a refusal
// (404, 422, 401, 403) is recorded on the mission in words and shown in its thread.
import type { Logger } from 'pino';
import type { Actor } from '../domain/actors.js';
import { dispatchOf, type DispatchTarget, type ExecutorDispatcher } from '../domain/executorDispatch.js';
import type { FeedClaim } from '../domain/missionFeed.js';
import type { MissionService } from '../domain/missionService.js';

export const EXECUTOR_CONSUMER = 'executor';
export const EXECUTOR_ACTOR: Actor = { kind: 'system', id: 'executor-dispatch' };

export interface ExecutorDispatchOptions {
  service: MissionService;
  /** null: no executor configured; the consumer only moves its cursor. */
  dispatcher: ExecutorDispatcher | null;
  logger: Logger;
}

export class ExecutorDispatchConsumer {
  readonly name = EXECUTOR_CONSUMER;
  constructor(private readonly options: ExecutorDispatchOptions) {}

  async handle(claim: Pick<FeedClaim, 'missionId'> & Partial<Pick<FeedClaim, 'eventSeq'>>): Promise<void> {
    const { service, dispatcher, logger } = this.options;
    if (!dispatcher) return;
    // The state with at least the claimed events; recording the dispatch is version-checked, so a newer save elsewhere still wins.
    let mission =
      claim.eventSeq === undefined
        ? await service.getMission({ missionId: claim.missionId })
        : await service.getMissionSince({ missionId: claim.missionId }, claim.eventSeq);
    if (mission.state !== 'executing' || !mission.execution) return;
    let dispatch = dispatchOf(mission);
    if (dispatch && dispatch.status !== 'requested') return;
    const target = dispatcher.target(mission);
    if ('problem' in target) {
      // Nothing to call: recorded as failed against what is known, so the thread says why.
      const known: DispatchTarget = { executor: dispatcher.executor, repository: '(none)', workflow: '(not dispatched)', ref: null };
      await service.recordExecutorDispatch({ missionId: mission.id, phase: 'failed', ...known, error: target.problem }, EXECUTOR_ACTOR);
      return;
    }
    if (dispatch) {
      // Requested earlier and not recorded since: the call may have gone out before a crash or a transient failure.
      const existing = await dispatcher.findRun(mission, dispatch);
      if (existing) {
        await service.recordExecutorDispatch({ missionId: mission.id, phase: 'dispatched', ...target, runsUrl: existing, foundExisting: true }, EXECUTOR_ACTOR);
        logger.info({ missionId: mission.id, runsUrl: existing }, 'found the run already dispatched for the mission');
        return;
      }
    } else {
      mission = await service.recordExecutorDispatch({ missionId: mission.id, phase: 'requested', ...target }, EXECUTOR_ACTOR);
      dispatch = dispatchOf(mission);
      // Recorded by another worker first, or the mission moved on meanwhile.
      if (dispatch?.status !== 'requested' || mission.state !== 'executing') return;
    }
    const outcome = await dispatcher.dispatch(mission, target);
    if (outcome.kind === 'dispatched') {
      await service.recordExecutorDispatch(
        { missionId: mission.id, phase: 'dispatched', ...target, runsUrl: outcome.runsUrl, foundExisting: outcome.foundExisting },
        EXECUTOR_ACTOR,
      );
      logger.info({ missionId: mission.id, repository: target.repository, workflow: target.workflow }, 'mission dispatched to GitHub Actions');
    } else {
      await service.recordExecutorDispatch({ missionId: mission.id, phase: 'failed', ...target, error: outcome.error }, EXECUTOR_ACTOR);
      logger.warn({ missionId: mission.id, repository: target.repository, workflow: target.workflow, error: outcome.error }, 'mission could not be dispatched');
    }
  }
}

/**
 * The feed parked the mission's dispatch after repeated transient failures (GitHub down or rate
 * limited for hours): the mission records it as failed, so its thread stops saying "dispatching"
 * and tells people to run it from Claude Code instead.
 */
export async function recordParkedDispatch(service: MissionService, missionId: string, error: string): Promise<void> {
  const mission = await service.getMission({ missionId });
  const dispatch = dispatchOf(mission);
  if (dispatch?.status !== 'requested') return;
  const { executor, repository, workflow, ref } = dispatch;
  await service.recordExecutorDispatch(
    {
      missionId,
      phase: 'failed',
      executor,
      repository,
      workflow,
      ref,
      error: `GitHub Actions could not be reached after repeated attempts (${error}).`.slice(0, 1000),
    },
    EXECUTOR_ACTOR,
  );
}
