#!/usr/bin/env node
// Benchmark: Slack update economy. How many Slack Web API calls (chat.postMessage + chat.update)
// 100 step reports on one mission cost, through the real SlackProjector and FeedWorker on a real
// database, against the local fake Slack Web API. The bare baseline is one call per report (what
// posting or editing on every report would cost); the ratio is ours / that.
//
// Time is compressed: the projector's coalescing is driven by the injected clock (it compares
// clock.now() with the stored time of the message's last edit), and so are the worker's deferrals
// (`deferUntil`, `notBefore`) and claims (`now`), so a simulated clock gives exactly the calls
// real time would. After each report the worker runs, as `wake()` makes it do in production.
//
// Run with `npm run bench:slack` (builds first). Env: BENCH_REPORTS (default 100),
// BENCH_SPREAD_SECONDS (the headline pacing, default 5: 100 reports over 5 s, i.e. an assistant
// reporting a step every 50 ms), DATABASE_URL (postgresql://... to measure PostgreSQL).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { deterministicBriefDrafter } from '../dist/domain/deterministicBriefDrafter.js';
import { MissionService } from '../dist/domain/missionService.js';
import { FeedWorker } from '../dist/feedWorker.js';
import { missionLoader, SlackProjector } from '../dist/slack/slackProjector.js';
import { createSlackWebClient } from '../dist/slack/slackWebApi.js';
import { openDatabase } from '../dist/storage/database.js';
import { PrismaSlackMessageStore } from '../dist/storage/prismaSlackMessageStore.js';
import { randomIds } from '../dist/domain/runtime.js';
import { FakeSlack } from '../scripts/demo/fakeSlack.mjs';

const REPORTS = Number(process.env.BENCH_REPORTS ?? 100);
const SPREAD = Number(process.env.BENCH_SPREAD_SECONDS ?? 5);
const SWEEP = [...new Set([1.5, SPREAD, 10, 30])].sort((a, b) => a - b);
const TARGET = 15;
const ASSISTANT = { kind: 'mcp_token', id: 'bench', onBehalfOf: 'U0BENCH' };
const PERSON = { kind: 'slack_user', id: 'U0BENCH', name: 'Bench Person' };
const STEPS_PER_PHASE = 50;
const PHASES = Math.ceil(REPORTS / STEPS_PER_PHASE);
const PLAY = {
  title: 'Benchmark play',
  rationale: 'Many small steps, reported as they finish.',
  confidence: 0.9,
  phases: Array.from({ length: PHASES }, (_, p) => ({
    id: `phase_${p + 1}`,
    name: `Phase ${p + 1}`,
    steps: Array.from({ length: STEPS_PER_PHASE }, (_, s) => ({ id: `p${p + 1}_step_${s + 1}`, title: `Step ${s + 1} of phase ${p + 1}` })),
  })),
  undoPlan: { summary: 'Nothing to undo', steps: ['Close the PR'] },
  risk: { complexity: 'low', impact: 'low', reversibility: 'high', testCoverage: 'strong' },
  estimatedDurationMinutes: 10,
};

class SimClock {
  #now = Date.parse('2025-10-15T09:47:00.000Z');
  now() {
    return new Date(this.#now);
  }
  advance(ms) {
    this.#now += ms;
  }
}

const chatCalls = (fake) => fake.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');

/** One mission from intent to its first running phase, its thread delivered; then REPORTS step reports over `spreadSeconds`. */
async function scenario({ db, service, worker, clock, fake }, spreadSeconds) {
  const startCount = chatCalls(fake).length;
  const m = await service.startMission({ intent: 'Benchmark mission: keep the report export tests green', channelId: 'C0BENCH' }, PERSON);
  const id = m.id;
  await service.lockBrief({ missionId: id }, PERSON);
  await service.selectToolkits({ missionId: id, toolkits: [{ toolkitId: 'github' }] }, PERSON);
  await service.recordCoverage({ missionId: id, toolkitId: 'github', status: 'ready', summary: 'bench' }, ASSISTANT);
  await service.confirmToolkits({ missionId: id }, PERSON);
  const planned = await service.proposePlays({ missionId: id, plays: [PLAY] }, ASSISTANT);
  const play = planned.plays.find((p) => p.title === PLAY.title);
  const approved = await service.requestApproval({ missionId: id, playId: play.id }, ASSISTANT);
  if (approved.state !== 'executing') throw new Error(`mission is ${approved.state}, expected executing`);
  await service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: 'phase_1' }, ASSISTANT);
  // Deliver the thread as it stands, and let every message age past the edit interval.
  await worker.runOnce();
  clock.advance(5_000);
  await worker.runOnce();
  const before = chatCalls(fake).length;
  const setupCalls = before - startCount;

  const gap = (spreadSeconds * 1000) / REPORTS;
  let extraReports = 0;
  for (let i = 0; i < REPORTS; i++) {
    const phase = Math.floor(i / STEPS_PER_PHASE) + 1;
    const step = (i % STEPS_PER_PHASE) + 1;
    if (step === 1 && phase > 1) {
      // Between phases: the test run, the completion and the next start (reports too, counted apart).
      await service.reportProgress({ missionId: id, kind: 'test_run', phaseId: `phase_${phase - 1}`, total: 120, passing: 120, coverage: 0.9, suite: 'vitest' }, ASSISTANT);
      await service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: `phase_${phase - 1}` }, ASSISTANT);
      await service.reportProgress({ missionId: id, kind: 'phase_started', phaseId: `phase_${phase}` }, ASSISTANT);
      extraReports += 3;
    }
    await service.reportProgress({ missionId: id, kind: 'step_completed', phaseId: `phase_${phase}`, stepId: `p${phase}_step_${step}`, durationMs: Math.round(gap) }, ASSISTANT);
    await worker.runOnce();
    clock.advance(gap);
  }
  // The last report must show too: let the deferred edit come due and deliver it.
  for (let i = 0; i < 5; i++) {
    clock.advance(1_000);
    await worker.runOnce();
  }
  const window = chatCalls(fake).slice(before);
  const stats = await db.feed.stats('slack', clock.now());
  return {
    spreadSeconds,
    calls: window.length,
    posts: window.filter((c) => c.method === 'chat.postMessage').length,
    updates: window.filter((c) => c.method === 'chat.update').length,
    extraReports,
    setupCalls,
    pending: stats.pending,
  };
}

