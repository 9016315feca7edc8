// A mission's history (events, test runs, steps) read in pages, and the hash chain verified
// page by page: whatever the length of a mission's history, a read holds one page and reads
// each entry once, and from the last checkpoint (chainCheckpoints.ts) unless a full check is
// asked for. Front doors page with the cursors (pageCursor.ts); the service verifies.
import type { ChainCheckpoints } from './chainCheckpoints.js';
import { holdsEveryArtifact, type ArtifactRecord } from './evidence.js';
import { ChainVerifier, hashEvent, type ChainVerification, type MissionEvent } from './eventLog.js';
import {
  alertCounts,
  deviationCount,
  type Deviation,
  type DeviationRule,
  type Execution,
  type PhaseProgress,
  type Severity,
  type StepReport,
  type TestRun,
  type ValidatorAlert,
} from './execution.js';
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

/** A chain check and where it started: `checkedFromSeq` 0 is the first event (a full check). */
export type ChainCheck = ChainVerification & {
  checkedFromSeq: number;
  /** total_hash of the last evidence bundle sealed in the log (from the checkpoint, or seen on the way); null when none. */
  sealedBundleHash: string | null;
};

/**
 * Verifies the log from the mission's last checkpoint (or from the first event when there is
 * none, the checkpoint is ahead of the mission, or `full`), checks that the checkpoint's own
 * event still carries the hash it was verified with, and records a new checkpoint when the
 * chain holds. What an incremental check proves: every event after the checkpoint is intact,
 * links back to the checkpointed hash, and the last matches the mission's head; the events up
 * to the checkpoint were intact when it was recorded. It does not re-read those earlier events,
 * so a change made to them since (other than to the checkpoint's event) shows only in a full check.
 */
