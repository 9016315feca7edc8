// Words and symbols every message uses the same way: dates, percentages, people, states.
import type { Actor } from '../domain/actors.js';
import type { ChipConfidence } from '../domain/brief.js';
import type { MissionState } from '../domain/missionStateMachine.js';
import type { RiskLevel } from '../domain/plays.js';
import { oneLine } from '../domain/text/oneLine.js';
import { escapeMrkdwn, LIMITS, truncate } from './blockKitLimits.js';

/** A Slack date token: each reader sees it in their own time zone; the fallback is UTC. */
export function slackDate(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty} at {time}|${utcDate(date)}>`;
}

/** "2025-10-15 13:06 UTC": the fallback of a date token, and how a date reads where tokens do not render (notification text). */
export function utcDate(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** An ISO 8601 instant as the domain writes it into messages ("…expired at 2025-10-15T13:06:00.000Z"). */
const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;
const SLACK_DATE_TOKEN = /<!date\^\d+\^[^|>]*\|([^>]*)>/g;

/**
 * Text written for any reader (a MissionError's message names instants in ISO 8601) as a
 * Slack reader should see it: each instant becomes a date token in their own time zone.
 */
export function withSlackDates(text: string): string {
  return text.replace(ISO_INSTANT, (iso) => (Number.isNaN(Date.parse(iso)) ? iso : slackDate(iso)));
}

/**
 * Who did something, as Slack shows it: a person as a mention (Slack renders their current name),
 * an assistant by its token name. Plain text elsewhere (exports, MCP, errors) uses the domain's `actorName`.
 */
export function who(actor: Actor): string {
  switch (actor.kind) {
    case 'slack_user':
      return mention(actor.id);
    case 'mcp_token':
      return `assistant \`${escapeMrkdwn(actor.id)}\``;
    case 'system':
      return 'Mission Control';
  }
}

export const mention = (userId: string) => `<@${userId}>`;

/**
 * A message's top-level `text` (notification and fallback): Slack parses it as mrkdwn, so a
 * title or description holding `<!channel>`, `<@U…>` or `<https://…|label>` would notify or
 * link live. Every builder's `text` goes through here: all of it is escaped, then cut to
 * Slack's limit. `mentions` (ours, e.g. the approvers a request waits for) follow live.
 */
export function fallbackText(text: string, mentions: readonly string[] = []): string {
  let live = mentions.length > 0 ? ` ${mentions.map(mention).join(', ')}` : '';
  if (live.length > LIMITS.messageText / 2) live = '';
  // Date tokens do not render in notifications: their UTC fallback does, as do ISO instants made readable.
  const dated = text.replace(SLACK_DATE_TOKEN, '$1').replace(ISO_INSTANT, (iso) => (Number.isNaN(Date.parse(iso)) ? iso : utcDate(iso)));
  return truncate(escapeMrkdwn(oneLine(dated)), LIMITS.messageText - live.length) + live;
}

/** User or assistant text on one line, safe for mrkdwn. */
export const safe = (text: string) => escapeMrkdwn(oneLine(text));

export const CONFIDENCE_LABEL: Record<ChipConfidence, string> = { high: '🟢 High', medium: '🟡 Medium', low: '🔴 Low' };

export const RISK_LABEL: Record<RiskLevel, string> = { low: '🟢 Low', medium: '🟡 Medium', high: '🟠 High', critical: '🔴 Critical' };

export const STATE_LABEL: Record<MissionState, string> = {
  defining: '📝 Define: drafting the brief',
  preparing: '🧰 Prepare: choosing toolkits',
  planning: '🗺️ Plan: choosing a play',
  awaiting_approval: '⏳ Awaiting approval',
  executing: '🚀 Executing',
  reflecting: '🔍 Reflect: feedback and follow-ups',
  done: '✅ Done',
  cancelled: '🚫 Cancelled',
  rolled_back: '↩️ Rolled back',
  failed: '❌ Failed',
};

/** How a finished mission ended, in words that fit after "the mission" ("the mission was cancelled"). */
export const ENDED_WORDS: Record<'done' | 'cancelled' | 'rolled_back' | 'failed', string> = {
  done: 'is done',
  cancelled: 'was cancelled',
  rolled_back: 'was rolled back',
  failed: 'failed',
};

/** The first 12 hex digits of a sha256: enough to compare by eye, short enough to list. */
export const shortHash = (sha256: string) => sha256.slice(0, 12);

/** A link in mrkdwn when there is a URL; the label is escaped, and `|` would end it early. */
export function link(url: string | null, label: string): string {
  const text = safe(label).replace(/\|/g, '¦');
  return url ? `<${url.replace(/[<>|\s]/g, encodeURIComponent)}|${text}>` : text;
}

export function statusPointer(missionId: string): string {
  return `(see \`/mission status ${missionId}\`)`;
}
