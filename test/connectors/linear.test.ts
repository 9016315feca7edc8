// The Linear connector against msw GraphQL: follow-ups filed in the team with the key, no
// duplicates after a crash, the linked issue moved through the team's workflow, and the
// failure modes (authentication error, rate limit, 500 then success, slow answers).
import { delay, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FollowUp } from '../../src/domain/reflection.js';
import { followUpIdempotencyKey } from '../../src/domain/trackers.js';
import type { RetryRuntime } from '../../src/connectors/httpRetry.js';
import { LinearApi } from '../../src/connectors/linear/linearApi.js';
import { LinearTracker, workflowStateFor } from '../../src/connectors/linear/linearTracker.js';
import { fakeLinearHandlers, fakeLinearState, LINEAR_API, linear, linearError, TEAM, WORKFLOW_STATES, type FakeLinearState } from './fakeLinear.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const NOW = Date.parse('2025-10-15T14:00:00Z');
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

const followUp = (id: string, title: string, priority: FollowUp['priority']): FollowUp => ({
  id,
  title,
  priority,
  status: 'open',
  tracker: 'linear',
  externalId: null,
  url: null,
  createdBy: { kind: 'slack_user', id: 'U0JORDAN' },
  createdAt: '2025-10-15T14:10:00Z',
});
const RATE_LIMITING = followUp('fup_0101', 'Add rate limiting to the login endpoint', 'high');
const MISSION = { id: 'msn_0001', title: 'Refactor authentication system for security and reliability' };

let state: FakeLinearState;
let runtime: ReturnType<typeof recordingRuntime>;
let api: LinearApi;
let tracker: LinearTracker;

beforeEach(() => {
  state = fakeLinearState();
  server.use(...fakeLinearHandlers(state));
  runtime = recordingRuntime();
  api = new LinearApi({ apiKey: 'lin_api_test0123456789abcdefghijklmnopqrstuv', apiUrl: LINEAR_API, runtime, timeoutMs: 2_000 });
  tracker = new LinearTracker({ api, teamKey: 'ENG', missionUrl: (id) => `https://mission-control.example/missions/${id}` });
});

