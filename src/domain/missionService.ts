// The mission service: the one API both front doors (Slack, MCP) call. Every command
// validates its input, loads the mission, checks the state machine, and saves the new
// state together with its events, or changes nothing.
import { actorSchema, SYSTEM_ACTOR, type Actor } from './actors.js';
import {
  averageConfidence,
  briefText,
  chipOf,
  CHIP_LABELS,
  lockBrief as lockBriefRule,
  removeChip as removeChipRule,
  setChip,
  sortChips,
  type Brief,
  type BriefChip,
  type ChipKind,
} from './brief.js';
import type { BriefDrafter, DraftedBrief } from './briefDrafter.js';
import { isMissionError, MissionError, missionNotFound } from './errors.js';
import { chainEvents, GENESIS_HASH, verifyEventChain, type ChainVerification, type MissionEvent, type PendingEvent } from './eventLog.js';
import { inStoredOrder, latestReadiness, type Mission, type MissionToolkit } from './mission.js';
import {
  cancelMissionInput,
  chipRefInput,
  confirmToolkitsInput,
  editChipInput,
  listMissionsInput,
  missionRefInput,
  parseInput,
  recordCoverageInput,
  selectToolkitsInput,
  startMissionInput,
  proposePlaysInput,
  dismissPlayInput,
  recordExecutorDispatchInput,
  playRefInput,
  requestApprovalInput,
  decideApprovalInput,
  searchLibraryInput,
  progressReportInput,
  resolveAlertInput,
  attachEvidenceInput,
  rollbackInput,
  failMissionInput,
  feedbackInput,
  followUpInput,
  followUpIssueInput,
  pinToLibraryInput,
  retrospectiveInput,
  exportDocumentInput,
  approvalDeniedInput,
  connectorHealthInput,
  deferToolkitInput,
  overrideCoverageInput,
  recordReviewInput,
  overrideGateInput,
  setBudgetInput,
} from './missionInputs.js';
import type { MissionPage, MissionRepository } from './missionRepository.js';
import { STAGE_OF_STATE, type MissionState } from './missionStateMachine.js';
import { requireTokenMayAct } from './missionAccess.js';
import { EventBuffer, transition, type MissionCommand } from './missionCommand.js';
import type { Clock, IdGenerator } from './runtime.js';
import { catalogStage, type EventType } from './telemetryEvents.js';
import { unknownAuthChecker, type ToolkitAuthChecker, type ToolkitInspector } from './toolkitInspection.js';
import { recommendToolkits, TOOLKIT_CATALOG } from './toolkits.js';
import {
  DEFAULT_APPROVAL_POLICY,
  eligibleApprovers,
  fixedPolicySource,
  mayDecide,
  standingOf,
  alertAcceptRefusal,
  type ApprovalPermission,
  type ApprovalPolicy,
  type ApprovalPolicySource,
  type ApproverStanding,
  type UniformApprovalPolicy,
  type UserGroupDirectory,
} from './approvalPolicy.js';
import { defaultPlanner } from './defaultPlanner.js';
import { deterministicBriefDrafter, draftBrief } from './deterministicBriefDrafter.js';
import { applyModelDraft } from './briefDrafting.js';
import { emptyModels, recordModelCalls, requireWithinBudget, setBudget as setBudgetRule, type ModelCallRecord } from './modelUsage.js';
import { riskyAreasOf } from './riskAreas.js';
import { canonicalJson } from './eventLog.js';
import { verifyEvidence, type ArtifactKind, type ArtifactRecord, type EvidenceVerification } from './evidence.js';
import {
  attachEvidence as attachEvidenceRule,
  completeExecution,
  completePhase,
  failMission as failMissionRule,
  failPhase,
  raiseAlert,
  recordDeviation,
  reportStep,
  reportTestRun,
  resolveAlert as resolveAlertRule,
  rollBack,
  startPhase,
} from './executeObserve.js';
import type { LibraryMatch } from './library.js';
import { planMarkdown, summaryMarkdown, verificationMarkdown } from './missionExports.js';
import {
  addCandidatePlays,
  decideApproval as decideApprovalRule,
  dismissPlay as dismissPlayRule,
  expireApproval as expireApprovalRule,
  libraryCandidates,
  plannerInputOf,
  recordApprovalDenied as recordApprovalDeniedRule,
  requestApproval as requestApprovalRule,
  selectPlay as selectPlayRule,
} from './planApprove.js';
import { deferToolkit as deferToolkitRule, leavePrepare } from './prepareRules.js';
import { mayOverrideGates, overrideGate as overrideGateRule, recordReview as recordReviewRule, type GateOverridePermission } from './gateOverrides.js';
import type { PlanPrecedent, Planner } from './plays.js';
import { gateRequirements } from './qualityGates.js';
import {
  addFollowUp as addFollowUpRule,
  pinToLibrary as pinToLibraryRule,
  recordFollowUpIssue as recordFollowUpIssueRule,
  submitFeedback as submitFeedbackRule,
  submitRetrospective as submitRetrospectiveRule,
} from './reflectImprove.js';
import { recordDispatch, type DispatchRecord } from './executorDispatch.js';
import { requireMustHavesMet } from './verification.js';
import { uatMarkdown } from './exports/uatDocument.js';

export type MissionListener = (mission: Mission, events: readonly MissionEvent[]) => void;

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
}

/**
 * How long a write keeps retrying when other writers (this or another process) keep winning
 * the version check. A valid report is never refused for contention: it waits its turn up to
 * this long (well inside an MCP client's 60 s timeout) before `concurrent_update` is returned.
 */
const CONTENTION_DEADLINE_MS = 10_000;
/** The longest single backoff between retries; each wait is a random share of it (full jitter). */
const MAX_BACKOFF_MS = 250;
const REMEMBERED_MISSIONS = 500;

const DEFAULT_MEDIA_TYPES: Record<ArtifactKind, string> = {
  link: 'text/uri-list',
  markdown: 'text/markdown',
  json: 'application/json',
  file: 'text/plain',
};

/** Library plays a planner sees as precedent. */
function precedentsOf(library: readonly LibraryMatch[]): PlanPrecedent[] {
  return library
    .filter((m) => m.matchedTags.length > 0)
    .slice(0, 5)
    .map((m) => ({ title: m.entry.play.title, rationale: m.entry.play.rationale, phases: m.entry.play.phases.map((p) => p.name), rating: m.entry.rating }));
}

