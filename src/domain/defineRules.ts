// Define: an intent becomes a mission with drafted brief chips; people and assistants edit,
// remove and regenerate chips, then lock the brief (which moves to Prepare with recommended
// toolkits) or reopen it. Cancelling ends a mission from any stage. Pure rules over the
// mission; what they need from outside (the draft, precedents, auth status) is read by the
// service first and passed in, so a retried command asks nothing again.
import type { Actor } from './actors.js';
import {
  averageConfidence,
  briefText,
  chipOf,
  CHIP_LABELS,
  lockBrief as lockBriefChips,
  removeChip as removeChipFromBrief,
  setChip,
  sortChips,
  type Brief,
  type BriefChip,
  type ChipConfidence,
  type ChipKind,
} from './brief.js';
import type { DraftedBrief } from './briefDrafter.js';
import { deterministicBriefDrafter } from './deterministicBriefDrafter.js';
import { MissionError } from './errors.js';
import { GENESIS_HASH } from './eventLog.js';
import type { Mission, MissionToolkit } from './mission.js';
import { requireState, transition, type MissionCommand } from './missionCommand.js';
import { nextState } from './missionStateMachine.js';
import { emptyModels, recordModelCalls } from './modelUsage.js';
import { riskyAreasOf } from './riskFloor.js';
import { recommendToolkits, type AuthStatus } from './toolkits.js';

/** Brief edits are possible while defining; a locked brief (preparing) must be reopened first. */
export function requireDefining(mission: Mission, what: string): void {
  if (mission.state === 'preparing') {
    throw new MissionError('brief_locked', `Cannot ${what}: the brief is locked. Reopen the brief first.`, { state: mission.state, allowed: ['reopen_brief'] });
  }
  requireState(mission, 'defining', what);
}

/** The mission's title: the objective's first statement, else the intent's first line, at most 80 characters. */
export function titleFor(chips: readonly BriefChip[], intent: string): string {
  const objective = chips.find((c) => c.kind === 'objective')?.items[0];
  const base = objective ?? intent.split(/\r?\n/).find((l) => l.trim().length > 0) ?? intent;
  const clean = base.replace(/\s+/g, ' ').trim();
  return clean.length > 80 ? `${clean.slice(0, 79)}…` : clean;
}

/** How complex the locked brief reads (recorded with mission_brief_locked). */
export function complexityOf(brief: Brief, tags: readonly string[]): 'low' | 'medium' | 'high' {
  const scope = chipOf(brief, 'scope')?.items.length ?? 0;
  const safeguards = chipOf(brief, 'safeguards')?.items.length ?? 0;
  const risky = riskyAreasOf(tags).length > 0;
  if (scope >= 4 || safeguards >= 5 || (risky && scope >= 2)) return 'high';
  if (scope >= 2 || risky) return 'medium';
  return 'low';
}

export interface AssistantChip {
  kind: ChipKind;
  items: string[];
  confidence: ChipConfidence;
}

/** The drafted chips, with each chip an assistant supplied in its place (blank statements dropped). */
export function mergeAssistantChips(drafted: DraftedBrief, assistantChips: readonly AssistantChip[]): BriefChip[] {
  const byKind = new Map<ChipKind, BriefChip>(drafted.chips.map((c) => [c.kind, c]));
  for (const chip of assistantChips) {
    const items = chip.items.map((i) => i.replace(/\s+/g, ' ').trim()).filter(Boolean);
    if (items.length > 0) byKind.set(chip.kind, { kind: chip.kind, items, confidence: chip.confidence, source: 'assistant' });
  }
  return sortChips([...byKind.values()]);
}

export interface NewMissionInput {
  id: string;
  intent: string;
  channelId: string | null;
  threadTs: string | null;
  /** Chips an assistant wrote itself; they replace the drafted ones of their kind. */
  assistantChips: readonly AssistantChip[];
  drafted: DraftedBrief;
  /** The drafter whose draft this is; `slow`: a model still drafting (the built-in draft stands in, marked drafting). */
  drafter: { name: string; slow: boolean };
  budgetUsd: number | null;
}

