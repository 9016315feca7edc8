// Who may approve a play and how many approvals its risk needs. Assistants never approve;
// the requester cannot approve their own high or critical risk mission. One policy per
// workspace, read when a request is made and again when someone decides, so every process
// on one database applies the same rules and a waiting request can be approved as soon as
// approvers are named.
import type { Actor } from './actors.js';
import { MissionError } from './errors.js';
import type { RiskLevel } from './plays.js';

/** Who may approve at one risk level, and how many of them must. */
export interface RiskApprovers {
  /** Approvals needed. 0 means a request at this risk is approved as soon as it is made. */
  required: number;
  /** Slack user ids. */
  people: string[];
  /** Slack user group ids (S…): any member may approve. */
  groups: string[];
  /** Of the approvals needed, at least `count` from members of this group (which is one of `groups`). */
  quota?: GroupQuota | undefined;
}

/** "critical needs 2 approvals, at least 1 from @security-leads". */
export interface GroupQuota {
  groupId: string;
  count: number;
}

export interface ApprovalPolicy {
  byRisk: Record<RiskLevel, RiskApprovers>;
  /** Risk levels at which the mission's requester may not approve. */
  requesterExcludedAt: RiskLevel[];
  /** How long a request stays open before it expires and the mission returns to play selection. */
  expiresAfterMinutes: number;
}

/** The same people at every risk level, with a count per risk: what a first install (or the demo) describes. */
export interface UniformApprovalPolicy {
  approvers: string[];
  requiredApprovals: Record<RiskLevel, number>;
  requesterExcludedAt: RiskLevel[];
  expiresAfterMinutes: number;
}

export const DEFAULT_REQUIRED_APPROVALS: Record<RiskLevel, number> = { low: 1, medium: 1, high: 1, critical: 2 };
export const DEFAULT_EXPIRY_MINUTES = 24 * 60;
export const MAX_EXPIRY_MINUTES = 60 * 24 * 30;

export function uniformPolicy(policy: UniformApprovalPolicy): ApprovalPolicy {
  const rule = (risk: RiskLevel): RiskApprovers => ({ required: policy.requiredApprovals[risk], people: [...new Set(policy.approvers)], groups: [] });
  const byRisk: Record<RiskLevel, RiskApprovers> = { low: rule('low'), medium: rule('medium'), high: rule('high'), critical: rule('critical') };
  return { byRisk, requesterExcludedAt: [...policy.requesterExcludedAt], expiresAfterMinutes: policy.expiresAfterMinutes };
}

export function asApprovalPolicy(policy: ApprovalPolicy | UniformApprovalPolicy): ApprovalPolicy {
  return 'byRisk' in policy ? policy : uniformPolicy(policy);
}

/** A default install: nobody named yet, so requests wait until someone is. */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = uniformPolicy({
  approvers: [],
  requiredApprovals: DEFAULT_REQUIRED_APPROVALS,
  requesterExcludedAt: ['high', 'critical'],
  expiresAfterMinutes: DEFAULT_EXPIRY_MINUTES,
});

/** Port: the workspace's approval policy as stored now (storage implements it). */
export interface ApprovalPolicySource {
  current(): Promise<ApprovalPolicy>;
}

/** A policy that never changes (tests, a single process without storage). */
export function fixedPolicySource(policy: ApprovalPolicy | UniformApprovalPolicy): ApprovalPolicySource {
  const fixed = asApprovalPolicy(policy);
  return { current: async () => fixed };
}

/** Port: who belongs to a user group (the Slack front door implements it). */
export interface UserGroupDirectory {
  /** Member user ids; throws UserGroupLookupError when the group cannot be read. */
  members(groupId: string): Promise<string[]>;
}

/** A user group whose members could not be read: `reason` is the directory's own word for it (e.g. no_such_subteam). */
export class UserGroupLookupError extends Error {
  constructor(
    readonly groupId: string,
    readonly reason: string,
  ) {
    super(`could not read the members of user group ${groupId}: ${reason}`);
    this.name = 'UserGroupLookupError';
  }
}

const RISK_ORDER: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];

export const USER_ID = /^[UW][A-Z0-9]{2,}$/;
export const USER_GROUP_ID = /^S[A-Z0-9]{2,}$/;

// ---- Changing the policy (the `approvers` command) --------------------------------------

