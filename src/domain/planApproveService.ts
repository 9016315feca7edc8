// Plan & Approve's commands: read what a rule needs from outside (the library, the approval
// policy and group membership as they are now), then run one rule from planApprove.ts through
// the writer. Inputs arrive parsed (MissionService parses them with the schemas in missionInputs.ts).
import type { z } from 'zod';
import { SYSTEM_ACTOR, type Actor } from './actors.js';
import {
  eligibleApprovers,
  mayDecide,
  standingOf,
  type ApprovalPermission,
  type ApprovalPolicy,
  type ApprovalRequest,
  type ApproverStanding,
} from './approvalPolicy.js';
import { isMissionError, type MissionError } from './errors.js';
import type { LibraryMatch } from './library.js';
import type { Mission } from './mission.js';
import { EventBuffer, noWrites, type MissionCommand } from './missionCommand.js';
import type {
  approvalDeniedInput,
  decideApprovalInput,
  dismissPlayInput,
  playRefInput,
  proposePlaysInput,
  requestApprovalInput,
  searchLibraryInput,
} from './missionInputs.js';
import {
  addCandidatePlays,
  decideApproval,
  dismissPlay,
  expireApproval,
  precedentOf,
  recordApprovalDenied,
  requestApproval,
  selectPlay,
} from './planApprove.js';
import type { Play } from './plays.js';
import type { ServiceParts } from './serviceParts.js';

export class PlanApproveService {
  constructor(private readonly parts: ServiceParts) {}

  /** Plays proposed by an assistant (or a person); they are ranked with the others. Returns the plays it added. */
  async proposePlays(input: z.output<typeof proposePlaysInput>, actor: Actor): Promise<{ mission: Mission; plays: Play[] }> {
    const { writer, repository } = this.parts;
    const probe = await writer.load(input.missionId);
    const library = await repository.searchLibrary({ tags: probe.tags, limit: 20 });
    const source = actor.kind === 'slack_user' ? ('person' as const) : ('assistant' as const);
    let plays: Play[] = [];
    const mission = await writer.mutate(input.missionId, actor, (current, cmd) => {
      const next = addCandidatePlays(
        current,
        input.plays.map((draft) => ({ draft, source, libraryEntryId: null })),
        precedentOf(library),
        cmd,
      );
      plays = next.plays.filter((p) => !current.plays.some((known) => known.id === p.id));
      return next;
    });
    return { mission, plays };
  }

