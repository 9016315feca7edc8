// Reflect & Improve: feedback, follow-ups, pinning the play to the library, and the
// retrospective that closes the mission.
import { artifactCount } from './evidence.js';
import { MissionError } from './errors.js';
import { approvedPlay } from './executeObserve.js';
import { alertCounts, deviationCount, latestCoverage, phaseHistory } from './execution.js';
import type { LibraryEntry } from './library.js';
import type { Mission } from './mission.js';
import { transition, type MissionCommand } from './missionCommand.js';
import { latestTestRun } from './qualityGates.js';
import { LIBRARY_MIN_RATING, reuseScore, type FollowUp, type FollowUpPriority, type RetrospectiveMetrics } from './reflection.js';

function requireReflecting(mission: Mission, what: string, alsoWhen: readonly Mission['state'][] = []): void {
  if (mission.state === 'reflecting' || alsoWhen.includes(mission.state)) return;
  const hint = mission.state === 'executing' ? ' Complete the mission first (its quality gate must pass).' : '';
  throw new MissionError('transition_refused', `Cannot ${what}: the mission is ${mission.state}; this is possible once execution is complete.${hint}`, {
    state: mission.state,
    allowed: [],
  });
}

function requirePerson(mission: Mission, cmd: MissionCommand, what: string): void {
  if (cmd.actor.kind !== 'slack_user') {
    throw new MissionError('permission_denied', `Only a person can ${what}; assistants report and propose, people judge.`, {
      field: 'actor',
      state: mission.state,
    });
  }
}

export function submitFeedback(
  mission: Mission,
  input: { rating: number; effortSavedHours?: number | undefined; comments?: string | undefined; suggestedImprovements?: string | undefined },
  cmd: MissionCommand,
): Mission {
  requireReflecting(mission, 'give feedback', ['done']);
  requirePerson(mission, cmd, 'give feedback');
  const feedback = {
    rating: input.rating,
    effortSavedHours: input.effortSavedHours ?? null,
    comments: input.comments ?? null,
    suggestedImprovements: input.suggestedImprovements ?? null,
    by: cmd.actor,
    at: cmd.at,
  };
  cmd.events.add('feedback_submitted', {
    rating: feedback.rating,
    effort_saved_hours: feedback.effortSavedHours,
    has_comments: feedback.comments !== null,
    has_suggestions: feedback.suggestedImprovements !== null,
  });
  return { ...mission, reflection: { ...mission.reflection, feedback } };
}

/** Follow-ups go to Linear when the mission uses it, else GitHub; connectors create the issues. */
function trackerFor(mission: Mission): FollowUp['tracker'] {
  const selected = mission.toolkits.filter((t) => t.selected).map((t) => t.toolkitId);
  if (selected.includes('linear')) return 'linear';
  if (selected.includes('github')) return 'github';
  return null;
}

/** An open (not cancelled) follow-up with this title, in any case: adding it again changes nothing. */
export function sameFollowUp(mission: Mission, title: string): FollowUp | undefined {
  return mission.reflection.followUps.find((f) => f.title.toLowerCase() === title.toLowerCase() && f.status !== 'cancelled');
}

export function addFollowUp(mission: Mission, input: { title: string; priority: FollowUpPriority }, cmd: MissionCommand): Mission {
  requireReflecting(mission, 'add a follow-up', ['executing', 'done']);
  if (sameFollowUp(mission, input.title)) return mission;
  const followUp: FollowUp = {
    id: cmd.newId('fup'),
    title: input.title,
    priority: input.priority,
    status: 'open',
    tracker: trackerFor(mission),
    externalId: null,
    url: null,
    createdBy: cmd.actor,
    createdAt: cmd.at,
  };
  cmd.events.add('followup_scheduled', { follow_up_id: followUp.id, title: followUp.title, priority: followUp.priority, tracker: followUp.tracker });
  return { ...mission, reflection: { ...mission.reflection, followUps: [...mission.reflection.followUps, followUp] } };
}

/** A connector reports the issue it filed for a follow-up. Recording the same issue again changes nothing. */
export function recordFollowUpIssue(
  mission: Mission,
  input: { followUpId: string; externalId: string; url?: string | undefined; tracker: 'linear' | 'github' },
  cmd: MissionCommand,
): Mission {
  const followUp = mission.reflection.followUps.find((f) => f.id === input.followUpId);
  if (!followUp) throw new MissionError('invalid_input', `followUpId: no follow-up "${input.followUpId}" on this mission.`, { field: 'followUpId' });
  if (followUp.externalId === input.externalId) return mission;
  if (followUp.externalId !== null) {
    throw new MissionError('already_decided', `Follow-up "${followUp.title}" is already filed as ${followUp.externalId}.`, { field: 'followUpId' });
  }
  cmd.events.add('follow_up_issue_created', {
    follow_up_id: followUp.id,
    issue_id: input.externalId,
    tracker: input.tracker,
    title: followUp.title,
    priority: followUp.priority,
    url: input.url ?? null,
  });
  const updated = { ...followUp, externalId: input.externalId, url: input.url ?? null, tracker: input.tracker };
  return { ...mission, reflection: { ...mission.reflection, followUps: mission.reflection.followUps.map((f) => (f.id === followUp.id ? updated : f)) } };
}