export type PolicyChange =
  | { kind: 'add'; risks: readonly RiskLevel[]; ids: readonly string[]; required?: number | undefined }
  | { kind: 'remove'; risks: readonly RiskLevel[]; ids: readonly string[] }
  | { kind: 'require'; risks: readonly RiskLevel[]; required: number }
  | { kind: 'quota'; risks: readonly RiskLevel[]; quota: GroupQuota | null }
  | { kind: 'expiry'; minutes: number }
  /** Whether those who asked for the work may approve it themselves at these risks (stored; never allowed at high or critical by default). */
  | { kind: 'self_approval'; risks: readonly RiskLevel[]; allow: boolean };

function invalid(field: string, message: string): MissionError {
  return new MissionError('invalid_input', message, { field });
}

/** Applies one change; refuses ids that are neither user nor group ids, and removing someone who is not there. */
export function changePolicy(policy: ApprovalPolicy, change: PolicyChange): ApprovalPolicy {
  if (change.kind === 'expiry') {
    if (!Number.isInteger(change.minutes) || change.minutes < 1 || change.minutes > MAX_EXPIRY_MINUTES) {
      throw invalid('minutes', `minutes: ${change.minutes} is not a whole number of minutes from 1 to ${MAX_EXPIRY_MINUTES} (30 days).`);
    }
    return { ...policy, expiresAfterMinutes: change.minutes };
  }
  if (change.risks.length === 0) throw invalid('risk', 'risk: name at least one risk level (low, medium, high, critical, or all).');
  if (change.kind === 'self_approval') {
    const excluded = new Set(policy.requesterExcludedAt);
    for (const risk of change.risks) {
      if (change.allow) excluded.delete(risk);
      else excluded.add(risk);
    }
    return { ...policy, requesterExcludedAt: RISK_ORDER.filter((r) => excluded.has(r)) };
  }
  if ('required' in change && change.required !== undefined && (!Number.isInteger(change.required) || change.required < 0 || change.required > 9)) {
    throw invalid('required', `required: ${change.required} is not a count of approvals from 0 to 9.`);
  }
  const byRisk = structuredClone(policy.byRisk);
  if (change.kind === 'require') {
    for (const risk of change.risks) byRisk[risk].required = change.required;
    return checkQuotas({ ...policy, byRisk }, change.risks);
  }
  if (change.kind === 'quota') {
    for (const risk of change.risks) {
      const entry = byRisk[risk];
      if (change.quota && !USER_GROUP_ID.test(change.quota.groupId))
        throw invalid('quota', `quota: "${change.quota.groupId}" is not a Slack user group id (S…).`);
      if (change.quota && !entry.groups.includes(change.quota.groupId)) entry.groups.push(change.quota.groupId);
      if (change.quota) entry.quota = { ...change.quota };
      else delete entry.quota;
    }
    return checkQuotas({ ...policy, byRisk }, change.risks);
  }
  if (change.ids.length === 0) throw invalid('ids', 'Name at least one approver: a Slack user id (U…) or user group id (S…).');
  for (const id of change.ids) {
    if (!USER_ID.test(id) && !USER_GROUP_ID.test(id)) {
      throw invalid(
        'ids',
        `"${id}" is not a Slack user id (U… or W…) or user group id (S…). Find a user's id in their Slack profile (⋮ → Copy member ID), a group's in its URL.`,
      );
    }
  }
  for (const risk of change.risks) {
    const entry = byRisk[risk];
    for (const id of change.ids) {
      const list = USER_GROUP_ID.test(id) ? entry.groups : entry.people;
      if (change.kind === 'add') {
        if (!list.includes(id)) list.push(id);
      } else {
        const at = list.indexOf(id);
        if (at < 0) throw invalid('ids', `${id} is not an approver at ${risk} risk; nothing was changed. \`mission-control approvers list\` shows who is.`);
        list.splice(at, 1);
      }
    }
    if (change.kind === 'add' && change.required !== undefined) entry.required = change.required;
    // Removing the quota's group removes the quota with it.
    if (change.kind === 'remove' && entry.quota && !entry.groups.includes(entry.quota.groupId)) delete entry.quota;
  }
  return checkQuotas({ ...policy, byRisk }, change.risks);
}

function checkQuotas(policy: ApprovalPolicy, risks: readonly RiskLevel[]): ApprovalPolicy {
  for (const risk of risks) {
    const { quota, required } = policy.byRisk[risk];
    if (quota && (quota.count < 1 || quota.count > required)) {
      throw invalid(
        'quota',
        `quota: at least ${quota.count} from ${quota.groupId} does not fit ${risk} risk, which needs ${required} approval${required === 1 ? '' : 's'}; the quota must be from 1 to ${required}.`,
      );
    }
  }
  return policy;
}

