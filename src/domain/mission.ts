// The mission aggregate as the service sees it. Storage maps it to tables; front doors render it.
import type { Actor } from './actors.js';
import type { ApprovalRequest } from './approvalPolicy.js';
import type { Brief } from './brief.js';
import type { MissionEvidence } from './evidence.js';
import type { Execution } from './execution.js';
import type { Play } from './plays.js';
import type { MissionModels } from './modelUsage.js';
import type { Reflection } from './reflection.js';
import type { MissionState } from './missionStateMachine.js';
import type { AuthStatus, Readiness } from './toolkits.js';

export interface MissionToolkit {
  toolkitId: string;
  recommended: boolean;
  selected: boolean;
  authStatus: AuthStatus;
  rationale: string;
  confidence: number;
  precedentCount: number;
}

/**
 * Who a coverage entry's finding comes from. `connector`: Mission Control's own read-only
 * inspection (a connector's inspector, or its finding that none is configured or connected);
 * `person`: someone in Slack, including accepting what an assistant reported; `assistant`: an
 * assistant's report over MCP, shown as reported and never counted as ready.
 */
export type CoverageSource = 'connector' | 'assistant' | 'person';

/** Entries saved before `recordedBy` existed read as the assistant's: nothing proved a connector looked. */
export const UNRECORDED_COVERAGE_SOURCE: CoverageSource = 'assistant';

/** One read-only inspection result, filled by a connector or reported by an assistant. */
export interface CoverageEntry {
  toolkitId: string;
  status: Readiness;
  summary: string;
  metrics: Record<string, number | string | boolean>;
  recordedAt: string;
  recordedBy: CoverageSource;
  /** The person who accepted an assistant's report (the entry is then recorded by `person`). */
  acceptedBy?: Actor;
}

export interface Coverage {
  entries: CoverageEntry[];
  /** Set when a person proceeded with coverage below the threshold. */
  override: { reason: string; coverage: number; by: Actor; at: string } | null;
}

export interface Mission {
  id: string;
  title: string;
  intent: string;
  state: MissionState;
  requester: Actor;
  channelId: string | null;
  threadTs: string | null;
  /** Optimistic-concurrency version: bumped on every saved change. */
  version: number;
  /** Number of events in the log and the hash of the last one (the chain head). */
  eventSeq: number;
  headHash: string;
  brief: Brief;
  tags: string[];
  toolkits: MissionToolkit[];
  coverage: Coverage;
  /** Ranked plays, dismissed ones included with their reason. */
  plays: Play[];
  /** The current or last approval request; earlier ones are in `approvalHistory`. */
  approval: ApprovalRequest | null;
  approvalHistory: ApprovalRequest[];
  execution: Execution | null;
  evidence: MissionEvidence;
  reflection: Reflection;
  /** Model calls, their cost and the mission budget; absent on missions saved before models were counted. */
  models?: MissionModels;
  createdAt: Date;
  updatedAt: Date;
}

export interface MissionSummary {
  id: string;
  title: string;
  state: MissionState;
  requester: Actor;
  channelId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const COVERAGE_THRESHOLD = 0.85;

const READINESS_WEIGHT: Record<Readiness, number> = {
  ready: 1,
  degraded: 0.5,
  needs_data: 0.25,
  unknown: 0,
  needs_auth: 0,
  blocked: 0,
};

/**
 * The coverage meter: for each selected, non-deferred toolkit, the readiness of its latest
 * inspection by a connector or a person (ready 1, degraded 0.5, needs_data 0.25, otherwise 0),
 * averaged. An assistant's report is shown, never counted, until a person accepts it. A mission
 * with nothing selected, or everything deferred, has no coverage.
 */
export function coverageMeter(mission: Pick<Mission, 'toolkits' | 'coverage'>): number {
  const counted = mission.toolkits.filter((t) => t.selected && t.authStatus !== 'deferred');
  if (counted.length === 0) return 0;
  const total = counted.reduce((sum, t) => sum + READINESS_WEIGHT[latestReadiness(mission.coverage, t.toolkitId)], 0);
  return Math.round((total / counted.length) * 100) / 100;
}

/** The readiness the meter counts: the latest entry a connector or a person recorded; `unknown` without one. */
export function latestReadiness(coverage: Coverage, toolkitId: string): Readiness {
  return latestVerifiedEntry(coverage, toolkitId)?.status ?? 'unknown';
}

export function countsAsInspected(entry: CoverageEntry): boolean {
  return entry.recordedBy !== 'assistant';
}

export function latestVerifiedEntry(coverage: Coverage, toolkitId: string): CoverageEntry | undefined {
  return coverage.entries.findLast((e) => e.toolkitId === toolkitId && countsAsInspected(e));
}

export function latestEntry(coverage: Coverage, toolkitId: string): CoverageEntry | undefined {
  return coverage.entries.findLast((e) => e.toolkitId === toolkitId);
}

/**
 * The assistant's reports not yet confirmed by a connector or a person: for each selected,
 * non-deferred toolkit whose latest entry is an assistant's, that entry. A person may accept them.
 */
export function pendingReportedCoverage(mission: Pick<Mission, 'toolkits' | 'coverage'>): CoverageEntry[] {
  return mission.toolkits
    .filter((t) => t.selected && t.authStatus !== 'deferred')
    .map((t) => latestEntry(mission.coverage, t.toolkitId))
    .filter((e): e is CoverageEntry => e !== undefined && e.recordedBy === 'assistant');
}

/** The meter if a person accepted every pending assistant report: what accepting would change. */
export function coverageIfAccepted(mission: Pick<Mission, 'toolkits' | 'coverage'>): number {
  const accepted = pendingReportedCoverage(mission).map((e) => ({ ...e, recordedBy: 'person' as const }));
  return coverageMeter({ toolkits: mission.toolkits, coverage: { ...mission.coverage, entries: [...mission.coverage.entries, ...accepted] } });
}

/** The order storage returns toolkits (most confident first) and tags (alphabetical) in. */
export function inStoredOrder(mission: Mission): Mission {
  return {
    ...mission,
    tags: [...new Set(mission.tags)].sort(),
    toolkits: [...mission.toolkits].sort((a, b) => b.confidence - a.confidence || a.toolkitId.localeCompare(b.toolkitId)),
  };
}
