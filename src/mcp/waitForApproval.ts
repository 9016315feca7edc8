// wait_for_approval: blocks until a person decides (or the request expires or is cancelled),
// at most timeoutSeconds, and sends notifications/progress while it waits when the caller
// asked for progress. It wakes on the service's change notifications: instant for a save in
// this process, and for one another instance made when they share PostgreSQL (LISTEN/NOTIFY,
// `onChangedElsewhere`: the mission is re-read). It also re-reads the mission on an interval,
// the fallback for SQLite (a stdio process beside the server) and while the listener reconnects.
//
// One call never holds the request longer than maxCallMs (45 s by default): MCP clients time a
// request out at 60 s whatever progress they receive (the TS SDK only resets on progress when
// the caller opts in), so a longer timeoutSeconds is served as a series of calls, each
// answering pending with callAgain and the seconds left. Over HTTP the SDK transport writes an
// SSE comment every few seconds meanwhile, so proxies do not cut a quiet stream.
import { z } from 'zod';
import type { Mission } from '../domain/mission.js';
import { MissionError } from '../domain/errors.js';
import { missionIdSchema } from '../domain/missionInputs.js';
import { approvalOut, approvalView, missionRef, missionRefView, nextOut, nextView, describeNext } from './missionView.js';
import { defineTool, type McpContext, type RequestExtra, type ToolSpec } from './toolRegistry.js';

export const MAX_WAIT_SECONDS = 600;
/** The longest one call waits: well below the clients' default 60 s request timeout. */
export const DEFAULT_MAX_CALL_SECONDS = 45;
export const DEFAULT_WAIT_SECONDS = DEFAULT_MAX_CALL_SECONDS;

export const waitForApprovalInput = z.strictObject({
  missionId: missionIdSchema,
  timeoutSeconds: z
    .number({ error: 'timeoutSeconds must be a number of seconds' })
    .int('timeoutSeconds must be a whole number')
    .min(0, 'timeoutSeconds must be at least 0 (0 checks once without waiting)')
    .max(MAX_WAIT_SECONDS, `timeoutSeconds must be at most ${MAX_WAIT_SECONDS}; call again to keep waiting`)
    .default(DEFAULT_WAIT_SECONDS)
    .describe(
      `How long to wait at most, in whole seconds (0 checks once; default ${DEFAULT_WAIT_SECONDS}, max ${MAX_WAIT_SECONDS}). If still pending, call again.`,
    ),
});

type WaitStatus = 'approved' | 'rejected' | 'expired' | 'cancelled' | 'pending';

function decisionOf(mission: Mission): WaitStatus {
  const request = mission.approval;
  if (!request) {
    throw new MissionError(
      'precondition_failed',
      `No approval has been requested for mission ${mission.id} (it is ${mission.state}). Call request_approval first.`,
      {
        state: mission.state,
        field: 'missionId',
      },
    );
  }
  return request.status === 'requested' ? 'pending' : request.status;
}

