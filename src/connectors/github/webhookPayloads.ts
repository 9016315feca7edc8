// GitHub webhook payloads, reduced to the facts the domain follows (src/domain/githubEvents.ts).
// Only the fields we read are checked (zod, loose objects: GitHub adds fields freely); a payload
// missing one of them is malformed and refused. Events and actions we do not follow are `null`.
import { z } from 'zod';
import { missionIdsNamedIn, type GitHubEvent, type PullRequestFacts, type ReviewState } from '../../domain/githubEvents.js';
import type { DeploymentState } from '../../domain/releaseRules.js';
import type { CheckConclusion } from '../../domain/trackers.js';

/** The events Mission Control follows; subscribe the webhook to exactly these. */
export const FOLLOWED_EVENTS = ['pull_request', 'pull_request_review', 'check_run', 'check_suite', 'status', 'workflow_run', 'deployment_status'] as const;

const repository = z.looseObject({ full_name: z.string().min(1) });
const pullRequest = z.looseObject({
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

const schemas = {
  pull_request: z.looseObject({ action: z.string(), pull_request: pullRequest, repository }),
  pull_request_review: z.looseObject({
    action: z.string(),
    review: z.looseObject({ state: z.string(), user: z.looseObject({ login: z.string() }).nullable() }),
    pull_request: pullRequest,
    repository,
  }),
  check_run: z.looseObject({
    action: z.string(),
    check_run: z.looseObject({
      name: z.string(),
      head_sha: z.string().min(1),
      status: z.string(),
      conclusion: z.string().nullable(),
      pull_requests: z.array(z.looseObject({ number: z.number().int() })),
      check_suite: z.looseObject({ head_branch: z.string().nullable().optional() }).optional(),
    }),
    repository,
  }),
  check_suite: z.looseObject({
    action: z.string(),
    check_suite: z.looseObject({
      head_sha: z.string().min(1),
      head_branch: z.string().nullable(),
      status: z.string().nullable(),
      conclusion: z.string().nullable(),
      app: z.looseObject({ name: z.string() }).nullable().optional(),
      pull_requests: z.array(z.looseObject({ number: z.number().int() })),
    }),
    repository,
  }),
  status: z.looseObject({ sha: z.string().min(1), context: z.string(), state: z.enum(['pending', 'success', 'failure', 'error']), repository }),
  workflow_run: z.looseObject({
    action: z.string(),
    workflow_run: z.looseObject({
      name: z.string().nullable(),
      head_sha: z.string().min(1),
      head_branch: z.string().nullable(),
      status: z.string().nullable(),
      conclusion: z.string().nullable(),
      pull_requests: z.array(z.looseObject({ number: z.number().int() })),
    }),
    repository,
  }),
  deployment_status: z.looseObject({
    action: z.string(),
    deployment_status: z.looseObject({
      state: z.string(),
      environment: z.string().optional(),
      environment_url: z.string().nullable().optional(),
      target_url: z.string().nullable().optional(),
      description: z.string().nullable().optional(),
    }),
    deployment: z.looseObject({
      id: z.number().int(),
      environment: z.string(),
      sha: z.string().min(1),
      ref: z.string(),
      description: z.string().nullable().optional(),
      payload: z.unknown().optional(),
      production_environment: z.boolean().optional(),
      transient_environment: z.boolean().optional(),
    }),
    repository,
  }),
} as const;

export type FollowedEvent = keyof typeof schemas;

export function isFollowedEvent(name: string): name is FollowedEvent {
  return Object.hasOwn(schemas, name);
}

export class MalformedPayloadError extends Error {}

function facts(pr: z.infer<typeof pullRequest>, repo: string): PullRequestFacts {
  return {
    repository: repo,
    number: pr.number,
    url: pr.html_url,
    title: pr.title,
    body: pr.body ?? '',
    headRef: pr.head.ref,
    headSha: pr.head.sha,
    state: pr.merged || pr.merged_at ? 'merged' : pr.state,
    mergeSha: pr.merged || pr.merged_at ? (pr.merge_commit_sha ?? null) : null,
    changedFiles: pr.changed_files ?? 0,
    additions: pr.additions ?? 0,
    deletions: pr.deletions ?? 0,
  };
}

/** GitHub's check conclusions and statuses, in the domain's words (anything not finished is pending). */
export function conclusionOf(status: string | null, conclusion: string | null): CheckConclusion {
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
      // failure, cancelled, timed_out, action_required, stale, startup_failure
      return 'failure';
  }
}

function statusConclusion(state: 'pending' | 'success' | 'failure' | 'error'): CheckConclusion {
  return state === 'error' ? 'failure' : state;
}

const REVIEW_STATES: Record<string, ReviewState> = {
  approved: 'approved',
  changes_requested: 'changes_requested',
  commented: 'commented',
  dismissed: 'dismissed',
};
const DEPLOYMENT_STATES = new Set<DeploymentState>(['pending', 'queued', 'in_progress', 'success', 'failure', 'error', 'inactive']);

function missionIdsOfDeployment(payload: unknown, ...texts: Array<string | null | undefined>): string[] {
  const named = payload && typeof payload === 'object' && 'mission_id' in payload && typeof payload.mission_id === 'string' ? payload.mission_id : null;
  return missionIdsNamedIn(named, ...texts);
}

function parse<E extends FollowedEvent>(event: E, payload: unknown): z.infer<(typeof schemas)[E]> {
  const result = schemas[event].safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new MalformedPayloadError(`${event} payload is malformed: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data as z.infer<(typeof schemas)[E]>;
}

/** The domain event a delivery carries, or null when it is one we do not follow (e.g. a PR labelled). */
export function toGitHubEvent(event: FollowedEvent, payload: unknown): GitHubEvent | null {
  switch (event) {
    case 'pull_request': {
      const p = parse('pull_request', payload);
      if (!['opened', 'synchronize', 'closed', 'reopened', 'edited', 'ready_for_review'].includes(p.action)) return null;
      return { kind: 'pull_request', action: p.action, pullRequest: facts(p.pull_request, p.repository.full_name) };
    }
    case 'pull_request_review': {
      const p = parse('pull_request_review', payload);
      const state = p.action === 'dismissed' ? 'dismissed' : REVIEW_STATES[p.review.state.toLowerCase()];
      if (!state || !p.review.user || (p.action !== 'submitted' && p.action !== 'dismissed')) return null;
      return { kind: 'review', pullRequest: facts(p.pull_request, p.repository.full_name), reviewer: p.review.user.login, state };
    }
    case 'check_run': {
      const p = parse('check_run', payload);
      const run = p.check_run;
      return {
        kind: 'check',
        source: 'check_run',
        repository: p.repository.full_name,
        headSha: run.head_sha,
        headRef: run.check_suite?.head_branch ?? null,
        name: run.name,
        conclusion: conclusionOf(run.status, run.conclusion),
        pullRequestNumbers: run.pull_requests.map((pr) => pr.number),
      };
    }
    case 'check_suite': {
      const p = parse('check_suite', payload);
      const suite = p.check_suite;
      return {
        kind: 'check',
        source: 'check_suite',
        repository: p.repository.full_name,
        headSha: suite.head_sha,
        headRef: suite.head_branch,
        name: suite.app?.name ?? 'check suite',
        conclusion: conclusionOf(suite.status, suite.conclusion),
        pullRequestNumbers: suite.pull_requests.map((pr) => pr.number),
      };
    }
    case 'status': {
      const p = parse('status', payload);
      return {
        kind: 'check',
        source: 'status',
        repository: p.repository.full_name,
        headSha: p.sha,
        headRef: null,
        name: p.context,
        conclusion: statusConclusion(p.state),
        pullRequestNumbers: [],
      };
    }
    case 'workflow_run': {
      const p = parse('workflow_run', payload);
      const run = p.workflow_run;
      return {
        kind: 'check',
        source: 'workflow_run',
        repository: p.repository.full_name,
        headSha: run.head_sha,
        headRef: run.head_branch,
        name: run.name ?? 'workflow',
        conclusion: conclusionOf(run.status, run.conclusion),
        pullRequestNumbers: run.pull_requests.map((pr) => pr.number),
      };
    }
    case 'deployment_status': {
      const p = parse('deployment_status', payload);
      const state = p.deployment_status.state as DeploymentState;
      if (!DEPLOYMENT_STATES.has(state))
        throw new MalformedPayloadError(`deployment_status payload is malformed: deployment_status.state: unknown state "${p.deployment_status.state}"`);
      const d = p.deployment;
      const description = p.deployment_status.description || d.description || null;
      return {
        kind: 'deployment',
        deployment: {
          repository: p.repository.full_name,
          deploymentId: String(d.id),
          environment: p.deployment_status.environment || d.environment,
          state,
          url: p.deployment_status.environment_url || p.deployment_status.target_url || null,
          description,
          sha: d.sha,
          ref: d.ref,
          productionEnvironment: d.production_environment ?? false,
          transientEnvironment: d.transient_environment ?? false,
          missionIds: missionIdsOfDeployment(d.payload, d.description, d.ref),
        },
      };
    }
  }
}
