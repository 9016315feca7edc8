// A person's Rollback in Slack runs the undo steps the GitHub connector knows (close the pull
// request, delete its branch) before the mission is recorded as rolled back.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attachPullRequestEvidence } from '../../src/connectors/github/pullRequestEvidence.js';
import { rollbackModal } from '../../src/slack/modals.js';
import { fakeGitHubHandlers, fakeGitHubState, FULL_NAME, GITHUB_API } from '../connectors/fakeGitHub.js';
import { PROVIDERS } from '../support/databases.js';
import { SECURITY_LEAD, seedToApprovalRequested } from '../support/seedJourney.js';
import { ADVISOR, JORDAN } from '../support/seedMission.js';
import { TestClock } from '../support/testRuntime.js';
import { eventually, openBotHarness, type BotHarness } from './slackHarness.js';

// GitHub is faked with msw; the fake Slack is a real local server, so its requests pass through.
const github = setupServer();
beforeAll(() => github.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => github.close());

let bot: BotHarness | null = null;
afterEach(async () => {
  github.resetHandlers();
  await bot?.close();
  bot = null;
});

describe.each(PROVIDERS)('Slack rollback with the GitHub connector (%s)', (provider) => {
  it('closes the PR and deletes its branch, then records which undo steps ran', async () => {
    const state = fakeGitHubState();
    github.use(...fakeGitHubHandlers(state));
    bot = await openBotHarness(provider, {
      SLACK_APPROVERS: [ADVISOR.id, SECURITY_LEAD.id].join(','),
      APPROVALS_REQUIRED: 'critical:1',
      GITHUB_TOKEN: 'ghp_rollbacktesttoken0000000000000000000',
      GITHUB_API_URL: GITHUB_API,
      GITHUB_REPOSITORY: FULL_NAME,
    });
    const service = bot.app.missions;
    const requested = await seedToApprovalRequested(service, new TestClock());
    await service.decideApproval({ missionId: requested.id, decision: 'approve' }, ADVISOR);
    await attachPullRequestEvidence(service, bot.app.connectors.pullRequests!, { missionId: requested.id, pullRequest: '#47' });

    const executing = await service.getMission({ missionId: requested.id });
    await bot.submitView(
      rollbackModal(executing) as unknown as Record<string, unknown>,
      { reason: { reason: { type: 'plain_text_input', value: 'Preview QA found logouts' } } },
      JORDAN,
    );
    const rolledBack = await eventually(async () => {
      const m = await service.getMission({ missionId: requested.id });
      expect(m.state).toBe('rolled_back');
      return m;
    });
    expect(rolledBack.execution!.undo.stepsRun.map((s) => [s.step, s.outcome])).toEqual([
      ['Close PR and delete branch', 'done'],
      ['Disable feature flags', 'manual'],
      ['Revert migrations if schema changed', 'manual'],
      ['Rollback Vercel deployment to previous version', 'manual'],
    ]);
    expect(state.pullState).toBe('closed');
    expect(state.deletedRefs).toEqual(['heads/feat/auth-refactor-mission-2025-10']);
  });
});
