// Where a mission lives in Slack. A mission started with a channel (the /mission command, or
// start_mission with channelId) lives there. One started over MCP without a channel lives in
// SLACK_DEFAULT_CHANNEL when set, otherwise in a direct message to the Slack user its token
// acts for; with neither it has no thread (its approvers are still messaged directly).
import type { Mission } from '../domain/mission.js';

export interface SlackHomeSettings {
  /** SLACK_DEFAULT_CHANNEL: the channel id assistant-started missions without a channel are posted in. */
  defaultChannel: string | null;
}

export type SlackHome =
  | { kind: 'channel'; channelId: string; threadTs: string | null; why: 'mission_channel' | 'default_channel' }
  | { kind: 'direct_message'; userId: string }
  | { kind: 'none'; why: string };

export const NO_HOME_EXPLANATION =
  'This mission has no thread in Slack: it was started without a channelId, its token acts for no Slack user, and SLACK_DEFAULT_CHANNEL is not set. ' +
  'Approvers are still sent each approval request directly. To give such missions a thread, set SLACK_DEFAULT_CHANNEL to a channel id (and invite the bot there), ' +
  'create the token with `mission-control token create --name NAME --on-behalf-of U…` (MCP_ON_BEHALF_OF on stdio), or pass channelId to start_mission.';

/** The home the projector gives `mission` (before anything is posted; once the brief is posted, its record is the home). */
export function slackHomeOf(mission: Pick<Mission, 'channelId' | 'threadTs' | 'requester'>, settings: SlackHomeSettings): SlackHome {
  if (mission.channelId) return { kind: 'channel', channelId: mission.channelId, threadTs: mission.threadTs, why: 'mission_channel' };
  if (settings.defaultChannel) return { kind: 'channel', channelId: settings.defaultChannel, threadTs: null, why: 'default_channel' };
  const requester = mission.requester;
  if (requester.kind === 'mcp_token' && requester.onBehalfOf) return { kind: 'direct_message', userId: requester.onBehalfOf };
  if (requester.kind === 'slack_user') return { kind: 'direct_message', userId: requester.id };
  return { kind: 'none', why: NO_HOME_EXPLANATION };
}
