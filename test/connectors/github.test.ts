// The GitHub connector against msw: repository inspection, pull request reading, issues with
// idempotency, the rollback step, and the failure modes (401, 403 rate limit, 404, 500, slow).
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Brief } from '../../src/domain/brief.js';
import type { FollowUp } from '../../src/domain/reflection.js';
import { followUpIdempotencyKey } from '../../src/domain/trackers.js';
import { ConnectorError } from '../../src/connectors/connectorError.js';
import { GitHubApi } from '../../src/connectors/github/githubApi.js';
import { GitHubIssueTracker } from '../../src/connectors/github/githubIssueTracker.js';
import { GitHubPullRequestReader, parsePullRequestRef } from '../../src/connectors/github/pullRequestReader.js';
import { GitHubRepositoryInspector, matchesScope, repositoryForMission, scopeWords } from '../../src/connectors/github/repositoryInspector.js';
import type { RetryRuntime } from '../../src/connectors/httpRetry.js';
import { checkRun, fakeGitHubHandlers, fakeGitHubState, GITHUB_API, OWNER, REPO, review, type FakeGitHubState } from './fakeGitHub.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const NOW = Date.parse('2025-10-15T12:00:00Z');
/** Waits are recorded, not slept, so rate-limit resets an hour away run instantly. */
function recordingRuntime(): RetryRuntime & { waits: number[] } {
  const waits: number[] = [];
  let now = NOW;
  return {
    waits,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
    random: () => 0.5,
    now: () => now,
  };
}

const SEED_BRIEF: Brief = {
  editsMade: 0,
  lockedAt: '2025-10-15T09:51:00.000Z',
  chips: [
    { kind: 'objective', items: ['Refactor authentication system for security and reliability'], confidence: 'high', source: 'drafted' },
    {
      kind: 'scope',
      items: ['JWT refresh logic', 'token revocation', 'CSRF protection', 'error handling centralization', 'Tech stack: Next.js 14, Supabase Auth, TypeScript'],
      confidence: 'high',
      source: 'drafted',
    },
  ],
};
const MISSION = { id: 'msn_0001', brief: SEED_BRIEF, tags: ['authentication', 'security'] };
const REPOSITORY = { owner: OWNER, repo: REPO };

let state: FakeGitHubState;
let runtime: ReturnType<typeof recordingRuntime>;
let api: GitHubApi;

beforeEach(() => {
  state = fakeGitHubState();
  server.use(...fakeGitHubHandlers(state));
  runtime = recordingRuntime();
  api = new GitHubApi({ token: 'ghp_test0123456789abcdefghijklmnopqrstuv', baseUrl: GITHUB_API, runtime, timeoutMs: 2_000 });
});