/** How many library entries share a tag with the mission: the precedent each candidate is scored with. */
function precedentOf(library: readonly LibraryMatch[]): number {
  return library.filter((m) => m.matchedTags.length > 0).length;
}

/**
 * Runs tasks for the same key one after another. Commands on one mission queue up inside
 * this process instead of racing; across processes the version check still decides.
 */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class MissionService {
  private readonly repository: MissionRepository;
  private readonly clock: Clock;
  private readonly ids: IdGenerator;
  private readonly drafter: BriefDrafter;
  private readonly authChecker: ToolkitAuthChecker;
  private readonly inspectors: readonly ToolkitInspector[];
  private readonly planner: Planner;
  private readonly approvalPolicies: ApprovalPolicySource;
  private readonly userGroups: UserGroupDirectory | null;
  /** True when a configured model drafts briefs (front doors then leave drafting to it). */
  get draftsWithModel(): boolean {
    return this.drafter.slow === true;
  }
  private readonly missionBudgetUsd: number | null;
  private readonly priceOf: NonNullable<MissionServiceDeps['priceOf']>;
  /** Model drafts under way in this process, by mission id. */
  private readonly drafting = new Map<string, Promise<void>>();
  private readonly queue = new KeyedQueue();
  private readonly listeners = new Set<MissionListener>();
  /** Missions as this process last saved them, most recent last. */
  private readonly recent = new Map<string, Mission>();
  private beforeCompletion: ((missionId: string) => Promise<void>) | null = null;

  constructor(deps: MissionServiceDeps) {
    this.repository = deps.repository;
    this.clock = deps.clock;
    this.ids = deps.ids;
    this.drafter = deps.drafter;
    this.authChecker = deps.authChecker ?? unknownAuthChecker;
    this.inspectors = deps.inspectors ?? [];
    this.planner = deps.planner ?? defaultPlanner;
    this.approvalPolicies = deps.approvalPolicies ?? fixedPolicySource(deps.approvalPolicy ?? DEFAULT_APPROVAL_POLICY);
    this.userGroups = deps.userGroups ?? null;
    this.missionBudgetUsd = deps.missionBudgetUsd ?? null;
    this.priceOf = deps.priceOf ?? (() => null);
  }

  // ---- Define ---------------------------------------------------------------------------

  /** Turns an intent into a mission in `defining`, with drafted brief chips. */
  async startMission(rawInput: unknown, rawActor: Actor, options: { drafter?: BriefDrafter } = {}): Promise<Mission> {
    const input = parseInput(startMissionInput, rawInput);
    const actor = parseActor(rawActor);
    // A front door may bring its own drafter (MCP sampling: the assistant's model drafts).
    const drafter = options.drafter ?? this.drafter;
    // A model-backed drafter takes seconds: the built-in draft stands in at once, marked "drafting",
    // and the model's answer replaces it when it arrives (startDrafting).
    const slow = drafter.slow === true;
    const drafted = slow ? draftBrief(input.intent) : await drafter.draft(input.intent);
    const chips = mergeAssistantChips(drafted, input.chips ?? []);
    const now = this.clock.now();
    const brief: Brief = { chips, editsMade: 0, lockedAt: null, ...(slow ? { drafting: { status: 'drafting' as const, drafter: drafter.name, reason: null } } : {}) };
    const mission: Mission = {
      id: this.ids.next('msn'),
      title: titleFor(chips, input.intent),
      intent: input.intent,
      state: 'defining',
      requester: actor,
      channelId: input.channelId ?? null,
      threadTs: input.threadTs ?? null,
      version: 1,
      eventSeq: 0,
      headHash: GENESIS_HASH,
      brief,
      tags: drafted.tags,
      toolkits: [],
      coverage: { entries: [], override: null },
      plays: [],
      approval: null,
      approvalHistory: [],
      execution: null,
      evidence: { artifacts: [], bundle: null },
      reflection: { feedback: null, followUps: [], library: null, retrospective: null },
      models: emptyModels(this.missionBudgetUsd),
      createdAt: now,
      updatedAt: now,
    };
    const events = new EventBuffer(actor);
    events.add('intent_submitted', {
      token_count: input.intent.split(/\s+/).filter(Boolean).length,
      safeguard_presence: /\b(must|never|zero|always|without|backward[- ]compatib\w*|do not|don't)\b/i.test(input.intent),
      technical_context: drafted.technicalContext,
      channel_id: mission.channelId,
    });
    events.add('brief_generated', {
      chips_generated: chips.length,
      avg_confidence: averageConfidence(chips),
      domain: drafted.domain,
      drafter: `${slow ? deterministicBriefDrafter.name : drafter.name}${input.chips && input.chips.length > 0 ? '+assistant' : ''}`,
      tags: drafted.tags,
    });
    const cmd: MissionCommand = { actor, now, at: now.toISOString(), newId: (prefix) => this.ids.next(prefix), events, writes: { artifacts: [] } };
    const withCalls = slow ? mission : this.recordDraft(mission, drafted, drafter.name, cmd);
    const sealed = this.seal(withCalls, events.pending, now);
    await this.repository.create(sealed.mission, sealed.events);
    this.remember(sealed.mission);
    this.notify(sealed.mission, sealed.events);
    if (slow) this.startDrafting(sealed.mission.id, input.intent, drafter);
    return sealed.mission;
  }

  /** A fast drafter's calls and fallback, recorded with the mission it created. */
  private recordDraft(mission: Mission, drafted: DraftedBrief, drafter: string, cmd: MissionCommand, markBrief = true): Mission {
    const next = recordModelCalls(mission, drafted.modelCalls ?? [], 'define', cmd);
    if (drafted.fallbackReason === undefined) return next;
    cmd.events.add('drafter_fallback', { task: 'draft', drafter, fallback: deterministicBriefDrafter.name, reason: drafted.fallbackReason });
    // A failed regeneration of one chip says nothing about how the brief itself was drafted.
    return markBrief ? { ...next, brief: { ...next.brief, drafting: { status: 'fallback', drafter, reason: drafted.fallbackReason } } } : next;
  }

  /** Runs the model draft in the background and saves it as a command of its own. */
  private startDrafting(missionId: string, intent: string, drafter: BriefDrafter): void {
    const work = drafter
      .draft(intent)
      .catch((error: unknown): DraftedBrief => ({ ...draftBrief(intent), fallbackReason: `the drafter failed: ${error instanceof Error ? error.message : String(error)}` }))
      .then((drafted) => this.mutate(missionId, SYSTEM_ACTOR, (mission, cmd) => applyModelDraft(mission, drafted, drafter.name, cmd)))
      .then(
        () => undefined,
        () => undefined, // The mission was removed or storage failed: the built-in draft stays, marked drafting.
      )
      .finally(() => this.drafting.delete(missionId));
    this.drafting.set(missionId, work);
  }

  /** Resolves once this process's model draft of the mission (if any) is saved. Front doors that must answer with the full brief wait on it. */
  async whenDrafted(missionId: string): Promise<void> {
    await this.drafting.get(missionId);
  }

  /** Replaces a chip's statements (or adds the chip if the brief has none of that kind). */
  async editChip(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(editChipInput, rawInput);
    const actor = parseActor(rawActor);
    return this.mutate(input.missionId, actor, (mission, { events }) => {
      requireDefining(mission, `edit the ${CHIP_LABELS[input.kind]} chip`);
      const source = actor.kind === 'mcp_token' ? 'assistant' : 'edited';
      const { brief, before, after } = setChip(mission.brief, input.kind, input.items, source, 'high');
      events.add('chip_modified', {
        chip_type: input.kind,
        action: before ? 'edit' : 'add',
        before: before?.items ?? [],
        after: after.items,
        source,
      });
      return { ...mission, brief, title: input.kind === 'objective' ? titleFor(brief.chips, mission.intent) : mission.title };
    });
  }

  async removeChip(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(chipRefInput, rawInput);
    const actor = parseActor(rawActor);
    return this.mutate(input.missionId, actor, (mission, { events }) => {
      requireDefining(mission, `remove the ${CHIP_LABELS[input.kind]} chip`);
      const { brief, before } = removeChipRule(mission.brief, input.kind);
      events.add('chip_modified', {
        chip_type: input.kind,
        action: 'remove',
        before: before.items,
        after: [],
        source: actor.kind === 'mcp_token' ? 'assistant' : 'edited',
      });
      return { ...mission, brief };
    });
  }

  /** Drafts one chip again from the intent (for example after a person removed it by mistake). */
  async regenerateChip(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(chipRefInput, rawInput);
    const actor = parseActor(rawActor);
    const mission = await this.load(input.missionId);
    const drafted = await this.drafter.draft(mission.intent);
    const fresh = drafted.chips.find((c) => c.kind === input.kind);
    if (!fresh) {
      throw new MissionError(
        'precondition_failed',
        `The drafter found nothing for ${CHIP_LABELS[input.kind]} in the intent. Write the chip yourself with an edit.`,
        { field: 'kind' },
      );
    }
    return this.mutate(input.missionId, actor, (original, cmd) => {
      const { events } = cmd;
      requireDefining(original, `regenerate the ${CHIP_LABELS[input.kind]} chip`);
      const current = this.recordDraft(original, drafted, this.drafter.name, cmd, false);
      const before = chipOf(current.brief, input.kind);
      const { brief } = setChip(current.brief, input.kind, fresh.items, 'drafted', fresh.confidence, fresh);
      events.add('chip_regenerated', {
        chip_type: input.kind,
        reason: 'regenerate_requested',
        before: before?.items ?? [],
        after: fresh.items,
        confidence: fresh.confidence,
      });
      return { ...current, brief };
    });
  }

  /** "Accept all": locks the brief, moves to Prepare and recommends toolkits. */
  async lockBrief(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(missionRefInput, rawInput);
    const actor = parseActor(rawActor);
    const probe = await this.load(input.missionId);
    // Precedents and auth status are read outside the save so a slow check holds no lock.
    const precedents = await this.repository.countToolkitPrecedents(probe.tags, probe.id);
    const authStatus = await this.authStatuses();
    return this.mutate(input.missionId, actor, (mission, { events }) => {
      const locked = lockBriefRule(mission.brief, this.clock.now());
      // Locked while a model was still drafting: the chips as they stand are the brief (its late answer is recorded, not applied).
      const brief = locked.drafting?.status === 'drafting' ? { ...locked, drafting: { ...locked.drafting, status: 'fallback' as const, reason: 'the brief was locked before the model answered' } } : locked;
      events.add('mission_brief_locked', {
        final_chip_count: brief.chips.length,
        edits_made: brief.editsMade,
        technical_complexity: complexityOf(brief, mission.tags),
        tags: mission.tags,
      });
      const moved = transition({ ...mission, brief }, 'lock_brief', events);
      const recommendations = recommendToolkits(briefText(brief), precedents, authStatus);
      const toolkits: MissionToolkit[] = recommendations.map((r) => ({
        toolkitId: r.toolkitId,
        recommended: true,
        selected: false,
        authStatus: r.authStatus,
        rationale: r.rationale,
        confidence: r.confidence,
        precedentCount: r.precedentCount,
      }));
      for (const r of recommendations) {
        events.add('toolkit_recommended', {
          toolkit_id: r.toolkitId,
          precedent_count: r.precedentCount,
          confidence: r.confidence,
          rationale: r.rationale,
          auth_status: r.authStatus,
        });
      }
      return { ...moved, toolkits, coverage: { entries: [], override: null } };
    });
  }

  /** Unlocks the brief while toolkits are still being prepared. */
  async reopenBrief(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(missionRefInput, rawInput);
    const actor = parseActor(rawActor);
    return this.mutate(input.missionId, actor, (mission, { events }) => {
      const moved = transition(mission, 'reopen_brief', events);
      return { ...moved, brief: { ...moved.brief, lockedAt: null }, toolkits: [], coverage: { entries: [], override: null } };
    });
  }

  // ---- Prepare --------------------------------------------------------------------------

  /** Sets the mission's toolkit selection (replacing any earlier one). */
  async selectToolkits(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(selectToolkitsInput, rawInput);
    const actor = parseActor(rawActor);
    const authStatus = await this.authStatuses();
    return this.mutate(input.missionId, actor, (mission, { events }) => {
      requireState(mission, 'preparing', 'select toolkits');
      const chosen = new Map(input.toolkits.map((t) => [t.toolkitId, t.defer]));
      const toolkits = TOOLKIT_CATALOG.map((def): MissionToolkit => {
        const existing = mission.toolkits.find((t) => t.toolkitId === def.id);
        const defer = chosen.get(def.id);
        const status = defer ? 'deferred' : (authStatus[def.id] ?? 'unknown');
        return {
          toolkitId: def.id,
          recommended: existing?.recommended ?? false,
          selected: chosen.has(def.id),
          authStatus: chosen.has(def.id) ? status : (existing?.authStatus ?? status),
          rationale: existing?.rationale ?? def.purpose,
          confidence: existing?.confidence ?? 0,
          precedentCount: existing?.precedentCount ?? 0,
        };
      });
      for (const t of toolkits.filter((t) => t.selected)) {
        events.add('toolkit_selected', { toolkit_id: t.toolkitId, auth_status: t.authStatus, deferred: t.authStatus === 'deferred' });
      }
      return { ...mission, toolkits };
    });
  }

  /** Records one read-only inspection result (from a connector or an assistant). */
  async recordCoverage(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(recordCoverageInput, rawInput);
    const actor = parseActor(rawActor);
    return this.mutate(input.missionId, actor, (mission, { events }) => {
      requireState(mission, 'preparing', 'record coverage');
      const previous = latestReadiness(mission.coverage, input.toolkitId);
      events.add('data_preview_generated', {
        source: input.toolkitId,
        status: input.status,
        summary: input.summary,
        metrics: input.metrics,
      });
      if (previous !== input.status) {
        events.add('readiness_status_changed', { toolkit_id: input.toolkitId, from: previous, to: input.status });
      }
      const entry = { toolkitId: input.toolkitId, status: input.status, summary: input.summary, metrics: input.metrics, recordedAt: this.clock.now().toISOString() };
      return { ...mission, coverage: { ...mission.coverage, entries: [...mission.coverage.entries, entry] } };
    });
  }

  /** Runs the registered inspectors for the selected toolkits and records what they found. */
  async inspectCoverage(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(missionRefInput, rawInput);
    const actor = parseActor(rawActor);
    let mission = await this.load(input.missionId);
    requireState(mission, 'preparing', 'inspect coverage');
    for (const toolkit of mission.toolkits.filter((t) => t.selected && t.authStatus !== 'deferred')) {
      const inspector = this.inspectors.find((i) => i.toolkitId === toolkit.toolkitId);
      const result = inspector
        ? await inspector.inspect({ id: mission.id, brief: mission.brief, tags: mission.tags }).catch((error: unknown) => ({
            status: 'degraded' as const,
            summary: `Inspection failed: ${error instanceof Error ? error.message : String(error)}`,
            metrics: {},
          }))
        : toolkit.authStatus === 'needs_auth'
          ? { status: 'needs_auth' as const, summary: `Not connected: ${missingCredentials(toolkit.toolkitId)}. Connect it, or defer it if this mission does not need it.`, metrics: {} }
          : { status: 'needs_data' as const, summary: `No inspector is configured for ${toolkit.toolkitId}; report coverage yourself or connect the toolkit.`, metrics: {} };
      mission = await this.recordCoverage({ missionId: mission.id, toolkitId: toolkit.toolkitId, ...result }, actor);
    }
    return mission;
  }

  /** Leaves Prepare. Needs at least one selected toolkit and coverage at the threshold, or a recorded override. */
  async confirmToolkits(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(confirmToolkitsInput, rawInput);
    const actor = parseActor(rawActor);
    const probe = await this.load(input.missionId);
    const library = await this.repository.searchLibrary({ tags: probe.tags, limit: 20 });
    // Refusals first, so a planner that calls a model is asked only when the mission can leave Prepare.
    leavePrepare(probe, input, this.dryRun(actor));
    const planned = await this.planner.plan(plannerInputOf(probe), precedentsOf(library));
    const source = planned.fallbackReason === undefined && planned.modelCalls?.length ? ('model_planner' as const) : ('default_planner' as const);
    return this.mutate(input.missionId, actor, (mission, cmd) => {
      let moved = recordModelCalls(leavePrepare(mission, input, cmd), planned.modelCalls ?? [], 'plan_approve', cmd);
      if (planned.fallbackReason !== undefined) {
        cmd.events.add('drafter_fallback', { task: 'plan', drafter: this.planner.name, fallback: defaultPlanner.name, reason: planned.fallbackReason });
      }
      // Entering Plan: the planner and the library offer candidates straight away.
      const candidates = [...planned.plays.map((draft) => ({ draft, source, libraryEntryId: null })), ...libraryCandidates(library)];
      moved = addCandidatePlays(moved, candidates, precedentOf(library), cmd);
      return moved;
    });
  }

  /** "Not needed for this mission": the toolkit no longer counts against coverage. */
  async deferToolkit(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(deferToolkitInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => deferToolkitRule(mission, input, cmd));
  }

  /** A person leaves Prepare below the coverage threshold, with a reason (Slack's "Override coverage"). */
  async overrideCoverage(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(overrideCoverageInput, rawInput);
    return this.confirmToolkits({ missionId: input.missionId, override: { reason: input.reason } }, rawActor);
  }

  // ---- Plan & Approve -------------------------------------------------------------------

  /** Plays proposed by an assistant (or a person); they are ranked with the others. */
  async proposePlays(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(proposePlaysInput, rawInput);
    const actor = parseActor(rawActor);
    const probe = await this.load(input.missionId);
    const library = await this.repository.searchLibrary({ tags: probe.tags, limit: 20 });
    const source = actor.kind === 'slack_user' ? ('person' as const) : ('assistant' as const);
    return this.mutate(input.missionId, actor, (mission, cmd) =>
      addCandidatePlays(mission, input.plays.map((draft) => ({ draft, source, libraryEntryId: null })), precedentOf(library), cmd),
    );
  }

  async dismissPlay(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(dismissPlayInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => dismissPlayRule(mission, input, cmd));
  }

  async selectPlay(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(playRefInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => selectPlayRule(mission, input, cmd));
  }

  /** Asks the policy's approvers to approve the selected play. Needs no approval at all for risk levels the policy waives. */
  async requestApproval(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(requestApprovalInput, rawInput);
    const policy = await this.approvalPolicies.current();
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => requestApprovalRule(mission, input, policy, cmd));
  }

  /** The approval policy this workspace applies now. */
  currentApprovalPolicy(): Promise<ApprovalPolicy> {
    return this.approvalPolicies.current();
  }

  /** Whether `actor` may decide the mission's open request under the policy as it is now (front doors ask before opening a form). */
  async approvalPermission(mission: Mission, rawActor: Actor): Promise<ApprovalPermission> {
    const actor = parseActor(rawActor);
    if (!mission.approval) return { allowed: false, reason: `No approval has been requested for this mission (it is ${mission.state}).` };
    return mayDecide(mission.approval, actor, mission.requester, await this.standing(mission, actor));
  }

  private async standing(mission: Mission, actor: Actor): Promise<ApproverStanding> {
    const policy = await this.approvalPolicies.current();
    if (!mission.approval) return { eligible: { people: [], groups: [] }, viaGroup: null };
    return standingOf(policy, mission.approval, mission.requester, actor, this.userGroups);
  }

  /**
   * A person approves or rejects. Exactly one decision closes a request, even when several
   * arrive at once from several processes: the losers get `already_decided`.
   */
  async decideApproval(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(decideApprovalInput, rawInput);
    const actor = parseActor(rawActor);
    // The policy and group membership are read now, not when the request was made: approvers named
    // since then may decide. Looked up before the (pure, retried) rule runs.
    const loaded = await this.load(input.missionId);
    const policy = await this.approvalPolicies.current();
    // A request already closed is refused by the rule as such; no need to ask Slack about groups for it.
    const open = loaded.approval?.status === 'requested' && this.clock.now().getTime() <= Date.parse(loaded.approval.expiresAt);
    const standing = open ? await standingOf(policy, loaded.approval!, loaded.requester, actor, this.userGroups) : null;
    return this.mutate(input.missionId, actor, (mission, cmd) => {
      const sameRequest = standing && mission.approval?.id === loaded.approval?.id;
      const current: ApproverStanding = sameRequest
        ? standing
        : { eligible: mission.approval ? eligibleApprovers(policy, mission.approval.riskLevel, mission.requester, mission.approval) : { people: [], groups: [] }, viaGroup: null };
      return decideApprovalRule(mission, input, current, cmd);
    });
  }

  /**
   * Why `actor` may not make this decision on the approval request now, exactly as
   * `decideApproval` would refuse it (the same rule runs; nothing is saved); null when they may.
   * Front doors ask before opening a form, so a person who may not decide is told at once.
   */
  async approvalDecisionRefusal(input: { missionId: string; decision: 'approve' | 'reject'; requestId?: string | undefined }, rawActor: Actor): Promise<MissionError | null> {
    const actor = parseActor(rawActor);
    const mission = await this.load(input.missionId);
    const now = this.clock.now();
    // A dry run: ids and events go nowhere, so asking uses up nothing.
    const cmd: MissionCommand = { actor, now, at: now.toISOString(), newId: (prefix) => `${prefix}_unsaved`, events: new EventBuffer(actor), writes: { artifacts: [] } };
    const policy = await this.approvalPolicies.current();
    const open = mission.approval?.status === 'requested' && now.getTime() <= Date.parse(mission.approval.expiresAt);
    const standing: ApproverStanding = open
      ? await standingOf(policy, mission.approval!, mission.requester, actor, this.userGroups)
      : { eligible: mission.approval ? eligibleApprovers(policy, mission.approval.riskLevel, mission.requester, mission.approval) : { people: [], groups: [] }, viaGroup: null };
    try {
      decideApprovalRule(mission, { decision: input.decision, requestId: input.requestId }, standing, cmd);
      return null;
    } catch (error) {
      if (isMissionError(error)) return error;
      throw error;
    }
  }

  /** Records a refused approval attempt for the audit trail (the front door tells the person why). */
  async recordApprovalDenied(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(approvalDeniedInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => recordApprovalDeniedRule(mission, input.reason, cmd));
  }

  /** Expires every open approval request past its expiry; returns how many it expired. */
  async expireOverdueApprovals(limit = 100): Promise<number> {
    const ids = await this.repository.overdueApprovals(this.clock.now(), limit);
    let expired = 0;
    for (const id of ids) {
      const before = await this.load(id);
      const after = await this.mutate(id, SYSTEM_ACTOR, (mission, cmd) => expireApprovalRule(mission, cmd));
      if (after.version !== before.version && after.state === 'planning') expired += 1;
    }
    return expired;
  }

  async searchLibrary(rawInput: unknown): Promise<LibraryMatch[]> {
    const input = parseInput(searchLibraryInput, rawInput ?? {});
    return this.repository.searchLibrary(input);
  }

  // ---- Execute & Observe ----------------------------------------------------------------

  /** One executor report (phase started/completed/failed, step, test run, alert, deviation). */
  async reportProgress(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const report = parseInput(progressReportInput, rawInput);
    const actor = parseActor(rawActor);
    return this.mutate(report.missionId, actor, (current, cmd) => {
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
    });
  }

  private assistantUsage(report: { model: string; inputTokens: number; outputTokens: number; costUsd?: number | undefined }): ModelCallRecord {
    const costUsd = report.costUsd ?? this.priceOf(report.model, report.inputTokens, report.outputTokens) ?? 0;
    return { task: 'assistant', provider: 'assistant', model: report.model, inputTokens: report.inputTokens, outputTokens: report.outputTokens, costUsd, durationMs: 0, outcome: 'ok' };
  }

  /** A person sets the mission's model budget (USD); execution reports paused over budget resume once spend is within it. */
  async setBudget(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(setBudgetInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => setBudgetRule(mission, input.budgetUsd, cmd));
  }

  /** A person accepts a review_required alert (its phase may go on) or blocks it (the phase fails). */
  async resolveAlert(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(resolveAlertInput, rawInput);
    const actor = parseActor(rawActor);
    // Who may accept is read from the policy now (groups looked up before the pure, retried rule runs).
    const loaded = await this.load(input.missionId);
    const alert = loaded.execution?.alerts.find((a) => a.id === input.alertId && a.status === 'open');
    const refusal =
      alert && input.outcome === 'accepted' ? await alertAcceptRefusal(await this.approvalPolicies.current(), alert.severity, loaded.requester, actor, this.userGroups) : null;
    try {
      return await this.mutate(input.missionId, actor, (mission, cmd) => resolveAlertRule(mission, input, refusal, cmd));
    } catch (error) {
      // A refused acceptance leaves the alert open and is on the record, as a refused approval is.
      if (isMissionError(error) && error.code === 'permission_denied' && actor.kind === 'slack_user') {
        await this.mutate(input.missionId, actor, (mission, cmd) => recordApprovalDeniedRule(mission, error.message, cmd, input.alertId));
      }
      throw error;
    }
  }

  /** A person records a code review (approve or request changes, with a note); it counts for the code-review check. */
  async recordReview(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(recordReviewInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => recordReviewRule(mission, input, cmd));
  }

  /** An approver overrides one gate check with a reason; the check then counts, shown as overridden. */
  async overrideGate(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(overrideGateInput, rawInput);
    const actor = parseActor(rawActor);
    // The policy and group membership are read before the (pure, retried) rule runs.
    const permission = await this.gateOverridePermission(await this.load(input.missionId), actor);
    return this.mutate(input.missionId, actor, (mission, cmd) => overrideGateRule(mission, input, permission, cmd));
  }

  /** Whether `actor` may override the mission's gates: an approver of its risk under the policy as it is now. */
  async gateOverridePermission(mission: Mission, rawActor: Actor): Promise<GateOverridePermission> {
    const actor = parseActor(rawActor);
    const request = mission.approval ?? mission.approvalHistory.at(-1) ?? null;
    const policy = await this.approvalPolicies.current();
    const standing = request && actor.kind === 'slack_user' ? await standingOf(policy, request, mission.requester, actor, this.userGroups) : null;
    return mayOverrideGates(standing, request?.riskLevel ?? 'high', actor);
  }

  /** Hashes and stores an artifact; returns it with its sha256. */
  async attachEvidence(rawInput: unknown, rawActor: Actor): Promise<{ mission: Mission; artifact: ArtifactRecord }> {
    const input = parseInput(attachEvidenceInput, rawInput);
    const content = input.kind === 'json' ? canonicalJson(input.json) : input.kind === 'link' ? (input.content ?? input.url!) : input.content!;
    const mediaType = input.mediaType ?? DEFAULT_MEDIA_TYPES[input.kind];
    const mission = await this.mutate(input.missionId, parseActor(rawActor), (current, cmd) =>
      attachEvidenceRule(current, { name: input.name, kind: input.kind, content, mediaType, url: input.url, phaseId: input.phaseId, review: input.review, checks: input.checks }, cmd),
    );
    return { mission, artifact: mission.evidence.artifacts[mission.evidence.artifacts.length - 1]! };
  }

  /**
   * Recomputes every artifact's hash from stored content, the bundle hash from the artifacts,
   * and checks the bundle against the last `evidence_bundle_generated` event in the hash chain.
   */
  async verifyEvidence(rawInput: unknown): Promise<EvidenceVerification> {
    const input = parseInput(missionRefInput, rawInput);
    const mission = await this.load(input.missionId);
    const result = verifyEvidence(mission.evidence.artifacts, await this.repository.artifactContents(mission.id), mission.evidence.bundle);
    const events = await this.repository.events(mission.id);
    const sealed = [...events].reverse().find((e) => e.type === 'evidence_bundle_generated') as MissionEvent<'evidence_bundle_generated'> | undefined;
    const problems = result.ok ? [] : [...result.problems];
    if (sealed && sealed.payload.total_hash !== mission.evidence.bundle?.manifestSha256) {
      problems.push({ artifactId: null, problem: 'the stored bundle differs from the bundle recorded in the event log' });
    }
    const chain = verifyEventChain(events, mission);
    if (!chain.ok) problems.push({ artifactId: null, problem: `the event log is broken: ${chain.reason}` });
    return problems.length > 0 ? { ok: false, problems } : result;
  }

  /**
   * Ends execution when the mission gate passes, the evidence is intact and the must-haves are met
   * (every truth signed off, no artifact or key link missing, a stub or not wired); seals the evidence bundle.
   */
  async completeMission(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(missionRefInput, rawInput);
    const actor = parseActor(rawActor);
    await this.beforeCompletion?.(input.missionId);
    const contents = await this.repository.artifactContents(input.missionId);
    return this.mutate(input.missionId, actor, (mission, cmd) => {
      const completed = completeExecution(mission, gateRequirements(mission.brief), contents, cmd);
      requireMustHavesMet(mission);
      return completed;
    });
  }

  /** Runs before completion reads the mission: the must-have check against the code (`VerificationService`, wired in app.ts). */
  setBeforeCompletion(hook: ((missionId: string) => Promise<void>) | null): void {
    this.beforeCompletion = hook;
  }

  /** Runs the undo plan: the mission ends rolled_back, with which undo steps ran and which are left to a person. */
  async requestRollback(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(rollbackInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => rollBack(mission, input, cmd));
  }

  async failMission(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(failMissionInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => failMissionRule(mission, input, cmd));
  }

  // ---- Reflect & Improve ----------------------------------------------------------------

  async submitFeedback(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(feedbackInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => submitFeedbackRule(mission, input, cmd));
  }

  async addFollowUp(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(followUpInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => addFollowUpRule(mission, input, cmd));
  }

  /** A connector reports the tracker issue it created for a follow-up. */
  async recordFollowUpIssue(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(followUpIssueInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => recordFollowUpIssueRule(mission, input, cmd));
  }

  async pinToLibrary(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(pinToLibraryInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => pinToLibraryRule(mission, input, cmd));
  }

  /** Logs the retrospective and closes the mission (done). */
  async submitRetrospective(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(retrospectiveInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => submitRetrospectiveRule(mission, input, cmd));
  }

  /** PLAN.md, SUMMARY.md, VERIFICATION.md or UAT.md of a mission (VERIFICATION checks the evidence first). */
  async exportDocument(rawInput: unknown): Promise<{ name: string; markdown: string }> {
    const input = parseInput(exportDocumentInput, rawInput);
    const mission = await this.load(input.missionId);
    switch (input.document) {
      case 'plan':
        return { name: 'PLAN.md', markdown: planMarkdown(mission) };
      case 'summary':
        return { name: 'SUMMARY.md', markdown: summaryMarkdown(mission) };
      case 'verification':
        return { name: 'VERIFICATION.md', markdown: verificationMarkdown(mission, { evidence: await this.verifyEvidence({ missionId: mission.id }) }) };
      case 'uat':
        return { name: 'UAT.md', markdown: uatMarkdown(mission) };
    }
  }

  // ---- Connector health -----------------------------------------------------------------

  /**
   * A connector could not reach its API for this mission: the toolkit shows as degraded, with
   * the reason in the log, so the mission says so. Further reports of the same outage change nothing.
   */
  async recordConnectorFailure(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(connectorHealthInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, { events }) => {
      const toolkit = mission.toolkits.find((t) => t.toolkitId === input.toolkitId);
      if (toolkit?.authStatus === 'degraded') return mission;
      events.add('connector_call_failed', { toolkit_id: input.toolkitId, operation: input.operation, error: input.error ?? 'no answer' });
      if (!toolkit) return mission;
      events.add('readiness_status_changed', { toolkit_id: input.toolkitId, from: toolkit.authStatus === 'ready' ? 'ready' : 'unknown', to: 'degraded' });
      return { ...mission, toolkits: mission.toolkits.map((t) => (t.toolkitId === input.toolkitId ? { ...t, authStatus: 'degraded' as const } : t)) };
    });
  }

  /** Records a step of handing the approved mission to an executor (see executorDispatch.ts); each step once. */
  async recordExecutorDispatch(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(recordExecutorDispatchInput, rawInput);
    const target = { executor: input.executor, repository: input.repository, workflow: input.workflow, ref: input.ref };
    const record: DispatchRecord =
      input.phase === 'requested'
        ? { phase: 'requested', ...target }
        : input.phase === 'dispatched'
          ? { phase: 'dispatched', ...target, runsUrl: requireText(input.runsUrl, 'runsUrl', 'a dispatched run needs the URL of its runs'), foundExisting: input.foundExisting }
          : { phase: 'failed', ...target, error: requireText(input.error, 'error', 'a failed dispatch needs the error in words') };
    return this.mutate(input.missionId, parseActor(rawActor), (mission, cmd) => recordDispatch(mission, record, cmd));
  }

  /** The connector's API answers again: a degraded toolkit is ready once more. */
  async recordConnectorRecovered(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(connectorHealthInput, rawInput);
    return this.mutate(input.missionId, parseActor(rawActor), (mission, { events }) => {
      const toolkit = mission.toolkits.find((t) => t.toolkitId === input.toolkitId);
      if (toolkit?.authStatus !== 'degraded') return mission;
      events.add('readiness_status_changed', { toolkit_id: input.toolkitId, from: 'degraded', to: 'ready' });
      return { ...mission, toolkits: mission.toolkits.map((t) => (t.toolkitId === input.toolkitId ? { ...t, authStatus: 'ready' as const } : t)) };
    });
  }

  // ---- Any stage ------------------------------------------------------------------------

  async cancelMission(rawInput: unknown, rawActor: Actor): Promise<Mission> {
    const input = parseInput(cancelMissionInput, rawInput);
    const actor = parseActor(rawActor);
    return this.mutate(input.missionId, actor, (mission, cmd) => {
      const { events } = cmd;
      events.add('mission_cancelled', { reason: input.reason, from_state: mission.state });
      const moved = transition(mission, 'cancel', events);
      const approval = mission.approval?.status === 'requested' ? { ...mission.approval, status: 'cancelled' as const, decidedAt: cmd.at } : mission.approval;
      return { ...moved, approval };
    });
  }

  async getMission(rawInput: unknown): Promise<Mission> {
    const input = parseInput(missionRefInput, rawInput);
    return this.load(input.missionId);
  }

  async listMissions(rawInput: unknown): Promise<MissionPage> {
    const input = parseInput(listMissionsInput, rawInput ?? {});
    return this.repository.list(input);
  }

  async events(rawInput: unknown): Promise<MissionEvent[]> {
    const input = parseInput(missionRefInput, rawInput);
    await this.load(input.missionId);
    return this.repository.events(input.missionId);
  }

  /** Checks the mission's hash chain against its stored head. */
  async verifyEventLog(rawInput: unknown): Promise<ChainVerification> {
    const input = parseInput(missionRefInput, rawInput);
    const mission = await this.load(input.missionId);
    return verifyEventChain(await this.repository.events(mission.id), mission);
  }

  /**
   * Calls `listener` after every change this process saves (front doors use it for live
   * updates). Returns the unsubscribe function. A failing listener never fails the command.
   */
  subscribe(listener: MissionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(mission: Mission, events: readonly MissionEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(mission, events);
      } catch {
        // Listeners report their own failures; the saved change stands.
      }
    }
  }

  // ---- Internals ------------------------------------------------------------------------

  private async load(missionId: string): Promise<Mission> {
    const mission = await this.repository.get(missionId);
    if (!mission) throw missionNotFound(missionId);
    return mission;
  }

  private async authStatuses(): Promise<Record<string, Awaited<ReturnType<ToolkitAuthChecker['authStatus']>>>> {
    const entries = await Promise.all(TOOLKIT_CATALOG.map(async (t) => [t.id, await this.authChecker.authStatus(t.id).catch(() => 'unknown' as const)] as const));
    return Object.fromEntries(entries);
  }

  /** A command whose events go nowhere: for checking a rule's refusals before slow work. */
  private dryRun(actor: Actor): MissionCommand {
    const now = this.clock.now();
    return { actor, now, at: now.toISOString(), newId: (prefix) => this.ids.next(prefix), events: new EventBuffer(actor), writes: { artifacts: [] } };
  }

  private seal(mission: Mission, pending: readonly PendingEvent[], now: Date): { mission: Mission; events: MissionEvent[] } {
    const stageOf = (type: EventType) => {
      const stage = catalogStage(type);
      return stage === 'cross_stage' ? STAGE_OF_STATE[mission.state] : stage;
    };
    const chained = chainEvents({ missionId: mission.id, eventSeq: mission.eventSeq, headHash: mission.headHash }, pending, stageOf, now, () => this.ids.next('evt'));
    return { mission: { ...mission, eventSeq: chained.eventSeq, headHash: chained.headHash, updatedAt: now }, events: chained.events };
  }

  /**
   * Load, apply, save with an optimistic version check. `apply` must be a pure function of
   * the mission: on a concurrent update it runs again on the fresh state. Public so services
   * beside this one (verification, UAT) save through the same access check, queue and event chain;
   * `apply` is a stage rule that throws a `MissionError` and changes nothing when refused.
   */
  mutate(missionId: string, actor: Actor, apply: (mission: Mission, cmd: MissionCommand) => Mission): Promise<Mission> {
    // A token acts only on missions within its reach (missionAccess.ts); checked on the state the change applies to.
    const guarded = (mission: Mission, cmd: MissionCommand) => {
      requireTokenMayAct(mission, actor);
      return apply(mission, cmd);
    };
    return this.queue.run(missionId, () => this.mutateNow(missionId, actor, guarded));
  }

  private async mutateNow(missionId: string, actor: Actor, apply: (mission: Mission, cmd: MissionCommand) => Mission): Promise<Mission> {
    // The state this process saved last is the likely current one: start from it and let the
    // version check catch a writer elsewhere. A refusal or no-op on remembered state is checked
    // again on fresh state, so a stale memory never decides anything.
    let remembered = this.recent.get(missionId);
    const deadline = Date.now() + CONTENTION_DEADLINE_MS;
    for (let attempt = 1; ; attempt++) {
      const current = remembered ?? (await this.load(missionId));
      const now = this.clock.now();
      const cmd: MissionCommand = {
        actor,
        now,
        at: now.toISOString(),
        newId: (prefix) => this.ids.next(prefix),
        events: new EventBuffer(actor),
        writes: { artifacts: [] },
      };
      let changed: Mission;
      try {
        changed = apply(current, cmd);
      } catch (error) {
        if (!remembered) throw error;
        remembered = this.forget(missionId);
        attempt--;
        continue;
      }
      if (cmd.events.pending.length === 0) {
        if (!remembered) return current;
        remembered = this.forget(missionId);
        attempt--;
        continue;
      }
      const sealed = this.seal({ ...changed, version: current.version + 1 }, cmd.events.pending, now);
      // Most commands leave toolkits and tags alone; telling storage so spares rewriting those rows.
      cmd.writes.replaceChildren =
        (changed.toolkits !== current.toolkits || changed.tags !== current.tags) && canonicalJson([changed.toolkits, changed.tags]) !== canonicalJson([current.toolkits, current.tags]);
      try {
        await this.repository.save(sealed.mission, current.version, sealed.events, cmd.writes);
        this.remember(sealed.mission);
        this.notify(sealed.mission, sealed.events);
        return sealed.mission;
      } catch (error) {
        remembered = this.forget(missionId);
        if (error instanceof MissionError && error.code === 'concurrent_update' && Date.now() < deadline) {
          // Another process won this round; back off (exponential, full jitter) and re-apply on fresh state.
          await pause(Math.random() * Math.min(MAX_BACKOFF_MS, 5 * 2 ** Math.min(attempt, 10)));
          continue;
        }
        throw error;
      }
    }
  }

  private remember(mission: Mission): void {
    this.recent.delete(mission.id);
    this.recent.set(mission.id, inStoredOrder(mission));
    if (this.recent.size > REMEMBERED_MISSIONS) this.recent.delete(this.recent.keys().next().value!);
  }

  private forget(missionId: string): undefined {
    this.recent.delete(missionId);
    return undefined;
  }
}

