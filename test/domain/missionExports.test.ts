// The markdown exports against hand-checked expected files, plus the things a reader of
// PLAN.md, SUMMARY.md and VERIFICATION.md would notice if they were wrong.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyEvidence } from '../../src/domain/evidence.js';
import type { Mission } from '../../src/domain/mission.js';
import { planMarkdown, summaryMarkdown, verificationMarkdown, verificationStatus } from '../../src/domain/missionExports.js';
import {
  artifactContents,
  completedMission,
  gapsMission,
  JORDAN,
  noPlaysMission,
  planningMission,
  stubMission,
  verifiedMission,
} from '../fixtures/exports/missionFixture.js';
import { uatMarkdown } from '../../src/domain/exports/uatDocument.js';

function expected(name: string): string {
  return readFileSync(new URL(`../fixtures/exports/${name}`, import.meta.url), 'utf8');
}

function intactEvidence(mission: Mission) {
  return verifyEvidence(mission.evidence.artifacts, artifactContents(), mission.evidence.bundle);
}

/** The lines of one `## ` section, up to the next `## ` heading. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no section "${title}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

function frontmatter(markdown: string): string {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(markdown);
  if (!match) throw new Error('no frontmatter');
  return match[1]!;
}

/** Column count of a table row as GFM splits it: a pipe behind an odd number of backslashes is text. */
function columns(row: string): number {
  return [...row.matchAll(/(\\*)\|/g)].filter((m) => m[1]!.length % 2 === 0).length - 1;
}

/** Every table's rows have as many columns as its header. */
function tablesAreWellFormed(markdown: string): boolean {
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|') || (i > 0 && lines[i - 1]!.startsWith('|'))) continue;
    const width = columns(lines[i]!);
    for (let j = i; j < lines.length && lines[j]!.startsWith('|'); j++) {
      if (columns(lines[j]!) !== width) return false;
    }
  }
  return true;
}

describe('PLAN.md', () => {
  it('exports the approved play of a completed mission', () => {
    expect(planMarkdown(completedMission())).toBe(expected('completed.plan.md'));
  });

  it('exports the best-ranked play as a draft while planning', () => {
    expect(planMarkdown(planningMission())).toBe(expected('planning.plan.md'));
  });

  it('says so when no play has been proposed', () => {
    expect(planMarkdown(noPlaysMission())).toBe(expected('noPlays.plan.md'));
  });

  it('marks a draft as not approved, in the frontmatter and where a reader starts', () => {
    const plan = planMarkdown(planningMission());
    expect(frontmatter(plan)).toContain('status: draft');
    expect(plan).not.toContain('status: approved');
    expect(plan.split('# Plan:')[1]).toMatch(/^[^\n]*\n\n> \*\*DRAFT: NOT APPROVED\.\*\*/);
  });

  it('prefers the selected play over a better-ranked proposal, still as a draft', () => {
    const mission = planningMission();
    mission.plays = mission.plays.map((p) => (p.id === 'ply_hotpatch' ? { ...p, status: 'selected' as const } : p));
    const plan = planMarkdown(mission);
    expect(plan).toContain('# Plan: Hot-Patch JWT Race Condition Only\n');
    expect(plan).toContain('This play is selected but has not been approved.');
  });

  it('never presents a dismissed play as the plan, even one ranked first', () => {
    const mission = planningMission();
    const ranks: Record<string, number> = { ply_rewrite: 1, ply_incremental: 2, ply_hotpatch: 3 };
    mission.plays = mission.plays.map((p) => ({ ...p, rank: ranks[p.id]! }));
    const plan = planMarkdown(mission);
    expect(frontmatter(plan)).toContain('play: ply_incremental');
    expect(plan).toContain('# Plan: Incremental Auth Hardening with Feature Flags\n');
    expect(section(plan, 'Other plays considered')).toMatch(
      /Complete Auth Rewrite with Next-Auth\.js Migration \(`ply_rewrite`\) \| 0\.68 \| 0\.413 \| dismissed \| Too risky/,
    );
  });

  it('has no plan at all when every play was dismissed, and says why', () => {
    const mission = planningMission();
    mission.plays = mission.plays.map((p) => ({ ...p, status: 'dismissed' as const, dismissedReason: p.dismissedReason ?? `Not wanted: ${p.title}` }));
    const plan = planMarkdown(mission);
    expect(frontmatter(plan)).toContain('status: no_play');
    expect(plan).toContain('# Plan: Authentication System Refactor\n');
    expect(plan).toContain('all 3 proposed plays were dismissed');
    expect(plan).toContain('Not wanted: Incremental Auth Hardening with Feature Flags');
  });

  it('shows a request awaiting approval', () => {
    const mission = planningMission();
    mission.state = 'awaiting_approval';
    mission.approval = {
      id: 'apr_9',
      playId: 'ply_incremental',
      riskLevel: 'high',
      required: 1,
      eligibleApprovers: ['U0ADVISOR'],
      requestedBy: JORDAN,
      requestedAt: '2025-10-15T10:12:00.000Z',
      expiresAt: '2025-10-16T10:12:00.000Z',
      status: 'requested',
      decisions: [],
      decidedAt: null,
      note: null,
    };
    const approval = section(planMarkdown(mission), 'Approval');
    expect(approval).toContain('### Request apr_9: requested');
    expect(approval).toContain('- Decided at: awaiting decision');
    expect(approval).toContain('_No decisions yet._');
  });
});

