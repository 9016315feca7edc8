// What GitHub told us about a mission's pull request (webhook deliveries, already verified and
// reduced to these facts at the edge): its head, state, check runs and reviews. The rule keeps
// the pull request's current picture on the execution and attaches each new picture as evidence
// by the connector, so the CI and code-review gates count what GitHub reported, never what an
// assistant attached. Pure: `(mission, event, command) -> mission`.
import { canonicalJson } from './eventLog.js';
import type { ReviewEvidence } from './evidence.js';
import { MissionError } from './errors.js';
import { attachEvidence } from './executeObserve.js';
import type { Execution } from './execution.js';
import type { Mission } from './mission.js';
import type { MissionCommand } from './missionCommand.js';
import { recordDeploymentStatus, type DeploymentStatusFacts } from './releaseRules.js';
import type { CheckConclusion, PullRequestSnapshot } from './trackers.js';

export interface PullRequestFacts {
  repository: string;
  number: number;
  url: string;
  title: string;
  body: string;
  headRef: string;
  headSha: string;
  state: 'open' | 'closed' | 'merged';
  mergeSha: string | null;
  changedFiles: number;
  additions: number;
  deletions: number;
}

export type ReviewState = 'approved' | 'changes_requested' | 'commented' | 'dismissed';

/** One delivery's meaning, as the connector read it from the payload. */
export type GitHubEvent =
  | { kind: 'pull_request'; action: string; pullRequest: PullRequestFacts }
  | { kind: 'review'; pullRequest: PullRequestFacts; reviewer: string; state: ReviewState }
  /** A check run, check suite, commit status or workflow run on a commit (`source` says which). */
  | {
      kind: 'check';
      source: 'check_run' | 'check_suite' | 'status' | 'workflow_run';
      repository: string;
      headSha: string;
      headRef: string | null;
      name: string;
      conclusion: CheckConclusion;
      pullRequestNumbers: number[];
    }
  | { kind: 'deployment'; deployment: DeploymentStatusFacts };

/** A pull request as GitHub reported it, kept on the execution. Checks are those of the current head only. */
export interface TrackedPullRequest {
  repository: string;
  number: number;
  url: string;
  title: string;
  headRef: string;
  headSha: string;
  mergeSha: string | null;
  state: 'open' | 'closed' | 'merged';
  changedFiles: number;
  additions: number;
  deletions: number;
  checks: Array<{ name: string; conclusion: CheckConclusion }>;
  /** Each reviewer's latest decision. */
  reviews: Array<{ reviewer: string; state: 'approved' | 'changes_requested' | 'commented' }>;
  updatedAt: string;
}

/** The mission ids a pull request body, branch name or deployment names ("msn_…"), in order. */
export function missionIdsNamedIn(...texts: ReadonlyArray<string | null | undefined>): string[] {
  const ids: string[] = [];
  for (const text of texts) for (const match of (text ?? '').matchAll(/\bmsn_[A-Za-z0-9]+/g)) if (!ids.includes(match[0])) ids.push(match[0]);
  return ids;
}

/** Whether the event concerns this mission: named by its marker, tracked already, or linked with link_pull_request (evidence with the PR's URL). */
export function eventConcernsMission(mission: Mission, event: GitHubEvent): boolean {
  const tracked = mission.execution?.pullRequests ?? [];
  switch (event.kind) {
    case 'pull_request':
    case 'review': {
      const pr = event.pullRequest;
      return (
        missionIdsNamedIn(pr.body, pr.headRef).includes(mission.id) ||
        tracked.some((t) => t.repository === pr.repository && t.number === pr.number) ||
        mission.evidence.artifacts.some((a) => a.url === pr.url && a.attachedBy.kind !== 'mcp_token')
      );
    }
    case 'check':
      return tracked.some((t) => t.repository === event.repository && (t.headSha === event.headSha || event.pullRequestNumbers.includes(t.number)));
    case 'deployment': {
      const d = event.deployment;
      if (d.missionIds.includes(mission.id)) return true;
      if ((mission.execution?.release?.deployments ?? []).some((r) => r.deploymentId === d.deploymentId)) return true;
      return tracked.some((t) => t.repository === d.repository && (t.headSha === d.sha || t.mergeSha === d.sha || t.headRef === d.ref));
    }
  }
}

/** The review that speaks for a pull request: anyone asking for changes, else the approvers, else comments. */
export function reviewOfPullRequest(reviews: TrackedPullRequest['reviews']): ReviewEvidence | null {
  for (const state of ['changes_requested', 'approved', 'commented'] as const) {
    const reviewers = reviews.filter((r) => r.state === state).map((r) => r.reviewer);
    if (reviewers.length > 0) return { state, reviewer: reviewers.join(', ') };
  }
  return null;
}

