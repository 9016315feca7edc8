// The mission service: the one API both front doors (Slack, MCP) call. Each command parses its
// input with the domain schema (missionInputs.ts) and hands it to its stage's service, which
// reads what the rule needs, runs one pure stage rule and saves through MissionWriter: the new
// state together with its events, or nothing.
//
//   service.editChip(input, actor)          parses `input`, returns the mission (callers without a schema edge)
//   service.define.editChip(parsed, actor)  takes parsed input (front doors that parsed it once), returns what it made
//   service.mutate(id, actor, rule)         runs any rule `(mission, cmd) -> mission` the same way (new stage services)
import type { z } from 'zod';
import { actorSchema, type Actor } from './actors.js';
import {
  DEFAULT_APPROVAL_POLICY,
  fixedPolicySource,
  type ApprovalPermission,
  type ApprovalPolicy,
  type ApprovalPolicySource,
  type UniformApprovalPolicy,
  type UserGroupDirectory,
} from './approvalPolicy.js';
import type { BriefDrafter } from './briefDrafter.js';
import { defaultPlanner } from './defaultPlanner.js';
import { DefineService } from './defineService.js';
import { MissionError } from './errors.js';
import type { MissionEvent } from './eventLog.js';
import type { StepReport, TestRun } from './execution.js';
import { artifactPage, eventPage, stepPage, testRunPage, verifyChain, type ChainCheck, type EventPage, type HistoryPage } from './missionHistory.js';
import type { ArtifactRecord, EvidenceVerification } from './evidence.js';
import { ExecuteService } from './executeService.js';
import type { LibraryMatch } from './library.js';
import type { Mission } from './mission.js';
import type { MissionCommand } from './missionCommand.js';
import * as inputs from './missionInputs.js';
import { parseInput } from './missionInputs.js';
import type { MissionPage, MissionRepository } from './missionRepository.js';
import { MissionWriter, type MissionListener, type WriterCounts } from './missionWriter.js';
import type { MissionChangeListener, MissionChanges } from './missionChanges.js';
import type { ChainCheckpoints } from './chainCheckpoints.js';
import { PlanApproveService } from './planApproveService.js';
import type { Planner } from './plays.js';
import { PrepareService } from './prepareService.js';
import { ReflectService } from './reflectService.js';
import type { Clock, IdGenerator } from './runtime.js';
import type { ServiceParts } from './serviceParts.js';
import { unknownAuthChecker, type ToolkitAuthChecker, type ToolkitInspector } from './toolkitInspection.js';
import type { GateOverridePermission } from './gateOverrides.js';

export type { MissionListener } from './missionWriter.js';

export interface MissionServiceDeps {
  repository: MissionRepository;
  clock: Clock;
  ids: IdGenerator;
  drafter: BriefDrafter;
  authChecker?: ToolkitAuthChecker;
  inspectors?: readonly ToolkitInspector[];
  planner?: Planner;
  /** A fixed policy (tests, the demo); `approvalPolicies` wins when both are given. */
  approvalPolicy?: ApprovalPolicy | UniformApprovalPolicy;
  /** The workspace's stored policy, read at each request and decision. */
  approvalPolicies?: ApprovalPolicySource;
  /** Resolves user-group approvers; without it only approvers named in person can decide. */
  userGroups?: UserGroupDirectory;
  /** Budget (USD) every new mission starts with; null or absent: no budget. */
  missionBudgetUsd?: number | null;
  /** Prices an assistant's usage report that gives tokens without a cost (USD, or null for an unknown model). */
  priceOf?: (model: string, inputTokens: number, outputTokens: number) => number | null;
  /** Where each mission's hash chain was last verified; absent: every check reads the whole log. */
  checkpoints?: ChainCheckpoints | null;
  /** Changes other instances save (PostgreSQL LISTEN/NOTIFY); absent: this process hears only its own. */
  changes?: MissionChanges | null;
}

/** What a caller sends for a schema: checked by TypeScript here, by the schema at run time. */
type In<S extends z.ZodType> = z.input<S>;

