// Where Prepare's coverage came from, for PLAN.md and VERIFICATION.md: shown only when some
// selected toolkit was not inspected by a connector, so a reader sees which readiness rests on
// the assistant's word (accepted by a person, or not counted at all) rather than an inspection.
import { actorName } from '../actors.js';
import { latestEntry, latestVerifiedEntry, type CoverageEntry, type Mission } from '../mission.js';
import { heading, table, type Block } from './markdown.js';

function recordedByText(entry: CoverageEntry): string {
  if (entry.acceptedBy) return `reported by the assistant, accepted by ${actorName(entry.acceptedBy)}`;
  if (entry.recordedBy === 'person') return 'a person';
  return entry.recordedBy === 'connector' ? 'connector inspection' : 'reported by the assistant, not counted';
}

export function coverageSourceBlocks(mission: Mission): Block[] {
  const rows: string[][] = [];
  for (const toolkit of mission.toolkits.filter((t) => t.selected && t.authStatus !== 'deferred')) {
    const verified = latestVerifiedEntry(mission.coverage, toolkit.toolkitId);
    const latest = latestEntry(mission.coverage, toolkit.toolkitId);
    for (const entry of new Set([verified, latest])) {
      if (entry) rows.push([toolkit.toolkitId, entry.status, recordedByText(entry), entry.recordedAt, entry.summary]);
    }
  }
  if (rows.every((r) => r[2] === 'connector inspection')) return [];
  return [
    heading(2, 'Prepare coverage sources'),
    ["Coverage counts connectors' read-only inspections and people; an assistant's report counts only once a person accepts it."],
    table(['Toolkit', 'Readiness', 'Recorded by', 'At', 'Finding'], rows),
  ];
}
