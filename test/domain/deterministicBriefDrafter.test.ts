import { describe, it, expect } from 'vitest';
import { MAX_CHIP_ITEMS, MAX_CHIP_ITEM_LENGTH } from '../../src/domain/brief.js';
import type { BriefChip, ChipKind } from '../../src/domain/brief.js';
import type { DraftedBrief } from '../../src/domain/briefDrafter.js';
import { deterministicBriefDrafter, draftBrief } from '../../src/domain/deterministicBriefDrafter.js';
import { SEED_INTENT } from '../support/seedMission.js';

function chip(brief: DraftedBrief, kind: ChipKind): BriefChip {
  const found = brief.chips.find((c) => c.kind === kind);
  if (!found) throw new Error(`expected a ${kind} chip, got ${brief.chips.map((c) => c.kind).join(', ')}`);
  return found;
}

function kinds(brief: DraftedBrief): ChipKind[] {
  return brief.chips.map((c) => c.kind);
}

const MARKDOWN_INTENT = `## Objective
Cut checkout API latency in half before the holiday traffic peak.

## Requirements
1. Add Redis caching for product price lookups
2) Batch inventory queries in the checkout service
* Never serve cached prices older than 60 seconds

## Acceptance criteria
- p95 latency under 200ms on POST /checkout
- Error rate below 0.5% during the load test
- Cache invalidation covered by integration tests

## KPIs
- p95 latency < 200ms
- Error rate ≤ 0.5%
- Cache hit rate at least 80%`;

const PERFORMANCE_INTENT = `Speed up the product search endpoint; it is too slow under load.
Goals:
- Reduce p95 latency from 1200ms to 300ms
- Keep error rate below 0.1%
- Handle 500 rps on a single instance
- Cut database CPU usage by 40%
Constraints: no schema changes without a migration review; must not increase infra cost by more than 10%`;

const BUG_FIX_INTENT = `Fix the duplicate charge bug in the Stripe webhook handler.
Customers are charged twice when Stripe retries a webhook delivery.

- Make webhook processing idempotent using the Stripe event id
- Add a regression test for retried events

Never charge a customer twice for the same order.
Do not change the public API of the payments service.
We need this fixed by Friday.`;

const NO_TIMELINE_INTENT = `Add dark mode to the settings page.
Use the existing design tokens and keep the current layout.
It should respect the OS preference by default.`;

describe('draftBrief: the seed 000 intent', () => {
  const brief = draftBrief(SEED_INTENT);

  it('drafts all six chips, source drafted', () => {
    expect(kinds(brief)).toEqual(['objective', 'scope', 'acceptance_criteria', 'kpis', 'safeguards', 'timeline']);
    for (const c of brief.chips) expect(c.source).toBe('drafted');
  });

  it('takes the explicit first sentence as a high-confidence objective', () => {
    expect(chip(brief, 'objective')).toMatchObject({
      items: ['Refactor authentication system to fix session persistence bugs and security vulnerabilities'],
      confidence: 'high',
    });
  });

  it('scopes the four requirement actions plus the tech stack, not the constraints or the problems', () => {
    const scope = chip(brief, 'scope');
    expect(scope.confidence).toBe('high');
    expect(scope.items).toEqual([
      'Fix JWT refresh logic (use sliding window)',
      'Implement proper token revocation list',
      'Add CSRF tokens to all POST/PUT/DELETE routes',
      'Centralize auth error handling',
      'Tech stack: Next.js 14, Supabase Auth, TypeScript',
    ]);
  });

  it('derives acceptance criteria from the test/compatibility/downtime constraints and the target', () => {
    expect(chip(brief, 'acceptance_criteria')).toMatchObject({
      items: ['Maintain backward compatibility with existing user sessions', 'All tests must pass', 'Zero downtime deployment', 'Production deployment ready'],
      confidence: 'high',
    });
  });

  it('turns constraints into measurable KPIs and adds the default coverage KPI at medium confidence', () => {
    const kpis = chip(brief, 'kpis');
    expect(kpis.items).toContain('Downtime: 0 minutes');
    expect(kpis.items).toContain('Test pass rate: 100%');
    expect(kpis.items).toContain('Test coverage ≥ 85%');
    expect(kpis.items.some((i) => i.startsWith('Test coverage'))).toBe(true);
    expect(kpis.items).toContain('Known security vulnerabilities: 0');
    expect(kpis.confidence).toBe('medium');
  });

  it("includes the seed's five safeguards, explicit ones first", () => {
    const safeguards = chip(brief, 'safeguards');
    expect(safeguards.items).toEqual([
      'Maintain backward compatibility with existing user sessions',
      'All tests must pass',
      'Zero downtime deployment',
      'Code review required for auth changes',
      'Rollback plan for production deployment',
    ]);
    expect(safeguards.confidence).toBe('high');
    // No database/schema/migration is mentioned, so that safeguard is not invented.
    expect(safeguards.items.some((i) => /schema/i.test(i))).toBe(false);
  });

  it('keeps the target line as the timeline', () => {
    expect(chip(brief, 'timeline')).toMatchObject({ items: ['Production deployment ready by end of day'], confidence: 'medium' });
  });

  it('tags, domain and technical context', () => {
    for (const tag of ['authentication', 'security', 'jwt', 'csrf', 'nextjs', 'supabase', 'typescript']) expect(brief.tags).toContain(tag);
    expect(brief.tags).toEqual([...brief.tags].sort());
    expect(new Set(brief.tags).size).toBe(brief.tags.length);
    expect(brief.tags.every((t) => t === t.toLowerCase())).toBe(true);
    expect(brief.domain).toBe('software_engineering');
    expect(brief.technicalContext).toBe('auth_refactor');
  });
});

