// Execute & Observe's commands: read what a rule needs from outside (stored evidence, the
// approval policy for who may accept an alert or override a gate), then run one rule from
// executeObserve.ts, gateOverrides.ts or modelUsage.ts through the writer. Inputs arrive parsed
// (MissionService parses them with the schemas in missionInputs.ts).
import type { z } from 'zod';
import type { Actor } from './actors.js';
import { alertAcceptRefusal, standingOf } from './approvalPolicy.js';
import { isMissionError, MissionError } from './errors.js';
import { canonicalJson } from './eventLog.js';
import { artifactRows, verifyChain, withEveryArtifact } from './missionHistory.js';
import { requireMustHavesMet } from './verification.js';
import { artifactCount, verifyEvidence, type ArtifactKind, type ArtifactRecord, type EvidenceVerification } from './evidence.js';
import {
  attachEvidence,
  completeExecution,
  completePhase,
  failMission,
  failPhase,
  raiseAlert,
  recordDeviation,
  reportStep,
  reportTestRun,
  resolveAlert,
  rollBack,
  startPhase,
} from './executeObserve.js';
import type { ValidatorAlert } from './execution.js';
import { recordDispatch, type DispatchRecord } from './executorDispatch.js';
import { mayOverrideGates, overrideGate, recordReview, type GateOverridePermission } from './gateOverrides.js';
import type { Mission } from './mission.js';
import type {
  attachEvidenceInput,
  failMissionInput,
  missionRefInput,
  overrideGateInput,
  progressReportInput,
  recordExecutorDispatchInput,
  recordReviewInput,
  resolveAlertInput,
  rollbackInput,
  setBudgetInput,
} from './missionInputs.js';
import { STAGE_OF_STATE } from './missionStateMachine.js';
import { recordModelCalls, requireWithinBudget, setBudget, type ModelCallRecord } from './modelUsage.js';
import { recordApprovalDenied } from './planApprove.js';
import { gateRequirements } from './qualityGates.js';
import { plural } from './text/englishLists.js';
import type { ServiceParts } from './serviceParts.js';

const DEFAULT_MEDIA_TYPES: Record<ArtifactKind, string> = {
  link: 'text/uri-list',
  markdown: 'text/markdown',
  json: 'application/json',
  file: 'text/plain',
};

export class ExecuteService {
  constructor(private readonly parts: ServiceParts) {}

  /**
   * One executor report (phase started/completed/failed, step, test run, alert, deviation, usage).
   * Returns the alert it raised (a validator alert, or a rule 4 deviation stopping for a person), if any.
   */
  async reportProgress(report: z.output<typeof progressReportInput>, actor: Actor): Promise<{ mission: Mission; alert: ValidatorAlert | null }> {
    let alert: ValidatorAlert | null = null;
    const mission = await this.parts.writer.mutate(report.missionId, actor, (current, cmd) => {
      const next = this.applyReport(current, report, cmd);
      alert = next.execution?.alerts.find((a) => !current.execution?.alerts.some((known) => known.id === a.id)) ?? null;
      return next;
    });
    return { mission, alert };
  }

  private applyReport(current: Mission, report: z.output<typeof progressReportInput>, cmd: Parameters<typeof startPhase>[2]): Mission {
    if (report.kind === 'usage') return recordModelCalls(current, [this.assistantUsage(report)], STAGE_OF_STATE[current.state], cmd);
    requireWithinBudget(current);
    const requirements = gateRequirements(current.brief);
    switch (report.kind) {
      case 'phase_started':
        return startPhase(current, report, cmd);
      case 'phase_completed':
        return completePhase(current, report, requirements, cmd);
      case 'phase_failed':
        return failPhase(current, report, cmd);
      case 'step_completed':
        return reportStep(current, report, cmd);
      case 'test_run':
        return reportTestRun(current, report, cmd);
      case 'validator_alert':
        return raiseAlert(current, report, cmd);
      case 'deviation':
        return recordDeviation(current, report, cmd);
    }
  }

