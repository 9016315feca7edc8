// The GitHub shapes the webhook and the REST readers share: one reading of conclusions, review
// states (the API's APPROVED, a delivery's approved) and pull request facts.
import { describe, expect, it } from 'vitest';
import { checkConclusion, latestCheckRuns, latestReviews, pullRequestFacts, pullRequestShape, reviewState } from '../../src/connectors/github/githubShapes.js';

const user = (login: string) => ({ login });

describe('GitHub shapes', () => {
  it('reads checks as the domain counts them: unfinished is pending, anything but success, neutral or skipped fails', () => {
    expect(checkConclusion('in_progress', null)).toBe('pending');
    expect(checkConclusion('queued', 'success')).toBe('pending');
    expect(checkConclusion('completed', 'success')).toBe('success');
    expect(checkConclusion(null, 'neutral')).toBe('neutral');
    expect(checkConclusion('completed', 'skipped')).toBe('skipped');
    for (const failed of ['failure', 'cancelled', 'timed_out', 'action_required', 'stale', 'startup_failure'])
      expect(checkConclusion('completed', failed)).toBe('failure');
    expect(
      latestCheckRuns([
        { name: 'ci', status: 'completed', conclusion: 'success' },
        { name: 'ci', status: 'completed', conclusion: 'failure' },
      ]),
    ).toEqual([{ name: 'ci', status: 'completed', conclusion: 'success' }]);
  });

  it('reads review states in either spelling, and keeps each reviewer’s latest decision', () => {
    expect([reviewState('APPROVED'), reviewState('changes_requested'), reviewState('PENDING')]).toEqual(['approved', 'changes_requested', null]);
    expect(
      latestReviews([
        { state: 'APPROVED', user: user('ana') },
        { state: 'COMMENTED', user: user('ana') },
        { state: 'CHANGES_REQUESTED', user: user('bo') },
        { state: 'DISMISSED', user: user('bo') },
        { state: 'COMMENTED', user: user('cy') },
        { state: 'APPROVED', user: null },
      ]),
    ).toEqual([
      { reviewer: 'ana', state: 'approved' },
      { reviewer: 'cy', state: 'commented' },
    ]);
  });

  it('reads a merged pull request as merged, with its merge commit, whichever field says so', () => {
    const pr = pullRequestShape.parse({
      number: 47,
      html_url: 'https://github.com/o/r/pull/47',
      title: 'T',
      state: 'closed',
      merged_at: '2025-10-15T15:00:00Z',
      merge_commit_sha: 'abc',
      head: { ref: 'feat/x', sha: 'def' },
    });
    expect(pullRequestFacts(pr, 'o/r')).toMatchObject({ state: 'merged', mergeSha: 'abc', body: '', changedFiles: 0 });
    expect(pullRequestFacts({ ...pr, merged_at: null, merged: false }, 'o/r')).toMatchObject({ state: 'closed', mergeSha: null });
  });
});
