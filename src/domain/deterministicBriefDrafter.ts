// The built-in brief drafter: reads the structure people actually write in an intent
// (headings, bullets, "must"/"never" sentences, numbers, deadlines) and turns it into
// chips with pure, deterministic heuristics. No network, no randomness, no clock.
//
// The steps, one module each under drafting/: normalise the text (intentText), parse it into
// statements by section (intentSections), sort the statements by the chips they feed
// (statements, over statementKinds and kpis), read the topics (topicTags), then build each chip
// (briefChips).
import type { BriefChip } from './brief.js';
import type { BriefDrafter, DraftedBrief } from './briefDrafter.js';
import { chip, draftAcceptance, draftKpis, draftObjective, draftSafeguards, draftScope, draftTimeline, topicsOf } from './drafting/briefChips.js';
import { parseIntent } from './drafting/intentSections.js';
import { HAS_WORD, normalise } from './drafting/intentText.js';
import { sortStatements } from './drafting/statements.js';

/** Pure, synchronous drafting of brief chips, tags, domain and technical context from free-text intent. */
export function draftBrief(intent: string): DraftedBrief {
  const text = normalise(typeof intent === 'string' ? intent : '');
  const parsed = parseIntent(text);
  const statements = sortStatements(parsed.units);
  const objective = draftObjective(parsed.objective, statements, text);
  // No words at all: nothing to draft.
  if (!objective && !HAS_WORD.test(text)) return { chips: [], tags: [], domain: 'general', technicalContext: 'general_change' };
  const topics = topicsOf(parsed, statements);
  const scope = draftScope(statements, objective);
  const acceptance = draftAcceptance(statements, scope.work, objective, topics);
  const kpis = draftKpis(parsed, statements, topics);
  const safeguards = draftSafeguards(statements, topics);
  const chips = [
    objective ? chip('objective', [objective.items], objective.confidence) : undefined,
    chip('scope', scope.items, scope.confidence),
    chip('acceptance_criteria', acceptance.items, acceptance.confidence),
    chip('kpis', kpis.items, kpis.confidence, kpis.inferred),
    chip('safeguards', safeguards.items, safeguards.confidence, safeguards.inferred),
    chip('timeline', draftTimeline(parsed, statements), 'medium'),
  ].filter((c): c is BriefChip => c !== undefined);
  return { chips, tags: topics.tags, domain: topics.domain, technicalContext: topics.technicalContext };
}

export const deterministicBriefDrafter: BriefDrafter = {
  name: 'deterministic',
  async draft(intent: string): Promise<DraftedBrief> {
    return draftBrief(intent);
  },
};
