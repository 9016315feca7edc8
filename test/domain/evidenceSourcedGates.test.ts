// The CI and code-review checks count only what GitHub (a connector) or a person recorded; checks
// an assistant attached itself never open the gate, however they read. Pure: no database.
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actors.js';
import type { ArtifactRecord } from '../../src/domain/evidence.js';
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
