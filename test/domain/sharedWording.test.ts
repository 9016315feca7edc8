// The one home of each wording concept (src/domain/text, actorName): what Slack, MCP and the
// Markdown exports all print. No database.
import { describe, expect, it } from 'vitest';
import { actorName } from '../../src/domain/actors.js';
import { deadlinePhrases, mentionsDeadline, withoutDeadlines, withoutTrailingDeadline, workingMinutesLeft } from '../../src/domain/text/deadlines.js';
import { formatDuration, formatElapsed, formatMinutes } from '../../src/domain/text/durations.js';
import { joinAnd, plural } from '../../src/domain/text/englishLists.js';
import { percent, signed } from '../../src/domain/text/numbers.js';
import { executionStatus } from '../../src/slack/executionStatus.js';
import { summaryMarkdown } from '../../src/domain/missionExports.js';
import { completedMission } from '../fixtures/exports/missionFixture.js';

describe('durations', () => {
  it('read the same way at every scale', () => {
    expect([250, 4_300, 42_000, 90_000, 128_000, 3_600_000, 6_900_000].map(formatDuration)).toEqual([
      '250ms',
      '4.3s',
      '42s',
      '1m 30s',
      '2m 8s',
      '1h',
      '1h 55m',
    ]);
    expect(formatMinutes(195)).toBe('3h 15m');
    // A mission that took less than a minute is not "0ms".
    expect([0, 0.4, 1].map(formatMinutes)).toEqual(['under 1m', 'under 1m', '1m']);
    expect(formatElapsed('2025-10-15T10:23:00.000Z', '2025-10-15T12:18:00.000Z')).toBe('1h 55m');
    expect(formatElapsed('2025-10-15T12:18:00.000Z', '2025-10-15T10:23:00.000Z')).toBe('from 2025-10-15T12:18:00.000Z to 2025-10-15T10:23:00.000Z');
  });

  it('read the same in SUMMARY.md and in the Slack status message for the same step', () => {
    const mission = completedMission();
    const step = mission.execution!.phases[0]!.steps[0]!;
    const shown = formatDuration(step.durationMs);
    expect(summaryMarkdown(mission)).toContain(`| ${shown} |`);
    expect(JSON.stringify(executionStatus(mission).blocks)).toContain(`(${shown})`);
  });
});

describe('English lists and numbers', () => {
  it('counts and joins', () => {
    expect([plural(1, 'phase'), plural(3, 'phase'), plural(2, 'entry', 'entries')]).toEqual(['1 phase', '3 phases', '2 entries']);
    expect([joinAnd([]), joinAnd(['auth']), joinAnd(['auth', 'payments']), joinAnd(['auth', 'payments', 'data'])]).toEqual([
      '',
      'auth',
      'auth and payments',
      'auth, payments and data',
    ]);
    expect([percent(0.875), percent(0.9), percent(1)]).toEqual(['87.5%', '90%', '100%']);
    expect([signed(3), signed(-2), signed(0)]).toEqual(['+3', '-2', '0']);
  });
});

describe('actors in plain words', () => {
  it('names people, assistants and the system without any front door markup', () => {
    expect(actorName({ kind: 'slack_user', id: 'U0JORDAN', name: 'Jordan' })).toBe('Jordan (U0JORDAN)');
    expect(actorName({ kind: 'slack_user', id: 'U0JORDAN' })).toBe('U0JORDAN');
    expect(actorName({ kind: 'mcp_token', id: 'claude-code', onBehalfOf: 'U0JORDAN' })).toBe('assistant claude-code (for U0JORDAN)');
    expect(actorName({ kind: 'system', id: 'mission-control' })).toBe('Mission Control');
    expect(actorName({ kind: 'system', id: 'github-connector' })).toBe('Mission Control (github-connector)');
  });
});

describe('deadlines', () => {
  it('finds a deadline and says it as a timeline item', () => {
    expect(deadlinePhrases('We need this by friday, ideally within 8 hours')).toEqual(['Complete by Friday', 'Complete within 8 hours']);
    expect(mentionsDeadline('Ship in Q3')).toBe(true);
    expect(mentionsDeadline('Alerts fire within 5 minutes')).toBe(false);
    expect(withoutDeadlines('Deploy the fix by end of day').trim()).toBe('Deploy the fix');
  });

  it('leaves out of a step name exactly what the drafter reads as a deadline', () => {
    expect(withoutTrailingDeadline('Rotate the signing keys within 4 hours')).toBe('Rotate the signing keys');
    expect(withoutTrailingDeadline('Update the runbook before next sprint')).toBe('Update the runbook');
    // Not a deadline to the drafter, so not cut from the step either.
    expect(withoutTrailingDeadline('Page on-call within 15 minutes')).toBe('Page on-call within 15 minutes');
    expect(withoutTrailingDeadline('by Friday')).toBe('by Friday');
  });

  it('weighs the time a timeline leaves in working minutes', () => {
    expect(workingMinutesLeft('Complete within 8 hours')).toBe(480);
    expect(workingMinutesLeft('Complete within 2 days')).toBe(960);
    expect(workingMinutesLeft('Complete by end of day')).toBe(480);
    expect(workingMinutesLeft('Complete by Friday')).toBeNull();
    expect(workingMinutesLeft(null)).toBeNull();
  });
});