/** Pins the approved play to the library; only well-rated missions (feedback ≥ 4) qualify. */
export function pinToLibrary(mission: Mission, input: { tags: string[]; note: string }, cmd: MissionCommand): Mission {
  requireReflecting(mission, 'pin the play to the library', ['done']);
  requirePerson(mission, cmd, 'pin a play to the library');
  const feedback = mission.reflection.feedback;
  if (!feedback) {
    throw new MissionError('precondition_failed', `Give feedback first: the library takes plays rated ${LIBRARY_MIN_RATING} or more.`, {
      field: 'rating',
      state: mission.state,
    });
  }
  if (feedback.rating < LIBRARY_MIN_RATING) {
    throw new MissionError('precondition_failed', `This mission was rated ${feedback.rating}/5; the library takes plays rated ${LIBRARY_MIN_RATING} or more.`, {
      field: 'rating',
      state: mission.state,
    });
  }
  if (mission.reflection.library) {
    throw new MissionError(
      'already_decided',
      `This mission's play is already in the library (pinned by ${mission.reflection.library.by.id} at ${mission.reflection.library.at}).`,
      { state: mission.state },
    );
  }
  const play = approvedPlay(mission);
  const tags = [...new Set(input.tags.map((t) => t.toLowerCase()))].sort();
  const entry: LibraryEntry = {
    id: cmd.newId('lib'),
    missionId: mission.id,
    playId: play.id,
    title: play.title,
    tags,
    note: input.note,
    rating: feedback.rating,
    reuseScore: reuseScore(feedback.rating),
    play: {
      title: play.title,
      rationale: play.rationale,
      confidence: play.confidence,
      phases: play.phases,
      undoPlan: play.undoPlan,
      safeguardsEnforced: play.safeguardsEnforced,
      risk: play.risk,
      estimatedDurationMinutes: play.estimatedDurationMinutes,
      codeChangePreview: play.codeChangePreview,
      mustHaves: play.mustHaves,
    },
    pinnedBy: cmd.actor,
    pinnedAt: cmd.at,
  };
  cmd.writes.libraryEntry = entry;
  cmd.events.add('library_contribution', { play_id: play.id, entry_id: entry.id, tags, visibility: 'team', reuse_score: entry.reuseScore });
  return {
    ...mission,
    reflection: { ...mission.reflection, library: { entryId: entry.id, tags, note: input.note, reuseScore: entry.reuseScore, by: cmd.actor, at: cmd.at } },
  };
}

/** Numbers for the retrospective, from what was reported; nothing is estimated. */
export function retrospectiveMetrics(mission: Mission, now: Date): RetrospectiveMetrics {
  const execution = mission.execution;
  const phases = execution?.phases ?? [];
  // Each phase's latest runs (the last is the latest of all) and its summary over every step.
  const runs = phases.flatMap((p) => p.testRuns);
  const histories = phases.map(phaseHistory);
  const prepare = mission.coverage.entries.map((e) => e.metrics);
  const numberFrom = (keys: string[]) => {
    for (const metrics of prepare) for (const key of keys) if (typeof metrics[key] === 'number') return metrics[key];
    return null;
  };
  const gates = [...phases.map((p) => p.gate), execution?.finalGate ?? null].filter((g) => g !== null);
  return {
    durationMinutes: Math.round((now.getTime() - mission.createdAt.getTime()) / 60_000),
    phasesPlanned: phases.length,
    phasesCompleted: phases.filter((p) => p.status === 'completed').length,
    stepsCompleted: histories.reduce((sum, h) => sum + h.stepCount, 0),
    testsAdded: histories.reduce((sum, h) => sum + (h.countTotals.tests_added ?? 0), 0),
    testsBefore: numberFrom(['test_count', 'tests']),
    testsAfter: latestTestRun(runs)?.total ?? null,
    coverageBefore: numberFrom(['coverage']),
    coverageAfter: latestCoverage(execution),
    gatesPassed: gates.filter((g) => g.passed).length,
    gatesEvaluated: gates.length,
    autoFixes: execution ? alertCounts(execution).byType.auto_fix : 0,
    reviewAlerts: execution ? alertCounts(execution).byType.review_required : 0,
    deviations: execution ? deviationCount(execution) : 0,
    followUps: mission.reflection.followUps.length,
    artifacts: artifactCount(mission.evidence),
  };
}

/** Logs the retrospective and closes the mission. */
export function submitRetrospective(mission: Mission, input: { wentWell: string[]; toImprove: string[] }, cmd: MissionCommand): Mission {
  requireReflecting(mission, 'log the retrospective');
  const metrics = retrospectiveMetrics(mission, cmd.now);
  cmd.events.add('mission_retrospective_logged', {
    total_duration_mins: metrics.durationMinutes,
    phases_completed: metrics.phasesCompleted,
    follow_up_tasks: metrics.followUps,
    tests_added: metrics.testsAdded,
    coverage_before: metrics.coverageBefore,
    coverage_after: metrics.coverageAfter,
    gates_passed: metrics.gatesPassed,
    alerts: metrics.autoFixes + metrics.reviewAlerts,
    owner: mission.requester.id,
  });
  const moved = transition(mission, 'close', cmd.events);
  return {
    ...moved,
    reflection: { ...mission.reflection, retrospective: { metrics, wentWell: input.wentWell, toImprove: input.toImprove, by: cmd.actor, at: cmd.at } },
  };
}
