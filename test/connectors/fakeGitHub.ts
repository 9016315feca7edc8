// A small GitHub REST API for msw, answering with the shapes GitHub records (field names and
// nesting as in the REST reference; values from seed 000's repository). Tests override single
// routes with `server.use(...)` for failures.
import { createHash } from 'node:crypto';
import { http, HttpResponse, type HttpHandler } from 'msw';

export const GITHUB_API = 'https://github.test/api/v3';
export const OWNER = 'jordan-nakamura';
export const REPO = 'legaltech-mvp';
export const FULL_NAME = `${OWNER}/${REPO}`;
export const HEAD_SHA = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
export const PR_BRANCH = 'feat/auth-refactor-mission-2025-10';

const owner = (login: string, id: number) => ({
  login,
  id,
  node_id: `MDQ6VXNlcj${id}`,
  avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
  url: `${GITHUB_API}/users/${login}`,
  html_url: `https://github.com/${login}`,
  type: 'User',
  site_admin: false,
});

export const repositoryFixture = {
  id: 1296269,
  node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
  name: REPO,
  full_name: FULL_NAME,
  owner: owner(OWNER, 583231),
  private: true,
  html_url: `https://github.com/${FULL_NAME}`,
  description: 'Legal document automation',
  fork: false,
  url: `${GITHUB_API}/repos/${FULL_NAME}`,
  default_branch: 'main',
  visibility: 'private',
  open_issues_count: 4,
  permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
  pushed_at: '2025-10-15T09:30:00Z',
  created_at: '2025-03-02T12:00:00Z',
  updated_at: '2025-10-15T09:30:00Z',
};

export const branchFixture = {
  name: 'main',
  commit: { sha: '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d', url: `${GITHUB_API}/repos/${FULL_NAME}/commits/7fd1a60b01f91b314f59955a4e4d4e80d8edf11d` },
  protected: true,
  protection: {
    enabled: true,
    required_status_checks: {
      enforcement_level: 'non_admins',
      contexts: ['ci / test', 'ci / typecheck'],
      checks: [
        { context: 'ci / test', app_id: 15368 },
        { context: 'ci / typecheck', app_id: 15368 },
      ],
    },
  },
  protection_url: `${GITHUB_API}/repos/${FULL_NAME}/branches/main/protection`,
};

export const protectionFixture = {
  url: `${GITHUB_API}/repos/${FULL_NAME}/branches/main/protection`,
  required_status_checks: {
    url: `${GITHUB_API}/repos/${FULL_NAME}/branches/main/protection/required_status_checks`,
    strict: true,
    contexts: ['ci / test', 'ci / typecheck'],
    checks: [
      { context: 'ci / test', app_id: 15368 },
      { context: 'ci / typecheck', app_id: 15368 },
    ],
  },
  required_pull_request_reviews: {
    url: `${GITHUB_API}/repos/${FULL_NAME}/branches/main/protection/required_pull_request_reviews`,
    dismiss_stale_reviews: true,
    require_code_owner_reviews: false,
    required_approving_review_count: 2,
    require_last_push_approval: false,
  },
  enforce_admins: { url: `${GITHUB_API}/repos/${FULL_NAME}/branches/main/protection/enforce_admins`, enabled: true },
  required_linear_history: { enabled: false },
  allow_force_pushes: { enabled: false },
  allow_deletions: { enabled: false },
};