async function main() {
  let url = process.env.DATABASE_URL;
  let dir = null;
  if (!url?.startsWith('postgresql:')) {
    dir = mkdtempSync(path.join(tmpdir(), 'mc-bench-slack-'));
    url = `file:${path.join(dir, 'bench.db')}`;
  }
  const db = await openDatabase(url);
  const fake = new FakeSlack();
  await fake.start();
  const logger = pino({ level: 'silent' });
  const clock = new SimClock();
  const service = new MissionService({
    repository: db.missions,
    clock,
    ids: randomIds,
    drafter: deterministicBriefDrafter,
    approvalPolicy: { approvers: [PERSON.id], requiredApprovals: { low: 0, medium: 1, high: 1, critical: 2 }, requesterExcludedAt: ['high', 'critical'], expiresAfterMinutes: 240 },
  });
  const projector = new SlackProjector({
    loadMission: missionLoader((input) => service.getMission(input)),
    client: createSlackWebClient(fake.token, { slackApiUrl: fake.apiUrl, logger, retryConfig: { retries: 0 } }),
    store: new PrismaSlackMessageStore(db.prisma),
    clock,
    logger,
  });
  const worker = new FeedWorker({ feed: db.feed, clock, logger, consumers: [projector], owner: 'bench-worker' });
  try {
    const results = [];
    for (const spread of SWEEP) results.push(await scenario({ db, service, worker, clock, fake }, spread));
    const headline = results.find((r) => r.spreadSeconds === SPREAD);
    const provider = url.startsWith('postgresql:') ? 'PostgreSQL' : 'SQLite';
    console.log(`Slack update economy on ${provider}: ${REPORTS} step reports on one executing mission, real SlackProjector + FeedWorker, fake Slack Web API, simulated clock`);
    console.log(`${'reports spread over'.padEnd(22)}${'postMessage'.padStart(12)}${'update'.padStart(8)}${'calls'.padStart(7)}${'per 100'.padStart(9)}${'vs 1/report'.padStart(13)}`);
    for (const r of results) {
      const per100 = (r.calls * 100) / REPORTS;
      console.log(`${`${r.spreadSeconds} s`.padEnd(22)}${String(r.posts).padStart(12)}${String(r.updates).padStart(8)}${String(r.calls).padStart(7)}${per100.toFixed(1).padStart(9)}${`${(r.calls / REPORTS).toFixed(2)}x`.padStart(13)}`);
    }
    console.log(`(each run also carried ${headline.extraReports} phase/test reports between the two ${STEPS_PER_PHASE}-step phases; posting the thread up to the first phase took ${headline.setupCalls} calls, not counted)`);
    if (results.some((r) => r.pending > 0)) console.log('WARNING: some changes were still undelivered at the end of a run');
    const per100 = (headline.calls * 100) / REPORTS;
    console.log(`bare baseline (one chat call per report): ${REPORTS} calls; ours at ${SPREAD} s: ${headline.calls} calls = ${(headline.calls / REPORTS).toFixed(2)}x`);
    console.log(`target (at most ${TARGET} calls per 100 step reports, ${SPREAD} s spread): ${per100 <= TARGET ? 'met' : 'NOT met'} (${per100.toFixed(1)})`);
    // For `npm run bench` (bench/runAll.mjs), which writes docs/benchmarks.md.
    if (process.env.BENCH_RESULT_FILE) {
      writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify({ benchmark: 'slack', provider, reports: REPORTS, spreadSeconds: SPREAD, results, per100, target: TARGET, targetMet: per100 <= TARGET }));
    }
    console.log('How to read: edits to the status message are spaced at least 1 s apart, so the count grows with the reporting time (about one edit per second), not with the number of reports.');
  } finally {
    await worker.stop();
    await fake.stop();
    await db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
