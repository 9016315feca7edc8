// The mission brief: one chip per kind, each a short list of statements with a
// confidence and a source. Editing rules live here; the service records the events.
import { MissionError } from './errors.js';

export const CHIP_KINDS = ['objective', 'scope', 'acceptance_criteria', 'kpis', 'safeguards', 'timeline'] as const;
export type ChipKind = (typeof CHIP_KINDS)[number];

export const CHIP_LABELS: Record<ChipKind, string> = {
  objective: 'Objective',
  scope: 'Technical scope',
  acceptance_criteria: 'Acceptance criteria',
  kpis: 'KPIs',
  safeguards: 'Safeguards',
  timeline: 'Timeline',
};

export type ChipConfidence = 'high' | 'medium' | 'low';
/** drafted: by the built-in drafter; edited: changed by a person; assistant: supplied by an AI assistant. */
export type ChipSource = 'drafted' | 'edited' | 'assistant';

export const CONFIDENCE_SCORE: Record<ChipConfidence, number> = { high: 0.95, medium: 0.75, low: 0.5 };

export interface BriefChip {
  kind: ChipKind;
  items: string[];
  confidence: ChipConfidence;
  source: ChipSource;
  /** The sentence of the intent this chip came from (model drafts); absent when nothing in the intent says it. */
  quote?: string;
  /** Items the drafter inferred rather than read in the intent (KPIs, safeguards); a person keeps them by editing the chip, or removes them. */
  inferred?: string[];
}

/** Model drafting of the brief: the card says "drafting" until the model answers or the built-in draft stands in. */
export interface BriefDrafting {
  status: 'drafting' | 'drafted' | 'fallback';
  /** The drafter asked, e.g. "anthropic:claude-sonnet-4-5". */
  drafter: string;
  /** Why the built-in draft stands in (fallback only). */
  reason: string | null;
}

export interface Brief {
  chips: BriefChip[];
  /** Count of person or assistant edits since drafting (the seed's edits_made). */
  editsMade: number;
  lockedAt: string | null;
  drafting?: BriefDrafting;
}

export const MAX_CHIP_ITEMS = 20;
export const MAX_CHIP_ITEM_LENGTH = 500;

export function chipOf(brief: Brief, kind: ChipKind): BriefChip | undefined {
  return brief.chips.find((c) => c.kind === kind);
}

/** Keeps chips in catalog order so every front door shows them the same way. */
export function sortChips(chips: BriefChip[]): BriefChip[] {
  return [...chips].sort((a, b) => CHIP_KINDS.indexOf(a.kind) - CHIP_KINDS.indexOf(b.kind));
}

export function averageConfidence(chips: readonly BriefChip[]): number {
  if (chips.length === 0) return 0;
  const total = chips.reduce((sum, c) => sum + CONFIDENCE_SCORE[c.confidence], 0);
  return Math.round((total / chips.length) * 100) / 100;
}

function assertUnlocked(brief: Brief): void {
  if (brief.lockedAt !== null) {
    throw new MissionError('brief_locked', 'The brief is locked. Reopen the brief (allowed while toolkits are being prepared) before changing chips.', {
      field: 'brief',
      state: 'locked',
    });
  }
}

export function cleanItems(items: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of items) {
    const item = raw.replace(/\s+/g, ' ').trim();
    const key = item.toLowerCase();
    if (item.length > 0 && !seen.has(key)) {
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}

/** Replaces (or adds) a chip's items. Returns the new brief and the chip before the change. */
export function setChip(
  brief: Brief,
  kind: ChipKind,
  items: readonly string[],
  source: ChipSource,
  confidence: ChipConfidence,
  /** A drafter's marks on a drafted chip (its quote, the items it inferred); a person's edit has none. */
  marks: Pick<BriefChip, 'quote' | 'inferred'> = {},
): { brief: Brief; before: BriefChip | undefined; after: BriefChip } {
  assertUnlocked(brief);
  const cleaned = cleanItems(items);
  if (cleaned.length === 0) {
    throw new MissionError('invalid_input', `items: give at least one non-empty statement for ${CHIP_LABELS[kind]}, or remove the chip instead.`, {
      field: 'items',
    });
  }
  const before = chipOf(brief, kind);
  const after: BriefChip = {
    kind,
    items: cleaned,
    confidence,
    source,
    ...(marks.quote ? { quote: marks.quote } : {}),
    ...(marks.inferred?.length ? { inferred: marks.inferred } : {}),
  };
  const chips = sortChips([...brief.chips.filter((c) => c.kind !== kind), after]);
  return { brief: { ...brief, chips, editsMade: brief.editsMade + 1 }, before, after };
}

export function removeChip(brief: Brief, kind: ChipKind): { brief: Brief; before: BriefChip } {
  assertUnlocked(brief);
  const before = chipOf(brief, kind);
  if (!before) {
    throw new MissionError('invalid_input', `kind: the brief has no ${CHIP_LABELS[kind]} chip to remove.`, { field: 'kind' });
  }
  return {
    brief: { ...brief, chips: brief.chips.filter((c) => c.kind !== kind), editsMade: brief.editsMade + 1 },
    before,
  };
}

/** A brief can be locked once it says what the mission is for; other chips are optional but recommended. */
export function lockBrief(brief: Brief, at: Date): Brief {
  assertUnlocked(brief);
  const objective = chipOf(brief, 'objective');
  if (!objective || objective.items.length === 0) {
    throw new MissionError('precondition_failed', 'The brief has no objective. Add an objective chip before locking the brief.', {
      field: 'objective',
    });
  }
  return { ...brief, lockedAt: at.toISOString() };
}

/** Plain-text brief, used for search, tags and toolkit relevance. */
export function briefText(brief: Brief): string {
  return brief.chips.map((c) => c.items.join('. ')).join('. ');
}