describe('draftBrief: markdown headings with explicit acceptance criteria and KPIs', () => {
  const brief = draftBrief(MARKDOWN_INTENT);

  it('reads the ## Objective section as the objective', () => {
    expect(chip(brief, 'objective')).toMatchObject({ items: ['Cut checkout API latency in half before the holiday traffic peak'], confidence: 'high' });
  });

  it('reads numbered "1." and "2)" bullets as scope and the "Never" bullet as a safeguard', () => {
    expect(chip(brief, 'scope').items).toEqual(['Add Redis caching for product price lookups', 'Batch inventory queries in the checkout service']);
    expect(chip(brief, 'safeguards').items[0]).toBe('Never serve cached prices older than 60 seconds');
    expect(chip(brief, 'safeguards').confidence).toBe('high');
  });

  it('uses the explicit acceptance criteria verbatim at high confidence', () => {
    expect(chip(brief, 'acceptance_criteria')).toMatchObject({
      items: ['p95 latency under 200ms on POST /checkout', 'Error rate below 0.5% during the load test', 'Cache invalidation covered by integration tests'],
      confidence: 'high',
    });
  });

  it('normalises the numeric KPIs and does not repeat a metric stated twice', () => {
    const kpis = chip(brief, 'kpis').items;
    expect(kpis).toContain('p95 latency < 200ms');
    expect(kpis).toContain('Error rate ≤ 0.5%');
    expect(kpis).toContain('Cache hit rate ≥ 80%');
    expect(kpis.filter((k) => /^error rate/i.test(k))).toHaveLength(1);
    expect(kpis.filter((k) => /^p95 latency/i.test(k))).toHaveLength(1);
    // The constraint with "60 seconds" stays a safeguard, not a KPI.
    expect(kpis.some((k) => /cached prices/i.test(k))).toBe(false);
  });

  it('has no timeline chip and classifies the work as performance', () => {
    expect(kinds(brief)).not.toContain('timeline');
    expect(brief.technicalContext).toBe('performance');
    expect(brief.tags).toEqual(expect.arrayContaining(['api', 'performance']));
  });
});

describe('draftBrief: a one-line unstructured intent', () => {
  const brief = draftBrief('fix the flaky login test');

  it('gives a capitalised objective and an acceptance criterion of its own, and no scope that would only repeat the objective', () => {
    expect(chip(brief, 'objective')).toMatchObject({ items: ['Fix the flaky login test'], confidence: 'high' });
    expect(kinds(brief)).not.toContain('scope');
    expect(chip(brief, 'acceptance_criteria')).toMatchObject({
      items: ['The test passes on repeated CI runs, with no intermittent failures'],
      confidence: 'low',
    });
  });

  it('only has the default coverage KPI (low) and no timeline', () => {
    expect(chip(brief, 'kpis')).toMatchObject({ items: ['Test coverage ≥ 85%'], confidence: 'low' });
    expect(kinds(brief)).not.toContain('timeline');
  });

  it('infers an auth code-review safeguard at medium confidence', () => {
    expect(chip(brief, 'safeguards')).toMatchObject({ items: ['Code review required for auth changes'], confidence: 'medium' });
  });

  it('tags and context', () => {
    expect(brief.tags).toEqual(['authentication', 'bugfix', 'testing']);
    expect(brief.technicalContext).toBe('bug_fix');
    expect(brief.domain).toBe('software_engineering');
  });
});