export class MissionService {
  readonly define: DefineService;
  readonly prepare: PrepareService;
  readonly plan: PlanApproveService;
  readonly execute: ExecuteService;
  readonly reflect: ReflectService;
  private readonly writer: MissionWriter;
  private readonly repository: MissionRepository;
  private readonly drafter: BriefDrafter;
  private readonly changes: MissionChanges | null;
  private readonly checkpoints: ChainCheckpoints | null;
  private readonly clock: Clock;

  constructor(deps: MissionServiceDeps) {
    this.repository = deps.repository;
    this.changes = deps.changes ?? null;
    this.checkpoints = deps.checkpoints ?? null;
    this.clock = deps.clock;
    this.drafter = deps.drafter;
    this.writer = new MissionWriter(deps.repository, deps.clock, deps.ids);
    // Another instance's save makes this process's remembered copy stale: drop it as soon as that is announced.
    this.changes?.subscribe((notice) => this.writer.heard(notice));
    const parts: ServiceParts = {
      writer: this.writer,
      repository: deps.repository,
      clock: deps.clock,
      checkpoints: deps.checkpoints ?? null,
      ids: deps.ids,
      drafter: deps.drafter,
      authChecker: deps.authChecker ?? unknownAuthChecker,
      inspectors: deps.inspectors ?? [],
      planner: deps.planner ?? defaultPlanner,
      approvalPolicies: deps.approvalPolicies ?? fixedPolicySource(deps.approvalPolicy ?? DEFAULT_APPROVAL_POLICY),
      userGroups: deps.userGroups ?? null,
      missionBudgetUsd: deps.missionBudgetUsd ?? null,
      priceOf: deps.priceOf ?? (() => null),
    };
    this.define = new DefineService(parts);
    this.prepare = new PrepareService(parts);
    this.plan = new PlanApproveService(parts);
    this.execute = new ExecuteService(parts);
    this.reflect = new ReflectService(parts, (input) => this.execute.verifyEvidence(input));
  }

  /** True when a configured model drafts briefs (front doors then leave drafting to it). */
  get draftsWithModel(): boolean {
    return this.drafter.slow === true;
  }

  /**
   * Load, apply, save with an optimistic version check (see missionWriter.ts). `apply` must be a
   * pure function of the mission: on a concurrent update it runs again on the fresh state.
   */
  async mutate(missionId: string, actor: Actor, apply: (mission: Mission, cmd: MissionCommand) => Mission): Promise<Mission> {
    return this.writer.mutate(missionId, parseActor(actor), apply);
  }

  /**
   * Calls `listener` after every change this process saves (front doors use it for live
   * updates). Returns the unsubscribe function. A failing listener never fails the command.
   */
  subscribe(listener: MissionListener): () => void {
    return this.writer.subscribe(listener);
  }

  /** How this process's saves went since start (stale remembered state re-applied, copies dropped on notices). */
  writerCounts(): WriterCounts {
    return this.writer.counts();
  }

  /** True when changes other instances save are announced (`onChangedElsewhere` hears them); false: poll for them. */
  get hearsOtherInstances(): boolean {
    return this.changes !== null;
  }

  /**
   * Calls `listener` when another instance saved a change (a hint to re-read; `missionId: null`
   * when notices may have been missed). Saves this process made are left out: `subscribe`
   * already told its listeners, with the mission. Without a `changes` port it is never called.
   */
  onChangedElsewhere(listener: MissionChangeListener): () => void {
    if (!this.changes) return () => undefined;
    return this.changes.subscribe((notice) => {
      if (notice.missionId !== null && this.writer.savedHere(notice.missionId, notice.version)) return;
      listener(notice);
    });
  }

  // ---- Define ---------------------------------------------------------------------------