function parseActor(actor: Actor): Actor {
  const parsed = actorSchema.safeParse(actor);
  if (!parsed.success) {
    throw new MissionError('invalid_input', 'actor: the request does not say who is acting (a Slack user, an MCP token or the system).', { field: 'actor' });
  }
  return parsed.data;
}

function requireState(mission: Mission, state: MissionState, what: string): void {
  if (mission.state !== state) {
    throw new MissionError('transition_refused', `Cannot ${what}: the mission is ${mission.state}, and this is only possible while it is ${state}.`, {
      state: mission.state,
      allowed: [],
    });
  }
}

function requireDefining(mission: Mission, what: string): void {
  if (mission.state === 'preparing') {
    throw new MissionError('brief_locked', `Cannot ${what}: the brief is locked. Reopen the brief first.`, { state: mission.state, allowed: ['reopen_brief'] });
  }
  requireState(mission, 'defining', what);
}

function mergeAssistantChips(drafted: DraftedBrief, assistantChips: readonly { kind: ChipKind; items: string[]; confidence: BriefChip['confidence'] }[]): BriefChip[] {
  const byKind = new Map<ChipKind, BriefChip>(drafted.chips.map((c) => [c.kind, c]));
  for (const chip of assistantChips) {
    const items = chip.items.map((i) => i.replace(/\s+/g, ' ').trim()).filter(Boolean);
    if (items.length > 0) byKind.set(chip.kind, { kind: chip.kind, items, confidence: chip.confidence, source: 'assistant' });
  }
  return sortChips([...byKind.values()]);
}

function missingCredentials(_toolkitId: string): string {
  return 'no credentials are configured';
}

function titleFor(chips: readonly BriefChip[], intent: string): string {
  const objective = chips.find((c) => c.kind === 'objective')?.items[0];
  const base = objective ?? intent.split(/\r?\n/).find((l) => l.trim().length > 0) ?? intent;
  const clean = base.replace(/\s+/g, ' ').trim();
  return clean.length > 80 ? `${clean.slice(0, 79)}…` : clean;
}

function complexityOf(brief: Brief, tags: readonly string[]): 'low' | 'medium' | 'high' {
  const scope = chipOf(brief, 'scope')?.items.length ?? 0;
  const safeguards = chipOf(brief, 'safeguards')?.items.length ?? 0;
  const risky = riskyAreasOf(tags).length > 0;
  if (scope >= 4 || safeguards >= 5 || (risky && scope >= 2)) return 'high';
  if (scope >= 2 || risky) return 'medium';
  return 'low';
}

function requireText(value: string | undefined, field: string, why: string): string {
  if (!value) throw new MissionError('invalid_input', `${field}: ${why}.`, { field });
  return value;
}
