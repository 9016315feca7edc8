// How soon a changed Slack message may be edited. Slack allows about one edit per message per
// second, but an assistant reporting once a second would then cost one call per report. So each
// surface's rendering has a headline digest: the parts a person must see at once (mission state,
// phases starting, completing or failing, gate results, review alerts, undo, the buttons). A
// change that leaves the headline as it was only moves progress along (steps, test counts,
// coverage, evidence, model spend) and waits for the longer progress interval, counted from the
// thread's latest write so that a thread gets one progress edit per interval whichever of its
// messages moved; a headline change goes out within the short one. The latest state always arrives: a deferred edit shows whatever the
// mission is by then, and the feed worker calls the projector back at the returned time.
import { createHash } from 'node:crypto';
import type { SlackMessage } from './blockKitLimits.js';

export interface EditPaceSettings {
  /** Least time between two edits of one message when its headline changed (Slack's one edit per second). */
  minEditIntervalMs: number;
  /** Least time between an edit and a progress-only edit of the same message (SLACK_PROGRESS_EDIT_MS). */
  progressEditIntervalMs: number;
}

export interface DeliveredMessage {
  contentHash: string;
  /** The headline digest of what was delivered; '' when not known (a record from before headlines), which makes any change urgent. */
  headlineHash: string;
  /** When it was last posted or edited. */
  updatedAt: Date;
}

export type EditDecision = { kind: 'unchanged' } | { kind: 'edit'; urgent: boolean } | { kind: 'wait'; until: Date; urgent: boolean };

/**
 * Whether a message showing `delivered` should be edited to show `next` now, later, or not at
 * all. `threadWrittenAt`: the latest post or edit of any message of the same thread (progress
 * waits for the interval after it too).
 */
export function editDecision(
  delivered: DeliveredMessage,
  next: { contentHash: string; headlineHash: string },
  now: Date,
  settings: EditPaceSettings,
  threadWrittenAt: Date | null = null,
): EditDecision {
  if (delivered.contentHash === next.contentHash) return { kind: 'unchanged' };
  const urgent = delivered.headlineHash === '' || delivered.headlineHash !== next.headlineHash;
  const progressMs = Math.max(settings.minEditIntervalMs, settings.progressEditIntervalMs);
  const due = urgent
    ? delivered.updatedAt.getTime() + settings.minEditIntervalMs
    : Math.max(delivered.updatedAt.getTime(), threadWrittenAt?.getTime() ?? 0) + progressMs;
  return now.getTime() < due ? { kind: 'wait', until: new Date(due), urgent } : { kind: 'edit', urgent };
}

/**
 * The headline digest of a rendered message: the surface's urgent facts (null when the surface
 * names none, so every change of it is urgent) and every actions block, since a person must see
 * a button appear or go at once.
 */
export function headlineHash(message: SlackMessage, urgentFacts: unknown | null): string {
  const actions = message.blocks.filter((b) => b.type === 'actions');
  const digest = urgentFacts === null ? { text: message.text, blocks: message.blocks } : { urgent: urgentFacts, actions };
  return createHash('sha256').update(JSON.stringify(digest)).digest('hex');
}
