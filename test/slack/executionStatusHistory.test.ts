// The execution status message on a phase whose history is longer than the recent window the
// mission keeps: planned steps reported long ago still show as done, and extra steps beyond the
// window are counted rather than dropped silently; so are artifacts beyond the evidence the document keeps.
import { beforeAll, describe, expect, it } from 'vitest';
import { attachEvidence, reportStep, startPhase } from '../../src/domain/executeObserve.js';
import { RECENT_HISTORY } from '../../src/domain/execution.js';
import type { Mission } from '../../src/domain/mission.js';
import { executionStatus } from '../../src/slack/executionStatus.js';
import { reflectionMessage } from '../../src/slack/reflectionMessage.js';
import { commandBy, inMemoryService } from '../support/ruleHarness.js';
import { SEED_PHASES, seedToExecuting } from '../support/seedJourney.js';
import { ASSISTANT } from '../support/seedMission.js';

const NOW = new Date('2025-10-15T11:00:00.000Z');
const FIRST = SEED_PHASES[0]!;
const EXTRA = RECENT_HISTORY + 5;

let mission: Mission;
beforeAll(async () => {
  const { service, clock } = inMemoryService();
  mission = startPhase(await seedToExecuting(service, clock), { phaseId: FIRST.phaseId }, commandBy(ASSISTANT, NOW));
  const [stepId, durationMs] = FIRST.steps[0]!;
  mission = reportStep(mission, { phaseId: FIRST.phaseId, stepId, durationMs, counts: {} }, commandBy(ASSISTANT, NOW));
  for (let i = 0; i < EXTRA; i++) {
    const extra = {
      phaseId: FIRST.phaseId,
      stepId: `extra_${i}`,
      title: `Extra fix ${i}`,
      durationMs: 1000,
      counts: {},
      deviation: { rule: 1 as const, reason: 'bug' },
    };
    mission = reportStep(mission, extra, commandBy(ASSISTANT, NOW));
  }
  for (let i = 0; i < EXTRA; i++) {
    const log = { name: `Test log ${i}`, kind: 'markdown' as const, content: `# Test log ${i}`, mediaType: 'text/markdown' };
    mission = attachEvidence(mission, log, commandBy(ASSISTANT, NOW));
  }
});

describe('execution status with a long history', () => {
  const text = () => JSON.stringify(executionStatus(mission).blocks);

  it('shows a planned step as done although its report left the recent window', () => {
    const title = mission.plays.find((p) => p.status === 'approved')!.phases[0]!.steps[0]!.title;
    expect(mission.execution!.phases[0]!.steps.some((s) => s.inPlan)).toBe(false);
    expect(text()).toContain(`✓ ${title}`);
  });

  it('lists the latest extra steps and counts the earlier ones', () => {
    expect(text()).toContain(`➕ 5 earlier steps not in the play`);
    expect(text()).toContain(`➕ Extra fix ${EXTRA - 1} (1s, not in the play)`);
    expect(text()).not.toContain('➕ Extra fix 4 ');
  });

  it('counts every artifact and says how many of them it lists', () => {
    expect(text()).toContain(`*Evidence so far (${EXTRA}, ${RECENT_HISTORY} shown)*`);
    expect(text()).toContain(`Test log ${EXTRA - 1}`);
    expect(text()).not.toContain('Test log 4 ');
  });

  it("ends the reflection message's evidence list with the count of earlier artifacts", () => {
    const reflection = reflectionMessage(mission);
    expect(JSON.stringify(reflection.blocks)).toContain(`…and 5 earlier artifacts (SUMMARY.md lists them all)`);
    expect(reflection.text).toContain(`${EXTRA} artifacts`);
  });
});
