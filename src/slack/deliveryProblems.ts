// Slack errors that concern one message or the whole channel, and what the projector shows
// instead when Slack refuses a message for good. One refused surface must not freeze the thread:
// it is shown shorter (its buttons kept when Slack takes them) and the rest of the thread goes on.
import type { KnownBlock } from '@slack/types';
import type { SlackMessage } from './blockKitLimits.js';
import { section } from './blocks.js';
import { fallbackText, statusPointer } from './format.js';
import { SlackDeliveryError } from './slackWebApi.js';

/** The bot cannot post in the channel at all: nothing of the mission reaches it until a person acts. */
export const CHANNEL_UNREACHABLE = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);
/** Slack refuses this message's content; a shorter one may pass. */
export const CONTENT_REFUSED = new Set(['msg_too_long', 'invalid_blocks', 'invalid_attachments', 'no_text']);
/** This message can no longer be edited; a new one can be posted. */
export const NOT_EDITABLE = new Set(['cant_update_message', 'edit_window_closed']);

export function slackErrorIn(error: unknown, codes: ReadonlySet<string>): string | null {
  return error instanceof SlackDeliveryError && error.slackError !== undefined && codes.has(error.slackError) ? error.slackError : null;
}

/** Shorter renderings of a refused message, to try in order: a note with the message's buttons, then the note alone. */
export function shorterVersions(message: SlackMessage, missionId: string, slackError: string): SlackMessage[] {
  const note = section(`⚠️ Slack refused this message (\`${slackError}\`), so a short version is shown. The whole picture: ${statusPointer(missionId)}.`);
  const buttons = message.blocks.filter((b): b is KnownBlock => b.type === 'actions');
  const text = fallbackText(`${message.text.slice(0, 500)} (short version: Slack refused the full message, ${slackError})`);
  return [...(buttons.length > 0 ? [{ text, blocks: [note, ...buttons] }] : []), { text, blocks: [note] }];
}

/** What the person who started a mission is told when the bot cannot post in its channel. */
export function channelUnreachableNotice(missionId: string, channelId: string, slackError: string): string {
  if (slackError === 'is_archived')
    return `⚠️ Mission \`${missionId}\` was created, but this channel is archived, so its thread cannot be posted. Unarchive the channel, then run \`/mission status ${missionId}\`.`;
  const where = channelId.startsWith('D')
    ? 'I cannot post in a direct message between people. Start missions from a channel I am in'
    : `I am not in <#${channelId}>, so I cannot post its brief card there. Invite me with \`/invite @Mission Control\``;
  return `⚠️ Mission \`${missionId}\` was created. ${where}: the card then appears by itself (or run \`/mission status ${missionId}\`).`;
}

/** How long a command's response_url takes messages (Slack: 30 minutes). */
const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;

/**
 * Tells the person who ran `/mission` when the bot cannot post the mission's thread, through
 * that command's response_url: the only way to reach them, where they are, in a channel the bot
 * is not in. Either may come first, the command's answer or
 * the failed post, so an unmatched report waits for the command as long as it would wait for
 * the report. In-process: a post failed by another instance's feed worker is not told here.
 */
export class UnreachableChannelNotices {
  private readonly waiting = new Map<string, { tell: (text: string) => Promise<void>; until: number }>();
  private readonly reported = new Map<string, { text: string; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The person asked about this mission (started it, or asked its status): tell them if its channel is unreachable. */
  async watch(missionId: string, tell: (text: string) => Promise<void>): Promise<void> {
    this.forgetExpired();
    const report = this.reported.get(missionId);
    if (report) {
      this.reported.delete(missionId);
      await tell(report.text);
      return;
    }
    this.waiting.set(missionId, { tell, until: this.now() + RESPONSE_URL_LIFETIME_MS });
  }

  /** The projector could not post in the mission's channel. */
  async report(missionId: string, channelId: string, slackError: string): Promise<void> {
    this.forgetExpired();
    const text = channelUnreachableNotice(missionId, channelId, slackError);
    const waiter = this.waiting.get(missionId);
    if (waiter) {
      this.waiting.delete(missionId);
      await waiter.tell(text);
      return;
    }
    this.reported.set(missionId, { text, until: this.now() + RESPONSE_URL_LIFETIME_MS });
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const memory of [this.waiting, this.reported] as Array<Map<string, { until: number }>>) {
      for (const [key, entry] of memory) if (entry.until <= now) memory.delete(key);
    }
  }
}
