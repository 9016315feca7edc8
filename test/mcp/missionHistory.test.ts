// A mission's history read the way an assistant reads it: get_mission stays the same size
// however long the mission runs (summaries and the latest entries, plus where the history is),
// and the events, test runs and steps are MCP resources in pages, each naming the next, read
// here with the SDK's Client. Event pages are checked as stretches of the hash chain, so a
// tampered event shows on the page that holds it, and verifyEventLog walks the log in pages.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../support/databases.js';
import { SEED_POLICY, seedToExecuting } from '../support/seedJourney.js';
import { ASSISTANT } from '../support/seedMission.js';
import { openHarness, type Harness } from './mcpHarness.js';

const PHASE = 'jwt_refresh_fix';
const STEPS = ['refactor_jwt_ts', 'add_redis_store', 'create_refresh_endpoint', 'write_tests'];

interface Page {
  missionId: string;
  nextCursor: string | null;
  next: string | null;
  events?: Array<{ seq: number; type: string; hash: string }>;
  verification?: { ok: boolean; eventCount: number; brokenAtSeq?: number; reason?: string };
  testRuns?: Array<{ phaseId: string; position: number; run: { passing: number } }>;
  steps?: Array<{ phaseId: string; position: number; step: { stepId: string } }>;
}

describe.each(PROVIDERS)('mission history in pages on %s', (provider) => {
  let h: Harness;
  let missionId: string;

  const read = async (uri: string): Promise<Page> => JSON.parse(((await h.client.readResource({ uri })).contents[0] as { text: string }).text) as Page;
  /** Follows `next` from the first page to the last. */
  const allPages = async (uri: string): Promise<Page[]> => {
    const pages = [await read(uri)];
    while (pages[pages.length - 1]!.next) pages.push(await read(pages[pages.length - 1]!.next!));
    return pages;
  };
  const report = async (runs: number, from = 0) => {
    for (let i = from; i < from + runs; i++)
      await h.service.reportProgress({ missionId, kind: 'test_run', phaseId: PHASE, total: 500, passing: i % 500, suite: 'vitest' }, ASSISTANT);
  };

  beforeEach(async () => {
    h = await openHarness(provider, { actor: ASSISTANT, policy: SEED_POLICY });
    missionId = (await seedToExecuting(h.service, h.clock)).id;
    await h.service.reportProgress({ missionId, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
  });
  afterEach(async () => {
    await h.close();
  });

  it('keeps get_mission the same size as test runs pile up, and says how much history there is and where', async () => {
    await report(20);
    const small = await h.ok<{
      history: Record<'events' | 'testRuns' | 'steps', { count: number; uri: string }>;
      execution: { phases: Array<{ latestTestRun: { passing: number } | null }> };
    }>('get_mission', { missionId });
    await report(180, 20);
    const large = await h.ok<typeof small>('get_mission', { missionId });

    expect(large.history.testRuns).toEqual({ count: 200, uri: `mission://${missionId}/test-runs` });
    expect(large.history.events.uri).toBe(`mission://${missionId}/events`);
    expect(large.history.events.count).toBe(small.history.events.count + 180);
    expect(large.execution.phases[0]!.latestTestRun!.passing).toBe(199);
    // Only counts and versions grew a digit or two; 180 more runs added no entries.
    expect(Math.abs(JSON.stringify(large).length - JSON.stringify(small).length)).toBeLessThan(40);
  });

  it('serves events, test runs and steps in pages that follow one another to the whole history', async () => {
    await report(450);
    for (let i = 0; i < 210; i++) {
      await h.service.reportProgress(
        { missionId, kind: 'step_completed', phaseId: PHASE, stepId: STEPS[i % STEPS.length]!, durationMs: 1000, counts: {} },
        ASSISTANT,
      );
    }
    const templates = (await h.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toEqual(
      expect.arrayContaining([`mission://{missionId}/events{?cursor}`, 'mission://{missionId}/test-runs', 'mission://{missionId}/steps{?cursor}']),
    );

    const eventPages = await allPages(`mission://${missionId}/events`);
    const everyEvent = await h.service.events({ missionId });
    expect(eventPages.map((p) => p.events!.length)).toEqual([200, 200, 200, everyEvent.length - 600]);
    expect(eventPages.flatMap((p) => p.events!.map((e) => e.hash))).toEqual(everyEvent.map((e) => e.hash));
    expect(eventPages.every((p) => p.verification!.ok)).toBe(true);
    expect(eventPages[3]!.verification!.eventCount).toBe(everyEvent.length);

    const runPages = await allPages(`mission://${missionId}/test-runs`);
    expect(runPages.map((p) => p.testRuns!.length)).toEqual([200, 200, 50]);
    const runs = runPages.flatMap((p) => p.testRuns!);
    expect(runs.map((r) => r.position)).toEqual(Array.from({ length: 450 }, (_, i) => i));
    expect(runs.map((r) => r.run.passing)).toEqual(Array.from({ length: 450 }, (_, i) => i));
    expect(new Set(runs.map((r) => r.phaseId))).toEqual(new Set([PHASE]));

    const stepPages = await allPages(`mission://${missionId}/steps`);
    expect(stepPages.map((p) => p.steps!.length)).toEqual([200, 10]);
    expect(stepPages.flatMap((p) => p.steps!.map((s) => s.step.stepId))).toEqual(Array.from({ length: 210 }, (_, i) => STEPS[i % STEPS.length]));
  });

  it('refuses a cursor that is not from a previous page of the same history, naming the cursor', async () => {
    await report(201);
    const first = await read(`mission://${missionId}/test-runs`);
    await expect(h.client.readResource({ uri: `mission://${missionId}/events?cursor=${first.nextCursor}` })).rejects.toThrow(
      /cursor: not a cursor from a previous page of this mission's events/,
    );
    await expect(h.client.readResource({ uri: `mission://${missionId}/test-runs?cursor=garbage` })).rejects.toThrow(
      /cursor: not a cursor from a previous page/,
    );
  });

  it('shows a changed event on the page that holds it, and verifyEventLog finds it walking the log in pages', async () => {
    await report(250);
    expect(await h.service.verifyEventLog({ missionId })).toMatchObject({ ok: true });
    const target = await h.db.prisma.missionEvent.findFirstOrThrow({ where: { missionId, seq: 150 } });
    await h.db.prisma.missionEvent.update({
      where: { id: target.id },
      data: { payload: JSON.stringify({ ...JSON.parse(target.payload), tests_passing: 500 }) },
    });

    const pages = await allPages(`mission://${missionId}/events`);
    expect(pages.map((p) => p.verification!.ok)).toEqual([false, true]);
    expect(pages[0]!.verification).toMatchObject({ brokenAtSeq: 150, reason: expect.stringContaining('changed after it was recorded') });
    expect(await h.service.verifyEventLog({ missionId })).toMatchObject({ ok: false, brokenAtSeq: 150 });
    expect((await h.service.verifyEvidence({ missionId })).ok).toBe(false);
  });

  it('checks the last page against the recorded head, so a deleted last event shows', async () => {
    await report(250);
    const last = await h.db.prisma.missionEvent.findFirstOrThrow({ where: { missionId }, orderBy: { seq: 'desc' } });
    await h.db.prisma.missionEvent.delete({ where: { id: last.id } });
    const pages = await allPages(`mission://${missionId}/events`);
    expect(pages[pages.length - 1]!.verification).toMatchObject({ ok: false, reason: expect.stringContaining(`records ${last.seq} events`) });
    expect(await h.service.verifyEventLog({ missionId })).toMatchObject({ ok: false, reason: expect.stringContaining(`records ${last.seq} events`) });
  });
});
