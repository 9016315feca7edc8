// What an assistant is told to do next, on every tool result: the domain's next steps
// (src/domain/nextSteps.ts) rendered for MCP, each with the tool to call or the Slack control a
// person uses, and links to the mission's resources. Claude Code shows the model only
// structuredContent when there is one, so `next` travels there, on every tool.
import type { CallToolResult, ResourceLink } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import { MissionError } from '../domain/errors.js';
import type { Mission } from '../domain/mission.js';
import type { MissionService } from '../domain/missionService.js';
import { nextSteps, type NextStepAction, type WaitingFor } from '../domain/nextSteps.js';
import { describeSlackControl, SLACK_CONTROL_FOR_ACTION } from '../slack/nextStepControls.js';
import { toolSuccess } from './toolResults.js';

/** The MCP tool that carries out each next-step action; null where only a Slack control does. */
export const TOOL_FOR_ACTION: Record<NextStepAction, string | null> = {
  edit_brief: 'update_brief',
  lock_brief: 'update_brief',
  reopen_brief: 'update_brief',
  select_toolkits: 'select_toolkits',
  record_coverage: 'select_toolkits',
  inspect_toolkits: null,
  defer_toolkit: 'select_toolkits',
  accept_reported_coverage: null,
  override_coverage: null,
  confirm_toolkits: 'select_toolkits',
  propose_plays: 'propose_plays',
  select_play: 'request_approval',
  dismiss_play: 'dismiss_play',
  request_approval: 'request_approval',
  approve: null,
  wait_for_approval: 'wait_for_approval',
  start_phase: 'report_progress',
  report_progress: 'report_progress',
  resolve_alert: null,
  record_review: null,
  override_gate: null,
  attach_evidence: 'attach_evidence',
  sign_off_uat: null,
  complete_mission: 'complete_mission',
  request_rollback: 'request_rollback',
  submit_feedback: null,
  add_follow_up: 'add_follow_up',
  pin_to_library: null,
  submit_retrospective: 'submit_retrospective',
  cancel: 'cancel_mission',
};

export const nextStepView = z.object({
  action: z.string().describe('What to do (edit_brief, request_approval, report_progress, approve, ...).'),
  who: z.enum(['person', 'assistant', 'either']).describe('Who may take it: a person (in Slack), the assistant (over MCP), or either.'),
  tool: z.string().nullable().describe('The MCP tool to call for it; null when only a person can, in Slack.'),
  slack: z.string().nullable().describe('The Slack control a person uses for it; null when there is none.'),
  why: z.string().describe('One line: what to do and why now.'),
  people: z.array(z.string()).optional().describe('Slack user ids of the only people who may take it (approvers).'),
});

export const nextView = z
  .object({
    waitingFor: z.string().nullable().describe('What the mission is blocked on, when it cannot move without someone else.'),
    steps: z.array(nextStepView),
  })
  .describe('What can be done next and by whom: read this after every call.');

export type NextView = z.infer<typeof nextView>;

export function nextOut(mission: Mission): NextView {
  const outlook = nextSteps(mission);
  return {
    waitingFor: outlook.waitingFor ? describeWaiting(outlook.waitingFor) : null,
    steps: outlook.steps.map((s) => {
      const control = SLACK_CONTROL_FOR_ACTION[s.action];
      return {
        action: s.action,
        who: s.who,
        tool: s.who === 'person' ? null : TOOL_FOR_ACTION[s.action],
        slack: s.who === 'assistant' || !control ? null : describeSlackControl(control, mission.id),
        why: s.description,
        ...(s.people ? { people: [...s.people] } : {}),
      };
    }),
  };
}

/** For tools that are about no single mission (list_missions, search_library). */
export function nextWithoutMission(): NextView {
  return {
    waitingFor: null,
    steps: [
      {
        action: 'read_mission',
        who: 'either',
        tool: 'get_mission',
        slack: 'type `/mission status <id>` in Slack',
        why: 'Read one mission for its state and its own next steps.',
      },
      {
        action: 'start_mission',
        who: 'either',
        tool: 'start_mission',
        slack: 'type `/mission <what should be achieved>` in Slack',
        why: 'Start a new mission from an intent.',
      },
    ],
  };
}