  private assistantUsage(report: { model: string; inputTokens: number; outputTokens: number; costUsd?: number | undefined }): ModelCallRecord {
    const costUsd = report.costUsd ?? this.parts.priceOf(report.model, report.inputTokens, report.outputTokens) ?? 0;
    return {
      task: 'assistant',
      provider: 'assistant',
      model: report.model,
      inputTokens: report.inputTokens,
      outputTokens: report.outputTokens,
      costUsd,
      durationMs: 0,
      outcome: 'ok',
    };
  }

  /** A person sets the mission's model budget (USD); execution reports paused over budget resume once spend is within it. */
  async setBudget(input: z.output<typeof setBudgetInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => setBudget(mission, input.budgetUsd, cmd));
  }

  /** A person accepts a review_required alert (its phase may go on) or blocks it (the phase fails). */
  async resolveAlert(input: z.output<typeof resolveAlertInput>, actor: Actor): Promise<Mission> {
    const { writer, approvalPolicies, userGroups } = this.parts;
    // Who may accept is read from the policy now (groups looked up before the pure, retried rule runs).
    const loaded = await writer.load(input.missionId);
    const alert = loaded.execution?.alerts.find((a) => a.id === input.alertId && a.status === 'open');
    const refusal =
      alert && input.outcome === 'accepted'
        ? await alertAcceptRefusal(await approvalPolicies.current(), alert.severity, loaded.requester, actor, userGroups)
        : null;
    try {
      return await writer.mutate(input.missionId, actor, (mission, cmd) => resolveAlert(mission, input, refusal, cmd));
    } catch (error) {
      // A refused acceptance leaves the alert open and is on the record, as a refused approval is.
      if (isMissionError(error) && error.code === 'permission_denied' && actor.kind === 'slack_user') {
        await writer.mutate(input.missionId, actor, (mission, cmd) => recordApprovalDenied(mission, error.message, cmd, input.alertId));
      }
      throw error;
    }
  }

  /** A person records a code review (approve or request changes, with a note); it counts for the code-review check. */
  async recordReview(input: z.output<typeof recordReviewInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => recordReview(mission, input, cmd));
  }

  /** An approver overrides one gate check with a reason; the check then counts, shown as overridden. */
  async overrideGate(input: z.output<typeof overrideGateInput>, actor: Actor): Promise<Mission> {
    // The policy and group membership are read before the (pure, retried) rule runs.
    const permission = await this.gateOverridePermission(await this.parts.writer.load(input.missionId), actor);
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => overrideGate(mission, input, permission, cmd));
  }

  /** Whether `actor` may override the mission's gates: an approver of its risk under the policy as it is now. */
  async gateOverridePermission(mission: Mission, actor: Actor): Promise<GateOverridePermission> {
    const request = mission.approval ?? mission.approvalHistory.at(-1) ?? null;
    const policy = await this.parts.approvalPolicies.current();
    const standing = request && actor.kind === 'slack_user' ? await standingOf(policy, request, mission.requester, actor, this.parts.userGroups) : null;
    return mayOverrideGates(standing, request?.riskLevel ?? 'high', actor);
  }

  /** Hashes and stores an artifact; returns it with its sha256. */
  async attachEvidence(input: z.output<typeof attachEvidenceInput>, actor: Actor): Promise<{ mission: Mission; artifact: ArtifactRecord }> {
    const content = input.kind === 'json' ? canonicalJson(input.json) : input.kind === 'link' ? (input.content ?? input.url!) : input.content!;
    const mediaType = input.mediaType ?? DEFAULT_MEDIA_TYPES[input.kind];
    let artifact: ArtifactRecord | undefined;
    const mission = await this.parts.writer.mutate(input.missionId, actor, (current, cmd) => {
      const next = attachEvidence(
        current,
        { name: input.name, kind: input.kind, content, mediaType, url: input.url, phaseId: input.phaseId, review: input.review, checks: input.checks },
        cmd,
      );
      artifact = cmd.writes.artifacts.at(-1)?.record;
      return next;
    });
    return { mission, artifact: artifact! };
  }

  /**
   * Recomputes every artifact's hash from stored content, the bundle hash from the artifacts,
   * and checks the bundle against the last `evidence_bundle_generated` event in the hash chain.
   */
  async verifyEvidence(input: z.output<typeof missionRefInput>): Promise<EvidenceVerification> {
    const { writer, repository } = this.parts;
    const mission = await writer.loadStored(input.missionId);
    // Every artifact, from its row when the document keeps only the latest ones.
    const { evidence } = await withEveryArtifact(repository, mission);
    const result = verifyEvidence(evidence.artifacts, await repository.artifactContents(mission.id), mission.evidence.bundle);
    // The chain from its last checkpoint (the events after it, in pages), the last sealed bundle noted on the way.
    const chain = await verifyChain(repository, this.parts.checkpoints, mission, { full: false, now: this.parts.clock.now() });
    const problems = result.ok ? [] : [...result.problems];
    // The rows must hold every artifact the mission counts, and agree with the ones its document keeps.
    const stored = new Map(evidence.artifacts.map((a) => [a.id, a]));
    if (evidence.artifacts.length !== artifactCount(mission.evidence)) {
      problems.push({
        artifactId: null,
        problem: `the mission records ${plural(artifactCount(mission.evidence), 'artifact')}, but storage holds ${evidence.artifacts.length}`,
      });
    }
    for (const kept of mission.evidence.artifacts) {
      if (stored.get(kept.id)?.sha256 !== kept.sha256)
        problems.push({ artifactId: kept.id, problem: `artifact "${kept.name}" is stored differently from the mission's record` });
    }
    if (chain.sealedBundleHash !== null && chain.sealedBundleHash !== mission.evidence.bundle?.manifestSha256) {
      problems.push({ artifactId: null, problem: 'the stored bundle differs from the bundle recorded in the event log' });
    }
    if (!chain.ok) problems.push({ artifactId: null, problem: `the event log is broken: ${chain.reason}` });
    return problems.length > 0 ? { ok: false, problems } : result;
  }

  /** Ends execution when the mission gate passes and the evidence is intact; seals the evidence bundle. */
  /** Runs before completion reads the mission: the must-have check against the code (`VerificationService`, wired in app.ts). */
  beforeCompletion: ((missionId: string) => Promise<void>) | null = null;

  /**
   * Ends execution when the mission gate passes, the evidence is intact and the must-haves are met
   * (every truth signed off, no artifact or key link missing, a stub or not wired); seals the evidence bundle.
   */
  async completeMission(input: z.output<typeof missionRefInput>, actor: Actor): Promise<Mission> {
    await this.beforeCompletion?.(input.missionId);
    const contents = await this.parts.repository.artifactContents(input.missionId);
    const artifacts = await artifactRows(this.parts.repository, input.missionId);
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => {
      const completed = completeExecution(mission, gateRequirements(mission.brief), { artifacts, contents }, cmd);
      requireMustHavesMet(mission);
      return completed;
    });
  }

  /** Runs the undo plan: the mission ends rolled_back, with which undo steps ran and which are left to a person. */
  async requestRollback(input: z.output<typeof rollbackInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => rollBack(mission, input, cmd));
  }

  async failMission(input: z.output<typeof failMissionInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => failMission(mission, input, cmd));
  }

  /** Records a step of handing the approved mission to an executor (see executorDispatch.ts); each step once. */
  async recordExecutorDispatch(input: z.output<typeof recordExecutorDispatchInput>, actor: Actor): Promise<Mission> {
    const target = { executor: input.executor, repository: input.repository, workflow: input.workflow, ref: input.ref };
    const record: DispatchRecord =
      input.phase === 'requested'
        ? { phase: 'requested', ...target }
        : input.phase === 'dispatched'
          ? {
              phase: 'dispatched',
              ...target,
              runsUrl: requireText(input.runsUrl, 'runsUrl', 'a dispatched run needs the URL of its runs'),
              foundExisting: input.foundExisting,
            }
          : { phase: 'failed', ...target, error: requireText(input.error, 'error', 'a failed dispatch needs the error in words') };
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => recordDispatch(mission, record, cmd));
  }
}

function requireText(value: string | undefined, field: string, why: string): string {
  if (!value) throw new MissionError('invalid_input', `${field}: ${why}.`, { field });
  return value;
}