describe('draftBrief: a performance intent with numbers', () => {
  const brief = draftBrief(PERFORMANCE_INTENT);

  it('keeps the objective to the first clause', () => {
    expect(chip(brief, 'objective').items).toEqual(['Speed up the product search endpoint']);
  });

  it('turns every numeric goal into a KPI, all explicit (high)', () => {
    expect(chip(brief, 'kpis')).toMatchObject({
      items: ['p95 latency ≤ 300ms (from 1200ms)', 'Error rate < 0.1%', 'Handle 500 rps on a single instance', 'Database CPU usage: -40%'],
      confidence: 'high',
    });
  });

  it('splits an inline "Constraints:" line into safeguards and does not duplicate the schema safeguard', () => {
    const safeguards = chip(brief, 'safeguards').items;
    expect(safeguards.slice(0, 2)).toEqual(['No schema changes without a migration review', 'Must not increase infra cost by more than 10%']);
    expect(safeguards.filter((s) => /schema/i.test(s))).toHaveLength(1);
    expect(safeguards).toContain('Code review required for data changes');
  });

  it('has no timeline chip; performance context; database tag', () => {
    expect(kinds(brief)).not.toContain('timeline');
    expect(brief.technicalContext).toBe('performance');
    expect(brief.tags).toEqual(expect.arrayContaining(['api', 'database', 'performance']));
  });
});

describe('draftBrief: a bug fix with "never"/"do not" constraints and a deadline', () => {
  const brief = draftBrief(BUG_FIX_INTENT);

  it('scopes the bullets, not the problem description', () => {
    expect(chip(brief, 'objective').items).toEqual(['Fix the duplicate charge bug in the Stripe webhook handler']);
    expect(chip(brief, 'scope')).toMatchObject({
      items: ['Make webhook processing idempotent using the Stripe event id', 'Add a regression test for retried events'],
      confidence: 'high',
    });
  });

  it('turns the never/do-not sentences into safeguards and adds a payment code review', () => {
    expect(chip(brief, 'safeguards')).toMatchObject({
      items: [
        'Never charge a customer twice for the same order',
        'Do not change the public API of the payments service',
        'Code review required for payment changes',
      ],
      confidence: 'high',
    });
  });

  it('reads "by Friday" as the timeline', () => {
    expect(chip(brief, 'timeline')).toMatchObject({ items: ['Complete by Friday'], confidence: 'medium' });
  });

  it('falls back to a low-confidence acceptance criterion for a bug fix, not the scope items again', () => {
    const acceptance = chip(brief, 'acceptance_criteria');
    expect(acceptance).toMatchObject({ items: ['A regression test reproduces the problem and passes after the fix'], confidence: 'low' });
    for (const item of chip(brief, 'scope').items) expect(acceptance.items.join(' ')).not.toContain(item);
  });

  it('tags and context', () => {
    expect(brief.tags).toEqual(expect.arrayContaining(['bugfix', 'payments', 'testing']));
    expect(brief.technicalContext).toBe('bug_fix');
  });
});

describe('draftBrief: CRLF, emoji and very long text', () => {
  const filler = 'x'.repeat(600);
  const bullets = Array.from({ length: 30 }, (_, i) => `- ✅ Implement feature flag ${i + 1} for the settings page ${filler}`);
  const intent = ['🚀 Requirements:', ...bullets, '', '', 'Deadline: next week 🙏', ''].join('\r\n');
  const brief = draftBrief(intent);

  it('respects the item and length limits', () => {
    for (const c of brief.chips) {
      expect(c.items.length).toBeGreaterThan(0);
      expect(c.items.length).toBeLessThanOrEqual(MAX_CHIP_ITEMS);
      for (const item of c.items) {
        expect(item.length).toBeLessThanOrEqual(MAX_CHIP_ITEM_LENGTH);
        expect(item).not.toMatch(/[\r\n]/);
      }
    }
    const scope = chip(brief, 'scope');
    expect(scope.items).toHaveLength(MAX_CHIP_ITEMS);
    expect(scope.items[0]).toMatch(/^Implement feature flag 1 for the settings page x+…$/);
    expect(scope.items[0]).toHaveLength(MAX_CHIP_ITEM_LENGTH);
  });

  it('synthesises a concise objective (medium) because the intent starts with a heading', () => {
    const objective = chip(brief, 'objective');
    expect(objective.confidence).toBe('medium');
    expect(objective.items[0]).toMatch(/^Implement feature flag 1 /);
    expect(objective.items[0]!.length).toBeLessThanOrEqual(200);
    expect(objective.items[0]!.endsWith('…')).toBe(true);
  });

  it('strips emoji and reads the deadline', () => {
    expect(brief.chips.flatMap((c) => c.items).some((i) => /[✅🚀🙏]/u.test(i))).toBe(false);
    expect(chip(brief, 'timeline').items).toEqual(['Deadline: next week']);
  });

  it('treats CRLF exactly like LF', () => {
    expect(brief).toEqual(draftBrief(intent.replace(/\r\n/g, '\n')));
  });
});

