// Turning an intent into brief chips is pluggable: the built-in deterministic drafter
// needs no network; an assistant (over MCP) or a language model can supply chips instead.
import type { BriefChip } from './brief.js';
import type { ModelCallRecord } from './modelUsage.js';

export interface DraftedBrief {
  /** At most one chip per kind, in any order. */
  chips: BriefChip[];
  /** Lower-case topic tags (e.g. "authentication", "csrf", "nextjs") used to find precedent missions and library plays. */
  tags: string[];
  /** Broad domain, e.g. "software_engineering". */
  domain: string;
  /** Short snake_case label for the kind of work, e.g. "auth_refactor", "bug_fix", "performance". */
  technicalContext: string;
  /** Calls a model-backed drafter made (tokens, cost); recorded on the mission. */
  modelCalls?: ModelCallRecord[];
  /** Set when a model-backed drafter gave no usable answer and the built-in draft stands in: why. */
  fallbackReason?: string;
}

export interface BriefDrafter {
  readonly name: string;
  /**
   * True when drafting calls a model and takes seconds: the mission is then created at once
   * with the built-in draft, marked "drafting", and this drafter's answer replaces it when it arrives.
   */
  readonly slow?: boolean;
  /** Never rejects for a provider problem: a model-backed drafter falls back to the built-in draft and says why. */
  draft(intent: string): Promise<DraftedBrief>;
}
