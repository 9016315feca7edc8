// The built-in planner: turns a locked brief into two or three candidate plays with
// pure, deterministic heuristics (no network, no clock, no randomness). Assistants may
// propose better plays over MCP; this one makes sure every mission has sensible options.
//
// Plays, in the order returned (the service ranks them with scorePlay):
//   1. phased      one phase per scope item, then a verification & release phase
//   2. narrow      only the first / most critical item, the rest left as follow-ups
//   3. singlePass  every change in one phase and one pull request (several items only)
// A one-item scope gets the phased play and a "direct" one-phase play instead of 2 and 3,
// which would otherwise be the same play twice.
//
// The steps, one module each under planning/: read the brief (briefFacts, over workItems and
// namedPaths), build steps and play parts (planSteps), then the plays (candidatePlays).
import type { Planner, PlannerInput, PlayDraft } from './plays.js';
import { readBrief } from './planning/briefFacts.js';
import { mostCritical, narrowPlay, phasedPlay, singlePassPlay } from './planning/candidatePlays.js';

/** Candidate plays for a brief; none when it names no work at all (no scope and no objective). */
export function planPlays(input: PlannerInput): PlayDraft[] {
  const facts = readBrief(input);
  if (facts.items.length === 0) return [];
  if (facts.items.length === 1) return [phasedPlay(facts), singlePassPlay(facts)];
  const critical = mostCritical(facts.items);
  return [phasedPlay(facts), ...(critical ? [narrowPlay(facts, critical)] : []), singlePassPlay(facts)];
}

export const defaultPlanner: Planner = {
  name: 'default-planner',
  plan: async (input) => ({ plays: planPlays(input) }),
};