export async function verifyChain(
  repository: MissionRepository,
  checkpoints: ChainCheckpoints | null,
  mission: Mission,
  options: { full: boolean; now: Date },
): Promise<ChainCheck> {
  const checkpoint = !options.full && checkpoints ? await checkpoints.latest(mission.id) : null;
  const from = checkpoint && checkpoint.eventSeq > 0 && checkpoint.eventSeq <= mission.eventSeq ? checkpoint : null;
  let sealedBundleHash = from?.sealedBundleHash ?? null;
  if (from) {
    const [anchor] = await repository.eventPage(mission.id, from.eventSeq - 1, 1);
    if (!anchor || anchor.seq !== from.eventSeq || anchor.hash !== from.headHash || hashEvent(anchor) !== anchor.hash) {
      return {
        ok: false,
        eventCount: from.eventSeq,
        brokenAtSeq: from.eventSeq,
        reason: `event ${from.eventSeq}, where the log was last verified, changed since; a full check says what else did`,
        checkedFromSeq: from.eventSeq,
        sealedBundleHash,
      };
    }
  }
  const verifier = from ? new ChainVerifier({ eventSeq: from.eventSeq, headHash: from.headHash }) : new ChainVerifier();
  let afterSeq = from?.eventSeq ?? 0;
  for (;;) {
    const page = await repository.eventPage(mission.id, afterSeq, VERIFY_PAGE);
    const intact = verifier.add(page);
    for (const event of page) {
      if (event.type === 'evidence_bundle_generated') sealedBundleHash = (event as MissionEvent<'evidence_bundle_generated'>).payload.total_hash;
    }
    if (!intact || page.length < VERIFY_PAGE) break;
    afterSeq = page[page.length - 1]!.seq;
  }
  const verification = verifier.result(mission);
  if (verification.ok && verification.eventCount > 0 && checkpoints) {
    await checkpoints.record(mission.id, { eventSeq: verification.eventCount, headHash: verification.headHash, sealedBundleHash, verifiedAt: options.now });
  }
  return { ...verification, checkedFromSeq: from?.eventSeq ?? 0, sealedBundleHash };
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

/** The artifacts after the cursor, in attachment order, from their rows (or the document, when it holds them all). */
export async function artifactPage(
  repository: MissionRepository,
  mission: Mission,
  cursor: string | undefined,
  limit: number,
): Promise<{ entries: Array<{ position: number; artifact: ArtifactRecord }>; nextCursor: string | null }> {
  const [from] = cursor ? decodeHistoryCursor('artifacts', cursor, 1) : [0];
  // One more than fits says whether there is a next page.
  const read = holdsEveryArtifact(mission.evidence)
    ? mission.evidence.artifacts.slice(from!, from! + limit + 1)
    : await repository.artifactPage(mission.id, from!, limit + 1);
  const entries = read.slice(0, limit).map((artifact, i) => ({ position: from! + i, artifact }));
  return { entries, nextCursor: read.length > limit ? encodeHistoryCursor('artifacts', [from! + limit]) : null };
}

/** Every artifact record of the mission, oldest first, read page by page from its rows (all of them, whatever the document keeps). */
export async function artifactRows(repository: MissionRepository, missionId: string): Promise<ArtifactRecord[]> {
  const artifacts: ArtifactRecord[] = [];
  for (;;) {
    const page = await repository.artifactPage(missionId, artifacts.length, WHOLE_HISTORY_PAGE);
    artifacts.push(...page);
    if (page.length < WHOLE_HISTORY_PAGE) return artifacts;
  }
}

/**
 * The mission with every artifact in `evidence.artifacts` (read from the rows when the document
 * keeps only some), for readers that list or check them all: exports, the evidence check, the
 * reflection message. A document holding them all is returned as it is.
 */
export async function withEveryArtifact(repository: MissionRepository, mission: Mission): Promise<Mission> {
  if (holdsEveryArtifact(mission.evidence)) return mission;
  return { ...mission, evidence: { ...mission.evidence, artifacts: await artifactRows(repository, mission.id) } };
}

/**
 * The mission with every phase's whole history in `steps` and `testRuns` (read page by page) and
 * every deviation (from the log, when some left the document's window), for exports that list
 * every entry (SUMMARY.md). Exports are made on demand; loading a mission
 * for a command never does this.
 */
export async function withWholeHistory(repository: MissionRepository, given: Mission): Promise<Mission> {
  const mission = await withEveryArtifact(repository, given);
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
  return withEveryAlertAndDeviation(repository, { ...mission, execution: { ...execution, phases } });
}

/**
 * The mission with every alert and deviation its execution recorded, rebuilt from the log when
 * some left the document's window (closed alerts beyond the latest, older deviations), for the
 * exports that list them all (SUMMARY.md, VERIFICATION.md). A document holding them all is returned as it is.
 */
export async function withEveryAlertAndDeviation(repository: MissionRepository, given: Mission): Promise<Mission> {
  const mission = await withEveryArtifact(repository, given);
  const execution = mission.execution;
  if (!execution) return mission;
  const windowed = deviationCount(execution) > execution.deviations.length || alertCounts(execution).raised > execution.alerts.length;
  if (!windowed) return mission;
  return { ...mission, execution: { ...execution, ...(await alertsAndDeviationsFromLog(repository, mission.id)) } };
}

/** Every alert (as last decided) and deviation, from the `validator_alert_*` and `deviation_recorded` events, in log order. */
async function alertsAndDeviationsFromLog(repository: MissionRepository, missionId: string): Promise<Pick<Execution, 'alerts' | 'deviations'>> {
  const deviations: Deviation[] = [];
  const alerts = new Map<string, ValidatorAlert>();
  for (let afterSeq = 0; ; ) {
    const page = await repository.eventPage(missionId, afterSeq, VERIFY_PAGE);
    for (const event of page) {
      const at = event.occurredAt.toISOString();
      if (event.type === 'deviation_recorded') {
        const p = (event as MissionEvent<'deviation_recorded'>).payload;
        deviations.push({
          id: p.deviation_id,
          phaseId: p.phase_id,
          rule: p.rule as DeviationRule,
          description: p.description,
          reason: p.reason,
          stepId: p.step,
          at,
        });
      } else if (event.type === 'validator_alert_raised') {
        const p = (event as MissionEvent<'validator_alert_raised'>).payload;
        alerts.set(p.alert_id, {
          id: p.alert_id,
          phaseId: p.phase_id,
          type: p.alert_type,
          severity: p.severity as Severity,
          description: p.description,
          status: p.alert_type === 'auto_fix' ? 'applied' : 'open',
          raisedBy: event.actor,
          raisedAt: at,
          resolution: null,
        });
      } else if (event.type === 'validator_alert_resolved') {
        const p = (event as MissionEvent<'validator_alert_resolved'>).payload;
        const alert = alerts.get(p.alert_id);
        if (alert)
          alerts.set(p.alert_id, {
            ...alert,
            status: p.outcome === 'accepted' ? 'resolved' : 'blocked',
            resolution: { by: event.actor, outcome: p.outcome, note: p.note, at },
          });
      }
    }
    if (page.length < VERIFY_PAGE) return { alerts: [...alerts.values()], deviations };
    afterSeq = page[page.length - 1]!.seq;
  }
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
