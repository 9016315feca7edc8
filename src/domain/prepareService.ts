// Prepare's commands: read what a rule needs from outside (auth status, inspectors' findings,
// the planner's plays, the library), then run one rule from prepareRules.ts through the writer.
// Inputs arrive parsed (MissionService parses them with the schemas in missionInputs.ts).
import type { z } from 'zod';
import type { Actor } from './actors.js';
import { defaultPlanner } from './defaultPlanner.js';
import type { Mission } from './mission.js';
import {
  parseInput,
  recordCoverageInput,
  type confirmToolkitsInput,
  type connectorHealthInput,
  type deferToolkitInput,
  type missionRefInput,
  type overrideCoverageInput,
  type selectToolkitsInput,
} from './missionInputs.js';
import { plannerInputOf, precedentsOf } from './planApprove.js';
import {
  acceptReportedCoverage,
  confirmToolkits,
  deferToolkit,
  failedInspection,
  leavePrepare,
  recordConnectorFailure,
  recordConnectorRecovered,
  recordCoverage,
  requireInspectable,
  selectToolkits,
  uninspectedCoverage,
} from './prepareRules.js';
import type { ServiceParts } from './serviceParts.js';
import { authStatuses } from './toolkitInspection.js';

export class PrepareService {
  constructor(private readonly parts: ServiceParts) {}

  /** Sets the mission's toolkit selection (replacing any earlier one). */
  async selectToolkits(input: z.output<typeof selectToolkitsInput>, actor: Actor): Promise<Mission> {
    const authStatus = await authStatuses(this.parts.authChecker);
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => selectToolkits(mission, { toolkits: input.toolkits, authStatus }, cmd));
  }

  /** Records what a person or an assistant reports a read-only inspection found (an assistant's is shown, not counted). */
  async recordCoverage(input: z.output<typeof recordCoverageInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => recordCoverage(mission, { ...input, via: 'report' }, cmd));
  }

  /** A person accepts the assistant-reported coverage no connector or person confirmed since. */
  async acceptReportedCoverage(input: z.output<typeof missionRefInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => acceptReportedCoverage(mission, {}, cmd));
  }

  /** Runs the registered inspectors for the selected toolkits and records what they found, as the connectors'. */
  async inspectCoverage(input: z.output<typeof missionRefInput>, actor: Actor): Promise<Mission> {
    let mission = await this.parts.writer.load(input.missionId);
    requireInspectable(mission);
    for (const toolkit of mission.toolkits.filter((t) => t.selected && t.authStatus !== 'deferred')) {
      const inspector = this.parts.inspectors.find((i) => i.toolkitId === toolkit.toolkitId);
      const result = inspector
        ? await inspector.inspect({ id: mission.id, brief: mission.brief, tags: mission.tags }).catch(failedInspection)
        : uninspectedCoverage(toolkit);
      // An inspector is outside the domain: its finding is checked like any other report.
      const finding = parseInput(recordCoverageInput, { missionId: mission.id, toolkitId: toolkit.toolkitId, ...result });
      mission = await this.parts.writer.mutate(mission.id, actor, (current, cmd) => recordCoverage(current, { ...finding, via: 'inspection' }, cmd));
    }
    return mission;
  }

  /** Leaves Prepare. Needs at least one selected toolkit and coverage at the threshold, or a recorded override. */
  async confirmToolkits(input: z.output<typeof confirmToolkitsInput>, actor: Actor): Promise<Mission> {
    const { writer, repository, planner } = this.parts;
    const probe = await writer.load(input.missionId);
    const library = await repository.searchLibrary({ tags: probe.tags, limit: 20 });
    // Refusals first, so a planner that calls a model is asked only when the mission can leave Prepare.
    leavePrepare(probe, input, writer.command(actor));
    const planned = await planner.plan(plannerInputOf(probe), precedentsOf(library));
    const plannerName = { name: planner.name, fallback: defaultPlanner.name };
    return writer.mutate(input.missionId, actor, (mission, cmd) =>
      confirmToolkits(mission, { override: input.override, planned, planner: plannerName, library }, cmd),
    );
  }

  /** "Not needed for this mission": the toolkit no longer counts against coverage. */
  async deferToolkit(input: z.output<typeof deferToolkitInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => deferToolkit(mission, input, cmd));
  }

  /** A person leaves Prepare below the coverage threshold, with a reason (Slack's "Override coverage"). */
  async overrideCoverage(input: z.output<typeof overrideCoverageInput>, actor: Actor): Promise<Mission> {
    return this.confirmToolkits({ missionId: input.missionId, override: { reason: input.reason } }, actor);
  }

  /** A connector could not reach its API for this mission: the toolkit shows as degraded (once per outage). */
  async recordConnectorFailure(input: z.output<typeof connectorHealthInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => recordConnectorFailure(mission, input, cmd));
  }

  /** The connector's API answers again: a degraded toolkit is ready once more. */
  async recordConnectorRecovered(input: z.output<typeof connectorHealthInput>, actor: Actor): Promise<Mission> {
    return this.parts.writer.mutate(input.missionId, actor, (mission, cmd) => recordConnectorRecovered(mission, input, cmd));
  }
}
