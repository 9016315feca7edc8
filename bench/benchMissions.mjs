// What the service benchmarks report on: missions an assistant has brought to execution
// (one phase, approved by policy at low risk), and the test_run report they receive.
export const ASSISTANT = { kind: 'mcp_token', id: 'bench', onBehalfOf: 'U0BENCH' };
export const BENCH_PHASE = 'bench_phase';

const PLAY = {
  title: 'Benchmark play',
  rationale: 'One phase that takes many test runs.',
  confidence: 0.9,
  phases: [{ id: BENCH_PHASE, name: 'Bench phase', steps: [{ id: 'run_tests', title: 'Run the tests' }] }],
  undoPlan: { summary: 'Nothing to undo', steps: ['Close the PR'] },
  risk: { complexity: 'low', impact: 'low', reversibility: 'high', testCoverage: 'strong' },
  estimatedDurationMinutes: 10,
};

/** `count` missions with their phase started; the app must run with APPROVALS_REQUIRED low:0. Returns their ids. */
export async function executingMissions(service, count) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    const m = await service.startMission({ intent: `Benchmark mission ${i}: keep the report export tests green` }, ASSISTANT);
    await service.lockBrief({ missionId: m.id }, ASSISTANT);
    await service.selectToolkits({ missionId: m.id, toolkits: [{ toolkitId: 'github' }] }, ASSISTANT);
    await service.recordCoverage({ missionId: m.id, toolkitId: 'github', status: 'ready', summary: 'bench' }, ASSISTANT);
    // No connector inspects here: a person accepts the assistant's report, as in Slack.
    await service.acceptReportedCoverage({ missionId: m.id }, { kind: 'slack_user', id: 'U0BENCH' });
    await service.confirmToolkits({ missionId: m.id }, ASSISTANT);
    const planned = await service.proposePlays({ missionId: m.id, plays: [PLAY] }, ASSISTANT);
    const play = planned.plays.find((p) => p.title === PLAY.title);
    const approved = await service.requestApproval({ missionId: m.id, playId: play.id }, ASSISTANT);
    if (approved.state !== 'executing') throw new Error(`mission ${m.id} is ${approved.state}, expected executing`);
    await service.reportProgress({ missionId: m.id, kind: 'phase_started', phaseId: BENCH_PHASE }, ASSISTANT);
    ids.push(m.id);
  }
  return ids;
}

/** Report i of a run: a passing test run on mission i mod n. */
export function testRunReport(missions, i) {
  return { missionId: missions[i % missions.length], kind: 'test_run', phaseId: BENCH_PHASE, total: 120, passing: 120, coverage: 0.9, suite: 'vitest' };
}
