// What can happen next on a mission, and who can do it: a person (in Slack), an assistant
// (over MCP) or either. A pure function of the mission, so every front door shows the same
// answer. It states facts (actions, who, ids); front doors render them: MCP adds the tool or
// Slack control for each action (src/mcp/nextActions.ts), Slack renders mentions.
import { approvalsGiven, awaitedApprovers, requestApprovers } from './approvalPolicy.js';
import { chipOf } from './brief.js';
import { COVERAGE_THRESHOLD, coverageIfAccepted, coverageMeter, pendingReportedCoverage, type Mission } from './mission.js';
import { isTerminal, STAGE_OF_STATE, type MissionState, type Stage } from './missionStateMachine.js';
import { evaluateFinalGate, explainGate, gateRequirements, latestReview } from './qualityGates.js';
import { LIBRARY_MIN_RATING } from './reflection.js';
import { unsignedTruths } from './verification.js';
import { percent } from './text/numbers.js';

/** Every action nextSteps can offer; front doors map each one to a tool or a control (a test checks they all exist). */
export const NEXT_STEP_ACTIONS = [
  'edit_brief',
  'lock_brief',
  'reopen_brief',
  'select_toolkits',
  'record_coverage',
  'inspect_toolkits',
  'defer_toolkit',
  'accept_reported_coverage',
  'override_coverage',
  'confirm_toolkits',
  'propose_plays',
  'select_play',
  'dismiss_play',
  'request_approval',
  'approve',
  'wait_for_approval',
  'start_phase',
  'report_progress',
  'resolve_alert',
  'record_review',
  'override_gate',
  'attach_evidence',
  'sign_off_uat',
  'complete_mission',
  'request_rollback',
  'submit_feedback',
  'add_follow_up',
  'pin_to_library',
  'submit_retrospective',
  'cancel',
] as const;
export type NextStepAction = (typeof NEXT_STEP_ACTIONS)[number];

/** person: only a human in Slack (approvals, alert reviews, overrides, ratings); assistant: what an executor reports; either: both. */
export type NextStepActor = 'person' | 'assistant' | 'either';

export interface NextStep {
  action: NextStepAction;
  who: NextStepActor;
  /** One sentence: what to do and why now. */
  description: string;
  /** Slack user ids who may take this step, when only some people may (approvers). */
  people?: string[];
}

/** What a mission cannot move without: approvals from some people, or a person's review of alerts. */
export type WaitingFor =
  /** who: the approvers in words with plain ids, or how to name some when nobody is (front doors may render ids as mentions). */
  | { kind: 'approvals'; missing: number; approvers: string[]; groups: string[]; who: string; expiresAt: string | null }
  | { kind: 'alert_reviews'; alertIds: string[] }
  /** Every phase is done; completion waits for a person to sign these truths off in UAT. */
  | { kind: 'uat_sign_off'; itemIds: string[] };

export interface MissionOutlook {
  state: MissionState;
  stage: Stage;
  /** What the mission is blocked on when it cannot move without someone else; null otherwise. */
  waitingFor: WaitingFor | null;
  steps: NextStep[];
}

