// Define's commands: read what a rule needs from outside (the drafter's answer, toolkit
// precedents and auth status), then run one rule from defineRules.ts through the writer.
// Inputs arrive parsed (MissionService parses them with the schemas in missionInputs.ts).
import type { z } from 'zod';
import { SYSTEM_ACTOR, type Actor } from './actors.js';
import type { BriefDrafter, DraftedBrief } from './briefDrafter.js';
import { applyModelDraft } from './briefDrafting.js';
import { cancelMission, editChip, lockBrief, newMission, regenerateChip, regeneratedChip, removeChip, reopenBrief } from './defineRules.js';
import { draftBrief } from './deterministicBriefDrafter.js';
import type { Mission } from './mission.js';
import type { cancelMissionInput, chipRefInput, editChipInput, missionRefInput, startMissionInput } from './missionInputs.js';
import type { ServiceParts } from './serviceParts.js';
import { authStatuses } from './toolkitInspection.js';

export class DefineService {
  /** Model drafts under way in this process, by mission id. */
  private readonly drafting = new Map<string, Promise<void>>();

  constructor(private readonly parts: ServiceParts) {}

  /** Turns an intent into a mission in `defining`, with drafted brief chips. */
  async startMission(input: z.output<typeof startMissionInput>, actor: Actor, options: { drafter?: BriefDrafter } = {}): Promise<Mission> {
    const { writer, ids } = this.parts;
    // A front door may bring its own drafter (MCP sampling: the assistant's model drafts).
    const drafter = options.drafter ?? this.parts.drafter;
    // A model-backed drafter takes seconds: the built-in draft stands in at once, marked "drafting",
    // and the model's answer replaces it when it arrives (startDrafting).
    const slow = drafter.slow === true;
    const drafted = slow ? draftBrief(input.intent) : await drafter.draft(input.intent);
    const cmd = writer.command(actor);
    const mission = newMission(
      {
        id: ids.next('msn'),
        intent: input.intent,
        channelId: input.channelId ?? null,
        threadTs: input.threadTs ?? null,
        assistantChips: input.chips ?? [],
        drafted,
        drafter: { name: drafter.name, slow },
        budgetUsd: this.parts.missionBudgetUsd,
      },
      cmd,
    );
    const saved = await writer.create(mission, cmd);
    if (slow) this.startDrafting(saved.id, input.intent, drafter);
    return saved;
  }

  /** Runs the model draft in the background and saves it as a command of its own. */
  private startDrafting(missionId: string, intent: string, drafter: BriefDrafter): void {
    const work = drafter
      .draft(intent)
      .catch(
        (error: unknown): DraftedBrief => ({
          ...draftBrief(intent),
          fallbackReason: `the drafter failed: ${error instanceof Error ? error.message : String(error)}`,
        }),
      )
      .then((drafted) => this.parts.writer.mutate(missionId, SYSTEM_ACTOR, (mission, cmd) => applyModelDraft(mission, drafted, drafter.name, cmd)))
      .then(
        () => undefined,
        () => undefined, // The mission was removed or storage failed: the built-in draft stays, marked drafting.
      )
      .finally(() => this.drafting.delete(missionId));
    this.drafting.set(missionId, work);
  }

  /** Resolves once this process's model draft of the mission (if any) is saved. */
  async whenDrafted(missionId: string): Promise<void> {
    await this.drafting.get(missionId);
  }

  /** Replaces a chip's statements (or adds the chip if the brief has none of that kind). */
  async editChip(input: z.output<typeof editChipInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => editChip(mission, input, cmd));
  }

  async removeChip(input: z.output<typeof chipRefInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => removeChip(mission, input, cmd));
  }

  /** Drafts one chip again from the intent (for example after a person removed it by mistake). */
  async regenerateChip(input: z.output<typeof chipRefInput>, actor: Actor): Promise<Mission> {
    const { writer, drafter } = this.parts;
    const mission = await writer.load(input.missionId);
    const drafted = await drafter.draft(mission.intent);
    // Refused before the save when the drafter found nothing for the chip.
    regeneratedChip(drafted, input.kind);
    return writer.mutate(input.missionId, actor, (current, cmd) => regenerateChip(current, { kind: input.kind, drafted, drafter: drafter.name }, cmd));
  }

  /** "Accept all": locks the brief, moves to Prepare and recommends toolkits. */
  async lockBrief(input: z.output<typeof missionRefInput>, actor: Actor): Promise<Mission> {
    const { writer, repository } = this.parts;
    const probe = await writer.load(input.missionId);
    // Precedents and auth status are read outside the save so a slow check holds no lock.
    const precedents = await repository.countToolkitPrecedents(probe.tags, probe.id);
    const authStatus = await authStatuses(this.parts.authChecker);
    return writer.mutate(input.missionId, actor, (mission, cmd) => lockBrief(mission, { precedents, authStatus }, cmd));
  }

  /** Unlocks the brief while toolkits are still being prepared. */
  async reopenBrief(input: z.output<typeof missionRefInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => reopenBrief(mission, input, cmd));
  }

  /** Ends the mission from any stage that allows it. */
  async cancelMission(input: z.output<typeof cancelMissionInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => cancelMission(mission, input, cmd));
  }
}