  async dismissPlay(input: z.output<typeof dismissPlayInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => dismissPlay(mission, input, cmd));
  }

  async selectPlay(input: z.output<typeof playRefInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => selectPlay(mission, input, cmd));
  }

  /**
   * Asks the policy's approvers to approve the selected play. Needs no approval at all for risk
   * levels the policy waives. Returns the request it made (null when it changed nothing).
   */
  async requestApproval(input: z.output<typeof requestApprovalInput>, actor: Actor): Promise<{ mission: Mission; request: ApprovalRequest | null }> {
    const policy = await this.parts.approvalPolicies.current();
    let request: ApprovalRequest | null = null;
    const mission = await this.parts.writer.mutate(input.missionId, actor, (current, cmd) => {
      const next = requestApproval(current, input, policy, cmd);
      request = next.approval && next.approval.id !== current.approval?.id ? next.approval : null;
      return next;
    });
    return { mission, request };
  }

  /** The approval policy this workspace applies now. */
  async currentApprovalPolicy(): Promise<ApprovalPolicy> {
    return this.parts.approvalPolicies.current();
  }

  /** Whether `actor` may decide the mission's open request under the policy as it is now (front doors ask before opening a form). */
  async approvalPermission(mission: Mission, actor: Actor): Promise<ApprovalPermission> {
    if (!mission.approval) return { allowed: false, reason: `No approval has been requested for this mission (it is ${mission.state}).` };
    const policy = await this.parts.approvalPolicies.current();
    const standing = await standingOf(policy, mission.approval, mission.requester, actor, this.parts.userGroups);
    return mayDecide(mission.approval, actor, mission.requester, standing);
  }

  /**
   * A person approves or rejects. Exactly one decision closes a request, even when several
   * arrive at once from several processes: the losers get `already_decided`.
   */
  async decideApproval(input: z.output<typeof decideApprovalInput>, actor: Actor): Promise<Mission> {
    const { writer, clock, userGroups } = this.parts;
    // The policy and group membership are read now, not when the request was made: approvers named
    // since then may decide. Looked up before the (pure, retried) rule runs.
    const loaded = await writer.load(input.missionId);
    const policy = await this.parts.approvalPolicies.current();
    // A request already closed is refused by the rule as such; no need to ask Slack about groups for it.
    const open = loaded.approval?.status === 'requested' && clock.now().getTime() <= Date.parse(loaded.approval.expiresAt);
    const standing = open ? await standingOf(policy, loaded.approval!, loaded.requester, actor, userGroups) : null;
    return writer.mutate(input.missionId, actor, (mission, cmd) => {
      const sameRequest = standing && mission.approval?.id === loaded.approval?.id;
      const current: ApproverStanding = sameRequest ? standing : closedStanding(policy, mission);
      return decideApproval(mission, input, current, cmd);
    });
  }

  /**
   * Why `actor` may not make this decision on the approval request now, exactly as
   * `decideApproval` would refuse it (the same rule runs; nothing is saved); null when they may.
   * Front doors ask before opening a form, so a person who may not decide is told at once.
   */
  async approvalDecisionRefusal(
    input: { missionId: string; decision: 'approve' | 'reject'; requestId?: string | undefined },
    actor: Actor,
  ): Promise<MissionError | null> {
    const mission = await this.parts.writer.load(input.missionId);
    const now = this.parts.clock.now();
    // A dry run: ids and events go nowhere, so asking uses up nothing.
    const cmd: MissionCommand = {
      actor,
      now,
      at: now.toISOString(),
      newId: (prefix) => `${prefix}_unsaved`,
      events: new EventBuffer(actor),
      writes: noWrites(),
    };
    const policy = await this.parts.approvalPolicies.current();
    const open = mission.approval?.status === 'requested' && now.getTime() <= Date.parse(mission.approval.expiresAt);
    const standing: ApproverStanding = open
      ? await standingOf(policy, mission.approval!, mission.requester, actor, this.parts.userGroups)
      : closedStanding(policy, mission);
    try {
      decideApproval(mission, { decision: input.decision, requestId: input.requestId }, standing, cmd);
      return null;
    } catch (error) {
      if (isMissionError(error)) return error;
      throw error;
    }
  }

  /** Records a refused approval attempt for the audit trail (the front door tells the person why). */
  async recordApprovalDenied(input: z.output<typeof approvalDeniedInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => recordApprovalDenied(mission, input.reason, cmd));
  }

  /** Expires every open approval request past its expiry; returns how many it expired. */
  async expireOverdueApprovals(limit = 100): Promise<number> {
    const { writer, repository, clock } = this.parts;
    const ids = await repository.overdueApprovals(clock.now(), limit);
    let expired = 0;
    for (const id of ids) {
      const before = await writer.load(id);
      const after = await writer.mutate(id, SYSTEM_ACTOR, (mission, cmd) => expireApproval(mission, cmd));
      if (after.version !== before.version && after.state === 'planning') expired += 1;
    }
    return expired;
  }

  async searchLibrary(input: z.output<typeof searchLibraryInput>): Promise<LibraryMatch[]> {
    return this.parts.repository.searchLibrary(input);
  }
}

/** The standing of anyone on a request that is closed or changed since it was looked up: eligibility only, no group membership. */
function closedStanding(policy: ApprovalPolicy, mission: Mission): ApproverStanding {
  return {
    eligible: mission.approval ? eligibleApprovers(policy, mission.approval.riskLevel, mission.requester, mission.approval) : { people: [], groups: [] },
    viaGroup: null,
  };
}