describe('SUMMARY.md', () => {
  it('exports what a completed mission reported', () => {
    expect(summaryMarkdown(completedMission())).toBe(expected('completed.summary.md'));
  });

  it('exports a mission stopped by a failed gate', () => {
    expect(summaryMarkdown(gapsMission())).toBe(expected('gaps.summary.md'));
  });

  it('says plainly that execution has not started', () => {
    expect(summaryMarkdown(planningMission())).toBe(expected('planning.summary.md'));
  });

  it('shows each deviation with its rule and the rule type', () => {
    const summary = summaryMarkdown(completedMission());
    expect(section(summary, 'Deviations')).toContain(
      '### Rule 2: Added rate limiting to refresh attempts\n\n```yaml\ndeviation:\n  rule: 2\n  type: missing_critical\n',
    );

    const mission = completedMission();
    mission.execution!.deviations.push({
      id: 'dev_2',
      phaseId: 'token_revocation',
      rule: 4,
      description: 'Moved revocation into Redis',
      reason: 'Table lookups too slow',
      stepId: null,
      at: '2025-10-15T10:50:00.000Z',
    });
    const deviations = section(summaryMarkdown(mission), 'Deviations');
    expect(deviations).toContain('### Rule 4: Moved revocation into Redis');
    expect(deviations).toContain('  type: architectural\n');
    expect(deviations).toContain('  step: null\n');
  });

  it('marks the steps that were not in the plan, and only those', () => {
    const marked = summaryMarkdown(completedMission())
      .split('\n')
      .filter((line) => line.includes('not in plan'));
    expect(marked).toEqual(['| Add rate limiting to refresh attempts (`add_rate_limiting`) **not in plan** | 4.3s | files_modified: 1 |']);
  });
});

