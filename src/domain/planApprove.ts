// Plan & Approve: candidate plays (planner, library, assistants), ranking, selection, and the
// approval request with its decisions. Pure rules over the mission; the service saves.
import type { Actor } from './actors.js';
import {
  approvalComplete,
  approvalsGiven,
  askersOf,
  awaitedApprovers,
  eligibleApprovers,
  mayDecide,
  quotaMissing,
  type ApprovalPolicy,
  type ApprovalRequest,
  type ApproverStanding,
} from './approvalPolicy.js';
import { chipOf, type Brief } from './brief.js';
import { MissionError } from './errors.js';
import { startExecution } from './executeObserve.js';
import type { LibraryMatch } from './library.js';
import type { Mission } from './mission.js';
import { transition, type MissionCommand } from './missionCommand.js';
import { maxRisk, raisedRisk, riskFloorOf, type RiskFloor } from './riskFloor.js';
import { rankPlays, riskLevelOf, scorePlay, type Play, type PlayDraft, type PlannerInput, type PlaySource, type PlanPrecedent } from './plays.js';
import { securityRiskFloor } from './securityFindings.js';

export interface PlayCandidate {
  draft: PlayDraft;
  source: PlaySource;
  libraryEntryId: string | null;
}

export function plannerInputOf(mission: Pick<Mission, 'brief' | 'tags'>): PlannerInput {
  const items = (kind: Parameters<typeof chipOf>[1]) => chipOf(mission.brief, kind)?.items ?? [];
  return {
    objective: items('objective')[0] ?? '',
    scope: items('scope'),
    acceptanceCriteria: items('acceptance_criteria'),
    kpis: items('kpis'),
    safeguards: items('safeguards'),
    timeline: items('timeline')[0] ?? null,
    tags: mission.tags,
  };
}

/** Library plays a planner sees as precedent. */
export function precedentsOf(library: readonly LibraryMatch[]): PlanPrecedent[] {
  return library
    .filter((m) => m.matchedTags.length > 0)
    .slice(0, 5)
    .map((m) => ({ title: m.entry.play.title, rationale: m.entry.play.rationale, phases: m.entry.play.phases.map((p) => p.name), rating: m.entry.rating }));
}

/** How many library entries share a tag with the mission: the precedent each candidate is scored with. */
export function precedentOf(library: readonly LibraryMatch[]): number {
  return library.filter((m) => m.matchedTags.length > 0).length;
}

/** Library entries become candidates when they share at least one tag with the mission; the best two are offered. */
export function libraryCandidates(matches: readonly LibraryMatch[]): PlayCandidate[] {
  return matches
    .filter((m) => m.matchedTags.length > 0)
    .slice(0, 2)
    .map((m) => ({
      draft: { ...m.entry.play, rationale: `From the library (rated ${m.entry.rating}/5, tags: ${m.matchedTags.join(', ')}). ${m.entry.play.rationale}` },
      source: 'library' as const,
      libraryEntryId: m.entry.id,
    }));
}

/** The risk floor of a play on this mission (riskFloor.ts): its tags, the brief's objective and scope, and what the play says it will do. */
export function playRiskFloor(mission: Pick<Mission, 'brief' | 'tags'>, play: PlayDraft): RiskFloor {
  const items = (kind: Parameters<typeof chipOf>[1]) => chipOf(mission.brief, kind)?.items ?? [];
  return riskFloorOf({ tags: mission.tags, brief: [...items('objective'), ...items('scope')] }, play);
}

function safeguardsOf(brief: Brief): string[] {
  return chipOf(brief, 'safeguards')?.items ?? [];
}

/**
 * Records candidate plays and ranks all plays again. `precedent` is how many library
 * entries share tags with this mission: the precedent every candidate is scored with.
 */
