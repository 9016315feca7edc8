// Plays: ranked ways to carry out a mission, each with phases, an undo plan and a risk
// matrix. The ranking score is defined here and nowhere else.
import type { Actor } from './actors.js';
import type { ModelCallRecord } from './modelUsage.js';

export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';
export const RISK_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];

export interface PlayStep {
  /** snake_case, unique within the play, e.g. "refactor_jwt_ts"; executors report steps by this id. */
  id: string;
  title: string;
}

export interface PlayPhase {
  /** snake_case, unique within the play, e.g. "jwt_refresh_fix". */
  id: string;
  name: string;
  steps: PlayStep[];
}

export interface RiskMatrix {
  complexity: 'low' | 'medium' | 'high';
  impact: 'low' | 'medium' | 'high' | 'critical';
  reversibility: 'low' | 'medium' | 'high';
  testCoverage: 'weak' | 'moderate' | 'strong';
  notes?: string;
}

export interface CodeChangePreview {
  filesToModify: number;
  filesToCreate: number;
  linesAdded: number;
  linesRemoved: number;
  files: string[];
}

export interface UndoPlan {
  summary: string;
  /** Ordered rollback steps; a connector may carry out steps it recognises (e.g. "close PR and delete branch"). */
  steps: string[];
}

/** GSD must-haves: what must be true, exist and be wired for the play to count as done. */
export interface MustHaves {
  truths: string[];
  artifacts: string[];
  keyLinks: string[];
}

/** default_planner: the built-in planner; model_planner: a configured model (MODEL_PLAN). */
export type PlaySource = 'assistant' | 'person' | 'library' | 'default_planner' | 'model_planner';
export type PlayStatus = 'proposed' | 'selected' | 'dismissed' | 'approved';

export interface Play {
  id: string;
  title: string;
  rationale: string;
  /** 0..1 */
  confidence: number;
  source: PlaySource;
  /** Library entry this play was taken from, if any. */
  libraryEntryId: string | null;
  /** Similar plays in the library (precedent). */
  libraryMatchCount: number;
  phases: PlayPhase[];
  undoPlan: UndoPlan;
  safeguardsEnforced: string[];
  risk: RiskMatrix;
  riskLevel: RiskLevel;
  estimatedDurationMinutes: number;
  codeChangePreview: CodeChangePreview | null;
  mustHaves: MustHaves;
  score: number;
  rank: number;
  status: PlayStatus;
  dismissedReason: string | null;
  proposedBy: Actor;
  proposedAt: string;
}

/** The overall risk of a play, from its matrix: impact first, softened or hardened by reversibility and complexity. */
export function riskLevelOf(risk: RiskMatrix): RiskLevel {
  if (risk.impact === 'critical') return 'critical';
  if (risk.impact === 'high') return risk.reversibility === 'high' && risk.complexity === 'low' ? 'medium' : 'high';
  if (risk.impact === 'medium') return risk.reversibility === 'low' || risk.complexity === 'high' ? 'high' : 'medium';
  return risk.reversibility === 'low' ? 'medium' : 'low';
}

const REVERSIBILITY_SCORE = { low: 0, medium: 0.5, high: 1 } as const;

/**
 * Ranking score, 0..1, higher first:
 *   0.45 x confidence
 * + 0.20 x precedent (library matches, saturating at 10)
 * + 0.20 x safeguard coverage (share of the brief's safeguards the play says it enforces)
 * + 0.15 x reversibility (high 1, medium 0.5, low 0)
 */
export function scorePlay(play: Pick<Play, 'confidence' | 'libraryMatchCount' | 'safeguardsEnforced' | 'risk'>, briefSafeguards: readonly string[]): number {
  const precedent = Math.min(play.libraryMatchCount, 10) / 10;
  const coverage = briefSafeguards.length === 0 ? 1 : safeguardCoverage(play.safeguardsEnforced, briefSafeguards);
  const score = 0.45 * play.confidence + 0.2 * precedent + 0.2 * coverage + 0.15 * REVERSIBILITY_SCORE[play.risk.reversibility];
  return Math.round(score * 1000) / 1000;
}

const STOP_WORDS = new Set(['the', 'a', 'an', 'and', 'or', 'for', 'to', 'of', 'with', 'all', 'must', 'be', 'is', 'are', 'no', 'in', 'on', 'before']);

function keywords(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 2 && !STOP_WORDS.has(w)),
  );
}

/** Share of brief safeguards that some enforced safeguard covers (half or more of its key words match). */
export function safeguardCoverage(enforced: readonly string[], briefSafeguards: readonly string[]): number {
  if (briefSafeguards.length === 0) return 1;
  const enforcedWords = enforced.map(keywords);
  const covered = briefSafeguards.filter((safeguard) => {
    const words = keywords(safeguard);
    if (words.size === 0) return true;
    return enforcedWords.some((e) => [...words].filter((w) => e.has(w)).length / words.size >= 0.5);
  });
  return covered.length / briefSafeguards.length;
}

/** Sorts plays by score (ties: confidence, then id) and numbers their ranks from 1. Dismissed plays rank last. */
export function rankPlays(plays: readonly Play[]): Play[] {
  return [...plays]
    .sort(
      (a, b) =>
        Number(a.status === 'dismissed') - Number(b.status === 'dismissed') || b.score - a.score || b.confidence - a.confidence || a.id.localeCompare(b.id),
    )
    .map((play, i) => ({ ...play, rank: i + 1 }));
}

/** A play as a planner or assistant proposes it, before the service ranks and records it. */
export type PlayDraft = Pick<
  Play,
  'title' | 'rationale' | 'confidence' | 'phases' | 'undoPlan' | 'safeguardsEnforced' | 'risk' | 'estimatedDurationMinutes' | 'codeChangePreview' | 'mustHaves'
>;

export interface PlannerInput {
  objective: string;
  scope: string[];
  acceptanceCriteria: string[];
  kpis: string[];
  safeguards: string[];
  timeline: string | null;
  tags: string[];
}

/** Library plays offered to a planner as precedent (a model sees their titles and phases). */
export interface PlanPrecedent {
  title: string;
  rationale: string;
  phases: string[];
  rating: number;
}

export interface PlanOutcome {
  plays: PlayDraft[];
  /** Calls a model-backed planner made; recorded on the mission. */
  modelCalls?: ModelCallRecord[];
  /** Set when a model-backed planner gave no usable answer and the built-in plays stand in: why. */
  fallbackReason?: string;
}

/**
 * Produces candidate plays for a locked brief. The built-in one is deterministic; a model-backed
 * one falls back to it (never rejects for a provider problem); assistants propose over MCP.
 */
export interface Planner {
  readonly name: string;
  plan(input: PlannerInput, precedents?: readonly PlanPrecedent[]): Promise<PlanOutcome>;
}