describe('VERIFICATION.md', () => {
  it('needs a person when gates passed and the evidence is intact but no truth is signed off', () => {
    const mission = completedMission();
    const evidence = intactEvidence(mission);
    expect(evidence.ok).toBe(true);
    expect(verificationStatus(mission, { evidence })).toBe('human_needed');
    const verification = verificationMarkdown(mission, { evidence });
    expect(verification).toBe(expected('completed.verification.md'));
    expect(frontmatter(verification)).toContain('score: "0/4"');
    expect(section(verification, 'Human verification needed')).toContain('- Truth "A token cannot be reused after logout" is not signed off.');
  });

  it('passes only when every truth was signed off by a person and the code showed every artifact and key link', () => {
    const mission = verifiedMission();
    const evidence = intactEvidence(mission);
    expect(verificationStatus(mission, { evidence })).toBe('passed');
    const verification = verificationMarkdown(mission, { evidence });
    expect(verification).toBe(expected('verified.verification.md'));
    expect(frontmatter(verification)).toContain('score: "4/4"');
    expect(section(verification, 'Observable truths')).toContain(
      '| Users stay logged in across page refreshes for 30+ minutes | VERIFIED | signed off by Jordan Nakamura (U0JORDAN) at 2025-10-15T12:00:00.000Z: Stayed signed in for 40 minutes with refreshes every 5 |',
    );
    expect(section(verification, 'Required wiring')).toContain('| `src/middleware.ts -> isRevoked` | VERIFIED | src/middleware.ts @ 6dcb09b |');
  });

  it('lists missing, stub and unwired must-haves and a failed truth as gaps', () => {
    const mission = stubMission();
    expect(verificationStatus(mission, { evidence: intactEvidence(mission) })).toBe('gaps_found');
    const verification = verificationMarkdown(mission, { evidence: intactEvidence(mission) });
    expect(verification).toBe(expected('stub.verification.md'));
    const gaps = section(verification, 'Gaps found');
    expect(gaps).toContain('Artifact "src/lib/auth/csrf.ts" is STUB (src/lib/auth/csrf.ts @ 6dcb09b): "not implemented" placeholder at line 4');
    expect(gaps).toContain('Artifact "src/lib/auth/errors.ts" is MISSING');
    expect(gaps).toContain('Key link "src/middleware.ts -> isRevoked" is NOT_WIRED');
    expect(gaps).toContain('Truth "A token cannot be reused after logout" FAILED in UAT: The old token still worked for 5 minutes after logout');
    expect(section(verification, 'Anti-patterns')).toContain('| `src/middleware.ts` | 30 | TODO/FIXME left in |');
  });

  it('finds gaps when a phase gate failed and a review alert is open', () => {
    const mission = gapsMission();
    expect(verificationStatus(mission)).toBe('gaps_found');
    const verification = verificationMarkdown(mission);
    expect(verification).toBe(expected('gaps.verification.md'));
    const gaps = section(verification, 'Gaps found');
    expect(gaps).toContain('check "Coverage ≥ 90%" FAILED: 86% measured');
    expect(gaps).toContain('Review alert alt_3 in Phase 5 (Testing & Deployment), severity high, is OPEN');
  });

  it('finds gaps before anything has executed', () => {
    expect(verificationStatus(planningMission())).toBe('gaps_found');
    expect(verificationMarkdown(planningMission())).toBe(expected('planning.verification.md'));
    expect(verificationStatus(noPlaysMission())).toBe('gaps_found');
  });

  it('does not count a mission as verified until its final gate has run', () => {
    const mission = completedMission();
    mission.execution!.finalGate = null;
    const evidence = intactEvidence(mission);
    expect(verificationStatus(mission, { evidence })).toBe('gaps_found');
    const verification = verificationMarkdown(mission, { evidence });
    expect(frontmatter(verification)).toContain('verified_at: "2025-10-15T11:49:00.000Z"');
    expect(section(verification, 'Gaps found')).toContain('1. Not verified: the mission-level final gate has not been evaluated.');
  });

  it('names the artifact when the evidence was tampered with', () => {
    const mission = completedMission();
    const contents = artifactContents();
    contents.set('art_3', '<html><body>All files: 99% statements</body></html>\n');
    const evidence = verifyEvidence(mission.evidence.artifacts, contents, mission.evidence.bundle);
    expect(verificationStatus(mission, { evidence })).toBe('gaps_found');
    const verification = verificationMarkdown(mission, { evidence });
    expect(frontmatter(verification)).toContain('status: gaps_found');
    expect(section(verification, 'Evidence integrity')).toContain('FAILED');
    expect(section(verification, 'Gaps found')).toContain(
      '1. Evidence integrity (artifact art_3, "Test coverage report (coverage/lcov-report/index.html)"): artifact "Test coverage report (coverage/lcov-report/index.html)" changed after it was attached',
    );
  });

  it('counts a failing check as a gap even when the gate claims it passed', () => {
    const mission = completedMission();
    const gate = mission.execution!.finalGate!;
    gate.checks = gate.checks.map((c) => (c.id === 'ci_checks' ? { ...c, passed: false, detail: 'ci / test (failure)' } : c));
    expect(gate.passed).toBe(true);
    expect(verificationStatus(mission, { evidence: intactEvidence(mission) })).toBe('gaps_found');
    expect(section(verificationMarkdown(mission), 'Gaps found')).toContain('Final gate: check "CI checks passing" FAILED: ci / test (failure)');
  });

  it('counts a blocked review alert as a gap', () => {
    const mission = completedMission();
    mission.execution!.alerts = mission.execution!.alerts.map((a) =>
      a.id === 'alt_2'
        ? { ...a, status: 'blocked' as const, resolution: { ...a.resolution!, outcome: 'blocked' as const, note: 'Webhook must stay protected' } }
        : a,
    );
    expect(verificationStatus(mission, { evidence: intactEvidence(mission) })).toBe('gaps_found');
    expect(section(verificationMarkdown(mission), 'Gaps found')).toContain('was BLOCKED by Jordan Nakamura (U0JORDAN) (Webhook must stay protected)');
  });

  it("never marks a truth verified on an assistant's word: without a UAT sign-off it needs a person", () => {
    const verification = verificationMarkdown(completedMission(), { evidence: intactEvidence(completedMission()) });
    const truths = section(verification, 'Observable truths');
    const truthRows = truths.split('\n').filter((line) => line.includes('| NEEDS HUMAN |'));
    expect(truthRows).toHaveLength(4);
    expect(truths).not.toMatch(/VERIFIED \|/);
  });

  it('shows artifacts named in attached evidence as reported, not checked, until the code is read', () => {
    const verification = verificationMarkdown(completedMission(), { evidence: intactEvidence(completedMission()) });
    const artifacts = section(verification, 'Required artifacts');
    expect(artifacts).toContain('| `src/lib/auth/csrf.ts` | NOT CHECKED | - | not read from the code yet |');
    expect(artifacts).toContain(
      '| `coverage/lcov-report/index.html` | NOT CHECKED | - | reported in evidence Test coverage report (coverage/lcov-report/index.html) (`art_3`), not read from the code |',
    );
    expect(artifacts).not.toContain('EXISTS');
  });

  it('agrees with verificationStatus for every fixture', () => {
    for (const mission of [completedMission(), gapsMission(), planningMission(), noPlaysMission(), verifiedMission(), stubMission()]) {
      expect(frontmatter(verificationMarkdown(mission))).toContain(`status: ${verificationStatus(mission)}`);
    }
  });
});

