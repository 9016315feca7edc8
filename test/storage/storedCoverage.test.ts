// Coverage saved before entries said who recorded them still loads, and reads as the
// assistant's (nothing proved a connector looked), so it counts only once re-inspected or accepted.
import { describe, expect, it } from 'vitest';
import { coverageMeter, type MissionToolkit } from '../../src/domain/mission.js';
import { storedDocument } from '../../src/storage/storedDocuments.js';

const github: MissionToolkit = {
  toolkitId: 'github',
  recommended: true,
  selected: true,
  authStatus: 'ready',
  rationale: 'Code',
  confidence: 0.9,
  precedentCount: 0,
};

describe('stored coverage', () => {
  it('reads an entry without recordedBy as reported by the assistant, which the meter does not count', () => {
    const old = JSON.stringify({
      entries: [{ toolkitId: 'github', status: 'ready', summary: 'inspected', metrics: {}, recordedAt: '2025-10-15T09:54:00.000Z' }],
      override: null,
    });
    const coverage = storedDocument('msn_old', 'coverage', old);
    expect(coverage.entries).toEqual([
      { toolkitId: 'github', status: 'ready', summary: 'inspected', metrics: {}, recordedAt: '2025-10-15T09:54:00.000Z', recordedBy: 'assistant' },
    ]);
    expect(coverageMeter({ toolkits: [github], coverage })).toBe(0);
  });

  it("keeps a connector's and a person's entries as recorded", () => {
    const entry = { toolkitId: 'github', status: 'ready', summary: 'inspected', metrics: {}, recordedAt: '2025-10-15T09:54:00.000Z' };
    const coverage = storedDocument(
      'msn_new',
      'coverage',
      JSON.stringify({
        entries: [
          { ...entry, recordedBy: 'connector' },
          { ...entry, recordedBy: 'person' },
        ],
        override: null,
      }),
    );
    expect(coverage.entries.map((e) => e.recordedBy)).toEqual(['connector', 'person']);
    expect(coverageMeter({ toolkits: [github], coverage })).toBe(1);
  });

  it('refuses an unknown recordedBy as a broken row, naming the column', () => {
    const broken = JSON.stringify({ entries: [{ toolkitId: 'github', recordedBy: 'oracle' }], override: null });
    expect(() => storedDocument('msn_bad', 'coverage', broken)).toThrow(/Mission msn_bad cannot be read: its stored "coverage"/);
  });
});