export function addCandidatePlays(mission: Mission, candidates: readonly PlayCandidate[], precedent: number, cmd: MissionCommand): Mission {
  requirePlanning(mission, 'propose plays');
  if (candidates.length === 0) return mission;
  const safeguards = safeguardsOf(mission.brief);
  const fresh = candidates.map((c, i): Play => {
    const base = {
      ...c.draft,
      id: `play_${mission.plays.length + i + 1}`,
      source: c.source,
      libraryEntryId: c.libraryEntryId,
      libraryMatchCount: precedent,
      // The policy reads this: never below the risk floor (riskFloor.ts) or an open critical security finding in the files it touches, whatever the proposer says.
      riskLevel: maxRisk(raisedRisk(riskLevelOf(c.draft.risk), playRiskFloor(mission, c.draft)).level, securityRiskFloor(mission, c.draft).level),
      rank: 0,
      status: 'proposed' as const,
      dismissedReason: null,
      proposedBy: cmd.actor,
      proposedAt: cmd.at,
    };
    return { ...base, score: scorePlay(base, safeguards) };
  });
  for (const play of fresh) {
    cmd.events.add('planner_candidate_generated', {
      play_id: play.id,
      title: play.title,
      source: play.source,
      confidence: play.confidence,
      precedent_count: play.libraryMatchCount,
      phases: play.phases.length,
      risk_level: play.riskLevel,
      score: play.score,
    });
  }
  const plays = rankPlays([...mission.plays, ...fresh]);
  cmd.events.add('plan_ranked', {
    ranking: plays.map((p) => ({ play_id: p.id, rank: p.rank, score: p.score, status: p.status })),
    top_play: plays[0]?.id ?? null,
  });
  return { ...mission, plays };
}

function findPlay(mission: Mission, playId: string): Play {
  const play = mission.plays.find((p) => p.id === playId);
  if (!play) {
    const ids = mission.plays.map((p) => p.id).join(', ') || 'none yet';
    throw new MissionError('invalid_input', `playId: no play "${playId}" on this mission. Plays: ${ids}.`, { field: 'playId' });
  }
  return play;
}

function requirePlanning(mission: Mission, what: string): void {
  if (mission.state !== 'planning') {
    const hint =
      mission.state === 'awaiting_approval'
        ? ' A play is waiting for approval; it returns to planning if rejected or expired.'
        : mission.state === 'defining' || mission.state === 'preparing'
          ? ' Lock the brief and confirm toolkits first.'
          : '';
    throw new MissionError('transition_refused', `Cannot ${what}: the mission is ${mission.state}, and plays are chosen while it is planning.${hint}`, {
      state: mission.state,
      allowed: [],
    });
  }
}

export function dismissPlay(mission: Mission, input: { playId: string; reason: string }, cmd: MissionCommand): Mission {
  requirePlanning(mission, 'dismiss a play');
  const play = findPlay(mission, input.playId);
  if (play.status === 'dismissed') return mission;
  cmd.events.add('play_dismissed', { play_id: play.id, reason: input.reason });
  const plays = rankPlays(mission.plays.map((p) => (p.id === play.id ? { ...p, status: 'dismissed' as const, dismissedReason: input.reason } : p)));
  return { ...mission, plays };
}

export function selectPlay(mission: Mission, input: { playId: string }, cmd: MissionCommand): Mission {
  requirePlanning(mission, 'select a play');
  const play = findPlay(mission, input.playId);
  if (play.status === 'dismissed') {
    throw new MissionError('precondition_failed', `Play "${play.title}" was dismissed (${play.dismissedReason}). Select another play, or propose it again.`, {
      field: 'playId',
    });
  }
  if (play.status === 'selected') return mission;
  cmd.events.add('plan_selected', { play_id: play.id, title: play.title, risk_level: play.riskLevel, score: play.score, rank: play.rank });
  const plays = mission.plays.map((p) =>
    p.id === play.id ? { ...p, status: 'selected' as const } : p.status === 'selected' ? { ...p, status: 'proposed' as const } : p,
  );
  return { ...mission, plays };
}

