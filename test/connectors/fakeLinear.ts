// A small Linear GraphQL API for msw (`graphql.link`), answering our named operations with
// the shapes of Linear's schema (Issue, Team, WorkflowState, IssuePayload, User) and its
// error shapes (extensions.type / code / userPresentableMessage).
import { graphql, HttpResponse, type GraphQLHandler } from 'msw';

export const LINEAR_API = 'https://linear.test/graphql';
export const linear = graphql.link(LINEAR_API);

export const TEAM = { id: 'a1b2c3d4-1111-4e5f-8a9b-0c1d2e3f4a5b', key: 'ENG', name: 'Engineering' };
export const WORKFLOW_STATES = [
  { id: 'st-triage', name: 'Triage', type: 'triage', position: -1, color: '#FC7840' },
  { id: 'st-backlog', name: 'Backlog', type: 'backlog', position: 0, color: '#bec2c8' },
  { id: 'st-todo', name: 'Todo', type: 'unstarted', position: 1, color: '#e2e2e2' },
  { id: 'st-progress', name: 'In Progress', type: 'started', position: 2, color: '#f2c94c' },
  { id: 'st-review', name: 'In Review', type: 'started', position: 3, color: '#0f783c' },
  { id: 'st-done', name: 'Done', type: 'completed', position: 4, color: '#5e6ad2' },
  { id: 'st-canceled', name: 'Canceled', type: 'canceled', position: 5, color: '#95a2b3' },
];

export interface FakeLinearIssue {
  id: string;
  identifier: string;
  title: string;
  description: string;
  priority: number;
  stateId: string;
  teamId: string;
}

export interface FakeLinearState {
  issues: FakeLinearIssue[];
  /** Operation names in the order they arrived. */
  operations: string[];
  nextNumber: number;
}

export function fakeLinearState(): FakeLinearState {
  return {
    issues: [
      {
        id: 'iss-0123',
        identifier: 'ENG-123',
        title: 'Auth overhaul before the demo',
        description: 'Session persistence and CSRF.',
        priority: 1,
        stateId: 'st-todo',
        teamId: TEAM.id,
      },
    ],
    operations: [],
    nextNumber: 124,
  };
}

const urlOf = (issue: FakeLinearIssue) =>
  `https://linear.app/legaltech/issue/${issue.identifier}/${issue.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)}`;
const stateOf = (id: string) => WORKFLOW_STATES.find((s) => s.id === id)!;

export function linearError(type: string, code: string, message: string, userPresentableMessage: string, statusCode: number) {
  return { errors: [{ message, extensions: { type, code, statusCode, userError: statusCode < 500, userPresentableMessage } }] };
}

export function fakeLinearHandlers(state: FakeLinearState): GraphQLHandler[] {
  const seen = (name: string) => state.operations.push(name);
  return [
    linear.query('Viewer', () => {
      seen('Viewer');
      return HttpResponse.json({ data: { viewer: { id: 'usr-9919', name: 'Mission Control', email: 'mission-control@legaltech.example', active: true } } });
    }),
    linear.query('TeamByKey', ({ variables }) => {
      seen('TeamByKey');
      return HttpResponse.json({ data: { teams: { nodes: variables.key === TEAM.key ? [TEAM] : [] } } });
    }),
    linear.query('FirstTeams', () => {
      seen('FirstTeams');
      return HttpResponse.json({ data: { teams: { nodes: [TEAM] } } });
    }),
    linear.query('FollowUpIssueByKey', ({ variables }) => {
      seen('FollowUpIssueByKey');
      const nodes = state.issues
        .filter((i) => i.description.includes(String(variables.key)))
        .map((i) => ({ id: i.id, identifier: i.identifier, url: urlOf(i) }));
      return HttpResponse.json({ data: { issues: { nodes } } });
    }),
    linear.mutation('CreateFollowUpIssue', ({ variables }) => {
      seen('CreateFollowUpIssue');
      const input = variables.input as { teamId: string; title: string; description: string; priority: number };
      const issue: FakeLinearIssue = {
        id: `iss-${state.nextNumber}`,
        identifier: `ENG-${state.nextNumber++}`,
        title: input.title,
        description: input.description,
        priority: input.priority,
        stateId: 'st-backlog',
        teamId: input.teamId,
      };
      state.issues.push(issue);
      return HttpResponse.json({
        data: { issueCreate: { success: true, lastSyncId: 18233, issue: { id: issue.id, identifier: issue.identifier, url: urlOf(issue) } } },
      });
    }),
    linear.query('LinkedIssue', ({ variables }) => {
      seen('LinkedIssue');
      const issue = state.issues.find((i) => i.identifier === variables.id || i.id === variables.id);
      if (!issue)
        return HttpResponse.json(linearError('invalid input', 'INPUT_ERROR', 'Entity not found: Issue', 'Could not find referenced Issue.', 400), {
          status: 200,
        });
      return HttpResponse.json({
        data: {
          issue: {
            id: issue.id,
            identifier: issue.identifier,
            url: urlOf(issue),
            state: { id: issue.stateId, name: stateOf(issue.stateId).name, type: stateOf(issue.stateId).type },
            team: { id: TEAM.id, key: TEAM.key, states: { nodes: WORKFLOW_STATES.map(({ id, name, type, position }) => ({ id, name, type, position })) } },
          },
        },
      });
    }),
    linear.mutation('MoveLinkedIssue', ({ variables }) => {
      seen('MoveLinkedIssue');
      const issue = state.issues.find((i) => i.id === variables.id)!;
      issue.stateId = String(variables.stateId);
      return HttpResponse.json({
        data: {
          issueUpdate: {
            success: true,
            issue: {
              id: issue.id,
              identifier: issue.identifier,
              state: { id: issue.stateId, name: stateOf(issue.stateId).name, type: stateOf(issue.stateId).type },
            },
          },
        },
      });
    }),
  ];
}