/** 23 auth files (as the seed found), 127 test files, and the rest of a Next.js app. */
export function repositoryPaths(): string[] {
  const auth = [
    'src/lib/auth/jwt.ts',
    'src/lib/auth/middleware.ts',
    'src/lib/auth/session.ts',
    'src/lib/auth/csrf.ts',
    'src/pages/api/auth/[...nextauth].ts',
    'src/pages/api/auth/logout.ts',
    'src/pages/api/auth/refresh.ts',
    'src/lib/auth/tokens.ts',
    'src/lib/auth/revocation.ts',
    'src/lib/auth/cookies.ts',
    'src/lib/auth/errors.ts',
    'src/lib/auth/index.ts',
    'src/lib/auth/supabase.ts',
    'src/lib/auth/refreshQueue.ts',
    'src/lib/auth/guards.ts',
    'src/components/auth/LoginForm.tsx',
    'src/components/auth/LogoutButton.tsx',
    'src/components/auth/SessionProvider.tsx',
    'src/hooks/useSession.ts',
    'src/hooks/useAuth.ts',
    'src/middleware/authMiddleware.ts',
    'src/pages/login.tsx',
    'src/pages/logout.tsx',
  ];
  const other = [
    'README.md',
    'package.json',
    'next.config.js',
    'tsconfig.json',
    'src/pages/index.tsx',
    'src/pages/documents/[id].tsx',
    'src/lib/documents/render.ts',
    'src/lib/db.ts',
    'src/styles/globals.css',
  ];
  const tests = Array.from({ length: 127 }, (_, i) => (i < 40 ? `src/lib/auth/__tests__/case${i + 1}.test.ts` : `test/documents/doc${i + 1}.spec.ts`));
  return [...auth, ...other, ...tests];
}

export const packageJson = {
  name: 'legaltech-mvp',
  private: true,
  dependencies: {
    next: '14.2.3',
    react: '18.3.1',
    'react-dom': '18.3.1',
    jsonwebtoken: '9.0.2',
    '@supabase/supabase-js': '2.45.0',
    cookie: '0.6.0',
    jose: '5.6.3',
    zod: '3.23.8',
  },
  devDependencies: { typescript: '5.5.4', vitest: '2.0.5', '@types/jsonwebtoken': '9.0.6' },
};

export function pullFixture(number = 47, overrides: Record<string, unknown> = {}) {
  return {
    url: `${GITHUB_API}/repos/${FULL_NAME}/pulls/${number}`,
    id: 1847293012,
    node_id: 'PR_kwDOAbCdEf5uHq0U',
    html_url: `https://github.com/${FULL_NAME}/pull/${number}`,
    number,
    state: 'open',
    locked: false,
    title: 'Incremental auth hardening with feature flags',
    user: owner('mission-control-bot', 9919),
    body: 'Mission msn_0001: JWT refresh fix, token revocation, CSRF protection, error handling.',
    created_at: '2025-10-15T12:04:00Z',
    updated_at: '2025-10-15T12:18:00Z',
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    draft: false,
    head: {
      label: `${OWNER}:${PR_BRANCH}`,
      ref: PR_BRANCH,
      sha: HEAD_SHA,
      user: owner(OWNER, 583231),
      repo: { id: 1296269, full_name: FULL_NAME, name: REPO },
    },
    base: {
      label: `${OWNER}:main`,
      ref: 'main',
      sha: '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d',
      user: owner(OWNER, 583231),
      repo: { id: 1296269, full_name: FULL_NAME, name: REPO },
    },
    merged: false,
    mergeable: true,
    mergeable_state: 'clean',
    comments: 2,
    review_comments: 3,
    commits: 14,
    additions: 847,
    deletions: 316,
    changed_files: 25,
    ...overrides,
  };
}

export function checkRun(name: string, conclusion: string | null, status = 'completed') {
  return {
    id: Math.floor(Math.random() * 1e9),
    head_sha: HEAD_SHA,
    node_id: 'CR_kwDOAbCdEf8AAAAB',
    external_id: '',
    url: `${GITHUB_API}/repos/${FULL_NAME}/check-runs/4`,
    html_url: `https://github.com/${FULL_NAME}/runs/4`,
    details_url: `https://github.com/${FULL_NAME}/actions/runs/4`,
    status,
    conclusion,
    started_at: '2025-10-15T12:05:00Z',
    completed_at: status === 'completed' ? '2025-10-15T12:11:00Z' : null,
    output: { title: `${name}: 172 tests passing`, summary: 'All suites green', text: null, annotations_count: 0, annotations_url: '' },
    name,
    check_suite: { id: 5 },
    app: { id: 15368, slug: 'github-actions', name: 'GitHub Actions' },
    pull_requests: [
      {
        url: `${GITHUB_API}/repos/${FULL_NAME}/pulls/47`,
        id: 1847293012,
        number: 47,
        head: { ref: PR_BRANCH, sha: HEAD_SHA },
        base: { ref: 'main', sha: '7fd1a60b' },
      },
    ],
  };
}