export function waitForApprovalTool(context: McpContext, limits: { maxCallMs: number } = { maxCallMs: DEFAULT_MAX_CALL_SECONDS * 1000 }): ToolSpec {
  const { service } = context;
  return defineTool({
    name: 'wait_for_approval',
    title: 'Wait for approval',
    description: `Waits until a person approves or rejects the play (or the request expires or is cancelled), for at most timeoutSeconds (default ${DEFAULT_WAIT_SECONDS}, max ${MAX_WAIT_SECONDS}). One call returns within ${DEFAULT_MAX_CALL_SECONDS} s: for a longer wait it answers pending with callAgain: true and remainingSeconds, and you call again. Sends progress notifications while waiting when the request has a progressToken. Returns approved (execution may start), rejected (back to choosing a play), expired, cancelled, or still pending (call again).`,
    input: waitForApprovalInput,
    output: z.object({
      status: z.enum(['approved', 'rejected', 'expired', 'cancelled', 'pending']),
      approval: approvalView.nullable(),
      waitedSeconds: z.number(),
      callAgain: z.boolean().describe('True while the approval is still pending: call wait_for_approval again to keep waiting.'),
      remainingSeconds: z.number().describe('Seconds of the requested timeoutSeconds not yet waited; pass them as timeoutSeconds when calling again.'),
      mission: missionRefView,
      next: nextView,
    }),
    // It writes nothing, but it is part of driving a mission, so --read-only leaves it out.
    readOnly: false,
    readOnlyHint: true,
    idempotent: true,
    async run(input, { extra }) {
      const started = Date.now();
      const initial = await service.getMission({ missionId: input.missionId });
      let status = decisionOf(initial);
      let mission = initial;
      const waitMs = Math.min(input.timeoutSeconds * 1000, limits.maxCallMs);
      if (status === 'pending' && waitMs > 0) {
        mission = await waitForDecision(context, initial, waitMs, extra);
        status = decisionOf(mission);
      }
      const waitedSeconds = Math.round((Date.now() - started) / 100) / 10;
      const remainingSeconds = status === 'pending' ? Math.max(0, Math.round(input.timeoutSeconds - waitedSeconds)) : 0;
      const approval = approvalOut(mission);
      const summary =
        status === 'pending'
          ? `Still pending after ${waitedSeconds}s: waiting for ${nextOut(mission).waitingFor ?? 'approval'}. Call wait_for_approval again to keep waiting${remainingSeconds > 0 ? ` (timeoutSeconds: ${remainingSeconds} finishes the wait you asked for)` : ''}; do not start work before it returns approved.`
          : status === 'approved'
            ? `Approved. ${describeNext(mission)}`
            : `Approval ${status}${approval?.decisions.at(-1)?.reason ? `: ${approval.decisions.at(-1)!.reason}` : ''}. ${describeNext(mission)}`;
      return {
        summary,
        result: { status, approval, waitedSeconds, callAgain: status === 'pending', remainingSeconds, mission: missionRef(mission), next: nextOut(mission) },
      };
    },
  });
}

function waitForDecision(context: McpContext, initial: Mission, waitMs: number, extra: RequestExtra): Promise<Mission> {
  const { service, logger } = context;
  const { pollIntervalMs, progressIntervalMs } = context.approvalWait;
  const progressToken = extra._meta?.progressToken;
  const started = Date.now();
  return new Promise<Mission>((resolve) => {
    let latest = initial;
    let finished = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      if (finished) return;
      finished = true;
      unsubscribe();
      for (const t of timers) clearInterval(t);
      extra.signal.removeEventListener('abort', finish);
      resolve(latest);
    };
    const consider = (mission: Mission) => {
      if (mission.id !== initial.id || mission.version < latest.version) return;
      latest = mission;
      if (mission.approval?.status !== 'requested' || mission.approval.id !== initial.approval?.id) finish();
    };
    const reread = () => {
      if (finished) return;
      service
        .getMission({ missionId: initial.id })
        .then(consider, (error: unknown) => logger.warn({ err: error, missionId: initial.id }, 'wait_for_approval could not re-read the mission'));
    };
    const stopLocal = service.subscribe((mission) => consider(mission));
    // Another instance saved this mission (or notices were missed): read what it saved.
    const stopElsewhere = service.onChangedElsewhere((notice) => {
      if (notice.missionId === null || (notice.missionId === initial.id && notice.version > latest.version)) reread();
    });
    const unsubscribe = () => {
      stopLocal();
      stopElsewhere();
    };
    timers.push(setInterval(reread, pollIntervalMs));
    if (progressToken !== undefined) {
      timers.push(
        setInterval(() => {
          const elapsed = Math.round((Date.now() - started) / 1000);
          extra
            .sendNotification({
              method: 'notifications/progress',
              params: { progressToken, progress: elapsed, total: Math.ceil(waitMs / 1000), message: `Waiting for ${nextOut(latest).waitingFor ?? 'approval'}` },
            })
            .catch(() => undefined);
        }, progressIntervalMs),
      );
    }
    timers.push(setTimeout(finish, waitMs));
    extra.signal.addEventListener('abort', finish);
  });
}
