// What the stage services share: the writer that saves changes, the repository for reads, and
// the ports the service was built with (defaults filled in). MissionService builds it once.
import type { ApprovalPolicySource, UserGroupDirectory } from './approvalPolicy.js';
import type { BriefDrafter } from './briefDrafter.js';
import type { ChainCheckpoints } from './chainCheckpoints.js';
import type { MissionRepository } from './missionRepository.js';
import type { MissionWriter } from './missionWriter.js';
import type { Planner } from './plays.js';
import type { Clock, IdGenerator } from './runtime.js';
import type { ToolkitAuthChecker, ToolkitInspector } from './toolkitInspection.js';

export interface ServiceParts {
  writer: MissionWriter;
  repository: MissionRepository;
  clock: Clock;
  /** Where each mission's hash chain was last verified; null: every check reads the whole log. */
  checkpoints: ChainCheckpoints | null;
  ids: IdGenerator;
  drafter: BriefDrafter;
  authChecker: ToolkitAuthChecker;
  inspectors: readonly ToolkitInspector[];
  planner: Planner;
  approvalPolicies: ApprovalPolicySource;
  userGroups: UserGroupDirectory | null;
  /** Budget (USD) every new mission starts with; null: no budget. */
  missionBudgetUsd: number | null;
  /** Prices an assistant's usage report that gives tokens without a cost (USD, or null for an unknown model). */
  priceOf: (model: string, inputTokens: number, outputTokens: number) => number | null;
}