export function review(login: string, state: string, id: number, submittedAt = '2025-10-15T14:10:00Z') {
  return {
    id,
    node_id: `PRR_kwDOAbCdEf${id}`,
    user: owner(login, 7000 + id),
    body: state === 'APPROVED' ? 'Excellent work! Approving for merge. Ship it!' : 'Minor suggestions inline.',
    state,
    html_url: `https://github.com/${FULL_NAME}/pull/47#pullrequestreview-${id}`,
    pull_request_url: `${GITHUB_API}/repos/${FULL_NAME}/pulls/47`,
    submitted_at: submittedAt,
    commit_id: HEAD_SHA,
    author_association: 'COLLABORATOR',
  };
}

export interface FakeGitHubState {
  checkRuns: ReturnType<typeof checkRun>[];
  reviews: ReturnType<typeof review>[];
  issues: Array<{ number: number; title: string; body: string; labels: string[]; state: 'open' | 'closed' }>;
  pullState: 'open' | 'closed';
  deletedRefs: string[];
  /** Requests seen, as "METHOD /path". */
  requests: string[];
  /** Workflows by file name; `dispatchable` when the file has an `on: workflow_dispatch` trigger. */
  workflows: Record<string, { id: number; dispatchable: boolean }>;
  /** Branches and tags a workflow can be dispatched on. */
  refs: string[];
  /** workflow_dispatch events GitHub accepted (204). */
  dispatches: Array<{ workflow: string; ref: string; inputs: Record<string, string> }>;
  /** Runs created by dispatches; titled by the workflow's run-name ("Mission Control <mission id>"). */
  workflowRuns: Array<{
    id: number;
    workflow: string;
    display_title: string;
    html_url: string;
    event: string;
    status: string;
    created_at: string;
    head_branch: string;
  }>;
  /** The only token GitHub accepts for Actions calls (401 Bad credentials otherwise); null accepts any. */
  actionsToken: string | null;
  /** Actions calls answer 403 with x-ratelimit-remaining 0 while set (the primary rate limit is spent). */
  actionsRateLimited: boolean;
  /** Actions calls answer 403 "Resource not accessible by personal access token" (a token without Actions write). */
  actionsForbidden: boolean;
  /** Files at the pull request's head (HEAD_SHA), for the contents API; a path not here answers 404. */
  files: Record<string, string>;
  /** Files the pull request changes, as GET /pulls/47/files lists them. */
  pullFiles: Array<{ filename: string; status: 'added' | 'modified' | 'removed' | 'renamed' }>;
  /** Contents calls answer 403 with x-ratelimit-remaining 0 while set. */
  contentsRateLimited: boolean;
  /** Open Dependabot alerts; `dependabotAccess` says whether the token may read them. */
  dependabotAlerts: ReturnType<typeof dependabotAlert>[];
  dependabotAccess: 'ok' | 'forbidden' | 'disabled';
  /** Open code scanning alerts; `codeScanningAccess` says whether the token may read them. */
  codeScanningAlerts: ReturnType<typeof codeScanningAlert>[];
  codeScanningAccess: 'ok' | 'forbidden' | 'no_analysis';
}

/** A Dependabot alert as GET /repos/{owner}/{repo}/dependabot/alerts lists it. */
export function dependabotAlert(number: number, pkg: string, severity: 'low' | 'medium' | 'high' | 'critical', manifest = 'package.json') {
  return {
    number,
    state: 'open',
    dependency: { package: { ecosystem: 'npm', name: pkg }, manifest_path: manifest, scope: 'runtime' },
    security_advisory: {
      ghsa_id: `GHSA-${number}xxx-yyyy-zzzz`,
      cve_id: `CVE-2025-${1000 + number}`,
      summary: `${pkg} vulnerable to signature bypass`,
      severity,
      cvss: { score: 9.1, vector_string: null },
    },
    security_vulnerability: {
      package: { ecosystem: 'npm', name: pkg },
      severity,
      vulnerable_version_range: '< 9.0.3',
      first_patched_version: { identifier: '9.0.3' },
    },
    url: `${GITHUB_API}/repos/${FULL_NAME}/dependabot/alerts/${number}`,
    html_url: `https://github.com/${FULL_NAME}/security/dependabot/${number}`,
    created_at: '2025-10-01T08:00:00Z',
    updated_at: '2025-10-01T08:00:00Z',
    dismissed_at: null,
    fixed_at: null,
  };
}