export function nextSteps(mission: Mission): MissionOutlook {
  const base = { state: mission.state, stage: STAGE_OF_STATE[mission.state] };
  if (isTerminal(mission.state)) return { ...base, waitingFor: null, steps: [] };
  const cancel: NextStep = { action: 'cancel', who: 'either', description: 'Cancel the mission with a reason.' };
  switch (mission.state) {
    case 'defining': {
      const hasObjective = (chipOf(mission.brief, 'objective')?.items.length ?? 0) > 0;
      return {
        ...base,
        waitingFor: null,
        steps: [
          {
            action: 'edit_brief',
            who: 'either',
            description: 'Edit, add or remove brief chips (objective, scope, acceptance criteria, KPIs, safeguards, timeline).',
          },
          hasObjective
            ? { action: 'lock_brief', who: 'either', description: 'Lock the brief ("Accept all") to move to Prepare.' }
            : { action: 'edit_brief', who: 'either', description: 'Add an objective chip: the brief cannot be locked without one.' },
          cancel,
        ],
      };
    }
    case 'preparing': {
      const selected = mission.toolkits.filter((t) => t.selected);
      const coverage = coverageMeter(mission);
      const steps: NextStep[] = [
        {
          action: 'select_toolkits',
          who: 'either',
          description:
            selected.length > 0
              ? `Change the toolkit selection (now: ${selected.map((t) => t.toolkitId).join(', ')}).`
              : 'Select the toolkits the mission needs.',
        },
      ];
      if (selected.length > 0 && coverage < COVERAGE_THRESHOLD) {
        const counted = selected.filter((t) => t.authStatus !== 'deferred');
        steps.push(
          {
            action: 'record_coverage',
            who: 'either',
            description: `Inspect the selected toolkits read-only and record what was found: coverage is ${percent(coverage)}, ${percent(COVERAGE_THRESHOLD)} is needed. Only connectors' inspections and people's reports count; an assistant's report counts once a person accepts it.`,
          },
          {
            action: 'inspect_toolkits',
            who: 'person',
            description: "Run the configured connectors' read-only inspection of the selected toolkits again (after connecting one, for example).",
          },
        );
        if (counted.length > 0) {
          steps.push({
            action: 'defer_toolkit',
            who: 'either',
            description: `Defer the toolkits this mission does not need (${counted.map((t) => t.toolkitId).join(', ')}): deferred toolkits do not count against coverage.`,
          });
        }
        const reported = pendingReportedCoverage(mission);
        if (reported.length > 0) {
          steps.push({
            action: 'accept_reported_coverage',
            who: 'person',
            description: `A person accepts the coverage the assistant reported for ${reported.map((e) => e.toolkitId).join(', ')} (no connector inspected it): coverage would be ${percent(coverageIfAccepted(mission))}.`,
          });
        }
        steps.push({
          action: 'override_coverage',
          who: 'person',
          description: `A person confirms the toolkits with coverage at ${percent(coverage)}, giving a reason; it is recorded as an override, never as a pass.`,
        });
      }
      if (selected.length > 0 && coverage >= COVERAGE_THRESHOLD) {
        steps.push({
          action: 'confirm_toolkits',
          who: 'either',
          description: `Confirm the toolkits (coverage ${percent(coverage)}) to move to Plan & Approve.`,
        });
      }
      steps.push({ action: 'reopen_brief', who: 'either', description: 'Reopen the brief to change it.' }, cancel);
      return { ...base, waitingFor: null, steps };
    }
    case 'planning': {
      const open = mission.plays.filter((p) => p.status !== 'dismissed');
      const selected = mission.plays.find((p) => p.status === 'selected');
      const steps: NextStep[] = [
        { action: 'propose_plays', who: 'either', description: "Propose plays (phases, steps, undo plan, risk); they are ranked with the planner's." },
      ];
      if (open.length > 0) {
        steps.push(
          {
            action: 'select_play',
            who: 'either',
            description: selected
              ? `Play "${selected.title}" is selected; select another to change it.`
              : `Select one of ${open.length} play(s); the top-ranked is "${open[0]!.title}".`,
          },
          { action: 'dismiss_play', who: 'either', description: 'Dismiss plays that do not fit, with a reason.' },
          {
            action: 'request_approval',
            who: 'either',
            description: selected ? `Request approval for "${selected.title}".` : 'Request approval for a play (naming it selects it).',
          },
        );
      }
      steps.push(cancel);
      return { ...base, waitingFor: null, steps };
    }
    case 'awaiting_approval': {
      const request = mission.approval;
      const approvers = request ? requestApprovers(request) : { people: [], groups: [] };
      const missing = request ? Math.max(request.required - approvalsGiven(request), 0) : 1;
      const groups = approvers.groups.length > 0 ? ` Members of user group(s) ${approvers.groups.join(', ')} may decide too.` : '';
      return {
        ...base,
        waitingFor: {
          kind: 'approvals',
          missing,
          approvers: [...approvers.people],
          groups: [...approvers.groups],
          who: request ? awaitedApprovers(request) : 'an approver',
          expiresAt: request?.expiresAt ?? null,
        },
        steps: [
          {
            action: 'approve',
            who: 'person',
            description: `An eligible approver approves or rejects the play in Slack; assistants never can.${groups}`,
            people: approvers.people,
          },
          { action: 'wait_for_approval', who: 'assistant', description: 'Wait for the decision; execution may start only once the play is approved.' },
          cancel,
        ],
      };
    }
    case 'executing':
      return executingOutlook(mission, base);
    case 'reflecting': {
      const { feedback, library, retrospective } = mission.reflection;
      const steps: NextStep[] = [];
      // A deployment that failed after completion raises a review alert; undo stays open while production is watched.
      const openAlerts = (mission.execution?.alerts ?? []).filter((a) => a.type === 'review_required' && a.status === 'open');
      if (openAlerts.length > 0) {
        steps.push({
          action: 'resolve_alert',
          who: 'person',
          description: `A person acknowledges ${openAlerts.length} open alert(s) raised by the release in Slack: ${openAlerts.map((a) => a.description).join('; ')}.`,
        });
      }
      if (mission.execution?.undo.status === 'available') {
        steps.push({
          action: 'request_rollback',
          who: 'either',
          description: 'Roll back with the undo plan while production is watched (the monitoring window).',
        });
      }
      if (!feedback)
        steps.push({ action: 'submit_feedback', who: 'person', description: 'The requester rates the mission (1-5) with effort saved and comments.' });
      steps.push({ action: 'add_follow_up', who: 'either', description: 'Record follow-up work (filed in Linear or GitHub when connected).' });
      if (feedback && feedback.rating >= LIBRARY_MIN_RATING && !library) {
        steps.push({ action: 'pin_to_library', who: 'person', description: 'Pin the play to the library with tags so later missions find it as precedent.' });
      }
      if (!retrospective)
        steps.push({
          action: 'submit_retrospective',
          who: 'either',
          description: 'Log the retrospective (what went well, what to improve); this closes the mission.',
        });
      return { ...base, waitingFor: null, steps };
    }
  }
  return { ...base, waitingFor: null, steps: [] };
}

