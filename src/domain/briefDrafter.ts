// Turning an intent into brief chips is pluggable: the built-in deterministic drafter
// needs no network; an assistant (over MCP) or a language model can supply chips instead.
import type { BriefChip } from './brief.js';

export interface DraftedBrief {
  /** At most one chip per kind, in any order. */
  chips: BriefChip[];
  /** Lower-case topic tags (e.g. "authentication", "csrf", "nextjs") used to find precedent missions and library plays. */
  tags: string[];
  /** Broad domain, e.g. "software_engineering". */
  domain: string;
  /** Short snake_case label for the kind of work, e.g. "auth_refactor", "bug_fix", "performance". */
  technicalContext: string;
}

export interface BriefDrafter {
  readonly name: string;
  draft(intent: string): Promise<DraftedBrief>;
}