// ---- Requests and decisions ---------------------------------------------------------------

export type ApprovalStatus = 'requested' | 'approved' | 'rejected' | 'expired' | 'cancelled';

export interface ApprovalDecision {
  approverId: string;
  approverName: string | null;
  decision: 'approved' | 'rejected';
  reason: string | null;
  at: string;
  /** The user group through which the approver was eligible, when not named in person. */
  viaGroup?: string | undefined;
  /** Whether the approver was a member of the request's quota group when deciding. */
  inQuotaGroup?: boolean | undefined;
}

export interface ApprovalRequest {
  id: string;
  playId: string;
  riskLevel: RiskLevel;
  required: number;
  /** People who could decide when the request was made (policy approvers minus the requester when excluded). */
  eligibleApprovers: string[];
  /** User groups whose members could decide when the request was made (absent on requests made before groups existed). */
  eligibleGroups?: string[] | undefined;
  /** Of `required`, at least this many from members of a group (absent: any eligible approver counts). */
  quota?: GroupQuota | undefined;
  requestedBy: Actor;
  /**
   * Everyone on whose behalf approval was asked, by person: the mission's requester, the person
   * a requesting token acts for, the person who requested approval. None of them may approve
   * at a risk level where the policy excludes requesters (absent on older requests).
   */
  requestedFor?: string[] | undefined;
  /** Why the request's risk is above the play's own (the risk floor's reasons), when it is. */
  riskRaised?: { from: RiskLevel; reasons: string[] } | undefined;
  requestedAt: string;
  expiresAt: string;
  status: ApprovalStatus;
  decisions: ApprovalDecision[];
  decidedAt: string | null;
  note: string | null;
}

/** Whether `personId` may still decide the mission's open approval request (eligible and not yet decided). */
export function isAwaitingApprovalFrom(mission: { state: string; approval: ApprovalRequest | null }, personId: string): boolean {
  const request = mission.approval;
  return (
    mission.state === 'awaiting_approval' &&
    request !== null &&
    request.status === 'requested' &&
    request.eligibleApprovers.includes(personId) &&
    !request.decisions.some((d) => d.approverId === personId)
  );
}

export interface EligibleApprovers {
  people: string[];
  groups: string[];
}

/** The person behind an actor: a Slack user, or the person a token acts for. */
export function personOf(actor: Actor): string | undefined {
  return actor.kind === 'slack_user' ? actor.id : actor.kind === 'mcp_token' ? actor.onBehalfOf : undefined;
}

/** Who asked, by person: the mission's requester plus whoever the request records (by token or in person). */
export function askersOf(requester: Actor, request?: Pick<ApprovalRequest, 'requestedFor' | 'requestedBy'> | null): string[] {
  const people = [personOf(requester), ...(request?.requestedFor ?? []), request ? personOf(request.requestedBy) : undefined];
  return [...new Set(people.filter((p): p is string => Boolean(p)))];
}

/** Whether the policy lets those who asked approve at this risk (self-approval is stored per risk level). */
export function selfApprovalAllowed(policy: ApprovalPolicy, riskLevel: RiskLevel): boolean {
  return !policy.requesterExcludedAt.includes(riskLevel);
}

/** The approvers who may decide a request for this risk on this requester's mission. */
export function eligibleApprovers(
  policy: ApprovalPolicy,
  riskLevel: RiskLevel,
  requester: Actor,
  request?: Pick<ApprovalRequest, 'requestedFor' | 'requestedBy'> | null,
): EligibleApprovers {
  const rule = policy.byRisk[riskLevel];
  const excluded = selfApprovalAllowed(policy, riskLevel) ? [] : askersOf(requester, request);
  return { people: [...new Set(rule.people)].filter((id) => !excluded.includes(id)), groups: [...new Set(rule.groups)] };
}

export function noApproversNamed(eligible: EligibleApprovers): boolean {
  return eligible.people.length === 0 && eligible.groups.length === 0;
}

/** How an admin names approvers, for a request nobody can decide yet (the CLI command, no front door's markup). */
export function howToNameApprovers(riskLevel: RiskLevel): string {
  return `an admin names them with \`mission-control approvers add --risk ${riskLevel} <Slack user id U… or user group id S…>\`, and this request can be approved as soon as they are`;
}

