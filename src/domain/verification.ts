// Verification of the approved play's must-haves: artifacts and key links checked against the
// code at the pull request's head (mustHaveChecks.ts), observable truths signed off by a person
// in user acceptance testing (UAT). GSD's statuses: passed, gaps_found, human_needed. A mission
// cannot complete while a truth is unverified or a must-have is missing, a stub or not wired.
import { isHuman, type Actor } from './actors.js';
import { chipOf } from './brief.js';
import { MissionError } from './errors.js';
import type { Mission } from './mission.js';
import type { MissionCommand } from './missionCommand.js';
import type { AntiPatternFinding, CodeCheckResult, MustHaveCheck } from './mustHaveChecks.js';
import type { Play } from './plays.js';
import { addFollowUp } from './reflectImprove.js';
import { joinAnd, plural } from './text/englishLists.js';

export type GsdVerificationStatus = 'passed' | 'gaps_found' | 'human_needed';

/** What the code showed for the play's artifacts and key links, at one pull request head. */
export interface MustHaveVerification {
  playId: string;
  repository: string;
  pullRequest: number;
  headSha: string;
  checks: MustHaveCheck[];
  antiPatterns: AntiPatternFinding[];
  checkedAt: string;
  checkedBy: Actor;
}

/** A UAT item: a truth or an acceptance criterion, as a prompt a person tries out. */
export interface UatItem {
  /** `truth_1`, `criterion_2`: stable for the approved play and the locked brief. */
  id: string;
  source: 'truth' | 'acceptance_criterion';
  /** The truth or criterion as written. */
  statement: string;
  prompt: string;
  expected: string;
}

export interface UatResult {
  itemId: string;
  outcome: 'pass' | 'fail';
  note: string;
  /** A failed acceptance criterion becomes a follow-up; a failed truth stays a gap. */
  followUpId: string | null;
  by: Actor;
  at: string;
}

/** The play being verified: the executed one, else none. */
function executedPlay(mission: Mission): Play | null {
  const playId = mission.execution?.playId;
  return playId ? (mission.plays.find((p) => p.id === playId) ?? null) : null;
}

function sameText(a: string, b: string): boolean {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  return norm(a) === norm(b);
}

function sentence(text: string): string {
  const t = text.trim().replace(/[.!?]+$/, '');
  return `${t.charAt(0).toLowerCase()}${t.slice(1)}`;
}

/** UAT items from the play's truths, then the brief's acceptance criteria that no truth already states. */
export function uatItems(mission: Pick<Mission, 'brief' | 'plays' | 'execution'>, play: Play | null = executedPlay(mission as Mission)): UatItem[] {
  const truths = play?.mustHaves.truths ?? [];
  const criteria = (chipOf(mission.brief, 'acceptance_criteria')?.items ?? []).filter((c) => !truths.some((t) => sameText(t, c)));
  return [
    ...truths.map(
      (t, i): UatItem => ({ id: `truth_${i + 1}`, source: 'truth', statement: t, prompt: `Try it yourself: ${sentence(t)}. Does it hold?`, expected: t }),
    ),
    ...criteria.map(
      (c, i): UatItem => ({
        id: `criterion_${i + 1}`,
        source: 'acceptance_criterion',
        statement: c,
        prompt: `Check the acceptance criterion: ${sentence(c)}. Is it met?`,
        expected: c,
      }),
    ),
  ];
}

/** Each item's latest result. */
export function uatResults(mission: Pick<Mission, 'execution'>): Map<string, UatResult> {
  return new Map((mission.execution?.uat ?? []).map((r) => [r.itemId, r]));
}

/** The executed play's observable truths no person has marked Pass yet: completion waits for them. */
export function unsignedTruths(mission: Mission): UatItem[] {
  const play = executedPlay(mission);
  if (!play) return [];
  const results = uatResults(mission);
  return uatItems(mission, play).filter((i) => i.source === 'truth' && results.get(i.id)?.outcome !== 'pass');
}

export interface RecordUatInput {
  itemId: string;
  outcome: 'pass' | 'fail';
  note?: string | undefined;
}

