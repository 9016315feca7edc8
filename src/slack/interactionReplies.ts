// What every interaction handler shares: who is acting, and how a refusal reaches only them.
import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Actor } from '../domain/actors.js';
import { isMissionError } from '../domain/errors.js';
import type { ParkedFilter } from '../domain/missionFeed.js';
import type { MissionService } from '../domain/missionService.js';
import type { SlackMessage } from './blockKitLimits.js';
import { section } from './blocks.js';
import type { UnreachableChannelNotices } from './deliveryProblems.js';
import { fallbackText, withSlackDates } from './format.js';
import type { SlackRequestIntake } from './requestIntake.js';

export interface SlackHandlerDeps {
  service: MissionService;
  logger: Logger;
  /** Rolls a mission back; with connectors, the undo steps they recognise run first (default: the service alone). */
  rollback?: (input: { missionId: string; reason: string }, actor: Actor) => Promise<unknown>;
  /** Tells a person when the bot cannot post a mission's thread (see deliveryProblems.ts). */
  unreachableNotices?: UnreachableChannelNotices;
  /** Re-drives parked Slack deliveries (of one mission, or of a channel's missions); returns how many. */
  redeliver?: (filter: ParkedFilter) => Promise<number>;
  /** Slack requests in hand: work after an ack waits for them to be answered first (requestIntake.ts). */
  intake?: SlackRequestIntake;
}

export function slackActor(userId: string, name?: string): Actor {
  return { kind: 'slack_user', id: userId, ...(name ? { name: name.slice(0, 200) } : {}) };
}

/** A refusal as a person reads it: the MissionError message, or a generic line for anything unexpected (logged). */
export function refusalMessage(error: unknown, logger: Logger): SlackMessage {
  if (isMissionError(error)) return notice(`⚠️ ${withMentions(error.message, error.details)}`);
  logger.error({ err: error }, 'Slack interaction failed');
  return notice('⚠️ Something went wrong on our side; nothing was changed. Try again in a moment.');
}

/** The domain names approvers by id; in Slack they read as mentions (people) and group mentions. */
function withMentions(message: string, details: Record<string, unknown>): string {
  const ids = (key: string) =>
    Array.isArray(details[key]) ? (details[key] as unknown[]).filter((v): v is string => typeof v === 'string' && /^[A-Z0-9]+$/.test(v)) : [];
  let text = message;
  for (const id of ids('approvers')) text = text.replace(new RegExp(`\\b${id}\\b`, 'g'), `<@${id}>`);
  for (const id of ids('approverGroups')) text = text.replace(new RegExp(`user group ${id}\\b`, 'g'), `<!subteam^${id}>`);
  return text;
}

export function notice(text: string): SlackMessage {
  // Domain messages may mention people as <@U…>; they are ours, not user input, so they stay live.
  // They name instants in ISO 8601; the person reads them in their own time zone.
  return { text: fallbackText(text), blocks: [section(withSlackDates(text))] };
}

export interface ReplyTarget {
  client: WebClient;
  userId: string;
  /** response_url of the message or command the person used, when there is one. */
  respond?: RespondFn | undefined;
  hasResponseUrl: boolean;
  /** A channel the person is in (where the click happened, or the mission's channel). */
  channelId?: string | null | undefined;
}

/**
 * Tells only the person: through response_url when the interaction has one (it works in any
 * channel), otherwise an ephemeral message in the channel, otherwise (no channel, or Slack
 * refused the ephemeral: the person is not in it) a direct message from the app, which they
 * read in its Messages tab.
 */
export async function tellUser(target: ReplyTarget, message: SlackMessage, logger: Logger): Promise<void> {
  try {
    if (target.respond && target.hasResponseUrl) {
      await target.respond({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks });
      return;
    }
    if (target.channelId) {
      try {
        await target.client.chat.postEphemeral({ channel: target.channelId, user: target.userId, text: message.text, blocks: message.blocks });
        return;
      } catch (error) {
        logger.info({ err: error, userId: target.userId }, 'ephemeral reply refused; sending it as a direct message');
      }
    }
    await target.client.chat.postMessage({ channel: target.userId, text: message.text, blocks: message.blocks });
  } catch (error) {
    // The person sees nothing; the domain state is what it is either way.
    logger.warn({ err: error, userId: target.userId }, 'could not send an ephemeral reply');
  }
}
