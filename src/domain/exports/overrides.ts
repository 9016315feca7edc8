// Overrides, for SUMMARY.md and VERIFICATION.md: a person's decision to go on, never a pass.
import { actorName } from '../actors.js';
import { COVERAGE_THRESHOLD, type Mission } from '../mission.js';
import { percent } from '../text/numbers.js';
import { heading, table, type Block } from './markdown.js';

export interface OverrideRow {
  what: string;
  by: string;
  at: string;
  reason: string;
}

export function overridesOf(mission: Mission): OverrideRow[] {
  const rows: OverrideRow[] = [];
  const coverage = mission.coverage.override;
  if (coverage) {
    rows.push({
      what: `Prepare coverage gate (coverage ${percent(coverage.coverage)}, ${percent(COVERAGE_THRESHOLD)} needed)`,
      by: actorName(coverage.by),
      at: coverage.at,
      reason: coverage.reason,
    });
  }
  for (const o of mission.execution?.gateOverrides ?? []) {
    rows.push({ what: `${o.phaseId ? `Phase ${o.phaseId} gate` : 'Mission gate'} check ${o.checkId}`, by: actorName(o.by), at: o.at, reason: o.reason });
  }
  return rows;
}

export function overrideBlocks(mission: Mission): Block[] {
  const rows = overridesOf(mission);
  if (rows.length === 0) return [];
  return [
    heading(2, 'Overrides'),
    table(
      ['Override', 'Result', 'By', 'At', 'Reason'],
      rows.map((o) => [o.what, 'OVERRIDE', o.by, o.at, o.reason]),
    ),
  ];
}