/**
 * A person marks a UAT item pass or fail (a fail needs a note saying what went wrong). A failed
 * truth stays a gap until it passes on a re-test; a failed acceptance criterion becomes a follow-up.
 */
export function recordUatResult(mission: Mission, input: RecordUatInput, cmd: MissionCommand): Mission {
  const execution = mission.execution;
  if (mission.state !== 'executing' || !execution) {
    throw new MissionError(
      'transition_refused',
      `Cannot record a UAT result: the mission is ${mission.state}; UAT happens while it executes, before it completes.`,
      { state: mission.state, allowed: [] },
    );
  }
  if (!isHuman(cmd.actor)) {
    throw new MissionError(
      'permission_denied',
      "Only a person can sign off a UAT item: an assistant cannot test its own work. Mark it pass or fail in the mission thread's UAT message.",
      { field: 'actor' },
    );
  }
  const items = uatItems(mission);
  const item = items.find((i) => i.id === input.itemId);
  if (!item) {
    throw new MissionError(
      'invalid_input',
      `itemId: no UAT item "${input.itemId}" on this mission${items.length > 0 ? ` (items: ${items.map((i) => i.id).join(', ')})` : '; the play has no truths and the brief no acceptance criteria'}.`,
      {
        field: 'itemId',
      },
    );
  }
  const note = (input.note ?? '').replace(/\s+/g, ' ').trim();
  if (input.outcome === 'fail' && note === '') {
    throw new MissionError('invalid_input', 'note: say what failed, so it can be fixed.', { field: 'note' });
  }
  const previous = uatResults(mission).get(item.id);
  if (previous && previous.outcome === input.outcome && previous.note === note) return mission;
  let next = mission;
  let followUpId: string | null = null;
  if (input.outcome === 'fail' && item.source === 'acceptance_criterion') {
    const title = `UAT failed: ${item.statement}`.slice(0, 200);
    next = addFollowUp(next, { title, priority: 'high' }, cmd);
    followUpId = next.reflection.followUps.find((f) => f.title.toLowerCase() === title.toLowerCase())?.id ?? null;
  }
  const result: UatResult = { itemId: item.id, outcome: input.outcome, note, followUpId, by: cmd.actor, at: cmd.at };
  cmd.events.add('uat_result_recorded', {
    item_id: item.id,
    source: item.source,
    outcome: input.outcome,
    note,
    follow_up_id: followUpId,
    retest: previous !== undefined,
  });
  const uat = [...(execution.uat ?? []).filter((r) => r.itemId !== item.id), result];
  const results = new Map(uat.map((r) => [r.itemId, r]));
  if (items.every((i) => results.get(i.id)?.outcome === 'pass') && !(previous?.outcome === 'pass')) {
    cmd.events.add('uat_signed_off', { items: items.length, signed_off_by: cmd.actor.id });
  }
  return { ...next, execution: { ...next.execution!, uat } };
}

/** Records what the code showed; a later check (a new head) replaces an earlier one. */
export function recordMustHaveVerification(
  mission: Mission,
  result: CodeCheckResult & { repository: string; pullRequest: number; headSha: string },
  cmd: MissionCommand,
): Mission {
  const execution = mission.execution;
  const play = executedPlay(mission);
  if (mission.state !== 'executing' || !execution || !play) {
    throw new MissionError('transition_refused', `Cannot verify must-haves: the mission is ${mission.state}; they are checked while it executes.`, {
      state: mission.state,
      allowed: [],
    });
  }
  const verification: MustHaveVerification = { playId: play.id, ...result, checkedAt: cmd.at, checkedBy: cmd.actor };
  const count = (status: MustHaveCheck['status']) => result.checks.filter((c) => c.status === status).length;
  cmd.events.add('must_haves_verified', {
    play_id: play.id,
    repository: result.repository,
    pull_request: result.pullRequest,
    head_sha: result.headSha,
    verified: count('VERIFIED'),
    missing: count('MISSING'),
    stub: count('STUB'),
    not_wired: count('NOT_WIRED'),
    needs_human: count('NEEDS_HUMAN'),
    anti_patterns: result.antiPatterns.length,
  });
  return { ...mission, execution: { ...execution, mustHaveVerification: verification } };
}

