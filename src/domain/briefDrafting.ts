// A model's draft arriving after the mission was created: the built-in draft stood in meanwhile
// (the card said "drafting"); the model's chips replace it unless a person already changed a chip
// or locked the brief. A failed model draft leaves the built-in chips and says why.
import { averageConfidence, sortChips, type BriefChip, type ChipKind } from './brief.js';
import type { DraftedBrief } from './briefDrafter.js';
import type { Mission } from './mission.js';
import type { MissionCommand } from './missionCommand.js';
import { recordModelCalls } from './modelUsage.js';

/** Kinds a person or an assistant wrote: a late model draft never overwrites them. */
function keptKinds(chips: readonly BriefChip[]): Set<ChipKind> {
  return new Set(chips.filter((c) => c.source !== 'drafted').map((c) => c.kind));
}

export function applyModelDraft(mission: Mission, drafted: DraftedBrief, drafter: string, cmd: MissionCommand): Mission {
  const next = recordModelCalls(mission, drafted.modelCalls ?? [], 'define', cmd);
  const open = next.state === 'defining' && next.brief.lockedAt === null;
  if (drafted.fallbackReason !== undefined || !open) {
    const reason = drafted.fallbackReason ?? `the brief was ${next.brief.lockedAt ? 'locked' : `moved on (${next.state})`} before the model answered`;
    cmd.events.add('drafter_fallback', { task: 'draft', drafter, fallback: 'deterministic', reason });
    return { ...next, brief: { ...next.brief, drafting: { status: 'fallback', drafter, reason } } };
  }
  const kept = keptKinds(next.brief.chips);
  const chips = sortChips([...next.brief.chips.filter((c) => kept.has(c.kind)), ...drafted.chips.filter((c) => !kept.has(c.kind))]);
  // Tags only grow: the built-in tagger's topics (what the risk floor reads) stay whatever the model says.
  const tags = [...new Set([...next.tags, ...drafted.tags])].sort();
  cmd.events.add('brief_generated', { chips_generated: chips.length, avg_confidence: averageConfidence(chips), domain: drafted.domain, drafter, tags });
  const objective = chips.find((c) => c.kind === 'objective')?.items[0];
  const title = objective && !kept.has('objective') ? (objective.length > 80 ? `${objective.slice(0, 79)}…` : objective) : next.title;
  return { ...next, title, tags, brief: { ...next.brief, chips, drafting: { status: 'drafted', drafter, reason: null } } };
}