describe('Prepare: repository inspection', () => {
  it('reports branch protection, files in scope, test files and dependencies', async () => {
    const inspector = new GitHubRepositoryInspector({ api, defaultRepository: REPOSITORY });
    const result = await inspector.inspect(MISSION);
    expect(result.status).toBe('ready');
    expect(result.metrics).toEqual({
      repository: 'jordan-nakamura/legaltech-mvp',
      default_branch: 'main',
      branch_protected: true,
      required_reviews: 2,
      required_checks: 2,
      files_analyzed: 20,
      test_files: 127,
      total_files: 159,
      dependencies: 11,
      manifest: 'package.json',
      security_critical: 0,
      security_high: 0,
      security_medium: 0,
      security_low: 0,
      dependabot_alerts: 0,
      code_scanning_alerts: 0,
    });
    expect(result.summary).toContain('security: no open security alerts');
    expect(result.summary).toContain(
      'jordan-nakamura/legaltech-mvp, default branch main protected (2 required reviews, required checks: ci / test, ci / typecheck)',
    );
    expect(result.summary).toContain('20 files match the scope');
    expect(result.summary).toContain('src/lib/auth/jwt.ts');
    expect(result.summary).toContain('127 test files');
    expect(result.summary).toContain('package.json: 11 dependencies (next, jsonwebtoken, @supabase/supabase-js, typescript, @types/jsonwebtoken)');
  });

  it('finds scope words and the repository a mission names', () => {
    expect(scopeWords(SEED_BRIEF, ['authentication'])).toEqual([
      'jwt',
      'refresh',
      'token',
      'revocation',
      'csrf',
      'protection',
      'error',
      'centralization',
      'authentication',
    ]);
    expect(matchesScope('src/hooks/useAuth.ts', ['authentication'])).toBe(true);
    expect(matchesScope('src/pages/login.tsx', ['authentication'])).toBe(false);
    const named = {
      brief: {
        ...SEED_BRIEF,
        chips: [
          ...SEED_BRIEF.chips,
          { kind: 'scope' as const, items: ['Code in https://github.com/acme/billing-api/tree/main'], confidence: 'high' as const, source: 'edited' as const },
        ],
      },
    };
    expect(repositoryForMission(named, REPOSITORY)).toEqual({ owner: 'acme', repo: 'billing-api' });
    expect(repositoryForMission({ brief: SEED_BRIEF }, REPOSITORY)).toEqual(REPOSITORY);
    expect(repositoryForMission({ brief: SEED_BRIEF }, null)).toBeNull();
  });

  it('says review rules are not visible without admin rights, and still reads the rest', async () => {
    server.use(
      http.get(`${GITHUB_API}/repos/:owner/:repo/branches/:branch/protection`, () =>
        HttpResponse.json(
          {
            message: 'Must have admin rights to Repository.',
            documentation_url: 'https://docs.github.com/rest/branches/branch-protection#get-branch-protection',
            status: '403',
          },
          { status: 403 },
        ),
      ),
    );
    const result = await new GitHubRepositoryInspector({ api, defaultRepository: REPOSITORY }).inspect(MISSION);
    expect(result.status).toBe('ready');
    expect(result.summary).toContain('protected (reviews unknown, required checks: ci / test, ci / typecheck)');
    expect(result.summary).toContain('review rules not visible without admin rights');
  });

  it('needs auth on 401, is blocked on 404, and degraded with the reason while GitHub fails', async () => {
    server.use(
      http.get(`${GITHUB_API}/repos/:owner/:repo`, () =>
        HttpResponse.json({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' }, { status: 401 }),
      ),
    );
    const unauthorized = await new GitHubRepositoryInspector({ api, defaultRepository: REPOSITORY }).inspect(MISSION);
    expect(unauthorized).toMatchObject({ status: 'needs_auth' });
    expect(state.requests).toEqual([]);

    server.resetHandlers(...fakeGitHubHandlers(state));
    const missing = await new GitHubRepositoryInspector({ api, defaultRepository: { owner: 'acme', repo: 'nope' } }).inspect(MISSION);
    expect(missing.status).toBe('blocked');
    expect(missing.summary).toContain('acme/nope was not found or the token cannot read it (404)');

    server.use(http.get(`${GITHUB_API}/repos/:owner/:repo/git/trees/:sha`, () => HttpResponse.json({ message: 'Server Error' }, { status: 502 })));
    const degraded = await new GitHubRepositoryInspector({ api, defaultRepository: REPOSITORY }).inspect(MISSION);
    expect(degraded.status).toBe('degraded');
    expect(degraded.summary).toMatch(/GitHub is not answering properly, inspection of jordan-nakamura\/legaltech-mvp is incomplete: GitHub answered 502/);
    // 4 attempts with backoff (full jitter, random 0.5): 125, 250, 500 ms.
    expect(runtime.waits).toEqual([125, 250, 500]);
  });
});

describe('Execute: pull request', () => {
  it('reads state, head, checks, each reviewer’s latest review and the change size', async () => {
    state.checkRuns.push(checkRun('preview / vercel', 'skipped'));
    state.reviews.push(review('sam-okafor', 'COMMENTED', 3));
    const snapshot = await new GitHubPullRequestReader(api, REPOSITORY).read('https://github.com/jordan-nakamura/legaltech-mvp/pull/47');
    expect(snapshot).toEqual({
      repository: 'jordan-nakamura/legaltech-mvp',
      number: 47,
      title: 'Incremental auth hardening with feature flags',
      url: 'https://github.com/jordan-nakamura/legaltech-mvp/pull/47',
      state: 'open',
      headSha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      headRef: 'feat/auth-refactor-mission-2025-10',
      changedFiles: 25,
      additions: 847,
      deletions: 316,
      checks: [
        { name: 'ci / test', conclusion: 'success' },
        { name: 'ci / typecheck', conclusion: 'success' },
        { name: 'ci / lint', conclusion: 'success' },
        { name: 'preview / vercel', conclusion: 'skipped' },
      ],
      reviews: [
        { reviewer: 'advisor_001', state: 'approved' },
        { reviewer: 'sam-okafor', state: 'commented' },
      ],
    });
  });

  it('maps running and failed checks, and parses every kind of reference', async () => {
    state.checkRuns = [checkRun('ci / test', null, 'in_progress'), checkRun('ci / e2e', 'timed_out'), checkRun('ci / lint', 'action_required')];
    const snapshot = await new GitHubPullRequestReader(api, REPOSITORY).read('#47');
    expect(snapshot.checks.map((c) => c.conclusion)).toEqual(['pending', 'failure', 'failure']);
    expect(parsePullRequestRef('jordan-nakamura/legaltech-mvp#47', null)).toEqual({ owner: OWNER, repo: REPO, number: 47 });
    expect(parsePullRequestRef('47', REPOSITORY)).toEqual({ ...REPOSITORY, number: 47 });
    expect(parsePullRequestRef('47', null)).toBeNull();
    await expect(new GitHubPullRequestReader(api, null).read('the big one')).rejects.toThrow(/is not a pull request/);
  });

  it('refuses a pull request answer it cannot read, naming the field, and reads nothing more', async () => {
    server.use(
      http.get(`${GITHUB_API}/repos/:owner/:repo/pulls/:number`, () =>
        HttpResponse.json({ number: 47, title: 'No head', html_url: 'https://github.com/x/y/pull/47', state: 'open' }),
      ),
    );
    const error = await new GitHubPullRequestReader(api, REPOSITORY).read('#47').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ failure: 'invalid_response', retryable: false });
    expect((error as Error).message).toMatch(/GitHub answered a pull request in a shape Mission Control does not read: head: /);
    expect(state.requests.filter((r) => r.includes('/check-runs') || r.includes('/reviews'))).toEqual([]);
  });

  it('reads a stale check run (GitHub gave up on it) as failed, as a check_run delivery does: it proves nothing', async () => {
    state.checkRuns = [checkRun('ci / test', 'stale')];
    const snapshot = await new GitHubPullRequestReader(api, REPOSITORY).read('#47');
    expect(snapshot.checks).toEqual([{ name: 'ci / test', conclusion: 'failure' }]);
  });

  it('a 404 is not retried', async () => {
    const error = await new GitHubPullRequestReader(api, REPOSITORY).read('#48').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ failure: 'not_found', status: 404, retryable: false });
    expect(state.requests.filter((r) => r.includes('/pulls/48'))).toHaveLength(1);
  });
});

