// Builds the GitHub and Linear connectors a process uses, from configuration and the
// workspace's credentials (stored, else the environment). A toolkit without a token gets no
// connector: missions still run, and its auth status says it needs auth.
import type { Logger } from 'pino';
import type { ExecutorDispatcher } from '../domain/executorDispatch.js';
import type { ToolkitAuthChecker, ToolkitInspector } from '../domain/toolkitInspection.js';
import type { FollowUpTracker, PullRequestReader, RollbackStepRunner } from '../domain/trackers.js';
import { ApiAuthChecker, githubProbe, linearProbe, type AuthProbe } from './apiAuthChecker.js';
import type { CredentialVault } from './credentials/credentialVault.js';
import { environmentAuthChecker } from './environmentAuthChecker.js';
import { ClosePullRequestStep } from './github/closePullRequestStep.js';
import { GitHubApi, parseRepository } from './github/githubApi.js';
import { GitHubIssueTracker } from './github/githubIssueTracker.js';
import { GitHubPullRequestReader } from './github/pullRequestReader.js';
import { GitHubPullRequestCode } from './github/pullRequestCode.js';
import type { CodeHost } from '../domain/mustHaveChecks.js';
import { GitHubRepositoryInspector } from './github/repositoryInspector.js';
import { GitHubWorkflowDispatcher } from './github/workflowDispatch.js';
import { LinearApi } from './linear/linearApi.js';
import { LinearTracker } from './linear/linearTracker.js';

export interface ConnectorSettings {
  GITHUB_API_URL: string;
  GITHUB_REPOSITORY?: string | undefined;
  GITHUB_EXECUTOR_WORKFLOW?: string | undefined;
  GITHUB_EXECUTOR_REF?: string | undefined;
  MCP_PUBLIC_URL?: string | undefined;
  LINEAR_API_URL: string;
  LINEAR_TEAM_KEY?: string | undefined;
}

export interface Connectors {
  authChecker: ToolkitAuthChecker;
  inspectors: ToolkitInspector[];
  trackers: Partial<Record<'linear' | 'github', FollowUpTracker>>;
  linear: LinearTracker | null;
  /** Reads pull requests for Execute's evidence; null without a GitHub token. */
  pullRequests: PullRequestReader | null;
  /** Reads a pull request's code at its head, for the must-have check at completion; null without a GitHub token. */
  code: CodeHost | null;
  rollbackSteps: RollbackStepRunner[];
  /** Runs approved missions in CI (GitHub Actions workflow_dispatch); null unless GITHUB_EXECUTOR_WORKFLOW and a GitHub token are set. */
  executor: ExecutorDispatcher | null;
}

/** Auth checks run inside people's commands (recommending toolkits): they give up sooner than background work. */
const QUICK = { timeoutMs: 4_000, retry: { maxAttempts: 2, budgetMs: 6_000 } };

/** Connectors built elsewhere (the Slack toolkit's, from the Slack front door's client). */
export interface ExtraConnectors {
  probes?: Record<string, AuthProbe>;
  inspectors?: ToolkitInspector[];
}

export async function createConnectors(
  settings: ConnectorSettings,
  vault: CredentialVault,
  env: Record<string, string | undefined>,
  logger: Logger,
  extra: ExtraConnectors = {},
): Promise<Connectors> {
  const githubToken = await vault.token('github');
  const linearToken = await vault.token('linear');
  const repository = settings.GITHUB_REPOSITORY ? parseRepository(settings.GITHUB_REPOSITORY) : null;
  const probes: Record<string, AuthProbe> = { ...extra.probes };
  const connectors: Connectors = {
    authChecker: environmentAuthChecker(env),
    inspectors: [...(extra.inspectors ?? [])],
    trackers: {},
    linear: null,
    pullRequests: null,
    code: null,
    rollbackSteps: [],
    executor: null,
  };

  if (githubToken) {
    const api = new GitHubApi({ token: githubToken.token, baseUrl: settings.GITHUB_API_URL });
    probes.github = githubProbe(new GitHubApi({ token: githubToken.token, baseUrl: settings.GITHUB_API_URL, ...QUICK }));
    connectors.inspectors.push(new GitHubRepositoryInspector({ api, defaultRepository: repository }));
    connectors.pullRequests = new GitHubPullRequestReader(api, repository);
    connectors.code = new GitHubPullRequestCode(api, repository);
    connectors.rollbackSteps.push(new ClosePullRequestStep(api, repository));
    if (repository) connectors.trackers.github = new GitHubIssueTracker({ api, repository });
    if (settings.GITHUB_EXECUTOR_WORKFLOW && settings.MCP_PUBLIC_URL) {
      connectors.executor = new GitHubWorkflowDispatcher({
        api,
        defaultRepository: repository,
        workflow: settings.GITHUB_EXECUTOR_WORKFLOW,
        ref: settings.GITHUB_EXECUTOR_REF ?? null,
        mcpUrl: settings.MCP_PUBLIC_URL,
      });
    }
  } else if (settings.GITHUB_EXECUTOR_WORKFLOW) {
    logger.warn('GITHUB_EXECUTOR_WORKFLOW is set but there is no GitHub token: approved missions are not dispatched to CI');
  }
  if (linearToken) {
    const api = new LinearApi({ apiKey: linearToken.token, apiUrl: settings.LINEAR_API_URL });
    const tracker = new LinearTracker({ api, teamKey: settings.LINEAR_TEAM_KEY });
    probes.linear = linearProbe(new LinearApi({ apiKey: linearToken.token, apiUrl: settings.LINEAR_API_URL, ...QUICK }));
    connectors.inspectors.push(tracker);
    connectors.trackers.linear = tracker;
    connectors.linear = tracker;
  }
  const sources = { github: githubToken?.source ?? null, linear: linearToken?.source ?? null };
  connectors.authChecker = new ApiAuthChecker({
    probes,
    fallback: environmentAuthChecker(env),
    onChecked: (toolkitId, check) => {
      logger.info({ toolkitId, status: check.status, scopes: check.scopes, detail: check.detail }, 'toolkit credential checked');
      if (sources[toolkitId as 'github' | 'linear'] === 'stored' && check.status === 'ready') {
        vault
          .markValidated(toolkitId, new Date(), check.scopes)
          .catch((error: unknown) => logger.warn({ err: error, toolkitId }, 'could not stamp the credential as validated'));
      }
    },
  });
  logger.info(
    { github: sources.github ?? 'not configured', linear: sources.linear ?? 'not configured', repository: settings.GITHUB_REPOSITORY ?? null },
    'connectors configured',
  );
  return connectors;
}
