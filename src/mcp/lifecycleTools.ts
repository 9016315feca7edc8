// Tools for the next steps that end or narrow what a mission may do: cancel_mission and
// dismiss_play. The domain lets anyone acting on a mission take them (a person in Slack or the
// requester's assistant), and next offers them, so assistants get a front door for each.
import { z } from 'zod';
import { cancelMissionInput, dismissPlayInput } from '../domain/missionInputs.js';
import { missionRef, missionRefView, playOut, playView } from './missionView.js';
import { defineTool, type McpContext, type ToolSpec } from './toolRegistry.js';

export const cancelMissionToolInput = z.strictObject({
  missionId: cancelMissionInput.shape.missionId.describe('The mission to cancel, e.g. "m_01HX...".'),
  reason: cancelMissionInput.shape.reason.describe('Why the mission is cancelled, in a sentence; recorded in the event log and shown in Slack.'),
});

export const dismissPlayToolInput = z.strictObject({
  missionId: dismissPlayInput.shape.missionId.describe('The mission, e.g. "m_01HX...".'),
  playId: dismissPlayInput.shape.playId.describe("The play to dismiss, as listed in the mission's plays (get_mission)."),
  reason: dismissPlayInput.shape.reason.describe('Why the play does not fit, in a sentence; shown beside the play.'),
});

export function lifecycleTools(context: McpContext): ToolSpec[] {
  const { service } = context;

  const cancelMission = defineTool({
    name: 'cancel_mission',
    title: 'Cancel the mission',
    description:
      'Cancels a mission that has not ended (any stage), with a reason; a pending approval request is withdrawn. This cannot be undone: start a new mission to try again. Only cancel when the user asked you to or the mission can no longer go on.',
    input: cancelMissionToolInput,
    output: z.object({ mission: missionRefView, reason: z.string() }),
    readOnly: false,
    destructive: true,
    idempotent: false,
    async run(input, { actor }) {
      const mission = await service.define.cancelMission(input, actor);
      return { summary: `Mission ${mission.id} is cancelled: ${input.reason}`, result: { mission: missionRef(mission), reason: input.reason }, mission };
    },
  });

  const dismissPlay = defineTool({
    name: 'dismiss_play',
    title: 'Dismiss a play',
    description:
      'Plan: sets aside a proposed play that does not fit, with a reason (while the mission is planning). The remaining plays are ranked again; a dismissed play can no longer be selected, but can be proposed again.',
    input: dismissPlayToolInput,
    output: z.object({ mission: missionRefView, play: playView, plays: z.array(playView) }),
    readOnly: false,
    idempotent: true,
    async run(input, { actor }) {
      const mission = await service.plan.dismissPlay(input, actor);
      const play = mission.plays.find((p) => p.id === input.playId)!;
      return {
        summary: `Dismissed play ${play.id} "${play.title}": ${input.reason}. ${mission.plays.filter((p) => p.status !== 'dismissed').length} play(s) remain.`,
        result: { mission: missionRef(mission), play: playOut(play), plays: mission.plays.map(playOut) },
        mission,
      };
    },
  });

  return [cancelMission, dismissPlay] as ToolSpec[];
}