function describeWaiting(waiting: WaitingFor): string {
  if (waiting.kind === 'uat_sign_off')
    return `a person to sign off ${waiting.itemIds.length} observable truth(s) on the UAT message in Slack (${waiting.itemIds.join(', ')})`;
  if (waiting.kind === 'alert_reviews') return `a person to resolve ${waiting.alertIds.length} review alert(s) in Slack (${waiting.alertIds.join(', ')})`;
  const who = waiting.who;
  const expires = waiting.expiresAt ? ` (expires ${waiting.expiresAt})` : '';
  return `${waiting.missing} more approval${waiting.missing === 1 ? '' : 's'} from ${who}${expires}`;
}

/**
 * The mission's resources as resource_link content: the mission itself and its event log
 * always, PLAN.md once a play is proposed, SUMMARY.md and VERIFICATION.md once execution began.
 */
export function missionResourceLinks(mission: Mission): ResourceLink[] {
  const uri = `mission://${encodeURIComponent(mission.id)}`;
  const links: ResourceLink[] = [
    {
      type: 'resource_link',
      uri,
      name: `${mission.id}`,
      title: mission.title,
      description: 'The mission as JSON, with its next steps.',
      mimeType: 'application/json',
    },
  ];
  if (mission.plays.some((p) => p.status !== 'dismissed')) {
    links.push({
      type: 'resource_link',
      uri: `${uri}/plan.md`,
      name: 'PLAN.md',
      description: 'The plan of the approved (or selected) play: phases, steps, undo plan.',
      mimeType: 'text/markdown',
    });
  }
  if (mission.execution) {
    links.push(
      {
        type: 'resource_link',
        uri: `${uri}/summary.md`,
        name: 'SUMMARY.md',
        description: 'What was reported: phases, steps, tests, alerts, deviations.',
        mimeType: 'text/markdown',
      },
      {
        type: 'resource_link',
        uri: `${uri}/verification.md`,
        name: 'VERIFICATION.md',
        description: 'Gates and evidence, hashes re-checked.',
        mimeType: 'text/markdown',
      },
    );
  }
  links.push({
    type: 'resource_link',
    uri: `${uri}/events`,
    name: 'events',
    description: 'The hash-chained event log with its verification.',
    mimeType: 'application/json',
  });
  return links;
}

/** Adds `next` to a tool's output schema, so every tool lists it and clients validate it. */
export function withNext<Output extends z.ZodObject>(output: Output) {
  return output.extend({ next: nextView });
}

/**
 * The success answer of any tool: its structured result with `next`, and links to the
 * mission's resources. The mission is the one the tool returned, or else the one its result
 * or arguments name (read again, so next reflects the saved state); tools about no single
 * mission get the generic next.
 */
export async function answerWithNext(
  service: MissionService,
  ran: { summary: string; result: Record<string, unknown>; mission?: Mission | undefined },
  args: Record<string, unknown>,
  logger: Logger,
): Promise<CallToolResult> {
  const mission = ran.mission ?? (await missionNamedBy(service, ran.result, args, logger));
  const next = mission ? nextOut(mission) : nextWithoutMission();
  return toolSuccess(ran.summary, { ...ran.result, next }, mission ? missionResourceLinks(mission) : []);
}

async function missionNamedBy(
  service: MissionService,
  result: Record<string, unknown>,
  args: Record<string, unknown>,
  logger: Logger,
): Promise<Mission | null> {
  const ref = result.mission as { id?: unknown } | null | undefined;
  const missionId = typeof ref?.id === 'string' ? ref.id : typeof args.missionId === 'string' ? args.missionId : null;
  if (!missionId) return null;
  // The call itself succeeded; failing to read the mission again must not turn it into an error.
  // An id the tool did not use (a stray argument) may name no mission: then there is nothing to say.
  return service.getMission({ missionId }).catch((error: unknown) => {
    if (!(error instanceof MissionError && error.code === 'mission_not_found'))
      logger.warn({ err: error, missionId }, 'could not read the mission for its next steps');
    return null;
  });
}
