// The GitHub Actions executor: starts a mission's workflow with `workflow_dispatch`
// (POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches, Octokit's
// actions.createWorkflowDispatch) on the mission's repository, with the inputs `mission_id`
// and `mcp_url`, so an agent in CI (e.g. anthropics/claude-code-action with this server as
// its MCP server) runs the mission and reports back. GitHub answers 204 without a run id; the
// run is found again by its title, which the workflow sets to include the mission id
// (`run-name: Mission Control ${{ inputs.mission_id }}`).
import type { DispatchOutcome, DispatchTarget, ExecutorDispatch, ExecutorDispatcher } from '../../domain/executorDispatch.js';
import type { Mission } from '../../domain/mission.js';
import { ConnectorError } from '../connectorError.js';
import { parseRepository, repositoryName, type GitHubApi, type RepositoryRef } from './githubApi.js';
import { repositoryForMission } from './repositoryInspector.js';

export interface WorkflowDispatchOptions {
  api: GitHubApi;
  /** GITHUB_REPOSITORY: used when the mission names no repository. */
  defaultRepository: RepositoryRef | null;
  /** GITHUB_EXECUTOR_WORKFLOW: the workflow file name (mission.yml) or id. */
  workflow: string;
  /** GITHUB_EXECUTOR_REF; null: the repository's default branch. */
  ref: string | null;
  /** MCP_PUBLIC_URL: what the agent in CI connects to. */
  mcpUrl: string;
}

interface RepositoryJson {
  default_branch: string;
  html_url: string;
}

interface WorkflowRunsJson {
  workflow_runs: Array<{ id: number; html_url: string; display_title?: string; name?: string; event: string; created_at: string }>;
}

const DISPATCH_ROUTE = 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches';

export class GitHubWorkflowDispatcher implements ExecutorDispatcher {
  readonly executor = 'github_actions' as const;
  constructor(private readonly options: WorkflowDispatchOptions) {}

  target(mission: Mission): DispatchTarget | { problem: string } {
    const repository = repositoryForMission(mission, this.options.defaultRepository);
    if (!repository) {
      return { problem: 'No repository to run it in: the brief names none ("repo owner/name" or a github.com URL) and GITHUB_REPOSITORY is not set.' };
    }
    return { executor: this.executor, repository: repositoryName(repository), workflow: this.options.workflow, ref: this.options.ref };
  }

  /** A run of the workflow started for this mission since the dispatch was requested, or null. */
  async findRun(mission: Mission, dispatch: ExecutorDispatch): Promise<string | null> {
    const repo = parseRepository(dispatch.repository);
    if (!repo) return null;
    try {
      // Five minutes of margin for clock skew with GitHub; the title (with the mission id) decides.
      const since = new Date(Date.parse(dispatch.requestedAt) - 5 * 60_000).toISOString().slice(0, 19);
      const runs = await this.options.api.get<WorkflowRunsJson>('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', {
        owner: repo.owner,
        repo: repo.repo,
        workflow_id: dispatch.workflow,
        event: 'workflow_dispatch',
        created: `>=${since}`,
        per_page: 30,
      });
      const run = runs.data.workflow_runs.find((r) => (r.display_title ?? '').includes(mission.id));
      return run?.html_url ?? null;
    } catch (error) {
      // No workflow (404) or no access: dispatching will say so in words. Anything transient is retried later.
      if (error instanceof ConnectorError && !error.retryable) return null;
      throw error;
    }
  }

  async dispatch(mission: Mission, target: DispatchTarget): Promise<DispatchOutcome> {
    const repo = parseRepository(target.repository);
    if (!repo) return { kind: 'refused', error: `"${target.repository}" is not a GitHub repository (owner/name).` };
    let ref = target.ref;
    let runsPage: string;
    try {
      const repository = await this.options.api.get<RepositoryJson>('GET /repos/{owner}/{repo}', { owner: repo.owner, repo: repo.repo });
      ref ??= repository.data.default_branch;
      runsPage = `${repository.data.html_url}/actions/workflows/${encodeURIComponent(target.workflow)}`;
      await this.options.api.send(DISPATCH_ROUTE, {
        owner: repo.owner,
        repo: repo.repo,
        workflow_id: target.workflow,
        ref,
        inputs: { mission_id: mission.id, mcp_url: this.options.mcpUrl },
      });
    } catch (error) {
      const failure =
        error instanceof ConnectorError ? error : new ConnectorError('github', 'unavailable', error instanceof Error ? error.message : String(error));
      if (failure.retryable) throw failure;
      return { kind: 'refused', error: refusalInWords(failure, target, ref) };
    }
    return { kind: 'dispatched', runsUrl: runsPage, foundExisting: false };
  }
}

/** GitHub's refusal as a person can act on it; GitHub's own words kept at the end. */
export function refusalInWords(error: ConnectorError, target: DispatchTarget, ref: string | null): string {
  const said = error.message.replace(/^GitHub answered \d+ to [^:]+: /, '').replace(/ - https:\/\/docs\.github\.com\S*/, '');
  const workflow = `"${target.workflow}"`;
  switch (error.failure) {
    case 'not_found':
      return `GitHub found no workflow ${workflow} in ${target.repository} (404): add .github/workflows/${target.workflow} with a workflow_dispatch trigger to its default branch (README: "Running missions in CI"), or check GITHUB_EXECUTOR_WORKFLOW and that the token can see the repository.`;
    case 'rejected':
      return `GitHub refused to start ${workflow} on ${ref ? `ref "${ref}"` : 'the default branch'} of ${target.repository} (${error.status ?? 422}): the workflow has no workflow_dispatch trigger, the ref does not exist, or its inputs are not mission_id and mcp_url. GitHub said: ${said}`;
    case 'unauthorized':
      return `GitHub refused the token (401): the GitHub token is missing, expired or revoked. Set a new one (GITHUB_TOKEN, or \`mission-control credential set --toolkit github\`) and restart.`;
    case 'forbidden':
      return `The GitHub token may not start workflows in ${target.repository} (403): it needs the Actions "write" permission (fine-grained token) or the repo and workflow scopes. GitHub said: ${said}`;
    default:
      return `GitHub did not start ${workflow} in ${target.repository}: ${error.message}`;
  }
}