describe('retries, rate limits, timeouts and single flight', () => {
  it('retries a 500 and succeeds on the next answer', async () => {
    let calls = 0;
    server.use(
      http.get(`${GITHUB_API}/repos/:owner/:repo`, () => {
        calls++;
        return calls === 1
          ? HttpResponse.json({ message: 'Server Error' }, { status: 500 })
          : HttpResponse.json({ full_name: 'jordan-nakamura/legaltech-mvp', default_branch: 'main' });
      }),
    );
    const response = await api.get<{ default_branch: string }>('GET /repos/{owner}/{repo}', { owner: OWNER, repo: REPO });
    expect(response.data.default_branch).toBe('main');
    expect(calls).toBe(2);
    expect(runtime.waits).toEqual([125]);
  });

  it('on 403 with x-ratelimit-remaining 0 waits until the reset, then succeeds', async () => {
    const reset = Math.floor(NOW / 1000) + 20;
    let calls = 0;
    server.use(
      http.get(`${GITHUB_API}/repos/:owner/:repo`, () => {
        calls++;
        if (calls === 1) {
          return HttpResponse.json(
            {
              message: 'API rate limit exceeded for user ID 9919.',
              documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
              status: '403',
            },
            {
              status: 403,
              headers: {
                'x-ratelimit-limit': '5000',
                'x-ratelimit-remaining': '0',
                'x-ratelimit-reset': String(reset),
                'x-ratelimit-used': '5000',
                'x-ratelimit-resource': 'core',
              },
            },
          );
        }
        return HttpResponse.json({ full_name: 'jordan-nakamura/legaltech-mvp', default_branch: 'main' });
      }),
    );
    await api.get('GET /repos/{owner}/{repo}', { owner: OWNER, repo: REPO });
    expect(runtime.waits).toEqual([20_000]);
  });

  it('honours Retry-After on 429, and hands a wait beyond the budget to the caller', async () => {
    let calls = 0;
    server.use(
      http.get(`${GITHUB_API}/repos/:owner/:repo`, () => {
        calls++;
        return calls === 1
          ? HttpResponse.json({ message: 'You have exceeded a secondary rate limit.' }, { status: 429, headers: { 'retry-after': '3' } })
          : HttpResponse.json({ default_branch: 'main' });
      }),
    );
    await api.get('GET /repos/{owner}/{repo}', { owner: OWNER, repo: REPO });
    expect(runtime.waits).toEqual([3_000]);

    const hourAway = Math.floor(NOW / 1000) + 3600;
    server.use(
      http.get(`${GITHUB_API}/repos/:owner/:repo`, () =>
        HttpResponse.json(
          { message: 'API rate limit exceeded' },
          { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(hourAway) } },
        ),
      ),
    );
    const fresh = new GitHubApi({ token: 'ghp_x', baseUrl: GITHUB_API, runtime: recordingRuntime() });
    const error = await fresh.get('GET /repos/{owner}/{repo}', { owner: OWNER, repo: REPO }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'rate_limited', status: 403, retryAfterMs: 3_600_000 });
  });

  it('does not retry 401', async () => {
    let calls = 0;
    server.use(
      http.get(`${GITHUB_API}/repos/:owner/:repo`, () => {
        calls++;
        return HttpResponse.json({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }, { status: 401 });
      }),
    );
    await expect(api.get('GET /repos/{owner}/{repo}', { owner: OWNER, repo: REPO })).rejects.toMatchObject({ failure: 'unauthorized', status: 401 });
    expect(calls).toBe(1);
  });

  it('times out a slow answer and retries it; a slow but timely answer passes', async () => {
    const slowApi = new GitHubApi({ token: 'ghp_x', baseUrl: GITHUB_API, timeoutMs: 100, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    let calls = 0;
    server.use(
      http.get(`${GITHUB_API}/repos/:owner/:repo`, async () => {
        calls++;
        await delay(calls === 1 ? 1_000 : 20);
        return HttpResponse.json({ default_branch: 'main' });
      }),
    );
    const started = Date.now();
    const response = await slowApi.get<{ default_branch: string }>('GET /repos/{owner}/{repo}', { owner: OWNER, repo: REPO });
    expect(response.data.default_branch).toBe('main');
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeLessThan(900);

    server.use(
      http.get(`${GITHUB_API}/repos/:owner/:repo`, async () => {
        await delay(1_000);
        return HttpResponse.json({});
      }),
    );
    await expect(slowApi.get('GET /repos/{owner}/{repo}', { owner: OWNER, repo: 'other' })).rejects.toMatchObject({ failure: 'timeout' });
  });

  it('shares one request between identical concurrent reads', async () => {
    let calls = 0;
    server.use(
      http.get(`${GITHUB_API}/repos/:owner/:repo`, async () => {
        calls++;
        await delay(30);
        return HttpResponse.json({ default_branch: 'main' });
      }),
    );
    const params = { owner: OWNER, repo: REPO };
    const [a, b] = await Promise.all([api.get('GET /repos/{owner}/{repo}', params), api.get('GET /repos/{owner}/{repo}', { repo: REPO, owner: OWNER })]);
    expect(a).toBe(b);
    expect(calls).toBe(1);
    // Not a cache: a later read asks again.
    await api.get('GET /repos/{owner}/{repo}', params);
    expect(calls).toBe(2);
  });
});

