// GitHub's pull request, check run and review shapes, read once for both ways they reach us:
// webhook payloads (webhookPayloads.ts) and REST answers (pullRequestReader.ts, pullRequestCode.ts)
// carry the same objects. Only the fields we read are checked (zod, loose objects: GitHub adds
// fields freely), then reduced to the domain's types.
import { z } from 'zod';
import type { PullRequestFacts, ReviewState } from '../../domain/githubEvents.js';
import type { CheckConclusion, PullRequestSnapshot } from '../../domain/trackers.js';
import { ConnectorError } from '../connectorError.js';

export const repositoryShape = z.looseObject({ full_name: z.string().min(1) });

export const pullRequestShape = z.looseObject({
  number: z.number().int().positive(),
  html_url: z.string().min(1),
  title: z.string(),
  body: z.string().nullable().optional(),
  state: z.enum(['open', 'closed']),
  merged: z.boolean().nullable().optional(),
  merged_at: z.string().nullable().optional(),
  merge_commit_sha: z.string().nullable().optional(),
  head: z.looseObject({ ref: z.string(), sha: z.string().min(1) }),
  changed_files: z.number().int().optional(),
  additions: z.number().int().optional(),
  deletions: z.number().int().optional(),
});
export type PullRequestShape = z.infer<typeof pullRequestShape>;

/** A check run as the checks API lists it and a `check_run` delivery carries it. */
export const checkRunShape = z.looseObject({ name: z.string(), status: z.string(), conclusion: z.string().nullable() });
export type CheckRunShape = z.infer<typeof checkRunShape>;

/** A review as the reviews API lists it and a `pull_request_review` delivery carries it (a deleted account has no user). */
export const reviewShape = z.looseObject({ state: z.string(), user: z.looseObject({ login: z.string() }).nullable() });
export type ReviewShape = z.infer<typeof reviewShape>;

/** A commit status's state (`status` deliveries, the statuses API). */
export const commitStatusState = z.enum(['pending', 'success', 'failure', 'error']);

/** Where a value does not match its shape, in words: `head.sha: Invalid input: expected string, received undefined`. */
export function shapeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}

/** A REST answer read with its shape; an answer that does not match is GitHub's `invalid_response`, naming the field. */
export function readAnswer<Shape extends z.ZodType>(shape: Shape, data: unknown, what: string): z.infer<Shape> {
  const result = shape.safeParse(data);
  if (!result.success)
    throw new ConnectorError('github', 'invalid_response', `GitHub answered ${what} in a shape Mission Control does not read: ${shapeIssue(result.error)}.`);
  return result.data;
}

/** A pull request as the domain follows it; merged shows as its own state. */
export function pullRequestFacts(pr: PullRequestShape, repository: string): PullRequestFacts {
  const merged = Boolean(pr.merged || pr.merged_at);
  return {
    repository,
    number: pr.number,
    url: pr.html_url,
    title: pr.title,
    body: pr.body ?? '',
    headRef: pr.head.ref,
    headSha: pr.head.sha,
    state: merged ? 'merged' : pr.state,
    mergeSha: merged ? (pr.merge_commit_sha ?? null) : null,
    changedFiles: pr.changed_files ?? 0,
    additions: pr.additions ?? 0,
    deletions: pr.deletions ?? 0,
  };
}

/** GitHub's check conclusions in the domain's words (anything not finished is pending). */
export function checkConclusion(status: string | null, conclusion: string | null): CheckConclusion {
  if (status !== null && status !== 'completed') return 'pending';
  switch (conclusion) {
    case 'success':
      return 'success';
    case 'neutral':
      return 'neutral';
    case 'skipped':
      return 'skipped';
    case null:
      return 'pending';
    default:
      // failure, cancelled, timed_out, action_required, stale, startup_failure: the change is not proven.
      return 'failure';
  }
}

export function commitStatusConclusion(state: z.infer<typeof commitStatusState>): CheckConclusion {
  return state === 'error' ? 'failure' : state;
}

const REVIEW_STATES: Record<string, ReviewState> = {
  approved: 'approved',
  changes_requested: 'changes_requested',
  commented: 'commented',
  dismissed: 'dismissed',
};

/** A review's state in the domain's words (GitHub writes `APPROVED` in the API, `approved` in deliveries); null for `pending`. */
export function reviewState(state: string): ReviewState | null {
  return REVIEW_STATES[state.toLowerCase()] ?? null;
}

/** A re-run check appears once per run, newest first: keep the first of each name. */
export function latestCheckRuns<Run extends CheckRunShape>(runs: readonly Run[]): Run[] {
  const seen = new Set<string>();
  return runs.filter((run) => {
    if (seen.has(run.name)) return false;
    seen.add(run.name);
    return true;
  });
}

/** Each reviewer's latest decision, oldest review first; comments do not undo an approval, a dismissal does. */
export function latestReviews(reviews: readonly ReviewShape[]): PullRequestSnapshot['reviews'] {
  const byReviewer = new Map<string, PullRequestSnapshot['reviews'][number]['state'] | null>();
  for (const review of reviews) {
    const login = review.user?.login;
    if (!login) continue;
    const state = reviewState(review.state);
    if (state === 'approved' || state === 'changes_requested') byReviewer.set(login, state);
    else if (state === 'dismissed') byReviewer.set(login, null);
    else if (state === 'commented' && (byReviewer.get(login) ?? null) === null) byReviewer.set(login, 'commented');
  }
  return [...byReviewer]
    .filter((entry): entry is [string, 'approved' | 'changes_requested' | 'commented'] => entry[1] !== null)
    .map(([reviewer, state]) => ({ reviewer, state }));
}
