// Linear as the mission's tracker: follow-ups filed as issues in the team, and a linked issue
// moved through the team's workflow states as the mission moves.
//
// Idempotency: the description ends with the key in inline code. Before creating, the tracker
// asks for issues whose description contains the key (a database filter, consistent at once,
// unlike search), so a retry or a restart after a crash finds the issue instead of filing a
// second one. Inline code keeps Linear's markdown round trip from escaping the underscores.
import type { Brief } from '../../domain/brief.js';
import type { ToolkitInspectionResult, ToolkitInspector } from '../../domain/toolkitInspection.js';
import type { Mission } from '../../domain/mission.js';
import type { FollowUp, FollowUpPriority } from '../../domain/reflection.js';
import type { FiledIssue, FollowUpTracker, LinkedIssueStage, LinkedIssueTracker } from '../../domain/trackers.js';
import { ConnectorError } from '../connectorError.js';
import { withRetry } from '../httpRetry.js';
import type { LinearApi } from './linearApi.js';

/** Linear's priority numbers: 1 urgent, 2 high, 3 medium (normal), 4 low. */
export const LINEAR_PRIORITY: Record<FollowUpPriority, number> = { urgent: 1, high: 2, medium: 3, low: 4 };

const ISSUE_BY_KEY = `query FollowUpIssueByKey($key: String!) {
  issues(first: 5, includeArchived: true, filter: { description: { contains: $key } }) { nodes { id identifier url } }
}`;
const CREATE_ISSUE = `mutation CreateFollowUpIssue($input: IssueCreateInput!) {
  issueCreate(input: $input) { success issue { id identifier url } }
}`;
const TEAM_BY_KEY = `query TeamByKey($key: String!) {
  teams(first: 1, filter: { key: { eq: $key } }) { nodes { id key name } }
}`;
const FIRST_TEAMS = `query FirstTeams {
  teams(first: 2) { nodes { id key name } }
}`;
const LINKED_ISSUE = `query LinkedIssue($id: String!) {
  issue(id: $id) {
    id identifier url
    state { id name type }
    team { id key states(first: 100) { nodes { id name type position } } }
  }
}`;
const MOVE_ISSUE = `mutation MoveLinkedIssue($id: String!, $stateId: String!) {
  issueUpdate(id: $id, input: { stateId: $stateId }) { success issue { id identifier state { id name type } } }
}`;

interface IssueNode {
  id: string;
  identifier: string;
  url: string;
}
interface TeamNode {
  id: string;
  key: string;
  name: string;
}
interface WorkflowStateNode {
  id: string;
  name: string;
  type: 'triage' | 'backlog' | 'unstarted' | 'started' | 'completed' | 'canceled';
  position: number;
}

export function linearKeyLine(idempotencyKey: string): string {
  return `Mission Control key: \`${idempotencyKey}\``;
}

export interface LinearTrackerOptions {
  api: LinearApi;
  /** The team follow-ups go to (LINEAR_TEAM_KEY, e.g. "ENG"); without it, the workspace's only team. */
  teamKey?: string | undefined;
  missionUrl?: (missionId: string) => string | null;
}

export class LinearTracker implements FollowUpTracker, LinkedIssueTracker, ToolkitInspector {
  readonly tracker = 'linear' as const;
  readonly toolkitId = 'linear';
  private team: Promise<TeamNode> | null = null;

  constructor(private readonly options: LinearTrackerOptions) {}

  async findByIdempotencyKey(idempotencyKey: string): Promise<FiledIssue | null> {
    const data = await this.options.api.query<{ issues: { nodes: IssueNode[] } }>(ISSUE_BY_KEY, { key: idempotencyKey });
    const found = data.issues.nodes[0];
    return found ? { externalId: found.identifier, url: found.url } : null;
  }

  async fileIssue(followUp: FollowUp, mission: Pick<Mission, 'id' | 'title'>, idempotencyKey: string): Promise<FiledIssue> {
    const { api } = this.options;
    const team = await this.resolveTeam();
    return withRetry(
      async () => {
        const existing = await this.findByIdempotencyKey(idempotencyKey);
        if (existing) return existing;
        const link = this.options.missionUrl?.(mission.id);
        const description = [
          `Follow-up from mission **${mission.title}** (\`${mission.id}\`)${link ? `: ${link}` : ''}.`,
          '',
          linearKeyLine(idempotencyKey),
        ].join('\n');
        const created = await api.mutate<{ issueCreate: { success: boolean; issue: IssueNode | null } }>(CREATE_ISSUE, {
          input: { teamId: team.id, title: followUp.title, description, priority: LINEAR_PRIORITY[followUp.priority] },
        });
        if (!created.issueCreate.success || !created.issueCreate.issue)
          throw new ConnectorError('linear', 'rejected', `Linear did not create the issue "${followUp.title}".`);
        return { externalId: created.issueCreate.issue.identifier, url: created.issueCreate.issue.url };
      },
      (error) => api.classify(error, CREATE_ISSUE),
    );
  }