describe('Reflect: follow-ups as GitHub issues', () => {
  const followUp: FollowUp = {
    id: 'fup_0042',
    title: 'Add rate limiting to the login endpoint',
    priority: 'high',
    status: 'open',
    tracker: 'github',
    externalId: null,
    url: null,
    createdBy: { kind: 'slack_user', id: 'U0JORDAN' },
    createdAt: '2025-10-15T14:10:00Z',
  };
  const mission = { id: 'msn_0001', title: 'Refactor authentication system for security and reliability' };
  const key = followUpIdempotencyKey(mission.id, followUp.id);

  it('files the issue with the key, and a restart after a crash finds it instead of filing a second', async () => {
    const tracker = new GitHubIssueTracker({ api, repository: REPOSITORY });
    const filed = await tracker.fileIssue(followUp, mission, key);
    expect(filed).toEqual({ externalId: '#58', url: 'https://github.com/jordan-nakamura/legaltech-mvp/issues/58' });
    expect(state.issues[0]).toMatchObject({ title: followUp.title, labels: ['mission-control', 'priority: high'] });
    expect(state.issues[0]!.body).toContain('<!-- mission-control:msn_0001:fup_0042 -->');

    // The process died before recording #58 on the mission; a new process tries again.
    const restarted = new GitHubIssueTracker({ api: new GitHubApi({ token: 'ghp_x', baseUrl: GITHUB_API }), repository: REPOSITORY });
    expect(await restarted.fileIssue(followUp, mission, key)).toEqual(filed);
    expect(state.issues).toHaveLength(1);
  });

  it('a create that failed with 502 after GitHub stored the issue is not repeated', async () => {
    let posts = 0;
    server.use(
      http.post(`${GITHUB_API}/repos/:owner/:repo/issues`, async ({ request }) => {
        posts++;
        const body = (await request.json()) as { title: string; body: string; labels: string[] };
        state.issues.push({ number: 58, title: body.title, body: body.body, labels: body.labels, state: 'open' });
        return HttpResponse.json({ message: 'Bad Gateway' }, { status: 502 });
      }),
    );
    const filed = await new GitHubIssueTracker({ api, repository: REPOSITORY }).fileIssue(followUp, mission, key);
    expect(filed.externalId).toBe('#58');
    expect(posts).toBe(1);
    expect(state.issues).toHaveLength(1);
  });
});