/** Opens an approval request for the selected play (or `playId`, which is selected first). */
export function requestApproval(
  mission: Mission,
  input: { playId?: string | undefined; note?: string | undefined },
  policy: ApprovalPolicy,
  cmd: MissionCommand,
): Mission {
  if (mission.state === 'awaiting_approval') {
    throw new MissionError(
      'already_decided',
      `Approval was already requested for this mission at ${mission.approval?.requestedAt}; it is waiting for ${awaitedApprovers(mission.approval!)}.`,
      {
        state: mission.state,
      },
    );
  }
  let next = input.playId ? selectPlay(mission, { playId: input.playId }, cmd) : mission;
  requirePlanning(next, 'request approval');
  const play = next.plays.find((p) => p.status === 'selected');
  if (!play) {
    throw new MissionError('precondition_failed', 'No play is selected. Select a play (or pass playId) before requesting approval.', {
      field: 'playId',
      state: mission.state,
    });
  }
  // Accepted even when nobody can approve yet: the request waits, says how to name approvers,
  // and whoever the policy names later may decide it (the policy is read again at decision time).
  // The risk approved is never below what the plan and brief say they will do, whatever the play claims.
  // The same floor as at proposal, read again on the mission as it is now; `raised` records the play's own rating.
  const { level: floored, raised } = raisedRisk(riskLevelOf(play.risk), playRiskFloor(next, play));
  const riskLevel = maxRisk(floored, play.riskLevel);
  const { required, quota } = policy.byRisk[riskLevel];
  const requestedFor = askersOf(mission.requester, { requestedBy: cmd.actor, requestedFor: [] });
  const eligible = eligibleApprovers(policy, riskLevel, mission.requester, { requestedBy: cmd.actor, requestedFor });
  const request: ApprovalRequest = {
    id: cmd.newId('apr'),
    playId: play.id,
    riskLevel,
    ...(raised ? { riskRaised: raised } : {}),
    requestedFor,
    required,
    eligibleApprovers: eligible.people,
    eligibleGroups: eligible.groups,
    ...(quota && required > 0 ? { quota: { ...quota } } : {}),
    requestedBy: cmd.actor,
    requestedAt: cmd.at,
    expiresAt: new Date(cmd.now.getTime() + policy.expiresAfterMinutes * 60_000).toISOString(),
    status: 'requested',
    decisions: [],
    decidedAt: null,
    note: input.note ?? null,
  };
  cmd.events.add('approval_requested', {
    request_id: request.id,
    play_id: play.id,
    risk_level: riskLevel,
    ...(raised ? { play_risk_level: raised.from, risk_raised_because: raised.reasons } : {}),
    requested_for: requestedFor,
    required,
    approvers: eligible.people,
    approver_groups: eligible.groups,
    expires_at: request.expiresAt,
  });
  next = {
    ...transition(next, 'request_approval', cmd.events),
    approval: request,
    approvalHistory: next.approval ? [...next.approvalHistory, next.approval] : next.approvalHistory,
  };
  // A risk level that needs no approval is approved by the policy itself, on the record.
  return required === 0 ? approve(next, request, [], cmd) : next;
}

/** Who the mission is waiting for, in words: used when something is attempted before approval. */
export function waitingForApproval(mission: Mission): string {
  const request = mission.approval;
  if (mission.state !== 'awaiting_approval' || !request) return '';
  const missing = request.required - approvalsGiven(request);
  return `waiting for ${missing} more approval${missing === 1 ? '' : 's'} from ${awaitedApprovers(request)} (requested ${request.requestedAt}, expires ${request.expiresAt})`;
}

function describeDecision(request: ApprovalRequest): string {
  if (request.status === 'expired') return `expired at ${request.decidedAt}`;
  if (request.status === 'cancelled') return `was cancelled at ${request.decidedAt}`;
  const last = request.decisions[request.decisions.length - 1];
  const who = last ? `${last.approverName ?? last.approverId}` : 'the approval policy';
  return `was already ${request.status} by ${who} at ${request.decidedAt}`;
}

/**
 * A person approves or rejects the open request. Refusals (already decided, expired, not
 * permitted, the same person twice) throw and change nothing.
 */
