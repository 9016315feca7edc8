// verify_event_log from the last checkpoint: a passing check records where the log was verified,
// and the next reads only the events after it. A change after the checkpoint, or to the
// checkpoint's own event, is found incrementally; a change before it is found only by the full
// check (full: true), which is what the tool's description says. verifyEvidence checks from the
// checkpoint too, and still compares the bundle sealed before it (kept on the checkpoint).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../support/databases.js';
import { GITHUB_CONNECTOR } from '../../src/connectors/github/pullRequestEvidence.js';
import { reportSeedPhase, SEED_ARTIFACTS, SEED_PHASES, SEED_POLICY, SEED_REVIEW, seedToExecuting, signOffTruths } from '../support/seedJourney.js';
import { ASSISTANT, JORDAN } from '../support/seedMission.js';
import { openHarness, type Harness } from './mcpHarness.js';

const PHASE = 'jwt_refresh_fix';

interface Check {
  ok: boolean;
  eventCount: number;
  checkedFromSeq: number;
  brokenAtSeq: number | null;
  reason: string | null;
}

describe.each(PROVIDERS)('hash-chain checkpoints on %s', (provider) => {
  let h: Harness;
  let missionId: string;

  beforeEach(async () => {
    h = await openHarness(provider, { actor: ASSISTANT, policy: SEED_POLICY, checkpoints: true });
    missionId = (await seedToExecuting(h.service, h.clock)).id;
    await h.service.reportProgress({ missionId, kind: 'phase_started', phaseId: PHASE }, ASSISTANT);
  });
  afterEach(async () => {
    await h.close();
  });

  const report = async (count: number) => {
    for (let i = 0; i < count; i++) {
      await h.service.reportProgress({ missionId, kind: 'test_run', phaseId: PHASE, total: 10, passing: 10, coverage: 0.9 }, ASSISTANT);
    }
  };
  const tamper = async (seq: number) => {
    const target = await h.db.prisma.missionEvent.findFirstOrThrow({ where: { missionId, seq } });
    await h.db.prisma.missionEvent.update({ where: { id: target.id }, data: { payload: JSON.stringify({ ...JSON.parse(target.payload), forged: true }) } });
  };
  const verify = (args: Record<string, unknown> = {}) => h.ok<Check>('verify_event_log', { missionId, ...args });

  it('checks only the events after the last checkpoint, and finds a change made after it', async () => {
    const first = await verify();
    expect(first).toMatchObject({ ok: true, checkedFromSeq: 0 });
    await report(5);
    const second = await verify();
    expect(second).toMatchObject({ ok: true, checkedFromSeq: first.eventCount, eventCount: first.eventCount + 5 });
    // Nothing new: the check reads nothing past the head and still holds the log to it.
    expect(await verify()).toMatchObject({ ok: true, checkedFromSeq: second.eventCount, eventCount: second.eventCount });

    await report(3);
    await tamper(second.eventCount + 2);
    expect(await verify()).toMatchObject({ ok: false, checkedFromSeq: second.eventCount, brokenAtSeq: second.eventCount + 2 });
    expect((await h.service.verifyEvidence({ missionId })).ok).toBe(false);
    // A broken check records no checkpoint: the next one starts from the same place.
    expect(await verify()).toMatchObject({ ok: false, checkedFromSeq: second.eventCount });
  });

  it('leaves a change before the checkpoint to the full check, and finds a change to the checkpoint event itself', async () => {
    await report(6);
    const verified = await verify();
    expect(verified).toMatchObject({ ok: true, checkedFromSeq: 0 });
    await report(2);

    await tamper(3);
    // What the incremental check does not prove: events before the checkpoint are not read again.
    expect(await verify()).toMatchObject({ ok: true, checkedFromSeq: verified.eventCount });
    expect(await verify({ full: true })).toMatchObject({
      ok: false,
      checkedFromSeq: 0,
      brokenAtSeq: 3,
      reason: expect.stringContaining('was changed after it was recorded'),
    });

    await tamper(verified.eventCount + 2);
    const anchored = await verify();
    expect(anchored).toMatchObject({ ok: false, brokenAtSeq: verified.eventCount + 2 });
    expect(anchored.reason).toContain('where the log was last verified, changed since');
  });

  it('verifyEvidence from a checkpoint past the sealed bundle still compares the stored bundle with the sealed one', { timeout: 60_000 }, async () => {
    const { id } = await seedToExecuting(h.service, h.clock);
    for (const phase of SEED_PHASES) {
      await reportSeedPhase(h.service, h.clock, id, phase);
      await h.service.reportProgress({ missionId: id, kind: 'phase_completed', phaseId: phase.phaseId }, ASSISTANT);
    }
    await h.service.attachEvidence({ missionId: id, ...SEED_REVIEW }, JORDAN);
    await h.service.attachEvidence({ missionId: id, ...SEED_ARTIFACTS[0]!, checks: [{ name: 'ci / test', conclusion: 'success' }] }, GITHUB_CONNECTOR);
    await signOffTruths(h.service, id);
    await h.service.completeMission({ missionId: id }, ASSISTANT);
    const verified = await h.ok<Check>('verify_event_log', { missionId: id });
    expect(verified.ok).toBe(true);
    const checkpoint = await h.db.chainCheckpoints.latest(id);
    expect(checkpoint).toMatchObject({ eventSeq: verified.eventCount, sealedBundleHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await h.service.verifyEvidence({ missionId: id })).toMatchObject({ ok: true });

    // The stored bundle no longer matches the one the log sealed, which lies before the checkpoint.
    const row = await h.db.prisma.mission.findUniqueOrThrow({ where: { id } });
    const evidence = JSON.parse(row.evidence ?? 'null');
    await h.db.prisma.mission.update({
      where: { id },
      data: { evidence: JSON.stringify({ ...evidence, bundle: { ...evidence.bundle, manifestSha256: '0'.repeat(64) } }) },
    });
    const tampered = await h.service.verifyEvidence({ missionId: id });
    expect(tampered.ok).toBe(false);
    expect(JSON.stringify(tampered)).toContain('the stored bundle differs from the bundle recorded in the event log');
  });

  it('refuses a full flag that is not true or false, naming it, and records no checkpoint', async () => {
    const refused = await h.refused('verify_event_log', { missionId, full: 'yes' });
    expect(refused.code).toBe('invalid_input');
    expect(refused.message).toContain('full');
    expect(await h.db.chainCheckpoints.latest(missionId)).toBeNull();
  });
});
