// The CI and code-review checks count only what GitHub (a connector) or a person recorded; checks
// an assistant attached itself never open the gate, however they read. Pure: no database.
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actors.js';
import { appendArtifact, type ArtifactRecord, type MissionEvidence } from '../../src/domain/evidence.js';
import { pullRequestOf } from '../../src/domain/verificationService.js';
import type { Execution } from '../../src/domain/execution.js';
import { classifyDeployment } from '../../src/domain/releaseRules.js';
import { evaluateFinalGate, evidenceStanding, type GateRequirements } from '../../src/domain/qualityGates.js';

const ASSISTANT: Actor = { kind: 'mcp_token', id: 'claude-code', onBehalfOf: 'U0JORDAN' };
const GITHUB: Actor = { kind: 'system', id: 'github-connector' };
const AT = '2025-10-15T12:00:00.000Z';
const CI_REQUIRED: GateRequirements = { testsRequired: false, coverageTarget: null, codeReviewRequired: false, ciRequired: true };

const execution: Execution = {
  playId: 'play_1',
  startedAt: AT,
  completedAt: null,
  phases: [],
  alerts: [],
  deviations: [],
  undo: { status: 'available', requestedBy: null, reason: null, stepsRun: [], requestedAt: null },
  finalGate: null,
};

function pr(attachedBy: Actor, conclusion: 'success' | 'failure' | 'pending', n = 1): ArtifactRecord {
  return {
    id: `art_${n}`,
    name: 'GitHub Pull Request #47',
    kind: 'link',
    mediaType: 'application/json',
    sha256: 'f'.repeat(64),
    sizeBytes: 10,
    url: 'https://github.com/jordan-nakamura/legaltech-mvp/pull/47',
    phaseId: null,
    review: null,
    checks: [{ name: 'ci / test', conclusion }],
    attachedBy,
    attachedAt: AT,
  };
}

const ciCheck = (artifacts: ArtifactRecord[]) => evaluateFinalGate(execution, artifacts, CI_REQUIRED, AT).checks.find((c) => c.id === 'ci_checks')!;

describe('gates sourced from evidence', () => {
  it('never opens the CI gate on checks an assistant attached, and says so', () => {
    expect(ciCheck([pr(ASSISTANT, 'success')])).toEqual({
      id: 'ci_checks',
      label: 'CI checks passing',
      passed: false,
      detail:
        'No check results reported by GitHub yet (a webhook delivery, or the GitHub connector reading the linked pull request). Reported by the assistant, not counted: 1 check on GitHub Pull Request #47.',
    });
  });

  it('opens it on checks GitHub reported, and a later assistant report cannot shut or open it', () => {
    expect(ciCheck([pr(GITHUB, 'success', 1), pr(ASSISTANT, 'failure', 2)])).toMatchObject({ passed: true, detail: '1 check passing, as GitHub reported' });
    expect(ciCheck([pr(GITHUB, 'pending', 1), pr(ASSISTANT, 'success', 2)])).toMatchObject({ passed: false });
  });

  it('tells reported evidence from verified evidence', () => {
    expect(evidenceStanding(pr(ASSISTANT, 'success'))).toBe('reported');
    expect(evidenceStanding(pr(GITHUB, 'success'))).toBe('verified');
    expect(evidenceStanding({ ...pr(ASSISTANT, 'success'), checks: null })).toBeNull();
  });

  it('reads canary steps, previews and production from environments and statuses', () => {
    const facts = (environment: string, description: string | null = null, flags: { productionEnvironment?: boolean; transientEnvironment?: boolean } = {}) =>
      classifyDeployment({
        environment,
        description,
        productionEnvironment: flags.productionEnvironment ?? false,
        transientEnvironment: flags.transientEnvironment ?? false,
      });
    expect(facts('production-canary', '10%')).toEqual({ kind: 'canary', canaryPercent: 10 });
    expect(facts('canary-50%')).toEqual({ kind: 'canary', canaryPercent: 50 });
    expect(facts('production-canary', '100%')).toEqual({ kind: 'production', canaryPercent: 100 });
    expect(facts('Preview', null, { transientEnvironment: true })).toEqual({ kind: 'preview', canaryPercent: null });
    expect(facts('live', null, { productionEnvironment: true })).toEqual({ kind: 'production', canaryPercent: null });
    expect(facts('production')).toEqual({ kind: 'production', canaryPercent: null });
  });
});

describe('the evidence a document keeps (the latest 20 and what the gates and GitHub matching read)', () => {
  const log = (n: number): ArtifactRecord => ({ ...pr(ASSISTANT, 'success', n), name: `Test log ${n}`, kind: 'markdown', url: null, checks: null });
  const review = (n: number, state: 'approved' | 'changes_requested'): ArtifactRecord => ({
    ...pr({ kind: 'slack_user', id: 'U0JORDAN', name: 'Jordan' }, 'success', n),
    name: `Review ${n}`,
    url: null,
    checks: null,
    review: { state, reviewer: 'U0JORDAN' },
  });
  /** Every artifact appended one by one, as attaching does. */
  const appended = (artifacts: ArtifactRecord[]) =>
    artifacts.reduce((evidence, a) => appendArtifact(evidence, a), { artifacts: [], bundle: null } as MissionEvidence);
  const CI_AND_REVIEW: GateRequirements = { ...CI_REQUIRED, codeReviewRequired: true };
  const gateChecks = (artifacts: ArtifactRecord[]) => evaluateFinalGate(execution, artifacts, CI_AND_REVIEW, AT).checks.map((c) => [c.id, c.passed, c.detail]);

  it('keeps the latest GitHub checks, pull request link and review past the window, so the gates and matching read as from every artifact', () => {
    const all = [pr(GITHUB, 'pending', 1), review(2, 'changes_requested'), pr(GITHUB, 'success', 3), review(4, 'approved'), pr(ASSISTANT, 'failure', 5)];
    for (let n = 6; n < 60; n++) all.push(log(n));
    const evidence = appended(all);

    expect(evidence.count).toBe(59);
    expect(evidence.artifacts.map((a) => a.id)).toEqual(['art_3', 'art_4', 'art_5', ...Array.from({ length: 20 }, (_, i) => `art_${40 + i}`)]);
    expect(gateChecks(evidence.artifacts)).toEqual(gateChecks(all));
    expect(gateChecks(evidence.artifacts).filter(([id]) => id === 'ci_checks' || id === 'code_review')).toEqual([
      ['code_review', true, 'approved by U0JORDAN (Review 4)'],
      ['ci_checks', true, '1 check passing, as GitHub reported'],
    ]);
    expect(pullRequestOf({ evidence })).toBe(pullRequestOf({ evidence: { artifacts: all, bundle: null } }));
  });

  it('keeps every artifact while there are no more than 20, in order', () => {
    const all = Array.from({ length: 20 }, (_, n) => log(n));
    expect(appended(all)).toEqual({ artifacts: all, bundle: null, count: 20 });
  });
});