describe('follow-ups as Linear issues', () => {
  it('files the follow-up in the team with title, priority, a link back and the key', async () => {
    const filed = await tracker.fileIssue(RATE_LIMITING, MISSION, followUpIdempotencyKey(MISSION.id, RATE_LIMITING.id));
    expect(filed).toEqual({ externalId: 'ENG-124', url: 'https://linear.app/legaltech/issue/ENG-124/add-rate-limiting-to-the-login-endpoint' });
    const issue = state.issues.find((i) => i.identifier === 'ENG-124')!;
    expect(issue).toMatchObject({ title: 'Add rate limiting to the login endpoint', priority: 2, teamId: TEAM.id });
    expect(issue.description).toContain('https://mission-control.example/missions/msn_0001');
    expect(issue.description).toContain('Mission Control key: `mission-control:msn_0001:fup_0101`');
    expect(state.operations).toEqual(['TeamByKey', 'FollowUpIssueByKey', 'CreateFollowUpIssue']);
  });

  it('a crash between creating and recording does not create a second issue on restart', async () => {
    const key = followUpIdempotencyKey(MISSION.id, RATE_LIMITING.id);
    await tracker.fileIssue(RATE_LIMITING, MISSION, key);
    // New process, new client: the mission still says the follow-up has no issue.
    const restarted = new LinearTracker({ api: new LinearApi({ apiKey: 'lin_api_x', apiUrl: LINEAR_API }), teamKey: 'ENG' });
    expect(await restarted.fileIssue(RATE_LIMITING, MISSION, key)).toMatchObject({ externalId: 'ENG-124' });
    expect(state.issues.filter((i) => i.title === RATE_LIMITING.title)).toHaveLength(1);
  });

  it('a create that errored after Linear stored the issue is found, not repeated', async () => {
    let creates = 0;
    server.use(
      linear.mutation('CreateFollowUpIssue', ({ variables }) => {
        creates++;
        const input = variables.input as { title: string; description: string; priority: number; teamId: string };
        state.issues.push({ id: 'iss-124', identifier: 'ENG-124', ...input, stateId: 'st-backlog' });
        return HttpResponse.json(linearError('internal error', 'INTERNAL_SERVER_ERROR', 'Internal server error', 'Something went wrong.', 500), {
          status: 500,
        });
      }),
    );
    const filed = await tracker.fileIssue(RATE_LIMITING, MISSION, followUpIdempotencyKey(MISSION.id, RATE_LIMITING.id));
    expect(filed.externalId).toBe('ENG-124');
    expect(creates).toBe(1);
  });

  it('retries 500 then succeeds', async () => {
    let calls = 0;
    server.use(
      linear.query('TeamByKey', () => {
        calls++;
        return calls === 1
          ? HttpResponse.json(linearError('internal error', 'INTERNAL_SERVER_ERROR', 'Internal server error', 'Something went wrong.', 500), { status: 500 })
          : HttpResponse.json({ data: { teams: { nodes: [TEAM] } } });
      }),
    );
    expect((await tracker.fileIssue(RATE_LIMITING, MISSION, 'mission-control:msn_0001:fup_0101')).externalId).toBe('ENG-124');
    expect(calls).toBe(2);
    expect(runtime.waits).toEqual([125]);
  });

  it('an authentication error is not retried and says the key is the problem', async () => {
    let calls = 0;
    server.use(
      linear.query('TeamByKey', () => {
        calls++;
        return HttpResponse.json(
          linearError(
            'authentication error',
            'AUTHENTICATION_ERROR',
            'Authentication required, not authenticated',
            'You need to authenticate to access this operation.',
            401,
          ),
          { status: 401 },
        );
      }),
    );
    await expect(tracker.fileIssue(RATE_LIMITING, MISSION, 'k')).rejects.toMatchObject({
      toolkitId: 'linear',
      failure: 'unauthorized',
      status: 401,
      message: expect.stringContaining('API key is missing, expired or revoked'),
    });
    expect(calls).toBe(1);
  });

  it('a rate-limited answer waits until the reset Linear names', async () => {
    let calls = 0;
    server.use(
      linear.query('FollowUpIssueByKey', () => {
        calls++;
        if (calls === 1) {
          return HttpResponse.json(
            linearError('ratelimited', 'RATELIMITED', 'Rate limit exceeded', 'You have exceeded the rate limit. Please try again later.', 429),
            {
              status: 400,
              headers: { 'x-ratelimit-requests-limit': '1500', 'x-ratelimit-requests-remaining': '0', 'x-ratelimit-requests-reset': String(NOW + 7_000) },
            },
          );
        }
        return HttpResponse.json({ data: { issues: { nodes: [] } } });
      }),
    );
    expect(await tracker.findByIdempotencyKey('mission-control:msn_0001:fup_0101')).toBeNull();
    expect(runtime.waits).toEqual([7_000]);
  });

  it('times out a slow answer', async () => {
    const slow = new LinearApi({ apiKey: 'lin_api_x', apiUrl: LINEAR_API, timeoutMs: 80, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    server.use(
      linear.query('FollowUpIssueByKey', async () => {
        await delay(1_000);
        return HttpResponse.json({ data: { issues: { nodes: [] } } });
      }),
    );
    const started = Date.now();
    await expect(new LinearTracker({ api: slow, teamKey: 'ENG' }).findByIdempotencyKey('k')).rejects.toMatchObject({ failure: 'timeout' });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('shares one request between identical concurrent queries', async () => {
    await Promise.all([tracker.findByIdempotencyKey('mission-control:msn_0001:fup_0101'), tracker.findByIdempotencyKey('mission-control:msn_0001:fup_0101')]);
    expect(state.operations).toEqual(['FollowUpIssueByKey']);
  });
});

describe('the linked Linear issue', () => {
  it('is found in the intent and moved through the team’s workflow states', async () => {
    const mission = { intent: 'Auth overhaul (Linear ENG-123)', brief: { chips: [], editsMade: 0, lockedAt: null } };
    expect(tracker.linkedIssueOf(mission)).toBe('ENG-123');
    expect(tracker.linkedIssueOf({ ...mission, intent: 'see https://linear.app/legaltech/issue/ENG-9/title' })).toBe('ENG-9');
    expect(tracker.linkedIssueOf({ ...mission, intent: 'Use SHA-256 and UTF-8' })).toBeNull();

    expect(await tracker.moveIssue('ENG-123', 'started')).toBe('In Progress');
    expect(await tracker.moveIssue('ENG-123', 'started')).toBeNull();
    expect(await tracker.moveIssue('ENG-123', 'in_review')).toBe('In Review');
    expect(await tracker.moveIssue('ENG-123', 'done')).toBe('Done');
    expect(state.issues[0]!.stateId).toBe('st-done');
    expect(state.operations.filter((o) => o === 'MoveLinkedIssue')).toHaveLength(3);
  });

  it('picks states by type, and a review state by name', () => {
    const states = WORKFLOW_STATES.map(({ id, name, type, position }) => ({ id, name, type: type as 'started', position }));
    expect(workflowStateFor('in_review', states)?.name).toBe('In Review');
    expect(
      workflowStateFor(
        'in_review',
        states.filter((s) => s.name !== 'In Review'),
      )?.name,
    ).toBe('In Progress');
    expect(workflowStateFor('canceled', states)?.name).toBe('Canceled');
  });
});
