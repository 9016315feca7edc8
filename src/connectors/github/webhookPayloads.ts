// GitHub webhook payloads, reduced to the facts the domain follows (src/domain/githubEvents.ts)
// with the shapes the REST readers share (githubShapes.ts); a payload missing a field we read is
// malformed and refused. Events and actions we do not follow are `null`.
import { z } from 'zod';
import { missionIdsNamedIn, type GitHubEvent } from '../../domain/githubEvents.js';
import type { DeploymentState } from '../../domain/releaseRules.js';
import {
  checkConclusion,
  checkRunShape,
  commitStatusConclusion,
  commitStatusState,
  pullRequestFacts,
  pullRequestShape,
  repositoryShape,
  reviewShape,
  reviewState,
  shapeIssue,
} from './githubShapes.js';

/** The events Mission Control follows; subscribe the webhook to exactly these. */
export const FOLLOWED_EVENTS = ['pull_request', 'pull_request_review', 'check_run', 'check_suite', 'status', 'workflow_run', 'deployment_status'] as const;

const schemas = {
  pull_request: z.looseObject({ action: z.string(), pull_request: pullRequestShape, repository: repositoryShape }),
  pull_request_review: z.looseObject({
    action: z.string(),
    review: reviewShape,
    pull_request: pullRequestShape,
    repository: repositoryShape,
  }),
  check_run: z.looseObject({
    action: z.string(),
    check_run: checkRunShape.extend({
      head_sha: z.string().min(1),
      pull_requests: z.array(z.looseObject({ number: z.number().int() })),
      check_suite: z.looseObject({ head_branch: z.string().nullable().optional() }).optional(),
    }),
    repository: repositoryShape,
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
    repository: repositoryShape,
  }),
  status: z.looseObject({ sha: z.string().min(1), context: z.string(), state: commitStatusState, repository: repositoryShape }),
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
    repository: repositoryShape,
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
    repository: repositoryShape,
  }),
} as const;

export type FollowedEvent = keyof typeof schemas;

export function isFollowedEvent(name: string): name is FollowedEvent {
  return Object.hasOwn(schemas, name);
}

export class MalformedPayloadError extends Error {}

const DEPLOYMENT_STATES = new Set<DeploymentState>(['pending', 'queued', 'in_progress', 'success', 'failure', 'error', 'inactive']);

function missionIdsOfDeployment(payload: unknown, ...texts: Array<string | null | undefined>): string[] {
  const named = payload && typeof payload === 'object' && 'mission_id' in payload && typeof payload.mission_id === 'string' ? payload.mission_id : null;
  return missionIdsNamedIn(named, ...texts);
}

function parse<E extends FollowedEvent>(event: E, payload: unknown): z.infer<(typeof schemas)[E]> {
  const result = schemas[event].safeParse(payload);
  if (!result.success) {
    throw new MalformedPayloadError(`${event} payload is malformed: ${shapeIssue(result.error)}`);
  }
  return result.data as z.infer<(typeof schemas)[E]>;
}

/** The domain event a delivery carries, or null when it is one we do not follow (e.g. a PR labelled). */
export function toGitHubEvent(event: FollowedEvent, payload: unknown): GitHubEvent | null {
  switch (event) {
    case 'pull_request': {
      const p = parse('pull_request', payload);
      if (!['opened', 'synchronize', 'closed', 'reopened', 'edited', 'ready_for_review'].includes(p.action)) return null;
      return { kind: 'pull_request', action: p.action, pullRequest: pullRequestFacts(p.pull_request, p.repository.full_name) };
    }
    case 'pull_request_review': {
      const p = parse('pull_request_review', payload);
      const state = p.action === 'dismissed' ? 'dismissed' : reviewState(p.review.state);
      if (!state || !p.review.user || (p.action !== 'submitted' && p.action !== 'dismissed')) return null;
      return { kind: 'review', pullRequest: pullRequestFacts(p.pull_request, p.repository.full_name), reviewer: p.review.user.login, state };
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
        conclusion: checkConclusion(run.status, run.conclusion),
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
        conclusion: checkConclusion(suite.status, suite.conclusion),
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
        conclusion: commitStatusConclusion(p.state),
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
        conclusion: checkConclusion(run.status, run.conclusion),
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
