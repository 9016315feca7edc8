// The mission aggregate as the service sees it. Storage maps it to tables; front doors render it.
import type { Actor } from './actors.js';
import type { ApprovalRequest } from './approvalPolicy.js';
import type { Brief } from './brief.js';
import type { ArtifactRecord, EvidenceBundle } from './evidence.js';
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

/** One read-only inspection result, filled by a connector or reported by an assistant. */
export interface CoverageEntry {
  toolkitId: string;
  status: Readiness;
  summary: string;
  metrics: Record<string, number | string | boolean>;
  recordedAt: string;
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
  evidence: { artifacts: ArtifactRecord[]; bundle: EvidenceBundle | null };
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
 * inspection (ready 1, degraded 0.5, needs_data 0.25, otherwise 0), averaged. A mission with
 * nothing selected, or everything deferred, has no coverage.
 */
export function coverageMeter(mission: Pick<Mission, 'toolkits' | 'coverage'>): number {
  const counted = mission.toolkits.filter((t) => t.selected && t.authStatus !== 'deferred');
  if (counted.length === 0) return 0;
  const total = counted.reduce((sum, t) => sum + READINESS_WEIGHT[latestReadiness(mission.coverage, t.toolkitId)], 0);
  return Math.round((total / counted.length) * 100) / 100;
}

export function latestReadiness(coverage: Coverage, toolkitId: string): Readiness {
  for (let i = coverage.entries.length - 1; i >= 0; i--) {
    const entry = coverage.entries[i]!;
    if (entry.toolkitId === toolkitId) return entry.status;
  }
  return 'unknown';
}

/** The order storage returns toolkits (most confident first) and tags (alphabetical) in. */
export function inStoredOrder(mission: Mission): Mission {
  return {
    ...mission,
    tags: [...new Set(mission.tags)].sort(),
    toolkits: [...mission.toolkits].sort((a, b) => b.confidence - a.confidence || a.toolkitId.localeCompare(b.toolkitId)),
  };
}