export function snapshotOf(pr: TrackedPullRequest): PullRequestSnapshot {
  return {
    repository: pr.repository,
    number: pr.number,
    title: pr.title,
    url: pr.url,
    state: pr.state,
    headSha: pr.headSha,
    headRef: pr.headRef,
    changedFiles: pr.changedFiles,
    additions: pr.additions,
    deletions: pr.deletions,
    checks: pr.checks,
    reviews: pr.reviews,
  };
}

function requireFollowing(mission: Mission): Execution {
  if ((mission.state !== 'executing' && mission.state !== 'reflecting') || !mission.execution) {
    throw new MissionError(
      'transition_refused',
      `GitHub events are followed while a mission executes or reflects; mission ${mission.id} is ${mission.state}.`,
      { state: mission.state },
    );
  }
  return mission.execution;
}

function fromFacts(facts: PullRequestFacts, previous: TrackedPullRequest | undefined, at: string): TrackedPullRequest {
  const sameHead = previous?.headSha === facts.headSha;
  return {
    repository: facts.repository,
    number: facts.number,
    url: facts.url,
    title: facts.title,
    headRef: facts.headRef,
    headSha: facts.headSha,
    mergeSha: facts.mergeSha ?? previous?.mergeSha ?? null,
    state: facts.state,
    changedFiles: facts.changedFiles,
    additions: facts.additions,
    deletions: facts.deletions,
    // New commits: the earlier head's checks say nothing about this one.
    checks: sameHead ? (previous?.checks ?? []) : [],
    reviews: previous?.reviews ?? [],
    updatedAt: at,
  };
}

function upsert<T>(items: readonly T[], item: T, same: (a: T) => boolean): T[] {
  return items.some(same) ? items.map((a) => (same(a) ? item : a)) : [...items, item];
}

/**
 * Applies one GitHub event to the mission. Pull request events refresh the tracked pull request,
 * and when its picture changed (head, state, checks, reviews) the picture is attached as evidence
 * by the acting connector, replacing the earlier one for the gates (the latest per URL counts).
 * Deployment statuses go to the release. An event that changes nothing records nothing.
 */
export function applyGitHubEvent(mission: Mission, event: GitHubEvent, monitoringMinutes: number, cmd: MissionCommand): Mission {
  const execution = requireFollowing(mission);
  if (event.kind === 'deployment') return recordDeploymentStatus(mission, event.deployment, monitoringMinutes, cmd);
  const tracked = execution.pullRequests ?? [];
  let updated: TrackedPullRequest | null = null;
  let eventName: string = event.kind;
  if (event.kind === 'pull_request' || event.kind === 'review') {
    const facts = event.pullRequest;
    const previous = tracked.find((t) => t.repository === facts.repository && t.number === facts.number);
    updated = fromFacts(facts, previous, cmd.at);
    if (event.kind === 'review') {
      eventName = `review ${event.state}`;
      const others = updated.reviews.filter((r) => r.reviewer !== event.reviewer);
      updated = { ...updated, reviews: event.state === 'dismissed' ? others : [...others, { reviewer: event.reviewer, state: event.state }] };
    } else {
      eventName = `pull_request ${event.action}`;
    }
  } else {
    const previous = tracked.find((t) => t.repository === event.repository && (t.headSha === event.headSha || event.pullRequestNumbers.includes(t.number)));
    // A check on an older head (or another commit) says nothing about the pull request as it is now.
    if (!previous || previous.headSha !== event.headSha) return mission;
    eventName = `${event.source} ${event.conclusion}`;
    updated = {
      ...previous,
      checks: upsert(previous.checks, { name: event.name, conclusion: event.conclusion }, (c) => c.name === event.name),
      updatedAt: cmd.at,
    };
  }
  const previous = tracked.find((t) => t.repository === updated.repository && t.number === updated.number);
  const picture = (pr: TrackedPullRequest | undefined) => (pr ? canonicalJson(snapshotOf(pr)) : null);
  if (picture(previous) === picture(updated)) return mission;
  cmd.events.add('pull_request_updated', {
    repository: updated.repository,
    number: updated.number,
    event: eventName,
    head_sha: updated.headSha,
    state: updated.state,
    checks_passing: updated.checks.filter((c) => c.conclusion === 'success').length,
    checks_total: updated.checks.length,
    review: reviewOfPullRequest(updated.reviews)?.state ?? null,
  });
  const pullRequests = upsert(tracked, updated, (t) => t.repository === updated.repository && t.number === updated.number);
  const withTracked: Mission = { ...mission, execution: { ...execution, pullRequests } };
  const snapshot = snapshotOf(updated);
  const review = reviewOfPullRequest(updated.reviews);
  return attachEvidence(
    withTracked,
    {
      name: `GitHub Pull Request #${updated.number}`,
      kind: 'link',
      url: updated.url,
      content: canonicalJson(snapshot),
      mediaType: 'application/json',
      // Always a list, empty too: a new head with no checks yet must replace the old head's picture.
      checks: updated.checks,
      ...(review ? { review } : {}),
    },
    cmd,
  );
}