/** A new mission in `defining` with its drafted brief, recording intent_submitted and brief_generated. */
export function newMission(input: NewMissionInput, cmd: MissionCommand): Mission {
  const { events, actor } = cmd;
  const { drafted, drafter, intent } = input;
  const chips = mergeAssistantChips(drafted, input.assistantChips);
  const brief: Brief = {
    chips,
    editsMade: 0,
    lockedAt: null,
    ...(drafter.slow ? { drafting: { status: 'drafting' as const, drafter: drafter.name, reason: null } } : {}),
  };
  const mission: Mission = {
    id: input.id,
    title: titleFor(chips, intent),
    intent,
    state: 'defining',
    requester: actor,
    channelId: input.channelId,
    threadTs: input.threadTs,
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
    models: emptyModels(input.budgetUsd),
    createdAt: cmd.now,
    updatedAt: cmd.now,
  };
  events.add('intent_submitted', {
    token_count: intent.split(/\s+/).filter(Boolean).length,
    safeguard_presence: /\b(must|never|zero|always|without|backward[- ]compatib\w*|do not|don't)\b/i.test(intent),
    technical_context: drafted.technicalContext,
    channel_id: mission.channelId,
  });
  events.add('brief_generated', {
    chips_generated: chips.length,
    avg_confidence: averageConfidence(chips),
    domain: drafted.domain,
    drafter: `${drafter.slow ? deterministicBriefDrafter.name : drafter.name}${input.assistantChips.length > 0 ? '+assistant' : ''}`,
    tags: drafted.tags,
  });
  return drafter.slow ? mission : recordDraft(mission, { drafted, drafter: drafter.name, markBrief: true }, cmd);
}

/**
 * A fast drafter's calls and fallback, recorded on the mission. `markBrief`: the draft is the
 * brief's (a failed regeneration of one chip says nothing about how the brief itself was drafted).
 */
export function recordDraft(mission: Mission, input: { drafted: DraftedBrief; drafter: string; markBrief: boolean }, cmd: MissionCommand): Mission {
  const { drafted, drafter } = input;
  const next = recordModelCalls(mission, drafted.modelCalls ?? [], 'define', cmd);
  if (drafted.fallbackReason === undefined) return next;
  cmd.events.add('drafter_fallback', { task: 'draft', drafter, fallback: deterministicBriefDrafter.name, reason: drafted.fallbackReason });
  return input.markBrief ? { ...next, brief: { ...next.brief, drafting: { status: 'fallback', drafter, reason: drafted.fallbackReason } } } : next;
}

/** Who changed a chip, as chip_modified records it: an assistant (MCP token) or a person. */
function editSource(actor: Actor): 'assistant' | 'edited' {
  return actor.kind === 'mcp_token' ? 'assistant' : 'edited';
}

/** Replaces a chip's statements (or adds the chip if the brief has none of that kind). */
export function editChip(mission: Mission, input: { kind: ChipKind; items: string[] }, cmd: MissionCommand): Mission {
  requireDefining(mission, `edit the ${CHIP_LABELS[input.kind]} chip`);
  const source = editSource(cmd.actor);
  const { brief, before, after } = setChip(mission.brief, input.kind, input.items, source, 'high');
  cmd.events.add('chip_modified', { chip_type: input.kind, action: before ? 'edit' : 'add', before: before?.items ?? [], after: after.items, source });
  return { ...mission, brief, title: input.kind === 'objective' ? titleFor(brief.chips, mission.intent) : mission.title };
}

export function removeChip(mission: Mission, input: { kind: ChipKind }, cmd: MissionCommand): Mission {
  requireDefining(mission, `remove the ${CHIP_LABELS[input.kind]} chip`);
  const { brief, before } = removeChipFromBrief(mission.brief, input.kind);
  cmd.events.add('chip_modified', { chip_type: input.kind, action: 'remove', before: before.items, after: [], source: editSource(cmd.actor) });
  return { ...mission, brief };
}

/** The chip of `kind` in a fresh draft of the intent; refused when the drafter found nothing for it. */
export function regeneratedChip(drafted: DraftedBrief, kind: ChipKind): BriefChip {
  const fresh = drafted.chips.find((c) => c.kind === kind);
  if (!fresh) {
    throw new MissionError('precondition_failed', `The drafter found nothing for ${CHIP_LABELS[kind]} in the intent. Write the chip yourself with an edit.`, {
      field: 'kind',
    });
  }
  return fresh;
}

/** Replaces one chip with its fresh draft (for example after a person removed it by mistake). */
export function regenerateChip(mission: Mission, input: { kind: ChipKind; drafted: DraftedBrief; drafter: string }, cmd: MissionCommand): Mission {
  requireDefining(mission, `regenerate the ${CHIP_LABELS[input.kind]} chip`);
  const fresh = regeneratedChip(input.drafted, input.kind);
  const current = recordDraft(mission, { drafted: input.drafted, drafter: input.drafter, markBrief: false }, cmd);
  const before = chipOf(current.brief, input.kind);
  const { brief } = setChip(current.brief, input.kind, fresh.items, 'drafted', fresh.confidence, fresh);
  cmd.events.add('chip_regenerated', {
    chip_type: input.kind,
    reason: 'regenerate_requested',
    before: before?.items ?? [],
    after: fresh.items,
    confidence: fresh.confidence,
  });
  return { ...current, brief };
}

/**
 * "Accept all": locks the brief, moves to Prepare and recommends toolkits from the brief, the
 * toolkit precedents of similar missions and each toolkit's auth status (read beforehand).
 */
export function lockBrief(
  mission: Mission,
  input: { precedents: Record<string, number>; authStatus: Record<string, AuthStatus> },
  cmd: MissionCommand,
): Mission {
  const { events } = cmd;
  const locked = lockBriefChips(mission.brief, cmd.now); // an already locked brief is refused as `brief_locked`
  nextState(mission.state, 'lock_brief'); // refused before anything is recorded
  // Locked while a model was still drafting: the chips as they stand are the brief (its late answer is recorded, not applied).
  const brief =
    locked.drafting?.status === 'drafting'
      ? { ...locked, drafting: { ...locked.drafting, status: 'fallback' as const, reason: 'the brief was locked before the model answered' } }
      : locked;
  events.add('mission_brief_locked', {
    final_chip_count: brief.chips.length,
    edits_made: brief.editsMade,
    technical_complexity: complexityOf(brief, mission.tags),
    tags: mission.tags,
  });
  const moved = transition({ ...mission, brief }, 'lock_brief', events);
  const recommendations = recommendToolkits(briefText(brief), input.precedents, input.authStatus);
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
}

/** Unlocks the brief while toolkits are still being prepared; the toolkit choice starts over. */
export function reopenBrief(mission: Mission, _input: unknown, cmd: MissionCommand): Mission {
  const moved = transition(mission, 'reopen_brief', cmd.events);
  return { ...moved, brief: { ...moved.brief, lockedAt: null }, toolkits: [], coverage: { entries: [], override: null } };
}

/** Ends the mission from any stage the state machine allows; an open approval request is cancelled with it. */
export function cancelMission(mission: Mission, input: { reason: string }, cmd: MissionCommand): Mission {
  const { events } = cmd;
  nextState(mission.state, 'cancel'); // refused before anything is recorded
  events.add('mission_cancelled', { reason: input.reason, from_state: mission.state });
  const moved = transition(mission, 'cancel', events);
  const approval = mission.approval?.status === 'requested' ? { ...mission.approval, status: 'cancelled' as const, decidedAt: cmd.at } : mission.approval;
  return { ...moved, approval };
}