/** Who may decide, in plain ids: "U1, U2 or a member of user group S1". */
export function describeApprovers(eligible: EligibleApprovers): string {
  const parts = [...eligible.people, ...eligible.groups.map((g) => `a member of user group ${g}`)];
  if (parts.length === 0) return 'nobody yet (no approvers are configured)';
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

/** Where the deciding person stands under the policy as it is now. */
export interface ApproverStanding {
  eligible: EligibleApprovers;
  /** The eligible user group the person belongs to, when not named in person. */
  viaGroup: string | null;
  /** Whether the person is a member of the request's quota group (false when it has none). */
  inQuotaGroup?: boolean | undefined;
  /** Whether the policy excludes those who asked at the request's risk (absent: excluded at high and critical). */
  requesterExcluded?: boolean | undefined;
  /** Whether the policy names the person in person at this risk (absent: assume so); someone it never names is told that first. */
  namedByPolicy?: boolean | undefined;
}

export type ApprovalPermission = { allowed: true; viaGroup: string | null } | { allowed: false; reason: string };

/** Whether `actor` may decide `request`, given their standing under the current policy. The reason is written for the person who clicked. */
export function mayDecide(request: ApprovalRequest, actor: Actor, requester: Actor, standing: ApproverStanding): ApprovalPermission {
  if (actor.kind !== 'slack_user') {
    return { allowed: false, reason: 'Only a person can approve or reject a play; assistants and automation never can.' };
  }
  const excluded = standing.requesterExcluded ?? (request.riskLevel === 'high' || request.riskLevel === 'critical');
  if (excluded && standing.namedByPolicy !== false && askersOf(requester, request).includes(actor.id)) {
    return {
      allowed: false,
      // Whoever asked: the requester, the person a requesting token acts for, or the person who requested approval.
      reason: `You requested this ${request.riskLevel}-risk mission, so someone else must approve it: ${describeApprovers(standing.eligible)}.`,
    };
  }
  if (standing.eligible.people.includes(actor.id)) return { allowed: true, viaGroup: null };
  if (standing.viaGroup) return { allowed: true, viaGroup: standing.viaGroup };
  if (noApproversNamed(standing.eligible)) {
    return { allowed: false, reason: `Nobody can approve ${request.riskLevel}-risk plays yet: ${howToNameApprovers(request.riskLevel)}.` };
  }
  return { allowed: false, reason: `You are not an approver for this mission. Ask ${describeApprovers(standing.eligible)}.` };
}

/**
 * The person's standing under `policy`: named in person, or a member of an eligible group
 * (groups are looked up only when needed). A group that cannot be read is an error naming it.
 */
export async function standingOf(
  policy: ApprovalPolicy,
  request: ApprovalRequest,
  requester: Actor,
  actor: Actor,
  groups: UserGroupDirectory | null,
): Promise<ApproverStanding> {
  const standing = await eligibilityOf(policy, request, requester, actor, groups);
  if (!request.quota || actor.kind !== 'slack_user' || (!standing.eligible.people.includes(actor.id) && !standing.viaGroup)) return standing;
  if (standing.viaGroup === request.quota.groupId) return { ...standing, inQuotaGroup: true };
  const members = await membersOrRefuse(groups, request.quota.groupId);
  return { ...standing, inQuotaGroup: members.includes(actor.id) };
}

async function membersOrRefuse(groups: UserGroupDirectory | null, groupId: string): Promise<string[]> {
  try {
    if (!groups) throw new UserGroupLookupError(groupId, 'user groups cannot be read because Slack is not configured');
    return await groups.members(groupId);
  } catch (error) {
    const failure = error instanceof UserGroupLookupError ? error : new UserGroupLookupError(groupId, error instanceof Error ? error.message : String(error));
    throw lookupRefusal([failure]);
  }
}

function lookupRefusal(failures: readonly UserGroupLookupError[]): MissionError {
  // Not knowing is not the same as not being a member: say which group could not be read.
  return new MissionError(
    'precondition_failed',
    `Could not check whether you may approve: ${failures.map((f) => f.message).join('; ')}. Ask an admin to fix the approval policy (\`mission-control approvers list\`) or the Slack app's usergroups:read scope.`,
    { groups: failures.map((f) => f.groupId), reasons: failures.map((f) => f.reason) },
  );
}

async function eligibilityOf(
  policy: ApprovalPolicy,
  request: Pick<ApprovalRequest, 'riskLevel' | 'requestedFor' | 'requestedBy'> | { riskLevel: RiskLevel; requestedBy?: undefined; requestedFor?: undefined },
  requester: Actor,
  actor: Actor,
  groups: UserGroupDirectory | null,
): Promise<ApproverStanding> {
  const asked = request.requestedBy ? (request as ApprovalRequest) : null;
  const namedByPolicy =
    actor.kind === 'slack_user' && (policy.byRisk[request.riskLevel].people.includes(actor.id) || policy.byRisk[request.riskLevel].groups.length > 0);
  const requesterExcluded = !selfApprovalAllowed(policy, request.riskLevel);
  const eligible = eligibleApprovers(policy, request.riskLevel, requester, asked);
  if (actor.kind !== 'slack_user' || eligible.people.includes(actor.id) || eligible.groups.length === 0)
    return { eligible, viaGroup: null, requesterExcluded, namedByPolicy };
  if (requesterExcluded && askersOf(requester, asked).includes(actor.id)) return { eligible, viaGroup: null, requesterExcluded, namedByPolicy };
  const failures: UserGroupLookupError[] = [];
  for (const groupId of eligible.groups) {
    if (!groups) {
      failures.push(new UserGroupLookupError(groupId, 'user groups cannot be read because Slack is not configured'));
      continue;
    }
    try {
      if ((await groups.members(groupId)).includes(actor.id)) return { eligible, viaGroup: groupId, requesterExcluded, namedByPolicy };
    } catch (error) {
      failures.push(error instanceof UserGroupLookupError ? error : new UserGroupLookupError(groupId, error instanceof Error ? error.message : String(error)));
    }
  }
  if (failures.length > 0) throw lookupRefusal(failures);
  return { eligible, viaGroup: null, requesterExcluded, namedByPolicy };
}

/**
 * Whether `actor` may accept a review alert of this severity: at high and critical, only an
 * approver of plays at that risk may (the same policy, groups and requester exclusion as an
 * approval). Lower severities need only a person. Null when allowed; otherwise the reason.
 */
export async function alertAcceptRefusal(
  policy: ApprovalPolicy,
  severity: RiskLevel,
  requester: Actor,
  actor: Actor,
  groups: UserGroupDirectory | null,
): Promise<string | null> {
  if (actor.kind !== 'slack_user') return 'Only a person can resolve a review alert; ask someone in the mission thread.';
  if (severity !== 'high' && severity !== 'critical') return null;
  const standing = await eligibilityOf(policy, { riskLevel: severity }, requester, actor, groups);
  if (standing.eligible.people.includes(actor.id) || standing.viaGroup) return null;
  if (noApproversNamed(standing.eligible))
    return `Only an approver of ${severity}-risk plays may accept a ${severity} review alert, and none is named yet: ${howToNameApprovers(severity)}. You may block it.`;
  return `Only an approver of ${severity}-risk plays may accept a ${severity} review alert: ask ${describeApprovers(standing.eligible)}. You may block it.`;
}

/** Who could decide the request when it was made. */
export function requestApprovers(request: ApprovalRequest): EligibleApprovers {
  return { people: request.eligibleApprovers, groups: request.eligibleGroups ?? [] };
}

/** "from U1 or U2", or, when nobody is named, how to name someone: plain ids, for every front door. */
export function awaitedApprovers(request: ApprovalRequest): string {
  const eligible = requestApprovers(request);
  if (noApproversNamed(eligible)) return `an approver, but none is configured for ${request.riskLevel} risk: ${howToNameApprovers(request.riskLevel)}`;
  const owed = quotaMissing(request);
  const quota = owed > 0 ? `, at least ${owed} of them from user group ${request.quota!.groupId}` : '';
  // Too few people named (and no group to draw on): say so, rather than wait for approvals nobody can give.
  const undecided = eligible.people.filter((id) => !request.decisions.some((d) => d.approverId === id)).length;
  const needed = request.required - approvalsGiven(request);
  const short =
    eligible.groups.length === 0 && undecided < needed
      ? `; only ${undecided} named approver${undecided === 1 ? '' : 's'} can still approve, so ${howToNameApprovers(request.riskLevel).replace('names them', 'names more')}`
      : '';
  return `${describeApprovers(eligible)}${quota}${short}`;
}

export function approvalsGiven(request: ApprovalRequest): number {
  return request.decisions.filter((d) => d.decision === 'approved').length;
}

/** Approvals still owed to the request's quota group (0 without a quota). */
export function quotaMissing(request: ApprovalRequest): number {
  if (!request.quota) return 0;
  const fromGroup = request.decisions.filter((d) => d.decision === 'approved' && d.inQuotaGroup).length;
  return Math.max(request.quota.count - fromGroup, 0);
}

/** Whether the approvals given satisfy the request: enough of them, and enough from the quota group. */
export function approvalComplete(request: ApprovalRequest): boolean {
  return approvalsGiven(request) >= request.required && quotaMissing(request) === 0;
}
