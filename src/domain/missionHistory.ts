// A mission's history (events, test runs, steps) read in pages, and the hash chain verified
// page by page: whatever the length of a mission's history, a read holds one page and reads
// each entry once. Front doors page with the cursors (pageCursor.ts); the service verifies.
import { ChainVerifier, type ChainVerification, type MissionEvent } from './eventLog.js';
import type { PhaseProgress, StepReport, TestRun } from './execution.js';
import type { Mission } from './mission.js';
import type { MissionRepository } from './missionRepository.js';
import { decodeHistoryCursor, encodeHistoryCursor } from './pageCursor.js';

/** Events read per round trip when the whole log is walked (verification). */
const VERIFY_PAGE = 1000;
/** Steps or test runs read per round trip when a phase's whole history is read (exports). */
const WHOLE_HISTORY_PAGE = 1000;

export interface EventPage {
  events: MissionEvent[];
  /** The page's own check: each event intact and linked to the one before it (the previous page's last); the last page also against the mission's stored head. */
  verification: ChainVerification;
  nextCursor: string | null;
}

export interface HistoryPage<Entry> {
  entries: Array<{ phaseId: string; position: number } & Entry>;
  nextCursor: string | null;
}

/** The events after the cursor's, oldest first, checked as a stretch of the chain. */
export async function eventPage(repository: MissionRepository, mission: Mission, cursor: string | undefined, limit: number): Promise<EventPage> {
  const [afterSeq] = cursor ? decodeHistoryCursor('events', cursor, 1) : [0];
  // The event before the page anchors its first link; one more after it says whether a next page exists.
  const read = await repository.eventPage(mission.id, Math.max(afterSeq! - 1, 0), limit + (afterSeq! > 0 ? 2 : 1));
  const anchor = afterSeq! > 0 ? read.shift() : undefined;
  const events = read.slice(0, limit);
  const more = read.length > limit;
  const verifier =
    anchor && anchor.seq === afterSeq
      ? new ChainVerifier({ eventSeq: anchor.seq, headHash: anchor.hash })
      : new ChainVerifier({ eventSeq: afterSeq!, headHash: null });
  verifier.add(events);
  const last = events[events.length - 1];
  return { events, verification: verifier.result(more ? undefined : mission), nextCursor: more && last ? encodeHistoryCursor('events', [last.seq]) : null };
}

/**
 * Walks the whole log in pages against the mission's stored head; `each` sees every event
 * (verifyEvidence looks for the last sealed bundle). Stops reading at the first break.
 */
export async function verifyEventHistory(
  repository: MissionRepository,
  mission: Mission,
  each: (event: MissionEvent) => void = () => undefined,
): Promise<ChainVerification> {
  const verifier = new ChainVerifier();
  let afterSeq = 0;
  for (;;) {
    const page = await repository.eventPage(mission.id, afterSeq, VERIFY_PAGE);
    for (const event of page) each(event);
    if (!verifier.add(page) || page.length < VERIFY_PAGE) break;
    afterSeq = page[page.length - 1]!.seq;
  }
  return verifier.result(mission);
}

/** The test runs after the cursor, phase by phase in the play's order, from their rows. */
export async function testRunPage(
  repository: MissionRepository,
  mission: Mission,
  cursor: string | undefined,
  limit: number,
): Promise<HistoryPage<{ run: TestRun }>> {
  return phasePage(
    mission,
    'test_runs',
    cursor,
    limit,
    (phaseId, from, take) => repository.testRunPage(mission.id, phaseId, from, take),
    (run) => ({ run }),
  );
}

/** The steps reported after the cursor, phase by phase in the play's order, from their rows. */
export async function stepPage(
  repository: MissionRepository,
  mission: Mission,
  cursor: string | undefined,
  limit: number,
): Promise<HistoryPage<{ step: StepReport }>> {
  return phasePage(
    mission,
    'steps',
    cursor,
    limit,
    (phaseId, from, take) => repository.stepPage(mission.id, phaseId, from, take),
    (step) => ({ step }),
  );
}

/**
 * The mission with every phase's whole history in `steps` and `testRuns` (read page by page),
 * for exports that list every entry (SUMMARY.md). Exports are made on demand; loading a mission
 * for a command never does this.
 */
export async function withWholeHistory(repository: MissionRepository, mission: Mission): Promise<Mission> {
  const execution = mission.execution;
  if (!execution) return mission;
  const all = async <Item>(read: (from: number, take: number) => Promise<Item[]>): Promise<Item[]> => {
    const items: Item[] = [];
    for (;;) {
      const page = await read(items.length, WHOLE_HISTORY_PAGE);
      items.push(...page);
      if (page.length < WHOLE_HISTORY_PAGE) return items;
    }
  };
  const phases: PhaseProgress[] = [];
  for (const phase of execution.phases) {
    const steps = await all((from, take) => repository.stepPage(mission.id, phase.phaseId, from, take));
    const testRuns = await all((from, take) => repository.testRunPage(mission.id, phase.phaseId, from, take));
    phases.push({ ...phase, steps, testRuns });
  }
  return { ...mission, execution: { ...execution, phases } };
}

async function phasePage<Item, Entry>(
  mission: Mission,
  kind: 'test_runs' | 'steps',
  cursor: string | undefined,
  limit: number,
  read: (phaseId: string, from: number, take: number) => Promise<Item[]>,
  entry: (item: Item) => Entry,
): Promise<HistoryPage<Entry>> {
  const phases = mission.execution?.phases ?? [];
  let [phaseIndex, position] = cursor ? decodeHistoryCursor(kind, cursor, 2) : [0, 0];
  const entries: HistoryPage<Entry>['entries'] = [];
  while (phaseIndex! < phases.length) {
    const phaseId = phases[phaseIndex!]!.phaseId;
    // One more than fits says whether this phase goes on past the page.
    const items = await read(phaseId, position!, limit - entries.length + 1);
    const fits = items.slice(0, limit - entries.length);
    entries.push(...fits.map((item, i) => ({ phaseId, position: position! + i, ...entry(item) })));
    if (items.length > fits.length) return { entries, nextCursor: encodeHistoryCursor(kind, [phaseIndex!, position! + fits.length]) };
    phaseIndex! += 1;
    position = 0;
    if (entries.length === limit) break;
  }
  return { entries, nextCursor: phaseIndex! < phases.length ? encodeHistoryCursor(kind, [phaseIndex!, 0]) : null };
}
