// Ports for the systems a mission touches after Prepare: issue trackers (follow-ups and a
// linked issue), the pull request that carries the change, and undo steps a connector can
// carry out. Connectors implement them; the domain never sees a vendor SDK.
import type { Mission } from './mission.js';
import type { FollowUp } from './reflection.js';

/**
 * Every write a connector makes for a mission carries this key, so a retry (or a restart
 * after a crash between "sent" and "recorded") finds the earlier write instead of repeating it.
 */
export function followUpIdempotencyKey(missionId: string, followUpId: string): string {
  return `mission-control:${missionId}:${followUpId}`;
}

export interface FiledIssue {
  /** The tracker's human identifier: "ENG-124" on Linear, "#58" on GitHub. */
  externalId: string;
  url: string;
}

export interface FollowUpTracker {
  readonly tracker: 'linear' | 'github';
  /** An issue filed earlier with this key, if any. */
  findByIdempotencyKey(idempotencyKey: string): Promise<FiledIssue | null>;
  /** Files the follow-up unless an issue with the key exists already; either way returns that issue. */
  fileIssue(followUp: FollowUp, mission: Pick<Mission, 'id' | 'title'>, idempotencyKey: string): Promise<FiledIssue>;
}

/** Where a mission's linked tracker issue should stand, from the mission's state. */
export type LinkedIssueStage = 'started' | 'in_review' | 'done' | 'canceled';

export function linkedIssueStageOf(state: Mission['state']): LinkedIssueStage | null {
  switch (state) {
    case 'executing':
      return 'started';
    case 'reflecting':
      return 'in_review';
    case 'done':
      return 'done';
    case 'cancelled':
    case 'rolled_back':
    case 'failed':
      return 'canceled';
    default:
      return null;
  }
}

export interface LinkedIssueTracker {
  /** The tracker issue this mission is linked to (named in its intent or brief), if any. */
  linkedIssueOf(mission: Pick<Mission, 'intent' | 'brief'>): string | null;
  /** Moves the issue to the team's workflow state for `stage`; returns the state's name, or null when it was there already. */
  moveIssue(issueRef: string, stage: LinkedIssueStage): Promise<string | null>;
}

export type CheckConclusion = 'success' | 'failure' | 'neutral' | 'skipped' | 'pending';

export interface PullRequestSnapshot {
  repository: string;
  number: number;
  title: string;
  url: string;
  state: 'open' | 'closed' | 'merged';
  headSha: string;
  headRef: string;
  changedFiles: number;
  additions: number;
  deletions: number;
  checks: Array<{ name: string; conclusion: CheckConclusion }>;
  /** Each reviewer's latest decision. */
  reviews: Array<{ reviewer: string; state: 'approved' | 'changes_requested' | 'commented' }>;
}

export interface PullRequestReader {
  /** `ref`: a pull request URL, `owner/name#47`, `#47` or `47` (in the default repository). */
  read(ref: string): Promise<PullRequestSnapshot>;
}

export interface RollbackStepResult {
  outcome: 'done' | 'failed';
  detail: string;
}

export interface RollbackStepRunner {
  /** Whether this runner carries out the undo plan step (e.g. "Close PR and delete branch"). */
  handles(step: string): boolean;
  run(step: string, mission: Mission): Promise<RollbackStepResult>;
}