  /** Turns an intent into a mission in `defining`, with drafted brief chips. */
  async startMission(input: In<typeof inputs.startMissionInput>, actor: Actor, options: { drafter?: BriefDrafter } = {}): Promise<Mission> {
    return this.define.startMission(parseInput(inputs.startMissionInput, input), parseActor(actor), options);
  }
  /** Resolves once this process's model draft of the mission (if any) is saved. Front doors that must answer with the full brief wait on it. */
  async whenDrafted(missionId: string): Promise<void> {
    return this.define.whenDrafted(missionId);
  }
  /** Replaces a chip's statements (or adds the chip if the brief has none of that kind). */
  async editChip(input: In<typeof inputs.editChipInput>, actor: Actor): Promise<Mission> {
    return this.define.editChip(parseInput(inputs.editChipInput, input), parseActor(actor));
  }
  async removeChip(input: In<typeof inputs.chipRefInput>, actor: Actor): Promise<Mission> {
    return this.define.removeChip(parseInput(inputs.chipRefInput, input), parseActor(actor));
  }
  /** Drafts one chip again from the intent (for example after a person removed it by mistake). */
  async regenerateChip(input: In<typeof inputs.chipRefInput>, actor: Actor): Promise<Mission> {
    return this.define.regenerateChip(parseInput(inputs.chipRefInput, input), parseActor(actor));
  }
  /** "Accept all": locks the brief, moves to Prepare and recommends toolkits. */
  async lockBrief(input: In<typeof inputs.missionRefInput>, actor: Actor): Promise<Mission> {
    return this.define.lockBrief(parseInput(inputs.missionRefInput, input), parseActor(actor));
  }
  /** Unlocks the brief while toolkits are still being prepared. */
  async reopenBrief(input: In<typeof inputs.missionRefInput>, actor: Actor): Promise<Mission> {
    return this.define.reopenBrief(parseInput(inputs.missionRefInput, input), parseActor(actor));
  }
  async cancelMission(input: In<typeof inputs.cancelMissionInput>, actor: Actor): Promise<Mission> {
    return this.define.cancelMission(parseInput(inputs.cancelMissionInput, input), parseActor(actor));
  }

  // ---- Prepare --------------------------------------------------------------------------

  /** Sets the mission's toolkit selection (replacing any earlier one). */
  async selectToolkits(input: In<typeof inputs.selectToolkitsInput>, actor: Actor): Promise<Mission> {
    return this.prepare.selectToolkits(parseInput(inputs.selectToolkitsInput, input), parseActor(actor));
  }
  /** Records one read-only inspection result (from a connector or an assistant). */
  async recordCoverage(input: In<typeof inputs.recordCoverageInput>, actor: Actor): Promise<Mission> {
    return this.prepare.recordCoverage(parseInput(inputs.recordCoverageInput, input), parseActor(actor));
  }
  /** Runs the registered inspectors for the selected toolkits and records what they found. */
  async inspectCoverage(input: In<typeof inputs.missionRefInput>, actor: Actor): Promise<Mission> {
    return this.prepare.inspectCoverage(parseInput(inputs.missionRefInput, input), parseActor(actor));
  }
  /** Leaves Prepare. Needs at least one selected toolkit and coverage at the threshold, or a recorded override. */
  async confirmToolkits(input: In<typeof inputs.confirmToolkitsInput>, actor: Actor): Promise<Mission> {
    return this.prepare.confirmToolkits(parseInput(inputs.confirmToolkitsInput, input), parseActor(actor));
  }
  /** "Not needed for this mission": the toolkit no longer counts against coverage. */
  async deferToolkit(input: In<typeof inputs.deferToolkitInput>, actor: Actor): Promise<Mission> {
    return this.prepare.deferToolkit(parseInput(inputs.deferToolkitInput, input), parseActor(actor));
  }
  /** A person leaves Prepare below the coverage threshold, with a reason (Slack's "Override coverage"). */
  async acceptReportedCoverage(input: In<typeof inputs.missionRefInput>, actor: Actor): Promise<Mission> {
    return this.prepare.acceptReportedCoverage(parseInput(inputs.missionRefInput, input), parseActor(actor));
  }

  async overrideCoverage(input: In<typeof inputs.overrideCoverageInput>, actor: Actor): Promise<Mission> {
    return this.prepare.overrideCoverage(parseInput(inputs.overrideCoverageInput, input), parseActor(actor));
  }
  /** A connector could not reach its API for this mission: the toolkit shows as degraded (once per outage). */
  async recordConnectorFailure(input: In<typeof inputs.connectorHealthInput>, actor: Actor): Promise<Mission> {
    return this.prepare.recordConnectorFailure(parseInput(inputs.connectorHealthInput, input), parseActor(actor));
  }
  /** The connector's API answers again: a degraded toolkit is ready once more. */
  async recordConnectorRecovered(input: In<typeof inputs.connectorHealthInput>, actor: Actor): Promise<Mission> {
    return this.prepare.recordConnectorRecovered(parseInput(inputs.connectorHealthInput, input), parseActor(actor));
  }

