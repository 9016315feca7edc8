// Who may approve a play and how many approvals its risk needs. Assistants never approve;
// the requester cannot approve their own high or critical risk mission.
import type { Actor } from './actors.js';
import type { RiskLevel } from './plays.js';

export interface ApprovalPolicy {
  /** Slack user ids allowed to approve. Empty: nobody can approve, so plays needing approval wait. */
  approvers: string[];
  /** Approvals each risk level needs. 0 means the request is approved as soon as it is made. */
  requiredApprovals: Record<RiskLevel, number>;
  /** Risk levels at which the mission's requester may not approve. */
  requesterExcludedAt: RiskLevel[];
  /** How long a request stays open before it expires and the mission returns to play selection. */
  expiresAfterMinutes: number;
}

export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = {
  approvers: [],
  requiredApprovals: { low: 1, medium: 1, high: 1, critical: 2 },
  requesterExcludedAt: ['high', 'critical'],
  expiresAfterMinutes: 24 * 60,
};

export type ApprovalStatus = 'requested' | 'approved' | 'rejected' | 'expired' | 'cancelled';

export interface ApprovalDecision {
  approverId: string;
  approverName: string | null;
  decision: 'approved' | 'rejected';
  reason: string | null;
  at: string;
}

export interface ApprovalRequest {
  id: string;
  playId: string;
  riskLevel: RiskLevel;
  required: number;
  /** Who may decide this request (policy approvers minus the requester when excluded). */
  eligibleApprovers: string[];
  requestedBy: Actor;
  requestedAt: string;
  expiresAt: string;
  status: ApprovalStatus;
  decisions: ApprovalDecision[];
  decidedAt: string | null;
  note: string | null;
}

/** The approvers who may decide a request for this risk on this requester's mission. */
export function eligibleApprovers(policy: ApprovalPolicy, riskLevel: RiskLevel, requester: Actor): string[] {
  const excludeRequester = policy.requesterExcludedAt.includes(riskLevel);
  const requesterSlackId = requester.kind === 'slack_user' ? requester.id : requester.kind === 'mcp_token' ? requester.onBehalfOf : undefined;
  return [...new Set(policy.approvers)].filter((id) => !(excludeRequester && id === requesterSlackId));
}

export type ApprovalPermission = { allowed: true } | { allowed: false; reason: string };

/** Whether `actor` may decide `request`. The reason is written for the person who clicked. */
export function mayDecide(request: ApprovalRequest, actor: Actor, requester: Actor): ApprovalPermission {
  if (actor.kind !== 'slack_user') {
    return { allowed: false, reason: 'Only a person can approve or reject a play; assistants and automation never can.' };
  }
  if (request.eligibleApprovers.includes(actor.id)) return { allowed: true };
  const isRequester = requester.kind === 'slack_user' ? requester.id === actor.id : requester.kind === 'mcp_token' && requester.onBehalfOf === actor.id;
  if (isRequester && request.riskLevel !== 'low' && request.riskLevel !== 'medium') {
    return { allowed: false, reason: `You requested this ${request.riskLevel}-risk mission, so someone else must approve it: ${listApprovers(request)}.` };
  }
  return { allowed: false, reason: `You are not an approver for this mission. Ask ${listApprovers(request)}.` };
}

function listApprovers(request: ApprovalRequest): string {
  return request.eligibleApprovers.length > 0 ? request.eligibleApprovers.map((id) => `<@${id}>`).join(', ') : 'an admin to add approvers (SLACK_APPROVERS)';
}

export function approvalsGiven(request: ApprovalRequest): number {
  return request.decisions.filter((d) => d.decision === 'approved').length;
}