/** A code scanning alert as GET /repos/{owner}/{repo}/code-scanning/alerts lists it. */
export function codeScanningAlert(number: number, path: string, severity: 'low' | 'medium' | 'high' | 'critical', description = 'Missing CSRF middleware') {
  return {
    number,
    state: 'open',
    created_at: '2025-10-02T08:00:00Z',
    url: `${GITHUB_API}/repos/${FULL_NAME}/code-scanning/alerts/${number}`,
    html_url: `https://github.com/${FULL_NAME}/security/code-scanning/${number}`,
    rule: {
      id: 'js/missing-token-validation',
      severity: 'error',
      security_severity_level: severity,
      description,
      name: 'js/missing-token-validation',
      tags: ['security', 'external/cwe/cwe-352'],
    },
    tool: { name: 'CodeQL', guid: null, version: '2.19.0' },
    most_recent_instance: {
      ref: 'refs/heads/main',
      state: 'open',
      commit_sha: '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d',
      message: { text: description },
      location: { path, start_line: 12, end_line: 12, start_column: 1, end_column: 40 },
      classifications: [],
    },
  };
}

export function fakeGitHubState(): FakeGitHubState {
  return {
    checkRuns: [checkRun('ci / test', 'success'), checkRun('ci / typecheck', 'success'), checkRun('ci / lint', 'success')],
    reviews: [review('advisor_001', 'COMMENTED', 1, '2025-10-15T13:50:00Z'), review('advisor_001', 'APPROVED', 2)],
    issues: [],
    pullState: 'open',
    deletedRefs: [],
    requests: [],
    workflows: { 'mission.yml': { id: 161335, dispatchable: true }, 'ci.yml': { id: 161336, dispatchable: false } },
    refs: ['main', PR_BRANCH],
    dispatches: [],
    workflowRuns: [],
    actionsToken: null,
    actionsRateLimited: false,
    actionsForbidden: false,
    files: {},
    pullFiles: [],
    contentsRateLimited: false,
    dependabotAlerts: [],
    dependabotAccess: 'ok',
    codeScanningAlerts: [],
    codeScanningAccess: 'ok',
  };
}