function executingOutlook(mission: Mission, base: Pick<MissionOutlook, 'state' | 'stage'>): MissionOutlook {
  const execution = mission.execution;
  if (!execution) return { ...base, waitingFor: null, steps: [] };
  const openAlerts = execution.alerts.filter((a) => a.type === 'review_required' && a.status === 'open');
  const running = execution.phases.find((p) => p.status === 'running');
  const failed = execution.phases.find((p) => p.status === 'failed');
  const pending = execution.phases.find((p) => p.status === 'pending');
  const allDone = execution.phases.every((p) => p.status === 'completed');
  const steps: NextStep[] = [];
  if (openAlerts.length > 0) {
    steps.push({
      action: 'resolve_alert',
      who: 'person',
      description: `A person reviews ${openAlerts.length} open alert(s) in Slack: ${openAlerts.map((a) => a.description).join('; ')}.`,
    });
  }
  if (running) {
    steps.push({
      action: 'report_progress',
      who: 'assistant',
      description: `Report steps, test runs, alerts and deviations for "${running.name}", then phase_completed once its gate can pass.`,
    });
  } else if (failed) {
    steps.push({
      action: 'start_phase',
      who: 'assistant',
      description: `Phase "${failed.name}" failed (${failed.failureReason ?? 'no reason given'}); start it again to retry, or roll back.`,
    });
  } else if (pending) {
    steps.push({ action: 'start_phase', who: 'assistant', description: `Start phase "${pending.name}" (report phase_started).` });
  }
  const requirements = gateRequirements(mission.brief);
  const review = latestReview(mission.evidence.artifacts);
  if (requirements.codeReviewRequired && review?.review?.state !== 'approved') {
    steps.push({
      action: 'record_review',
      who: 'person',
      description: review
        ? `Changes were requested by ${review.review!.reviewer}; a person records a new review once they are made.`
        : 'The brief requires code review: a person records theirs (approve or request changes, with a note).',
    });
  }
  const gate = allDone ? evaluateFinalGate(execution, mission.evidence.artifacts, requirements, new Date(0).toISOString()) : null;
  if (gate && !gate.passed) {
    steps.push({
      action: 'override_gate',
      who: 'person',
      description: `The mission gate fails on ${gate.checks
        .filter((c) => !c.passed)
        .map((c) => c.label)
        .join(', ')}: fix it, or an approver overrides a check with a reason (shown as overridden, never as passed).`,
    });
  }
  const unsigned = allDone ? unsignedTruths(mission) : [];
  if (unsigned.length > 0) {
    steps.push({
      action: 'sign_off_uat',
      who: 'person',
      description: `A person tries each observable truth and marks it Pass or Fail on the UAT message (${unsigned.map((i) => i.id).join(', ')}); an assistant cannot sign off its own work, and completion waits for it.`,
    });
  }
  steps.push({ action: 'attach_evidence', who: 'either', description: 'Attach evidence (PR links, reports, JSON results); each is hashed with sha256.' });
  if (allDone) {
    // Say now what the mission gate still misses, so nobody calls complete_mission only to hear it refused.
    const gate = evaluateFinalGate(execution, mission.evidence.artifacts, gateRequirements(mission.brief), '');
    steps.push({
      action: 'complete_mission',
      who: 'either',
      description: gate.passed
        ? 'Complete the mission: the mission gate checks tests, coverage, reviews and CI on recorded evidence.'
        : `Complete the mission once its gate passes; it misses: ${explainGate(gate)}`,
    });
  }
  steps.push({ action: 'request_rollback', who: 'either', description: 'Roll back with the undo plan if execution cannot go on safely.' });
  return {
    ...base,
    waitingFor:
      openAlerts.length > 0
        ? { kind: 'alert_reviews', alertIds: openAlerts.map((a) => a.id) }
        : unsigned.length > 0
          ? { kind: 'uat_sign_off', itemIds: unsigned.map((i) => i.id) }
          : null,
    steps,
  };
}