  // ---- Plan & Approve -------------------------------------------------------------------

  /** Plays proposed by an assistant (or a person); they are ranked with the others (`plan.proposePlays` also returns the new plays). */
  async proposePlays(input: In<typeof inputs.proposePlaysInput>, actor: Actor): Promise<Mission> {
    return (await this.plan.proposePlays(parseInput(inputs.proposePlaysInput, input), parseActor(actor))).mission;
  }
  async dismissPlay(input: In<typeof inputs.dismissPlayInput>, actor: Actor): Promise<Mission> {
    return this.plan.dismissPlay(parseInput(inputs.dismissPlayInput, input), parseActor(actor));
  }
  async selectPlay(input: In<typeof inputs.playRefInput>, actor: Actor): Promise<Mission> {
    return this.plan.selectPlay(parseInput(inputs.playRefInput, input), parseActor(actor));
  }
  /** Asks the policy's approvers to approve the selected play (`plan.requestApproval` also returns the request). */
  async requestApproval(input: In<typeof inputs.requestApprovalInput>, actor: Actor): Promise<Mission> {
    return (await this.plan.requestApproval(parseInput(inputs.requestApprovalInput, input), parseActor(actor))).mission;
  }
  /** The approval policy this workspace applies now. */
  async currentApprovalPolicy(): Promise<ApprovalPolicy> {
    return this.plan.currentApprovalPolicy();
  }
  /** Whether `actor` may decide the mission's open request under the policy as it is now (front doors ask before opening a form). */
  async approvalPermission(mission: Mission, actor: Actor): Promise<ApprovalPermission> {
    return this.plan.approvalPermission(mission, parseActor(actor));
  }
  /** A person approves or rejects; exactly one decision closes a request, the losers get `already_decided`. */
  async decideApproval(input: In<typeof inputs.decideApprovalInput>, actor: Actor): Promise<Mission> {
    return this.plan.decideApproval(parseInput(inputs.decideApprovalInput, input), parseActor(actor));
  }
  /** Why `actor` may not make this decision now, exactly as `decideApproval` would refuse it (nothing is saved); null when they may. */
  async approvalDecisionRefusal(
    input: { missionId: string; decision: 'approve' | 'reject'; requestId?: string | undefined },
    actor: Actor,
  ): Promise<MissionError | null> {
    return this.plan.approvalDecisionRefusal(input, parseActor(actor));
  }
  /** Records a refused approval attempt for the audit trail (the front door tells the person why). */
  async recordApprovalDenied(input: In<typeof inputs.approvalDeniedInput>, actor: Actor): Promise<Mission> {
    return this.plan.recordApprovalDenied(parseInput(inputs.approvalDeniedInput, input), parseActor(actor));
  }
  /** Expires every open approval request past its expiry; returns how many it expired. */
  async expireOverdueApprovals(limit = 100): Promise<number> {
    return this.plan.expireOverdueApprovals(limit);
  }
  async searchLibrary(input: In<typeof inputs.searchLibraryInput> = {}): Promise<LibraryMatch[]> {
    return this.plan.searchLibrary(parseInput(inputs.searchLibraryInput, input ?? {}));
  }

  // ---- Execute & Observe ----------------------------------------------------------------

