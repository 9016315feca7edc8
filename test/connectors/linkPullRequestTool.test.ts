// The MCP front door uses the GitHub connector: `link_pull_request` records PR #47's checks and
// review as the connector (so they count for the gates), and exists only when GitHub is configured.
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHubApi } from '../../src/connectors/github/githubApi.js';
import { GitHubPullRequestReader } from '../../src/connectors/github/pullRequestReader.js';
import { openHarness } from '../mcp/mcpHarness.js';
import { seedToExecuting, SEED_POLICY } from '../support/seedJourney.js';
import { ASSISTANT } from '../support/seedMission.js';
import { fakeGitHubHandlers, fakeGitHubState, GITHUB_API, OWNER, REPO } from './fakeGitHub.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const actor = ASSISTANT;

describe('link_pull_request over MCP', () => {
  it('attaches the PR as the GitHub connector, so its review counts', async () => {
    server.use(...fakeGitHubHandlers(fakeGitHubState()));
    const reader = new GitHubPullRequestReader(new GitHubApi({ token: 'ghp_test', baseUrl: GITHUB_API }), { owner: OWNER, repo: REPO });
    const h = await openHarness('sqlite', { actor, policy: SEED_POLICY, server: { pullRequests: reader } });
    try {
      const mission = await seedToExecuting(h.service, h.clock);
      const result = await h.ok<{ attached: boolean; summary: string; artifact: { name: string } }>('link_pull_request', {
        missionId: mission.id,
        pullRequest: '#47',
      });
      expect(result).toMatchObject({ attached: true, artifact: { name: 'GitHub Pull Request #47' } });
      expect(result.summary).toBe(
        '#47 open (feat/auth-refactor-mission-2025-10 @ 6dcb09b), +847/-316 across 25 files; 3/3 checks passing; approved by advisor_001',
      );
      const stored = (await h.service.getMission({ missionId: mission.id })).evidence.artifacts.at(-1)!;
      expect(stored).toMatchObject({ attachedBy: { kind: 'system', id: 'github-connector' }, review: { state: 'approved', reviewer: 'advisor_001' } });
    } finally {
      await h.close();
    }
  });

  it('says which connector failed and what to do when GitHub answers 401, and attaches nothing', async () => {
    server.use(
      http.get(`${GITHUB_API}/repos/:owner/:repo/pulls/:number`, () =>
        HttpResponse.json({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' }, { status: 401 }),
      ),
      ...fakeGitHubHandlers(fakeGitHubState()),
    );
    const reader = new GitHubPullRequestReader(new GitHubApi({ token: 'ghp_expired', baseUrl: GITHUB_API }), { owner: OWNER, repo: REPO });
    const h = await openHarness('sqlite', { actor, policy: SEED_POLICY, server: { pullRequests: reader } });
    try {
      const mission = await seedToExecuting(h.service, h.clock);
      const before = (await h.service.getMission({ missionId: mission.id })).version;
      const error = await h.refused('link_pull_request', { missionId: mission.id, pullRequest: '#47' });
      expect(error.code).toBe('connector_failed');
      expect(error.text).not.toContain('internal error');
      expect(error.text).toContain('the GitHub connector failed');
      expect(error.text).toContain('mission-control credential set --toolkit github');
      expect(error.details).toMatchObject({ toolkit: 'github', failure: 'unauthorized', status: 401 });
      expect((await h.service.getMission({ missionId: mission.id })).version).toBe(before);
    } finally {
      await h.close();
    }
  });

  it('is not offered without GitHub', async () => {
    const h = await openHarness('sqlite', { actor });
    try {
      expect(h.mcp.tools).not.toContain('link_pull_request');
    } finally {
      await h.close();
    }
  });
});