export function decideApproval(
  mission: Mission,
  input: { decision: 'approve' | 'reject'; requestId?: string | undefined; reason?: string | undefined },
  standing: ApproverStanding,
  cmd: MissionCommand,
): Mission {
  const request = mission.approval;
  if (!request) {
    throw new MissionError('transition_refused', `No approval has been requested for this mission (it is ${mission.state}).`, {
      state: mission.state,
      allowed: [],
    });
  }
  if (input.requestId && input.requestId !== request.id) {
    const old = mission.approvalHistory.find((r) => r.id === input.requestId);
    throw new MissionError(
      'already_decided',
      old
        ? `That approval request ${describeDecision(old)}; a newer request is ${request.status}.`
        : `requestId: no approval request "${input.requestId}" on this mission.`,
      {
        field: 'requestId',
        state: mission.state,
      },
    );
  }
  if (request.status !== 'requested') {
    throw new MissionError('already_decided', `This approval request ${describeDecision(request)}.`, {
      state: mission.state,
      status: request.status,
      decidedAt: request.decidedAt,
    });
  }
  if (cmd.now.getTime() > Date.parse(request.expiresAt)) {
    throw new MissionError('approval_expired', `This approval request expired at ${request.expiresAt}. Request approval again.`, { state: mission.state });
  }
  const permission = mayDecide(request, cmd.actor, mission.requester, standing);
  if (!permission.allowed) {
    throw new MissionError('permission_denied', permission.reason, {
      state: mission.state,
      approvers: standing.eligible.people,
      approverGroups: standing.eligible.groups,
    });
  }
  const actor = cmd.actor as Extract<Actor, { kind: 'slack_user' }>;
  const mine = request.decisions.find((d) => d.approverId === actor.id);
  if (mine) {
    throw new MissionError(
      'already_decided',
      `You already ${mine.decision} this request at ${mine.at}; it needs ${request.required - approvalsGiven(request)} more approval(s) from someone else.`,
      {
        state: mission.state,
      },
    );
  }
  if (input.decision === 'approve' && request.quota && !standing.inQuotaGroup) {
    const owed = quotaMissing(request);
    const open = request.required - approvalsGiven(request);
    if (owed > 0 && open <= owed) {
      throw new MissionError(
        'permission_denied',
        `The remaining ${owed === 1 ? 'approval' : `${owed} approvals`} must come from members of user group ${request.quota.groupId}, and you are not one.`,
        { state: mission.state, quotaGroup: request.quota.groupId },
      );
    }
  }
  const decision = {
    approverId: actor.id,
    approverName: actor.name ?? null,
    decision: input.decision === 'approve' ? ('approved' as const) : ('rejected' as const),
    reason: input.reason ?? null,
    at: cmd.at,
    ...(permission.viaGroup ? { viaGroup: permission.viaGroup } : {}),
    ...(request.quota ? { inQuotaGroup: standing.inQuotaGroup === true } : {}),
  };
  // Who may decide is refreshed to the policy read for this decision, so the request shows approvers named since it was made.
  const decided: ApprovalRequest = {
    ...request,
    eligibleApprovers: standing.eligible.people,
    eligibleGroups: standing.eligible.groups,
    decisions: [...request.decisions, decision],
  };

  if (input.decision === 'reject') {
    cmd.events.add('approval_rejected', { request_id: request.id, play_id: request.playId, approver_id: actor.id, reason: input.reason ?? '' });
    const closed: ApprovalRequest = { ...decided, status: 'rejected', decidedAt: cmd.at };
    const moved = transition(mission, 'reject', cmd.events);
    // Back to play selection: the rejected play stays on the list, unselected, with the reason on the request.
    return { ...moved, approval: closed, plays: moved.plays.map((p) => (p.id === request.playId ? { ...p, status: 'proposed' as const } : p)) };
  }
  const given = approvalsGiven(decided);
  cmd.events.add('approval_granted', {
    request_id: request.id,
    play_id: request.playId,
    approver_id: actor.id,
    approvals: given,
    required: request.required,
    ...(permission.viaGroup ? { via_group: permission.viaGroup } : {}),
  });
  if (!approvalComplete(decided)) return { ...mission, approval: decided };
  return approve(
    mission,
    decided,
    decided.decisions.map((d) => d.approverId),
    cmd,
  );
}

function approve(mission: Mission, request: ApprovalRequest, reviewerIds: string[], cmd: MissionCommand): Mission {
  const play = mission.plays.find((p) => p.id === request.playId)!;
  cmd.events.add('plan_approved', {
    play_id: play.id,
    reviewer_ids: reviewerIds,
    risk_level: play.riskLevel,
    phases: play.phases.length,
    auto_approved: reviewerIds.length === 0,
  });
  const moved = transition(mission, 'approve', cmd.events);
  const approved: Mission = {
    ...moved,
    approval: { ...request, status: 'approved', decidedAt: cmd.at },
    plays: moved.plays.map((p) => (p.id === play.id ? { ...p, status: 'approved' as const } : p)),
  };
  return startExecution(approved, cmd);
}

/** Closes an open request past its expiry; the mission returns to play selection. */
export function expireApproval(mission: Mission, cmd: MissionCommand): Mission {
  const request = mission.approval;
  if (mission.state !== 'awaiting_approval' || !request || request.status !== 'requested') return mission;
  if (cmd.now.getTime() <= Date.parse(request.expiresAt)) return mission;
  cmd.events.add('approval_expired', { request_id: request.id, play_id: request.playId, expired_at: request.expiresAt });
  const moved = transition(mission, 'expire_approval', cmd.events);
  return { ...moved, approval: { ...request, status: 'expired', decidedAt: cmd.at } };
}

/** The audit record of a refused click (Slack shows the person why; nothing else changes). */
export function recordApprovalDenied(mission: Mission, reason: string, cmd: MissionCommand, alertId?: string): Mission {
  cmd.events.add('approval_denied', {
    request_id: alertId ? null : (mission.approval?.id ?? null),
    actor_id: cmd.actor.id,
    reason,
    ...(alertId ? { alert_id: alertId } : {}),
  });
  return mission;
}
