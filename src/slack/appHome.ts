// The App Home tab: approvals waiting for the viewer (with Approve and Reject, the same
// actions as in the thread) and the viewer's own missions.
import type { HomeView, KnownBlock } from '@slack/types';
import { approvalsGiven } from '../domain/approvalPolicy.js';
import type { MissionSummary } from '../domain/mission.js';
import type { AwaitingApproval } from '../domain/missionRepository.js';
import { ACTION_IDS } from './actionIds.js';
import { fitLines, LIMITS } from './blockKitLimits.js';
import { actions, button, context, divider, header, section } from './blocks.js';
import { mention, RISK_LABEL, safe, slackDate, STATE_LABEL } from './format.js';

/** Two blocks per approval: 40 approvals plus the missions list stay under the 100-block limit. */
const MAX_APPROVALS = 40;

export { isAwaitingApprovalFrom } from '../domain/approvalPolicy.js';

export interface AppHomeInput {
  userId: string;
  /** Missions the viewer requested, most recent first. */
  myMissions: readonly MissionSummary[];
  /** Every mission whose open approval request the viewer may decide (see isAwaitingApprovalFrom), however many. */
  awaitingMyApproval: readonly AwaitingApproval[];
  /** Blocks shown first: why the viewer's last click on the Home did nothing. */
  notice?: readonly KnownBlock[];
}

export function appHome(input: AppHomeInput): HomeView {
  const blocks: KnownBlock[] = [
    header('Mission Control'),
    ...(input.notice ?? []),
    context([
      `Missions for ${mention(input.userId)}. Start one with \`/mission <intent>\`, *Start a mission* on a message's ⋮ menu, or by mentioning me; \`/mission help\` lists the commands.`,
    ]),
  ];

  // A request decided between the query and the render has no buttons to offer.
  const waiting = input.awaitingMyApproval.filter((m) => m.approval?.status === 'requested');
  blocks.push(section(`*Waiting for your approval (${waiting.length})*`));
  if (waiting.length === 0) blocks.push(context(['Nothing is waiting for you.']));
  for (const mission of waiting.slice(0, MAX_APPROVALS)) blocks.push(...approvalRow(mission));
  if (waiting.length > MAX_APPROVALS) blocks.push(context([`…and ${waiting.length - MAX_APPROVALS} more waiting for you: see \`/mission list\`.`]));

  blocks.push(divider());
  const lines = input.myMissions.map((m) => `${STATE_LABEL[m.state]} · *${safe(m.title)}* · \`${m.id}\` · updated ${slackDate(m.updatedAt)}`);
  blocks.push(
    section(
      fitLines(lines, LIMITS.text, {
        head: `*Your missions (${input.myMissions.length})*${lines.length === 0 ? '\n_None yet._' : ''}`,
        noun: 'missions',
        pointer: '(see `/mission list`)',
      }).text,
    ),
  );
  return { type: 'home', blocks };
}

function approvalRow(mission: AwaitingApproval): KnownBlock[] {
  const request = mission.approval!;
  const play = mission.plays.find((p) => p.id === request.playId);
  const value = { missionId: mission.id, requestId: request.id, playId: request.playId };
  return [
    section(
      `*${safe(mission.title)}* · \`${mission.id}\`\nPlay: ${safe(play?.title ?? request.playId)} · ${RISK_LABEL[request.riskLevel]} risk · ${approvalsGiven(request)} of ${request.required} approvals · expires ${slackDate(request.expiresAt)}`,
    ),
    actions(`home_approval_${mission.id}`, [
      button({ text: 'Approve', actionId: ACTION_IDS.approvalApprove, value, style: 'primary' }),
      button({ text: 'Reject', actionId: ACTION_IDS.approvalReject, value, style: 'danger' }),
    ]),
  ];
}