describe('draftBrief: no timeline given', () => {
  const brief = draftBrief(NO_TIMELINE_INTENT);

  it('omits the timeline chip rather than inventing a date', () => {
    expect(kinds(brief)).not.toContain('timeline');
  });

  it('drafts objective and scope from the sentences', () => {
    expect(chip(brief, 'objective').items).toEqual(['Add dark mode to the settings page']);
    // The objective already says the main work; scope adds what the other sentences ask for.
    expect(chip(brief, 'scope')).toMatchObject({ items: ['Use the existing design tokens and keep the current layout'], confidence: 'medium' });
    // No numbers and no tests mentioned: no KPIs chip.
    expect(kinds(brief)).not.toContain('kpis');
    expect(brief.tags).toEqual(['frontend']);
    expect(brief.technicalContext).toBe('feature');
  });
});

describe('draftBrief: smaller rules', () => {
  it('normalises the KPI phrasings from the brief', () => {
    const kpis = chip(
      draftBrief('Improve search.\nRequirements:\n- p95 latency under 200ms\n- coverage above 90%\n- Zero downtime deployment\n- All tests must pass'),
      'kpis',
    );
    expect(kpis.items).toEqual(['p95 latency < 200ms', 'Test coverage ≥ 90%', 'Downtime: 0 minutes', 'Test pass rate: 100%']);
    expect(kpis.confidence).toBe('medium');
  });

  it('reads inline "Heading: value" lines, case-insensitively', () => {
    const brief = draftBrief('GOAL: reduce p95 latency under 200ms for the search API\nsuccess criteria: p95 < 200ms, zero errors\nDEADLINE: 2026-03-01');
    expect(chip(brief, 'objective')).toMatchObject({ items: ['Reduce p95 latency under 200ms for the search API'], confidence: 'high' });
    expect(chip(brief, 'acceptance_criteria')).toMatchObject({ items: ['p95 < 200ms, zero errors'], confidence: 'high' });
    expect(chip(brief, 'kpis').items).toEqual(['p95 latency < 200ms', 'Errors: 0']);
    expect(chip(brief, 'timeline').items).toEqual(['Deadline: 2026-03-01']);
  });

  it('matches tags on word boundaries', () => {
    expect(draftBrief('Plan a rapid offsite for the team').tags).not.toContain('api');
    expect(draftBrief('Document the public API').tags).toContain('api');
  });

  it('reads "within N hours" as a timeline', () => {
    expect(chip(draftBrief('Patch the XSS hole in the comment form within 8 hours'), 'timeline').items).toEqual(['Complete within 8 hours']);
  });

  it('gives no chips for text without words, and general domain for non-code work', () => {
    expect(draftBrief('')).toEqual({ chips: [], tags: [], domain: 'general', technicalContext: 'general_change' });
    expect(draftBrief(' \r\n 🚀🔥 \n---').chips).toEqual([]);
    // Words but only a heading: an objective as written (low), nothing invented around it.
    expect(draftBrief('Requirements:').chips).toEqual([{ kind: 'objective', items: ['Requirements'], confidence: 'low', source: 'drafted' }]);
    const offsite = draftBrief('Plan a team offsite for next month');
    expect(offsite.domain).toBe('general');
    expect(chip(offsite, 'objective').items).toEqual(['Plan a team offsite for next month']);
  });
});

describe('determinism and the drafter wrapper', () => {
  it('returns deeply equal output for the same input', () => {
    for (const intent of [SEED_INTENT, MARKDOWN_INTENT, PERFORMANCE_INTENT, BUG_FIX_INTENT, NO_TIMELINE_INTENT, 'fix the flaky login test']) {
      expect(draftBrief(intent)).toEqual(draftBrief(intent));
    }
  });

  it('is named "deterministic" and its async draft wraps draftBrief', async () => {
    expect(deterministicBriefDrafter.name).toBe('deterministic');
    await expect(deterministicBriefDrafter.draft(SEED_INTENT)).resolves.toEqual(draftBrief(SEED_INTENT));
  });
});
