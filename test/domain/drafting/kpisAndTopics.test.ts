// KPI extraction and topic tags, as named pieces of the built-in drafter.
import { describe, expect, it } from 'vitest';
import { parseBullet, parseHeading } from '../../../src/domain/drafting/intentSections.js';
import { hasMeasurableNumber, statementKpis } from '../../../src/domain/drafting/kpis.js';
import { domainOf, tagsOf, technicalContextOf } from '../../../src/domain/drafting/topicTags.js';

describe('measurable numbers (the fallback that keeps a statement as a KPI as written)', () => {
  it('finds percentages, units, percentiles and counts of things', () => {
    expect(hasMeasurableNumber('99.9% uptime')).toBe(true);
    expect(hasMeasurableNumber('responds in 200ms')).toBe(true);
    expect(hasMeasurableNumber('p95 stays flat')).toBe(true);
    expect(hasMeasurableNumber('handles 1,000 concurrent users')).toBe(true);
  });

  it('ignores numbers that measure nothing: versions and ids', () => {
    expect(hasMeasurableNumber('Upgrade to Node 22')).toBe(false);
    expect(hasMeasurableNumber('Fix issue 4312')).toBe(false);
  });

  it('keeps such a statement only where a fallback is allowed', () => {
    expect(statementKpis('handles 1,000 concurrent users', true).map((k) => k.text)).toEqual(['Handles 1,000 concurrent users']);
    expect(statementKpis('handles 1,000 concurrent users', false)).toEqual([]);
  });

  it('names comparisons, ranges and zero targets', () => {
    expect(statementKpis('p95 latency under 200ms', false).map((k) => k.text)).toEqual(['p95 latency < 200ms']);
    expect(statementKpis('reduce build time from 8 minutes to 3 minutes', false).map((k) => k.text)).toEqual(['Build time ≤ 3 minutes (from 8 minutes)']);
    expect(statementKpis('zero downtime during the rollout', false).map((k) => k.text)).toEqual(['Downtime: 0 minutes']);
  });
});

describe('topic tags and the domain', () => {
  it('tags whole words only', () => {
    expect(tagsOf('Fix the login session timeout')).toEqual(['authentication', 'bugfix']);
    expect(tagsOf('The authorship page')).toEqual(['frontend']);
  });

  it('reads software from a tag or a code word, and anything else as general', () => {
    expect(domainOf(['api'], '')).toBe('software_engineering');
    expect(domainOf([], 'Fix the CSV export')).toBe('software_engineering');
    expect(domainOf(['documentation'], 'Plan the team offsite')).toBe('general');
  });

  it('names the kind of work', () => {
    expect(technicalContextOf(new Set(['authentication', 'refactor']), '', '', false)).toBe('auth_refactor');
    expect(technicalContextOf(new Set(['database']), 'Upgrade PostgreSQL', 'Upgrade PostgreSQL to 16', false)).toBe('migration');
    expect(technicalContextOf(new Set(), 'Add dark mode', 'Add dark mode', false)).toBe('feature');
  });
});

describe('headings and bullets', () => {
  it('reads a bare known label on its own line as a heading, but not any short line', () => {
    expect(parseHeading('Acceptance criteria')).toMatchObject({ section: 'acceptance', value: '' });
    expect(parseHeading('Out of scope')).toMatchObject({ section: 'out_of_scope' });
    expect(parseHeading('Looks good')).toBeNull();
  });

  it('reads inline "Label: value" headings by their label', () => {
    expect(parseHeading('Safeguards: no data loss')).toEqual({ section: 'safeguards', label: 'Safeguards', value: 'no data loss' });
    expect(parseHeading('See https://example.com')).toBeNull();
  });

  it('reads bullets, numbers and checkboxes', () => {
    expect(parseBullet('- [x] Add tests')).toBe('Add tests');
    expect(parseBullet('2) Ship it')).toBe('Ship it');
    expect(parseBullet('-not a bullet')).toBeNull();
  });
});
