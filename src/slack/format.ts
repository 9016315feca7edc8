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
  const fallback = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
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
  return truncate(escapeMrkdwn(oneLine(text)), LIMITS.messageText - live.length) + live;
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