  /** One executor report (`execute.reportProgress` also returns the alert it raised). */
  async reportProgress(input: In<typeof inputs.progressReportInput>, actor: Actor): Promise<Mission> {
    return (await this.execute.reportProgress(parseInput(inputs.progressReportInput, input), parseActor(actor))).mission;
  }
  /** A person sets the mission's model budget (USD). */
  async setBudget(input: In<typeof inputs.setBudgetInput>, actor: Actor): Promise<Mission> {
    return this.execute.setBudget(parseInput(inputs.setBudgetInput, input), parseActor(actor));
  }
  /** A person accepts a review_required alert (its phase may go on) or blocks it (the phase fails). */
  async resolveAlert(input: In<typeof inputs.resolveAlertInput>, actor: Actor): Promise<Mission> {
    return this.execute.resolveAlert(parseInput(inputs.resolveAlertInput, input), parseActor(actor));
  }
  /** A person records a code review; it counts for the code-review check. */
  async recordReview(input: In<typeof inputs.recordReviewInput>, actor: Actor): Promise<Mission> {
    return this.execute.recordReview(parseInput(inputs.recordReviewInput, input), parseActor(actor));
  }
  /** An approver overrides one gate check with a reason; the check then counts, shown as overridden. */
  async overrideGate(input: In<typeof inputs.overrideGateInput>, actor: Actor): Promise<Mission> {
    return this.execute.overrideGate(parseInput(inputs.overrideGateInput, input), parseActor(actor));
  }
  /** Whether `actor` may override the mission's gates: an approver of its risk under the policy as it is now. */
  async gateOverridePermission(mission: Mission, actor: Actor): Promise<GateOverridePermission> {
    return this.execute.gateOverridePermission(mission, parseActor(actor));
  }
  /** Hashes and stores an artifact; returns it with its sha256. */
  async attachEvidence(input: In<typeof inputs.attachEvidenceInput>, actor: Actor): Promise<{ mission: Mission; artifact: ArtifactRecord }> {
    return this.execute.attachEvidence(parseInput(inputs.attachEvidenceInput, input), parseActor(actor));
  }
  /** Checks every artifact, the bundle and the event chain against what is stored. */
  async verifyEvidence(input: In<typeof inputs.missionRefInput>): Promise<EvidenceVerification> {
    return this.execute.verifyEvidence(parseInput(inputs.missionRefInput, input));
  }
  /** Ends execution when the mission gate passes and the evidence is intact; seals the evidence bundle. */
  async completeMission(input: In<typeof inputs.missionRefInput>, actor: Actor): Promise<Mission> {
    return this.execute.completeMission(parseInput(inputs.missionRefInput, input), parseActor(actor));
  }

  /** Runs before completion reads the mission: the must-have check against the code (`VerificationService`, wired in app.ts). */
  setBeforeCompletion(hook: ((missionId: string) => Promise<void>) | null): void {
    this.execute.beforeCompletion = hook;
  }
  /** Runs the undo plan: the mission ends rolled_back. */
  async requestRollback(input: In<typeof inputs.rollbackInput>, actor: Actor): Promise<Mission> {
    return this.execute.requestRollback(parseInput(inputs.rollbackInput, input), parseActor(actor));
  }
  async failMission(input: In<typeof inputs.failMissionInput>, actor: Actor): Promise<Mission> {
    return this.execute.failMission(parseInput(inputs.failMissionInput, input), parseActor(actor));
  }
  /** Records a step of handing the approved mission to an executor (see executorDispatch.ts); each step once. */
  async recordExecutorDispatch(input: In<typeof inputs.recordExecutorDispatchInput>, actor: Actor): Promise<Mission> {
    return this.execute.recordExecutorDispatch(parseInput(inputs.recordExecutorDispatchInput, input), parseActor(actor));
  }

  // ---- Reflect & Improve ----------------------------------------------------------------

  async submitFeedback(input: In<typeof inputs.feedbackInput>, actor: Actor): Promise<Mission> {
    return this.reflect.submitFeedback(parseInput(inputs.feedbackInput, input), parseActor(actor));
  }
  /** Records a follow-up (`reflect.addFollowUp` also returns it). */
  async addFollowUp(input: In<typeof inputs.followUpInput>, actor: Actor): Promise<Mission> {
    return (await this.reflect.addFollowUp(parseInput(inputs.followUpInput, input), parseActor(actor))).mission;
  }
  /** A connector reports the tracker issue it created for a follow-up. */
  async recordFollowUpIssue(input: In<typeof inputs.followUpIssueInput>, actor: Actor): Promise<Mission> {
    return this.reflect.recordFollowUpIssue(parseInput(inputs.followUpIssueInput, input), parseActor(actor));
  }
  async pinToLibrary(input: In<typeof inputs.pinToLibraryInput>, actor: Actor): Promise<Mission> {
    return this.reflect.pinToLibrary(parseInput(inputs.pinToLibraryInput, input), parseActor(actor));
  }
  /** Logs the retrospective and closes the mission (done). */
  async submitRetrospective(input: In<typeof inputs.retrospectiveInput>, actor: Actor): Promise<Mission> {
    return this.reflect.submitRetrospective(parseInput(inputs.retrospectiveInput, input), parseActor(actor));
  }
  /** PLAN.md, SUMMARY.md or VERIFICATION.md of a mission (VERIFICATION checks the evidence first). */
  async exportDocument(input: In<typeof inputs.exportDocumentInput>): Promise<{ name: string; markdown: string }> {
    return this.reflect.exportDocument(parseInput(inputs.exportDocumentInput, input));
  }