export interface MustHaveStanding {
  status: GsdVerificationStatus;
  /** Gaps from the must-haves and UAT (each a sentence). */
  gaps: string[];
  /** What a person still has to confirm. */
  humanNeeded: string[];
  /** Truths verified of all truths: GSD's score. */
  score: { verified: number; total: number };
}

/** Where the must-haves stand: gaps (missing, stub, not wired, failed), what waits for a person, and the truths' score. */
export function mustHaveStanding(mission: Mission): MustHaveStanding {
  const play = executedPlay(mission);
  const gaps: string[] = [];
  const humanNeeded: string[] = [];
  const results = uatResults(mission);
  const items = uatItems(mission, play);
  for (const item of items) {
    const result = results.get(item.id);
    const what = item.source === 'truth' ? 'Truth' : 'Acceptance criterion';
    if (!result) {
      if (item.source === 'truth') humanNeeded.push(`Truth "${item.statement}" is not signed off.`);
    } else if (result.outcome === 'fail' && item.source === 'truth') gaps.push(`${what} "${item.statement}" FAILED in UAT: ${result.note}`);
  }
  const verification = play && mission.execution?.mustHaveVerification?.playId === play.id ? mission.execution.mustHaveVerification : null;
  const checkable = (play?.mustHaves.artifacts.length ?? 0) + (play?.mustHaves.keyLinks.length ?? 0);
  if (verification) {
    for (const check of verification.checks) {
      const label = check.kind === 'artifact' ? 'Artifact' : 'Key link';
      if (check.status === 'NEEDS_HUMAN') humanNeeded.push(`${label} "${check.subject}" needs a person: ${check.detail}`);
      else if (check.status !== 'VERIFIED') gaps.push(`${label} "${check.subject}" is ${check.status} (${check.lookedAt}): ${check.detail}`);
    }
  } else if (checkable > 0) {
    humanNeeded.push(
      `${plural(checkable, 'artifact or key link', 'artifacts and key links')} not yet checked against the code (verified at completion from the pull request's head).`,
    );
  }
  const truths = items.filter((i) => i.source === 'truth');
  const verified = truths.filter((t) => results.get(t.id)?.outcome === 'pass').length;
  return {
    status: gaps.length > 0 ? 'gaps_found' : humanNeeded.length > 0 ? 'human_needed' : 'passed',
    gaps,
    humanNeeded,
    score: { verified, total: truths.length },
  };
}

/**
 * Completion's check: no truth unverified and no must-have missing, a stub or not wired.
 * Artifacts and key links a connector could not check (none configured) do not block; truths do.
 */
export function requireMustHavesMet(mission: Mission): void {
  const play = executedPlay(mission);
  if (!play) return;
  const results = uatResults(mission);
  const unsigned = unsignedTruths(mission);
  const verification = mission.execution?.mustHaveVerification?.playId === play.id ? mission.execution.mustHaveVerification : null;
  const broken = (verification?.checks ?? []).filter((c) => c.status === 'MISSING' || c.status === 'STUB' || c.status === 'NOT_WIRED');
  if (unsigned.length === 0 && broken.length === 0) return;
  const parts: string[] = [];
  if (unsigned.length > 0) {
    const failed = unsigned.filter((i) => results.get(i.id)?.outcome === 'fail');
    parts.push(
      `${plural(unsigned.length, 'observable truth is', 'observable truths are')} not verified: ${joinAnd(unsigned.map((i) => `"${i.statement}"${failed.includes(i) ? ' (failed UAT)' : ''}`))}. ` +
        'A person signs each one off by marking it Pass in the UAT message in the mission thread.',
    );
  }
  if (broken.length > 0) {
    parts.push(
      `The code at ${verification!.headSha.slice(0, 7)} does not show ${plural(broken.length, 'must-have')}: ${joinAnd(broken.map((c) => `"${c.subject}" (${c.status})`))}. ` +
        'Push the missing work and complete again; the check re-runs on the new head.',
    );
  }
  throw new MissionError('verification_incomplete', `The mission cannot complete as verified. ${parts.join(' ')}`, {
    unverifiedTruths: unsigned.map((i) => i.id),
    mustHaveGaps: broken.map((c) => ({ subject: c.subject, status: c.status })),
  });
}
