// Gates a person owns: a person records a code review (it counts for the code-review check),
// and an approver overrides a gate check with a reason (recorded as gate_overridden; the check
// then counts towards its gate and is shown as overridden, never as passed). Pure rules.
import type { Actor } from './actors.js';
import { describeApprovers, noApproversNamed, type ApproverStanding } from './approvalPolicy.js';
import { MissionError } from './errors.js';
import type { GateCheckId, GateOverride } from './execution.js';
import { attachEvidence, requireExecuting } from './executeObserve.js';
import type { Mission } from './mission.js';
import type { RiskLevel } from './plays.js';
import type { MissionCommand } from './missionCommand.js';

const DECISION_WORDS = { approved: 'Approved', changes_requested: 'Changes requested' } as const;

/** What a reviewer is called on the record: their Slack name, else their user id. */
function reviewerName(actor: Actor): string {
  return actor.kind === 'slack_user' ? (actor.name ?? actor.id) : actor.id;
}

/**
 * A person's review, kept as hashed evidence with its review state. Only people record reviews
 * this way: an assistant's own word never clears the code-review check.
 */
export function recordReview(
  mission: Mission,
  input: { decision: 'approved' | 'changes_requested'; note: string; url?: string | undefined },
  cmd: MissionCommand,
): Mission {
  requireExecuting(mission, 'record a review');
  if (cmd.actor.kind !== 'slack_user') {
    throw new MissionError(
      'permission_denied',
      'Only a person can record a code review. Ask a reviewer to use "Approve review" or "Request changes" in the mission thread, or attach the pull request review through the GitHub connector.',
      {
        field: 'decision',
      },
    );
  }
  const reviewer = reviewerName(cmd.actor);
  const content = `# Code review by ${reviewer}\n\nDecision: ${DECISION_WORDS[input.decision]}\n${input.url ? `Reviewed: ${input.url}\n` : ''}\n${input.note}\n`;
  return attachEvidence(
    mission,
    {
      name: `Code review by ${reviewer} (${DECISION_WORDS[input.decision].toLowerCase()})`,
      kind: 'markdown',
      content,
      mediaType: 'text/markdown',
      url: input.url,
      review: { state: input.decision, reviewer },
    },
    cmd,
  );
}

export type GateOverridePermission = { allowed: true } | { allowed: false; reason: string };

/**
 * Whether `actor` may override gates: a person who may approve plays of the mission's risk under
 * the stored policy as it is now (named in person or through a user group; `standing` is where
 * they stand, null when the mission never had an approval request).
 */
export function mayOverrideGates(standing: ApproverStanding | null, riskLevel: RiskLevel, actor: Actor): GateOverridePermission {
  if (actor.kind !== 'slack_user')
    return { allowed: false, reason: 'Only a person can override a quality gate; an assistant never can. Ask an approver in the mission thread.' };
  if (!standing || noApproversNamed(standing.eligible)) {
    return {
      allowed: false,
      reason: `Nobody may override gates of ${riskLevel}-risk missions yet: an admin names approvers with \`mission-control approvers add --risk ${riskLevel} <Slack user id U… or user group id S…>\`.`,
    };
  }
  if (standing.eligible.people.includes(actor.id) || standing.viaGroup) return { allowed: true };
  return {
    allowed: false,
    reason: `You are not an approver of ${riskLevel}-risk plays, so you cannot override a quality gate. Ask ${describeApprovers(standing.eligible)}.`,
  };
}

export function overrideGate(
  mission: Mission,
  input: { checkId: GateCheckId; phaseId?: string | undefined; reason: string },
  permission: GateOverridePermission,
  cmd: MissionCommand,
): Mission {
  const execution = requireExecuting(mission, 'override a gate');
  if (!permission.allowed) throw new MissionError('permission_denied', permission.reason, { field: 'actor' });
  const phaseId = input.phaseId ?? null;
  if (phaseId !== null && !execution.phases.some((p) => p.phaseId === phaseId)) {
    throw new MissionError(
      'invalid_input',
      `phaseId: the approved play has no phase "${phaseId}". Phases: ${execution.phases.map((p) => p.phaseId).join(', ')}.`,
      { field: 'phaseId' },
    );
  }
  const existing = execution.gateOverrides ?? [];
  if (existing.some((o) => o.checkId === input.checkId && o.phaseId === phaseId)) {
    throw new MissionError('already_decided', `The check "${input.checkId}" of the ${phaseId ? `"${phaseId}" phase` : 'mission'} gate is already overridden.`, {
      field: 'checkId',
    });
  }
  const override: GateOverride = { id: cmd.newId('gov'), phaseId, checkId: input.checkId, reason: input.reason, by: cmd.actor, at: cmd.at };
  cmd.events.add('gate_overridden', {
    override_id: override.id,
    scope: phaseId ? 'phase' : 'mission',
    phase_id: phaseId,
    check_id: input.checkId,
    reason: input.reason,
    approver_id: cmd.actor.id,
  });
  return { ...mission, execution: { ...execution, gateOverrides: [...existing, override] } };
}
