// Reflect & Improve: what the mission achieved, the sealed evidence bundle, feedback,
// follow-ups with their tracker links, and the library pin, with the buttons that are
// still useful (Give feedback, Pin to library, Close mission).
import type { ActionsBlockElement, KnownBlock } from '@slack/types';
import { artifactCount } from '../domain/evidence.js';
import type { Mission } from '../domain/mission.js';
import { LIBRARY_MIN_RATING, type FollowUp } from '../domain/reflection.js';
import { retrospectiveMetrics } from '../domain/reflectImprove.js';
import { plural } from '../domain/text/englishLists.js';
import { percent } from '../domain/text/numbers.js';
import { formatMinutes } from '../domain/text/durations.js';
import { ACTION_IDS } from './actionIds.js';
import { fitLines, LIMITS, type SlackMessage } from './blockKitLimits.js';
import { actions, button, context, fieldsSection, header, section } from './blocks.js';
import { link, safe, shortHash, slackDate, STATE_LABEL, statusPointer, who, fallbackText } from './format.js';

export function reflectionMessage(mission: Mission): SlackMessage {
  const { reflection, evidence } = mission;
  const metrics = reflection.retrospective?.metrics ?? retrospectiveMetrics(mission, new Date(mission.execution?.completedAt ?? mission.updatedAt));
  const open = mission.state === 'reflecting' || mission.state === 'done';
  const blocks: KnownBlock[] = [
    header(`${mission.state === 'done' ? 'Mission done' : 'Mission complete'}: ${mission.title}`),
    context([
      `\`${mission.id}\` · ${STATE_LABEL[mission.state]}${mission.execution?.completedAt ? ` · execution ended ${slackDate(mission.execution.completedAt)}` : ''}`,
    ]),
    fieldsSection([
      `*Duration*\n${formatMinutes(metrics.durationMinutes)}`,
      `*Phases*\n${metrics.phasesCompleted} of ${metrics.phasesPlanned} completed`,
      `*Tests*\n${metrics.testsAfter ?? '–'}${metrics.testsBefore !== null ? ` (was ${metrics.testsBefore})` : ''}`,
      `*Coverage*\n${metrics.coverageAfter !== null ? percent(metrics.coverageAfter) : '–'}${metrics.coverageBefore !== null ? ` (was ${percent(metrics.coverageBefore)})` : ''}`,
      `*Gates*\n${metrics.gatesPassed} of ${metrics.gatesEvaluated} passed`,
      `*Validator*\n${plural(metrics.autoFixes, 'auto-fix', 'auto-fixes')}, ${plural(metrics.reviewAlerts, 'review alert')}`,
    ]),
  ];

  const overrides = overrideLines(mission);
  if (overrides.length > 0)
    blocks.push(section(fitLines(overrides, LIMITS.text, { head: '*Overrides* · decisions to go on, not passes', noun: 'overrides' }).text));

  const bundle = evidence.bundle;
  const artifactLines = evidence.artifacts.map((a) => `📎 ${link(a.url, a.name)} · \`${shortHash(a.sha256)}\``);
  const bundleHead = bundle
    ? `*Evidence bundle* · ${plural(bundle.artifactCount, 'artifact')} · manifest \`${shortHash(bundle.manifestSha256)}\` sealed ${slackDate(bundle.generatedAt)}`
    : `*Evidence* · ${plural(artifactCount(evidence), 'artifact')} (bundle not sealed)`;
  // The document keeps the latest artifacts (and those the gates read): the others are counted, listed in SUMMARY.md.
  const earlier = artifactCount(evidence) - evidence.artifacts.length;
  const listed = earlier > 0 ? [...artifactLines, `…and ${plural(earlier, 'earlier artifact')} (SUMMARY.md lists them all)`] : artifactLines;
  blocks.push(section(fitLines(listed, LIMITS.text, { head: bundleHead, noun: 'artifacts', pointer: statusPointer(mission.id) }).text));

  const feedback = reflection.feedback;
  blocks.push(
    section(
      feedback
        ? `*Feedback* · ${'⭐'.repeat(feedback.rating)} ${feedback.rating}/5${feedback.effortSavedHours !== null ? ` · ${feedback.effortSavedHours} h saved` : ''} · by ${who(feedback.by)}` +
            (feedback.comments ? `\n> ${safe(feedback.comments)}` : '') +
            (feedback.suggestedImprovements ? `\nTo improve: ${safe(feedback.suggestedImprovements)}` : '')
        : '*Feedback* · _not given yet_',
    ),
  );

  const followUps = reflection.followUps.map(followUpLine);
  blocks.push(
    section(
      fitLines(followUps, LIMITS.text, {
        head: `*Follow-ups (${followUps.length})*${followUps.length === 0 ? ' · none' : ''}`,
        noun: 'follow-ups',
        pointer: statusPointer(mission.id),
      }).text,
    ),
  );

  const library = reflection.library;
  const tags = (library?.tags ?? mission.tags).map((t) => `\`${safe(t)}\``).join(' ');
  blocks.push(
    section(
      library
        ? `*Library* · 📌 pinned as \`${library.entryId}\` by ${who(library.by)} ${slackDate(library.at)} · reuse score ${library.reuseScore}\nTags: ${tags}`
        : `*Library* · not pinned${tags ? `\nSuggested tags: ${tags}` : ''}` +
            (feedback && feedback.rating < LIBRARY_MIN_RATING
              ? `\n_Rated ${feedback.rating}/5: the library takes plays rated ${LIBRARY_MIN_RATING} or more._`
              : ''),
    ),
  );

  const retro = reflection.retrospective;
  if (retro) {
    const lines = [...retro.wentWell.map((w) => `👍 ${safe(w)}`), ...retro.toImprove.map((t) => `🔧 ${safe(t)}`)];
    blocks.push(section(fitLines(lines, LIMITS.text, { head: `*Retrospective* logged by ${who(retro.by)} ${slackDate(retro.at)}`, noun: 'notes' }).text));
  }

  const buttons: ActionsBlockElement[] = [];
  const value = { missionId: mission.id };
  if (open && !feedback) buttons.push(button({ text: 'Give feedback', actionId: ACTION_IDS.feedbackOpen, value, style: 'primary' }));
  // The library takes plays rated 4 or more, so Pin appears only once feedback qualifies.
  if (open && !library && feedback && feedback.rating >= LIBRARY_MIN_RATING)
    buttons.push(button({ text: 'Pin to library', actionId: ACTION_IDS.pinOpen, value }));
  if (mission.state === 'reflecting') buttons.push(button({ text: 'Close mission', actionId: ACTION_IDS.closeMission, value }));
  if (buttons.length > 0) blocks.push(actions(`reflect_${mission.id}`, buttons));
  if (open && !library && !feedback)
    blocks.push(
      context([
        `*Pin to library* appears once feedback rates the mission ${LIBRARY_MIN_RATING} or more.${mission.state === 'reflecting' ? ' *Close mission* logs the retrospective.' : ''}`,
      ]),
    );

  const text = `Mission “${mission.title}” (${mission.id}) ${mission.state === 'done' ? 'is done' : 'completed'}: ${plural(artifactCount(evidence), 'artifact')}${bundle ? `, bundle ${shortHash(bundle.manifestSha256)}` : ''}.`;
  return { text: fallbackText(text), blocks };
}

function followUpLine(f: FollowUp): string {
  const ref = f.externalId ? link(f.url, f.externalId) : f.tracker ? `_not filed in ${f.tracker === 'linear' ? 'Linear' : 'GitHub'} yet_` : '_no tracker_';
  return `• ${safe(f.title)} · ${f.priority} · ${f.status.replace('_', ' ')} · ${ref}`;
}

/** The coverage override at Prepare and the gate checks approvers overrode, with who and why. */
function overrideLines(mission: Mission): string[] {
  const lines: string[] = [];
  const coverage = mission.coverage.override;
  if (coverage)
    lines.push(`⚠️ Coverage ${percent(coverage.coverage)} at Prepare, OVERRIDDEN by ${who(coverage.by)} ${slackDate(coverage.at)}: ${safe(coverage.reason)}`);
  for (const o of mission.execution?.gateOverrides ?? []) {
    lines.push(
      `⚠️ Gate check \`${o.checkId}\`${o.phaseId ? ` (phase \`${safe(o.phaseId)}\`)` : ''} OVERRIDDEN by ${who(o.by)} ${slackDate(o.at)}: ${safe(o.reason)}`,
    );
  }
  return lines;
}