  // ---- Reading ----------------------------------------------------------------------------

  async getMission(input: In<typeof inputs.missionRefInput>): Promise<Mission> {
    return this.writer.load(parseInput(inputs.missionRefInput, input).missionId);
  }

  /**
   * The mission for a feed delivery that claimed its events up to `eventSeq`: the copy this
   * process remembers when it already has them (no database read), else as `getMission`.
   */
  async getMissionSince(input: In<typeof inputs.missionRefInput>, eventSeq: number): Promise<Mission> {
    return this.writer.loadSince(parseInput(inputs.missionRefInput, input).missionId, eventSeq);
  }

  async listMissions(input: In<typeof inputs.listMissionsInput> = {}): Promise<MissionPage> {
    return this.repository.list(parseInput(inputs.listMissionsInput, input ?? {}));
  }

  /** Missions whose production monitoring window may still be open (a superset; check each). */
  monitoringCandidates = () => this.repository.monitoringCandidates();

  /** Missions in flight that may follow a pull request of this repository (a superset; check each). */
  githubCandidates = (repository: string) => this.repository.githubCandidates(repository);

  /** A person's latest missions and every mission awaiting their approval (the App Home), in two reads. */
  overviewOf = (personId: string, missionLimit = 20) => this.repository.overviewOf(personId, missionLimit);

  async events(input: In<typeof inputs.missionRefInput>): Promise<MissionEvent[]> {
    const { missionId } = parseInput(inputs.missionRefInput, input);
    await this.writer.load(missionId);
    return this.repository.events(missionId);
  }

  /** A page of the mission's events, oldest first, with the page's own chain check (missionHistory.ts). */
  async eventPage(input: In<typeof inputs.historyPageInput>): Promise<EventPage> {
    const { missionId, cursor, limit } = parseInput(inputs.historyPageInput, input);
    return eventPage(this.repository, await this.writer.load(missionId), cursor, limit);
  }

  /** A page of the mission's test runs, phase by phase. */
  async testRunPage(input: In<typeof inputs.historyPageInput>): Promise<HistoryPage<{ run: TestRun }>> {
    const { missionId, cursor, limit } = parseInput(inputs.historyPageInput, input);
    return testRunPage(this.repository, await this.writer.load(missionId), cursor, limit);
  }

  /** A page of the steps reported, phase by phase. */
  async stepPage(input: In<typeof inputs.historyPageInput>): Promise<HistoryPage<{ step: StepReport }>> {
    const { missionId, cursor, limit } = parseInput(inputs.historyPageInput, input);
    return stepPage(this.repository, await this.writer.load(missionId), cursor, limit);
  }

  /** A page of the mission's artifacts, in attachment order. */
  async artifactPage(
    input: In<typeof inputs.historyPageInput>,
  ): Promise<{ entries: Array<{ position: number; artifact: ArtifactRecord }>; nextCursor: string | null }> {
    const { missionId, cursor, limit } = parseInput(inputs.historyPageInput, input);
    return artifactPage(this.repository, await this.writer.load(missionId), cursor, limit);
  }

  /**
   * Checks the mission's hash chain against its stored head, reading the log in pages: from the
   * last checkpoint (the events after it), or from the first event with `full` (missionHistory.ts, verifyChain).
   */
  async verifyEventLog(input: In<typeof inputs.verifyEventLogInput>): Promise<ChainCheck> {
    const { missionId, full } = parseInput(inputs.verifyEventLogInput, input);
    const mission = await this.writer.loadStored(missionId);
    return verifyChain(this.repository, this.checkpoints, mission, { full, now: this.clock.now() });
  }
}

function parseActor(actor: Actor): Actor {
  const parsed = actorSchema.safeParse(actor);
  if (!parsed.success) {
    throw new MissionError('invalid_input', 'actor: the request does not say who is acting (a Slack user, an MCP token or the system).', { field: 'actor' });
  }
  return parsed.data;
}
