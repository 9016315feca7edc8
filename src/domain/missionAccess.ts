// Which missions an assistant's token may act on. People act through Slack, which shows them
// only the channels they are in; a token is a bearer credential, so it is held to the missions
// of the person it acts for. Single workspace today, so the rule is about people and channels:
//  - a token acting for a person may act on missions that person requested (in Slack or
//    through any of their tokens), missions it started itself, and missions posted in a Slack
//    channel (channel membership is not checked: that would cost a Slack call per request, and
//    anyone in the workspace can join a public channel; a private channel's mission is
//    reachable only by those who know its id);
//  - a token acting for nobody (a shared CI token) may act on missions it started, and on missions
//    handed to an unattended executor (a GitHub Actions run dispatched after approval, whose
//    agent holds exactly such a token).
// People and the system are not limited here.
import type { Actor } from './actors.js';
import { MissionError } from './errors.js';
import type { Mission } from './mission.js';

export function tokenMayActOn(mission: Pick<Mission, 'requester' | 'channelId' | 'execution'>, actor: Actor): boolean {
  if (actor.kind !== 'mcp_token') return true;
  const requester = mission.requester;
  if (requester.kind === 'mcp_token' && requester.id === actor.id) return true;
  if (!actor.onBehalfOf) return Boolean(mission.execution?.dispatch && mission.execution.dispatch.status !== 'failed');
  const requestedBy = requester.kind === 'slack_user' ? requester.id : requester.kind === 'mcp_token' ? requester.onBehalfOf : undefined;
  return requestedBy === actor.onBehalfOf || Boolean(mission.channelId);
}

/** Refuses a token acting on a mission outside its reach, saying what it may act on. */
export function requireTokenMayAct(mission: Pick<Mission, 'id' | 'requester' | 'channelId' | 'execution'>, actor: Actor): void {
  if (tokenMayActOn(mission, actor)) return;
  const token = actor as Extract<Actor, { kind: 'mcp_token' }>;
  const reach = token.onBehalfOf
    ? `a token acting for ${token.onBehalfOf} may act on missions ${token.onBehalfOf} requested, missions in a Slack channel, and missions it started`
    : 'a token acting for nobody may act only on missions it started and missions dispatched to an executor (create one with `mission-control token create --on-behalf-of SLACK_USER_ID` to act for a person)';
  throw new MissionError('permission_denied', `Token "${token.id}" may not act on mission ${mission.id}: ${reach}.`, { field: 'missionId' });
}