  /** "ENG-123" from a linear.app issue URL, "Linear ENG-123" / "Linear issue: ENG-123", or an identifier of the configured team. */
  linkedIssueOf(mission: { intent: string; brief: Brief }): string | null {
    const texts = [mission.intent, ...mission.brief.chips.flatMap((c) => c.items)];
    const teamKey = this.options.teamKey?.toUpperCase();
    for (const text of texts) {
      const match =
        /linear\.app\/[\w-]+\/issue\/([A-Z][A-Z0-9]{0,6}-\d+)/i.exec(text) ??
        /\blinear(?:\s+issue)?\s*[:#]?\s*([A-Z][A-Z0-9]{0,6}-\d+)\b/i.exec(text) ??
        (teamKey ? new RegExp(`\\b(${teamKey}-\\d+)\\b`).exec(text) : null);
      if (match) return match[1]!.toUpperCase();
    }
    return null;
  }

  async moveIssue(issueRef: string, stage: LinkedIssueStage): Promise<string | null> {
    const { api } = this.options;
    const data = await api.query<{ issue: { id: string; identifier: string; state: WorkflowStateNode; team: { states: { nodes: WorkflowStateNode[] } } } }>(
      LINKED_ISSUE,
      { id: issueRef },
    );
    const target = workflowStateFor(stage, data.issue.team.states.nodes);
    if (!target) throw new ConnectorError('linear', 'rejected', `Team of ${data.issue.identifier} has no workflow state for "${stage}".`);
    if (target.id === data.issue.state.id) return null;
    // Setting a state is idempotent, so the mutation may be retried as is.
    await withRetry(
      () => api.mutate(MOVE_ISSUE, { id: data.issue.id, stateId: target.id }),
      (e) => api.classify(e, MOVE_ISSUE),
    );
    return target.name;
  }

  /** Prepare's look at Linear: the team follow-ups go to, and the linked issue if the mission names one. */
  async inspect(mission: { brief: Brief; intent?: string }): Promise<ToolkitInspectionResult> {
    try {
      const team = await this.resolveTeam();
      const linked = this.linkedIssueOf({ intent: mission.intent ?? '', brief: mission.brief });
      let linkedText = 'no linked issue named in the brief';
      if (linked) {
        const issue = await this.options.api.query<{ issue: { identifier: string; state: WorkflowStateNode } }>(LINKED_ISSUE, { id: linked });
        linkedText = `linked issue ${issue.issue.identifier} is ${issue.issue.state.name}`;
      }
      return {
        status: 'ready',
        summary: `Team ${team.key} (${team.name}) found; follow-ups can be filed; ${linkedText}.`,
        metrics: { team: team.key, ...(linked ? { linked_issue: linked } : {}) },
      };
    } catch (error) {
      const failure = error instanceof ConnectorError ? error : this.options.api.classify(error, 'query Inspect');
      const status =
        failure.failure === 'unauthorized' ? 'needs_auth' : failure.failure === 'not_found' || failure.failure === 'rejected' ? 'blocked' : 'degraded';
      return { status, summary: `Linear could not be inspected: ${failure.message}`, metrics: {} };
    }
  }

  private resolveTeam(): Promise<TeamNode> {
    this.team ??= this.findTeam().catch((error: unknown) => {
      this.team = null;
      throw error;
    });
    return this.team;
  }

  private async findTeam(): Promise<TeamNode> {
    const { api, teamKey } = this.options;
    if (teamKey) {
      const team = (await api.query<{ teams: { nodes: TeamNode[] } }>(TEAM_BY_KEY, { key: teamKey })).teams.nodes[0];
      if (!team) throw new ConnectorError('linear', 'not_found', `Linear has no team with key ${teamKey} (LINEAR_TEAM_KEY).`);
      return team;
    }
    const teams = (await api.query<{ teams: { nodes: TeamNode[] } }>(FIRST_TEAMS)).teams.nodes;
    if (teams.length !== 1)
      throw new ConnectorError(
        'linear',
        'rejected',
        `The workspace has ${teams.length === 0 ? 'no teams' : 'several teams'}: set LINEAR_TEAM_KEY to the team follow-ups go to.`,
      );
    return teams[0]!;
  }
}

/** The team's state for a stage: started (not a review state), a started state named "review", completed, canceled. */
export function workflowStateFor(stage: LinkedIssueStage, states: readonly WorkflowStateNode[]): WorkflowStateNode | null {
  const byPosition = [...states].sort((a, b) => a.position - b.position);
  const started = byPosition.filter((s) => s.type === 'started');
  switch (stage) {
    case 'started':
      return started.find((s) => !/review/i.test(s.name)) ?? started[0] ?? null;
    case 'in_review':
      return started.find((s) => /review/i.test(s.name)) ?? started[started.length - 1] ?? null;
    case 'done':
      return byPosition.find((s) => s.type === 'completed') ?? null;
    case 'canceled':
      return byPosition.find((s) => s.type === 'canceled') ?? null;
  }
}