function rateLimited(): Response {
  const reset = String(Math.floor(Date.now() / 1000) + 3600);
  return HttpResponse.json(
    { message: 'API rate limit exceeded for user ID 9919.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
    {
      status: 403,
      headers: {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': reset,
        'x-ratelimit-used': '5000',
        'x-ratelimit-resource': 'core',
      },
    },
  );
}

function gitBlobSha(content: string): string {
  return createHash('sha1')
    .update(`blob ${Buffer.byteLength(content)}\0${content}`)
    .digest('hex');
}

function issueJson(issue: FakeGitHubState['issues'][number]) {
  return {
    url: `${GITHUB_API}/repos/${FULL_NAME}/issues/${issue.number}`,
    id: 900000 + issue.number,
    node_id: `I_kwDOAbCdEf${issue.number}`,
    number: issue.number,
    html_url: `https://github.com/${FULL_NAME}/issues/${issue.number}`,
    state: issue.state,
    title: issue.title,
    body: issue.body,
    user: owner('mission-control-bot', 9919),
    labels: issue.labels.map((name, i) => ({ id: 208045946 + i, node_id: 'LA_kwDOAbCd', name, color: 'f29513', default: false, description: null })),
    assignee: null,
    assignees: [],
    comments: 0,
    created_at: '2025-10-15T14:20:00Z',
    updated_at: '2025-10-15T14:20:00Z',
    closed_at: null,
    author_association: 'NONE',
  };
}

interface AlertListRefusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

export function fakeGitHubHandlers(state: FakeGitHubState, base = GITHUB_API): HttpHandler[] {
  const repo = `${base}/repos/:owner/:repo`;
  const seen = (request: Request) => {
    const url = new URL(request.url);
    state.requests.push(`${request.method} ${url.pathname.replace('/api/v3', '')}`);
  };
  const known = (params: Record<string, string | readonly string[] | undefined>) => params.owner === OWNER && params.repo === REPO;
  const notFound = () => HttpResponse.json({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }, { status: 404 });
  const rate = {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4987',
    'x-ratelimit-reset': '1760534400',
    'x-ratelimit-used': '13',
    'x-ratelimit-resource': 'core',
  };
  /** A security alert list (filtered by `state`), or GitHub's refusal when the token may not read it. */
  const alertList = (path: string, docs: string, alerts: () => ReadonlyArray<{ state: string }>, refusal: () => AlertListRefusal | null) =>
    http.get(`${repo}/${path}`, ({ request, params }) => {
      seen(request);
      if (!known(params)) return notFound();
      const refused = refusal();
      if (refused)
        return HttpResponse.json(
          { message: refused.message, documentation_url: docs, status: String(refused.status) },
          { status: refused.status, headers: { ...rate, ...refused.headers } },
        );
      const stateFilter = new URL(request.url).searchParams.get('state');
      return HttpResponse.json(
        alerts().filter((a) => !stateFilter || a.state === stateFilter),
        { headers: rate },
      );
    });
  return [
    http.get(`${base}/user`, ({ request }) => {
      seen(request);
      return HttpResponse.json(
        { ...owner('mission-control-bot', 9919), name: 'Mission Control', email: null },
        { headers: { ...rate, 'x-oauth-scopes': 'repo, read:org', 'x-accepted-oauth-scopes': '' } },
      );
    }),
    http.get(repo, ({ request, params }) => {
      seen(request);
      return known(params) ? HttpResponse.json(repositoryFixture, { headers: rate }) : notFound();
    }),
    http.get(`${repo}/branches/:branch`, ({ request }) => {
      seen(request);
      return HttpResponse.json(branchFixture, { headers: rate });
    }),
    http.get(`${repo}/branches/:branch/protection`, ({ request }) => {
      seen(request);
      return HttpResponse.json(protectionFixture, { headers: rate });
    }),
    http.get(`${repo}/git/trees/:sha`, ({ request }) => {
      seen(request);
      const tree = repositoryPaths().map((path) => ({
        path,
        mode: '100644',
        type: 'blob',
        sha: 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391',
        size: 1200,
        url: `${base}/repos/${FULL_NAME}/git/blobs/e69de29`,
      }));
      return HttpResponse.json(
        { sha: '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d', url: `${base}/repos/${FULL_NAME}/git/trees/7fd1a60b`, tree, truncated: false },
        { headers: rate },
      );
    }),
    http.get(`${repo}/contents/package.json`, ({ request }) => {
      seen(request);
      const content = Buffer.from(JSON.stringify(packageJson, null, 2)).toString('base64');
      return HttpResponse.json(
        { type: 'file', encoding: 'base64', size: 640, name: 'package.json', path: 'package.json', content, sha: '3d21ec53a331a6f037a91c368710b99387d012c1' },
        { headers: rate },
      );
    }),
    http.get(`${repo}/contents/*`, ({ request, params }) => {
      seen(request);
      if (state.contentsRateLimited) return rateLimited();
      if (!known(params)) return notFound();
      const url = new URL(request.url);
      const path = decodeURIComponent(url.pathname.split('/contents/')[1] ?? '');
      const ref = url.searchParams.get('ref');
      // Only the pull request's head is stored; another ref has none of these files.
      const content = ref === null || ref === HEAD_SHA || ref === PR_BRANCH ? state.files[path] : undefined;
      if (content === undefined) return notFound();
      const name = path.split('/').pop()!;
      const sha = gitBlobSha(content);
      return HttpResponse.json(
        {
          type: 'file',
          encoding: 'base64',
          size: Buffer.byteLength(content),
          name,
          path,
          // GitHub wraps the base64 at 60 characters.
          content: `${Buffer.from(content)
            .toString('base64')
            .replace(/(.{60})/g, '$1\n')}\n`,
          sha,
          url: `${base}/repos/${FULL_NAME}/contents/${path}?ref=${ref ?? 'main'}`,
          html_url: `https://github.com/${FULL_NAME}/blob/${ref ?? 'main'}/${path}`,
          download_url: `https://raw.githubusercontent.com/${FULL_NAME}/${ref ?? 'main'}/${path}`,
        },
        { headers: rate },
      );
    }),
    http.get(`${repo}/pulls/:number/files`, ({ request, params }) => {
      seen(request);
      if (state.contentsRateLimited) return rateLimited();
      if (params.number !== '47') return notFound();
      const url = new URL(request.url);
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const slice = state.pullFiles.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = { ...rate };
      if (page * perPage < state.pullFiles.length)
        headers.link = `<${base}/repos/${FULL_NAME}/pulls/47/files?per_page=${perPage}&page=${page + 1}>; rel="next"`;
      return HttpResponse.json(
        slice.map((f) => ({
          sha: gitBlobSha(state.files[f.filename] ?? ''),
          filename: f.filename,
          status: f.status,
          additions: 10,
          deletions: 2,
          changes: 12,
          blob_url: `https://github.com/${FULL_NAME}/blob/${HEAD_SHA}/${f.filename}`,
          patch: '@@ -1 +1 @@',
        })),
        { headers },
      );
    }),
    alertList(
      'dependabot/alerts',
      'https://docs.github.com/rest/dependabot/alerts#list-dependabot-alerts-for-a-repository',
      () => state.dependabotAlerts,
      () =>
        ({
          ok: null,
          forbidden: {
            status: 403,
            message: 'Resource not accessible by personal access token',
            headers: { 'x-accepted-github-permissions': 'vulnerability_alerts=read' },
          },
          disabled: { status: 403, message: 'Dependabot alerts are disabled for this repository.' },
        })[state.dependabotAccess],
    ),
    alertList(
      'code-scanning/alerts',
      'https://docs.github.com/rest/code-scanning/code-scanning#list-code-scanning-alerts-for-a-repository',
      () => state.codeScanningAlerts,
      () =>
        ({
          ok: null,
          forbidden: { status: 403, message: 'Advanced Security must be enabled for this repository to use code scanning.' },
          no_analysis: { status: 404, message: 'no analysis found' },
        })[state.codeScanningAccess],
    ),
    http.get(`${repo}/pulls/:number`, ({ request, params }) => {
      seen(request);
      if (params.number !== '47') return notFound();
      return HttpResponse.json(pullFixture(47, { state: state.pullState }), { headers: rate });
    }),
    http.patch(`${repo}/pulls/:number`, async ({ request }) => {
      seen(request);
      const body = (await request.json()) as { state?: 'open' | 'closed' };
      if (body.state) state.pullState = body.state;
      return HttpResponse.json(pullFixture(47, { state: state.pullState, closed_at: '2025-10-15T15:00:00Z' }), { headers: rate });
    }),
    http.delete(`${repo}/git/refs/*`, ({ request }) => {
      seen(request);
      const ref = new URL(request.url).pathname.split('/git/refs/')[1]!;
      if (state.deletedRefs.includes(decodeURIComponent(ref)))
        return HttpResponse.json({ message: 'Reference does not exist', status: '422' }, { status: 422 });
      state.deletedRefs.push(decodeURIComponent(ref));
      return new HttpResponse(null, { status: 204 });
    }),
    http.get(`${repo}/commits/:ref/check-runs`, ({ request }) => {
      seen(request);
      return HttpResponse.json({ total_count: state.checkRuns.length, check_runs: state.checkRuns }, { headers: rate });
    }),
    http.get(`${repo}/pulls/:number/reviews`, ({ request }) => {
      seen(request);
      return HttpResponse.json(state.reviews, { headers: rate });
    }),
    http.get(`${repo}/issues`, ({ request }) => {
      seen(request);
      const url = new URL(request.url);
      const label = url.searchParams.get('labels');
      const issues = state.issues.filter((i) => !label || i.labels.includes(label)).sort((a, b) => b.number - a.number);
      return HttpResponse.json(issues.map(issueJson), { headers: rate });
    }),
    http.post(`${repo}/actions/workflows/:workflow/dispatches`, async ({ request, params }) => {
      seen(request);
      const refused = actionsRefusal(state, request);
      if (refused) return refused;
      const workflow = state.workflows[String(params.workflow)];
      if (!known(params) || !workflow) return notFound();
      const body = (await request.json()) as { ref?: string; inputs?: Record<string, string> };
      const docs = 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event';
      const unprocessable = (message: string) => HttpResponse.json({ message, documentation_url: docs, status: '422' }, { status: 422, headers: rate });
      if (!workflow.dispatchable) return unprocessable("Workflow does not have 'workflow_dispatch' trigger");
      if (!body.ref || !state.refs.includes(body.ref.replace(/^refs\/(heads|tags)\//, ''))) return unprocessable(`No ref found for: ${body.ref ?? ''}`);
      const unexpected = Object.keys(body.inputs ?? {}).filter((k) => k !== 'mission_id' && k !== 'mcp_url');
      if (unexpected.length > 0) return unprocessable(`Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
      state.dispatches.push({ workflow: String(params.workflow), ref: body.ref, inputs: body.inputs ?? {} });
      const id = 11800000000 + state.workflowRuns.length + 1;
      state.workflowRuns.push({
        id,
        workflow: String(params.workflow),
        // The example workflow's run-name.
        display_title: `Mission Control ${body.inputs?.mission_id ?? ''}`,
        html_url: `https://github.com/${FULL_NAME}/actions/runs/${id}`,
        event: 'workflow_dispatch',
        status: 'queued',
        created_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        head_branch: body.ref,
      });
      return new HttpResponse(null, { status: 204, headers: rate });
    }),
    http.get(`${repo}/actions/workflows/:workflow/runs`, ({ request, params }) => {
      seen(request);
      const refused = actionsRefusal(state, request);
      if (refused) return refused;
      if (!known(params) || !state.workflows[String(params.workflow)]) return notFound();
      const url = new URL(request.url);
      const event = url.searchParams.get('event');
      const created = url.searchParams.get('created')?.replace(/^>=/, '');
      const runs = state.workflowRuns
        .filter((r) => r.workflow === params.workflow && (!event || r.event === event) && (!created || r.created_at >= created.slice(0, 19)))
        .sort((a, b) => b.id - a.id);
      return HttpResponse.json(
        {
          total_count: runs.length,
          workflow_runs: runs.map(({ workflow: _w, ...run }) => ({ ...run, name: 'Mission Control', workflow_id: state.workflows[_w]!.id, conclusion: null })),
        },
        { headers: rate },
      );
    }),
    http.post(`${repo}/issues`, async ({ request }) => {
      seen(request);
      const body = (await request.json()) as { title: string; body: string; labels?: string[] };
      const issue = { number: 58 + state.issues.length, title: body.title, body: body.body, labels: body.labels ?? [], state: 'open' as const };
      state.issues.push(issue);
      return HttpResponse.json(issueJson(issue), { status: 201, headers: rate });
    }),
  ];
}

/** GitHub's answers to an Actions call with a wrong token (401) or a spent rate limit (403 with x-ratelimit-remaining 0). */
function actionsRefusal(state: FakeGitHubState, request: Request): Response | null {
  const token = (request.headers.get('authorization') ?? '').replace(/^(token|bearer) /i, '');
  if (state.actionsToken !== null && token !== state.actionsToken) {
    return HttpResponse.json({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' }, { status: 401 });
  }
  if (state.actionsForbidden) {
    return HttpResponse.json(
      {
        message: 'Resource not accessible by personal access token',
        documentation_url: 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event',
        status: '403',
      },
      {
        status: 403,
        headers: {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4980',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
          'x-accepted-github-permissions': 'actions=write',
        },
      },
    );
  }
  if (state.actionsRateLimited) {
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    return HttpResponse.json(
      { message: 'API rate limit exceeded for user ID 9919.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
      {
        status: 403,
        headers: {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': reset,
          'x-ratelimit-used': '5000',
          'x-ratelimit-resource': 'core',
        },
      },
    );
  }
  return null;
}
