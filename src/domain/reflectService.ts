// Reflect & Improve's commands: each runs one rule from reflectImprove.ts through the writer;
// exports render the mission's documents. Inputs arrive parsed (MissionService parses them with
// the schemas in missionInputs.ts).
import type { z } from 'zod';
import type { Actor } from './actors.js';
import type { EvidenceVerification } from './evidence.js';
import type { Mission } from './mission.js';
import { withEveryAlertAndDeviation, withWholeHistory } from './missionHistory.js';
import { planMarkdown, summaryMarkdown, verificationMarkdown } from './missionExports.js';
import type { exportDocumentInput, feedbackInput, followUpInput, followUpIssueInput, pinToLibraryInput, retrospectiveInput } from './missionInputs.js';
import type { FollowUp } from './reflection.js';
import { addFollowUp, pinToLibrary, recordFollowUpIssue, sameFollowUp, submitFeedback, submitRetrospective } from './reflectImprove.js';
import type { ServiceParts } from './serviceParts.js';
import { uatMarkdown } from './exports/uatDocument.js';

export class ReflectService {
  constructor(
    private readonly parts: ServiceParts,
    /** VERIFICATION.md reports the evidence check (ExecuteService.verifyEvidence). */
    private readonly verifyEvidence: (input: { missionId: string }) => Promise<EvidenceVerification>,
  ) {}

  async submitFeedback(input: z.output<typeof feedbackInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => submitFeedback(mission, input, cmd));
  }

  /** Records a follow-up; returns it (or the open one with the same title, which it leaves as it is). */
  async addFollowUp(input: z.output<typeof followUpInput>, actor: Actor): Promise<{ mission: Mission; followUp: FollowUp }> {
    const mission = await this.parts.writer.mutate(input.missionId, actor, (current, cmd) => addFollowUp(current, input, cmd));
    return { mission, followUp: sameFollowUp(mission, input.title)! };
  }

  /** A connector reports the tracker issue it created for a follow-up. */
  async recordFollowUpIssue(input: z.output<typeof followUpIssueInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => recordFollowUpIssue(mission, input, cmd));
  }

  async pinToLibrary(input: z.output<typeof pinToLibraryInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => pinToLibrary(mission, input, cmd));
  }

  /** Logs the retrospective and closes the mission (done). */
  async submitRetrospective(input: z.output<typeof retrospectiveInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => submitRetrospective(mission, input, cmd));
  }

  /** PLAN.md, SUMMARY.md or VERIFICATION.md of a mission (VERIFICATION checks the evidence first). */
  async exportDocument(input: z.output<typeof exportDocumentInput>): Promise<{ name: string; markdown: string }> {
    const mission = await this.parts.writer.load(input.missionId);
    switch (input.document) {
      case 'plan':
        return { name: 'PLAN.md', markdown: planMarkdown(mission) };
      case 'summary':
        // SUMMARY.md lists every step and run: read from the mission's history, not its recent window.
        return { name: 'SUMMARY.md', markdown: summaryMarkdown(await withWholeHistory(this.parts.repository, mission)) };
      case 'verification':
        // VERIFICATION.md counts every blocked alert as a gap: read the ones that left the window from the log.
        return {
          name: 'VERIFICATION.md',
          markdown: verificationMarkdown(await withEveryAlertAndDeviation(this.parts.repository, mission), {
            evidence: await this.verifyEvidence({ missionId: mission.id }),
          }),
        };
      case 'uat':
        return { name: 'UAT.md', markdown: uatMarkdown(mission) };
    }
  }
}
