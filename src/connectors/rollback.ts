// Rollback with connectors: when a person asks for rollback, the undo plan's steps that a
// connector recognises (GitHub: "close PR and delete branch") are carried out first, then the
// mission is rolled back with what ran; the rest stay marked for a person. An assistant's
// request rolls back the record only: touching real systems on undo is a person's call.
import type { Actor } from '../domain/actors.js';
import { approvedPlay } from '../domain/executeObserve.js';
import type { Mission } from '../domain/mission.js';
import type { MissionService } from '../domain/missionService.js';
import type { RollbackStepRunner } from '../domain/trackers.js';

export async function rollbackWithConnectors(
  service: MissionService,
  runners: readonly RollbackStepRunner[],
  input: { missionId: string; reason: string },
  actor: Actor,
): Promise<Mission> {
  const mission = await service.getMission({ missionId: input.missionId });
  const stepsRun: Array<{ step: string; outcome: 'done' | 'failed'; detail: string }> = [];
  // Only while the undo plan is still available; otherwise requestRollback refuses with the reason.
  if (actor.kind === 'slack_user' && mission.state === 'executing') {
    for (const step of approvedPlay(mission).undoPlan.steps) {
      const runner = runners.find((r) => r.handles(step));
      if (runner) stepsRun.push({ step, ...(await runner.run(step, mission)) });
    }
  }
  return service.requestRollback({ missionId: input.missionId, reason: input.reason, ...(stepsRun.length > 0 ? { stepsRun } : {}) }, actor);
}