describe('markdown structure and determinism', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a | in a table cell inside its cell', () => {
    const summary = summaryMarkdown(completedMission());
    const row = summary.split('\n').find((line) => line.startsWith('| `alt_2` |'))!;
    expect(row).toContain('CSRF check rejects POST\\|PUT\\|DELETE from /api/webhooks/stripe');
    expect(columns(row)).toBe(6);
    expect(tablesAreWellFormed(summary)).toBe(true);
  });

  it('keeps newlines, pipes and markdown syntax in mission text from breaking the document', () => {
    const hostile = 'a|b\n---\n# Heading\n```\n- item\n<div>\nkey: "v" | end #';
    const mission = completedMission();
    mission.title = hostile;
    const play = mission.plays[0]!;
    play.rationale = hostile;
    play.phases[0]!.steps[0]!.title = hostile;
    play.mustHaves.truths = [hostile];
    const execution = mission.execution!;
    execution.phases[0]!.steps[0]!.title = hostile;
    execution.phases[0]!.steps[0]!.commit = 'abc|def`';
    execution.alerts[1]!.description = hostile;
    execution.deviations[0]!.description = hostile;
    execution.finalGate!.checks[0]!.detail = hostile;
    mission.reflection.feedback!.comments = hostile;

    const documents = [planMarkdown(mission), summaryMarkdown(mission), verificationMarkdown(mission)];
    for (const doc of documents) {
      expect(frontmatter(doc)).toContain('title: "a|b\\n---\\n# Heading');
      expect(tablesAreWellFormed(doc)).toBe(true);
      const body = doc.slice(doc.indexOf('\n---\n') + 5).split('\n');
      expect(body.filter((line) => /^(---|<|- item|# Heading)/.test(line))).toEqual([]);
      // The only fences are the deviation yaml blocks this module writes.
      expect(body.filter((line) => line.startsWith('```') && line !== '```yaml' && line !== '```')).toEqual([]);
    }
    expect(documents[1]).toContain('### Rule 2: a|b --- # Heading \\`\\`\\` - item \\<div> key: "v" | end \\#\n');
    expect(documents[1]).toContain('  description: "a|b\\n---\\n# Heading\\n```\\n- item\\n<div>\\nkey: \\"v\\" | end #"\n');
  });

  it('only links http(s) URLs', () => {
    const mission = completedMission();
    mission.evidence.artifacts[0]!.url = 'javascript:alert(1)';
    const links = section(summaryMarkdown(mission), 'Links');
    expect(links).toContain('- GitHub pull request #47 (`javascript:alert(1)`)');
    expect(links).not.toContain('](javascript');
  });

  it('does not depend on the order collections are stored in', () => {
    const mission = completedMission();
    const execution = mission.execution!;
    mission.plays.reverse();
    execution.phases.reverse();
    execution.alerts.reverse();
    mission.evidence.artifacts.reverse();
    mission.reflection.followUps.reverse();
    expect(planMarkdown(mission)).toBe(expected('completed.plan.md'));
    expect(summaryMarkdown(mission)).toBe(expected('completed.summary.md'));
    expect(verificationMarkdown(mission, { evidence: intactEvidence(mission) })).toBe(expected('completed.verification.md'));
  });

  it('does not read the clock', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2031-01-01T00:00:00Z'));
    const mission = gapsMission();
    expect(summaryMarkdown(mission)).toBe(expected('gaps.summary.md'));
    expect(verificationMarkdown(mission)).toBe(expected('gaps.verification.md'));
  });
});

