// A mission with more artifacts than its document keeps (the latest 20 and those the gates
// read): each artifact's record is in its row, so completion still seals a bundle over every
// artifact, verify_evidence checks every one (and catches a change to an old one), SUMMARY.md
// lists them all, get_mission stays bounded and says where the rest are, and the
// mission://{id}/artifacts resource pages through them. A document stored before the window
// (every artifact inline, rows without records) loads, and its next attach bounds it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleManifest } from '../../src/domain/evidence.js';
import { RECENT_HISTORY } from '../../src/domain/execution.js';
import { PROVIDERS } from '../support/databases.js';
import { SEED_ARTIFACTS, SEED_PHASES, SEED_POLICY, SEED_REVIEW, reportSeedPhase, seedToExecuting, signOffTruths } from '../support/seedJourney.js';
import { ASSISTANT, JORDAN } from '../support/seedMission.js';
import { openHarness, type Harness } from './mcpHarness.js';

const LAST_PHASE = 'testing_deployment';

interface ArtifactPage {
  artifacts: Array<{ position: number; id: string; name: string; sha256: string }>;
  nextCursor: string | null;
  next: string | null;
}

describe.each(PROVIDERS)('evidence beyond the document window on %s', (provider) => {
  let h: Harness;
  let missionId: string;

  const read = async (uri: string): Promise<ArtifactPage> =>
    JSON.parse(((await h.client.readResource({ uri })).contents[0] as { text: string }).text) as ArtifactPage;
  const allArtifacts = async () => {
    const pages = [await read(`mission://${missionId}/artifacts`)];
    while (pages[pages.length - 1]!.next) pages.push(await read(pages[pages.length - 1]!.next!));
    return pages;
  };
  const attachLogs = async (count: number, from = 0) => {
    for (let i = from; i < from + count; i++)
      await h.service.attachEvidence(
        { missionId, phaseId: LAST_PHASE, name: `Test log ${i}`, kind: 'markdown', content: `# Test log ${i}\n\n${i} passed.\n` },
        ASSISTANT,
      );
  };

  beforeEach(async () => {
    h = await openHarness(provider, { actor: ASSISTANT, policy: SEED_POLICY });
    missionId = (await seedToExecuting(h.service, h.clock)).id;
  });
  afterEach(async () => {
    await h.close();
  });

  it('completes with a bundle over every artifact, verifies them all, catches a change to an old one and exports them all', async () => {
    for (const phase of SEED_PHASES) {
      await reportSeedPhase(h.service, h.clock, missionId, phase);
      if (phase.phaseId === LAST_PHASE) {
        // The review first: 37 artifacts later it has left the latest 20, and the gate must still see it.
        await h.service.attachEvidence({ missionId, ...SEED_REVIEW }, JORDAN);
        for (const artifact of SEED_ARTIFACTS) await h.service.attachEvidence({ missionId, phaseId: LAST_PHASE, ...artifact }, ASSISTANT);
        await attachLogs(30);
      }
      await h.service.reportProgress({ missionId, kind: 'phase_completed', phaseId: phase.phaseId }, ASSISTANT);
    }
    await signOffTruths(h.service, missionId);
    const completed = await h.service.completeMission({ missionId }, ASSISTANT);
    expect(completed.state).toBe('reflecting');
    expect(completed.execution!.finalGate!.checks.find((c) => c.id === 'code_review')).toMatchObject({ passed: true });

    // The document keeps the latest 20 and the review; the count and the rows hold all 38.
    expect(completed.evidence.count).toBe(38);
    // Kept beyond the latest 20: the review (the code review gate) and the checks the assistant attached (shown as reported).
    const kept = completed.evidence.artifacts;
    expect(kept).toHaveLength(RECENT_HISTORY + 2);
    expect(kept.slice(0, 2).map((a) => [a.name, a.attachedBy.id])).toEqual([
      [SEED_REVIEW.name, JORDAN.id],
      [SEED_ARTIFACTS.find((a) => a.checks)!.name, ASSISTANT.id],
    ]);
    const pages = await allArtifacts();
    const every = pages.flatMap((p) => p.artifacts);
    expect(every.map((a) => a.position)).toEqual(Array.from({ length: 38 }, (_, i) => i));
    expect(every.slice(-30).map((a) => a.name)).toEqual(Array.from({ length: 30 }, (_, i) => `Test log ${i}`));

    // Sealed over every artifact, as stored in the rows.
    const expected = bundleManifest(every, completed.evidence.bundle!.generatedAt);
    expect(completed.evidence.bundle).toMatchObject({ artifactCount: 38, manifestSha256: expected.manifestSha256 });
    expect(await h.service.verifyEvidence({ missionId })).toEqual({ ok: true, artifactCount: 38, manifestSha256: expected.manifestSha256 });

    const view = await h.ok<{
      evidence: { count: number; artifacts: unknown[]; bundle: { artifactCount: number } };
      history: { artifacts: { count: number; uri: string } };
    }>('get_mission', { missionId });
    expect(view.evidence.count).toBe(38);
    expect(view.evidence.artifacts).toHaveLength(22);
    expect(view.evidence.bundle.artifactCount).toBe(38);
    expect(view.history.artifacts).toEqual({ count: 38, uri: `mission://${missionId}/artifacts` });

    const summary = (await h.service.exportDocument({ missionId, document: 'summary' })).markdown;
    // The table lists each artifact with its hash's first 12 characters.
    for (const artifact of every) expect(summary).toContain(`| ${artifact.name} |`);
    for (const artifact of every) expect(summary).toContain(artifact.sha256.slice(0, 12));

    // An old artifact's content changed behind the service's back: found, by name.
    const old = every.find((a) => a.name === 'Test log 0')!;
    await h.db.prisma.missionArtifact.update({ where: { id: old.id }, data: { content: '# Test log 0\n\nall passed.\n' } });
    const tampered = await h.service.verifyEvidence({ missionId });
    expect(tampered).toEqual({ ok: false, problems: [{ artifactId: old.id, problem: 'artifact "Test log 0" changed after it was attached' }] });
    const verification = (await h.service.exportDocument({ missionId, document: 'verification' })).markdown;
    expect(verification).toContain('changed after it was attached');
  });

  it('keeps get_mission bounded as artifacts pile up, and pages through all of them', async () => {
    await h.service.reportProgress({ missionId, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
    await attachLogs(25);
    const small = await h.ok<{ evidence: { count: number; artifacts: Array<{ name: string }> } }>('get_mission', { missionId });
    await attachLogs(190, 25);
    const large = await h.ok<typeof small>('get_mission', { missionId });
    expect(small.evidence.count).toBe(25);
    expect(large.evidence.count).toBe(215);
    expect(large.evidence.artifacts.map((a) => a.name)).toEqual(Array.from({ length: 20 }, (_, i) => `Test log ${195 + i}`));
    // Only the counts grew a digit; 190 more artifacts added no entries.
    expect(Math.abs(JSON.stringify(large).length - JSON.stringify(small).length)).toBeLessThan(400);

    const pages = await allArtifacts();
    expect(pages.map((p) => p.artifacts.length)).toEqual([200, 15]);
    expect(pages.flatMap((p) => p.artifacts.map((a) => a.name))).toEqual(Array.from({ length: 215 }, (_, i) => `Test log ${i}`));
    await expect(h.client.readResource({ uri: `mission://${missionId}/artifacts?cursor=${pages[0]!.nextCursor!.slice(0, -2)}x` })).rejects.toThrow(
      /cursor: not a cursor from a previous page/,
    );
    expect(await h.service.verifyEvidence({ missionId })).toMatchObject({ ok: true, artifactCount: 215 });

    // An old artifact's row removed behind the service's back (content and record): the count says so.
    await h.db.prisma.missionArtifact.deleteMany({ where: { missionId, name: 'Test log 3' } });
    expect(await h.service.verifyEvidence({ missionId })).toEqual({
      ok: false,
      problems: [{ artifactId: null, problem: 'the mission records 215 artifacts, but storage holds 214' }],
    });
    // Completion refuses to seal a bundle over what is left, and writes nothing.
    const before = await h.service.getMission({ missionId });
    await expect(h.service.completeMission({ missionId }, ASSISTANT)).rejects.toMatchObject({
      code: 'evidence_tampered',
      message: expect.stringContaining('the mission records 215 artifacts, but storage holds 214'),
    });
    expect((await h.service.getMission({ missionId })).version).toBe(before.version);
  });

  it('loads a document stored before the window (every artifact inline) and bounds it on its next save', async () => {
    await h.service.reportProgress({ missionId, kind: 'phase_started', phaseId: 'jwt_refresh_fix' }, ASSISTANT);
    await attachLogs(24);
    // As stored before: the whole list in the document, no count, rows with content only.
    const row = await h.db.prisma.mission.findUniqueOrThrow({ where: { id: missionId } });
    const records = (await h.service.artifactPage({ missionId, limit: 500 })).entries.map((e) => e.artifact);
    await h.db.prisma.mission.update({
      where: { id: missionId },
      data: { evidence: JSON.stringify({ artifacts: records, bundle: null }), version: row.version + 1 },
    });
    await h.db.prisma.missionArtifact.updateMany({ where: { missionId }, data: { position: null, record: null } });

    const before = await h.ok<{ evidence: { count: number; artifacts: unknown[] } }>('get_mission', { missionId });
    expect(before.evidence.count).toBe(24);
    expect(before.evidence.artifacts).toHaveLength(24);
    expect((await h.service.artifactPage({ missionId, limit: 500 })).entries).toHaveLength(24);
    expect(await h.service.verifyEvidence({ missionId })).toMatchObject({ ok: true, artifactCount: 24 });

    // Any save bounds it, here a step report; the rows get their records.
    await h.service.reportProgress(
      { missionId, kind: 'step_completed', phaseId: 'jwt_refresh_fix', stepId: 'refactor_jwt_ts', durationMs: 1000, counts: {} },
      ASSISTANT,
    );
    const storedEvidence = async () =>
      JSON.parse((await h.db.prisma.mission.findUniqueOrThrow({ where: { id: missionId } })).evidence ?? '') as { count: number; artifacts: unknown[] };
    expect((await storedEvidence()).count).toBe(24);
    expect((await storedEvidence()).artifacts).toHaveLength(20);
    const names = async () => (await allArtifacts()).flatMap((p) => p.artifacts.map((a) => a.name));
    expect(await names()).toEqual(Array.from({ length: 24 }, (_, i) => `Test log ${i}`));
    expect(await h.service.verifyEvidence({ missionId })).toMatchObject({ ok: true, artifactCount: 24 });

    await attachLogs(1, 24);
    expect((await storedEvidence()).count).toBe(25);
    expect(await names()).toEqual(Array.from({ length: 25 }, (_, i) => `Test log ${i}`));
    expect(await h.service.verifyEvidence({ missionId })).toMatchObject({ ok: true, artifactCount: 25 });
    expect((await h.ok<{ evidence: { count: number } }>('get_mission', { missionId })).evidence.count).toBe(25);
  });
});