describe('Undo: close PR and delete branch', () => {
  it('closes the PR the connector recorded and deletes its branch, and is safe to repeat', async () => {
    const { ClosePullRequestStep } = await import('../../src/connectors/github/closePullRequestStep.js');
    const step = new ClosePullRequestStep(api, REPOSITORY);
    expect(step.handles('Close PR and delete branch')).toBe(true);
    expect(step.handles('Disable feature flags')).toBe(false);
    const mission = {
      evidence: {
        artifacts: [
          {
            name: 'GitHub Pull Request #47',
            url: 'https://github.com/jordan-nakamura/legaltech-mvp/pull/47',
            attachedBy: { kind: 'system', id: 'github-connector' },
          },
        ],
      },
    } as unknown as import('../../src/domain/mission.js').Mission;
    expect(await step.run('Close PR and delete branch', mission)).toEqual({
      outcome: 'done',
      detail: 'Closed PR #47 and deleted branch feat/auth-refactor-mission-2025-10.',
    });
    expect(state.pullState).toBe('closed');
    expect(state.deletedRefs).toEqual(['heads/feat/auth-refactor-mission-2025-10']);
    expect(await step.run('Close PR and delete branch', mission)).toMatchObject({ outcome: 'done' });
    const none = { evidence: { artifacts: [] } } as unknown as import('../../src/domain/mission.js').Mission;
    expect(await step.run('Close PR and delete branch', none)).toMatchObject({ outcome: 'failed', detail: expect.stringContaining('by hand') });
  });
});