describe('UAT.md', () => {
  it('lists a test case per truth and per acceptance criterion, with results, issues and the sign-off', () => {
    const uat = uatMarkdown(stubMission());
    expect(uat).toBe(expected('stub.uat.md'));
    expect(frontmatter(uat)).toContain('status: issues_found');
    expect(uat).toContain('**Prompt:** "Try it yourself: a token cannot be reused after logout. Does it hold?"');
    expect(section(uat, 'Issues found')).toContain(
      'A token cannot be reused after logout: The old token still worked for 5 minutes after logout (a gap: the mission cannot complete until it passes on a re-test)',
    );
  });

  it('is pending before anyone tested and signed off when every case passed', () => {
    expect(frontmatter(uatMarkdown(completedMission()))).toContain('status: pending');
    const mission = verifiedMission();
    const items = ['criterion_1', 'criterion_2', 'criterion_3', 'criterion_4'];
    mission.execution!.uat!.push(
      ...items.map((itemId) => ({ itemId, outcome: 'pass' as const, note: '', followUpId: null, by: JORDAN, at: '2025-10-15T12:10:00.000Z' })),
    );
    const uat = uatMarkdown(mission);
    expect(frontmatter(uat)).toContain('status: passed');
    expect(section(uat, 'Sign-off')).toContain('Signed off: every test case passed (Jordan Nakamura (U0JORDAN), last at 2025-10-15T12:10:00.000Z).');
    expect(uatMarkdown(mission)).toBe(uat);
  });
});
