// The domain's MissionRepository port held in memory, for rule and service tests that need no
// database. It keeps the promises the Prisma repository keeps (test/storage/repositoryContract
// runs the same contract against both): a save only at the expected version, events appended
// in sequence, copies in and out (a caller changing a mission it holds changes nothing stored),
// missions read back in stored order.
import { isAwaitingApprovalFrom } from '../../src/domain/approvalPolicy.js';
import { MissionError } from '../../src/domain/errors.js';
import type { MissionEvent } from '../../src/domain/eventLog.js';
import type { ArtifactRecord } from '../../src/domain/evidence.js';
import type { StepReport, TestRun } from '../../src/domain/execution.js';
import type { LibraryEntry, LibraryMatch, LibrarySearch } from '../../src/domain/library.js';
import { inStoredOrder, type Mission, type MissionSummary } from '../../src/domain/mission.js';
import type { AwaitingApproval, MissionListFilter, MissionPage, MissionRepository, MissionWrites, PersonOverview } from '../../src/domain/missionRepository.js';
import { upgradeExecution } from '../../src/storage/historyRows.js';
import { decodeCursor, encodeCursor } from '../../src/storage/listCursor.js';

export class InMemoryMissionRepository implements MissionRepository {
  private readonly missions = new Map<string, Mission>();
  private readonly eventLog = new Map<string, MissionEvent[]>();
  private readonly artifacts = new Map<string, Map<string, string>>();
  /** Artifact records by mission and position, as the Prisma repository's rows. */
  private readonly artifactRecords = new Map<string, ArtifactRecord[]>();
  private readonly library: LibraryEntry[] = [];
  /** Test runs and steps by mission, phase and position, as the Prisma repository's rows. */
  private readonly runRows = new Map<string, Map<string, TestRun[]>>();
  private readonly stepRows = new Map<string, Map<string, StepReport[]>>();

  /** As storage does: phases given with their whole history are kept bounded, their entries as rows. */
  private bounded(mission: Mission): Mission {
    const { execution, pending } = upgradeExecution(mission.id, mission.execution);
    for (const phase of pending) {
      if (phase.testRuns)
        this.rowsOf(this.runRows, mission.id).set(
          phase.phaseId,
          phase.testRuns.map((r) => JSON.parse(r.run) as TestRun),
        );
      this.rowsOf(this.stepRows, mission.id).set(
        phase.phaseId,
        phase.steps.map((r) => JSON.parse(r.step) as StepReport),
      );
    }
    return { ...mission, execution };
  }

  private rowsOf<Entry>(rows: Map<string, Map<string, Entry[]>>, missionId: string): Map<string, Entry[]> {
    const byPhase = rows.get(missionId) ?? new Map<string, Entry[]>();
    rows.set(missionId, byPhase);
    return byPhase;
  }

  private append<Entry>(
    rows: Map<string, Map<string, Entry[]>>,
    missionId: string,
    appended: ReadonlyArray<{ phaseId: string; position: number }>,
    entry: (a: never) => Entry,
  ): void {
    for (const item of appended) {
      const list = this.rowsOf(rows, missionId).get(item.phaseId) ?? [];
      list[item.position] = structuredClone(entry(item as never));
      this.rowsOf(rows, missionId).set(item.phaseId, list);
    }
  }

  async create(mission: Mission, events: readonly MissionEvent[]): Promise<void> {
    if (this.missions.has(mission.id)) throw new Error(`A mission with id ${mission.id} already exists.`);
    this.missions.set(mission.id, structuredClone(inStoredOrder(this.bounded(mission))));
    this.eventLog.set(mission.id, structuredClone([...events]));
  }

  async get(missionId: string): Promise<Mission | null> {
    const stored = this.missions.get(missionId);
    return stored ? structuredClone(stored) : null;
  }

  async monitoringCandidates(): Promise<string[]> {
    return [...this.missions.values()]
      .filter((m) => (m.state === 'executing' || m.state === 'reflecting') && m.execution?.release?.monitoring?.closedAt === null)
      .map((m) => m.id);
  }

  async githubCandidates(repository: string): Promise<string[]> {
    return [...this.missions.values()]
      .filter((m) => m.state === 'executing' || m.state === 'reflecting')
      .filter((m) => JSON.stringify(m.execution).includes(repository) || JSON.stringify(m.evidence).includes(repository))
      .map((m) => m.id);
  }

  async currentVersion(missionId: string): Promise<number | null> {
    return this.missions.get(missionId)?.version ?? null;
  }

  async save(mission: Mission, expectedVersion: number, events: readonly MissionEvent[], writes: MissionWrites = {}): Promise<void> {
    const stored = this.missions.get(mission.id);
    const log = this.eventLog.get(mission.id) ?? [];
    const taken = new Set(log.map((e) => e.seq));
    // As on a database: no row at the expected version, or an event position already taken, means another writer went first.
    if (!stored || stored.version !== expectedVersion || events.some((e) => taken.has(e.seq))) {
      throw new MissionError('concurrent_update', 'The mission changed while this request was being handled. Try again.', { state: mission.state });
    }
    if (writes.libraryEntry && this.library.some((e) => e.id === writes.libraryEntry!.id))
      throw new Error(`Library entry ${writes.libraryEntry.id} already exists.`);
    this.missions.set(mission.id, structuredClone(inStoredOrder(this.bounded(mission))));
    this.eventLog.set(mission.id, [...log, ...structuredClone([...events])]);
    this.append(this.runRows, mission.id, writes.testRuns ?? [], (a: { run: TestRun }) => a.run);
    this.append(this.stepRows, mission.id, writes.steps ?? [], (a: { step: StepReport }) => a.step);
    if (writes.artifacts?.length || writes.artifactRecords?.length) {
      const contents = this.artifacts.get(mission.id) ?? new Map<string, string>();
      const records = this.artifactRecords.get(mission.id) ?? [];
      for (const a of writes.artifactRecords ?? []) records[a.position] = structuredClone(a.record);
      for (const artifact of writes.artifacts ?? []) {
        contents.set(artifact.id, artifact.content);
        records[artifact.position] = structuredClone(artifact.record);
      }
      this.artifacts.set(mission.id, contents);
      this.artifactRecords.set(mission.id, records);
    }
    if (writes.libraryEntry) this.library.push(structuredClone({ ...writes.libraryEntry, tags: [...new Set(writes.libraryEntry.tags)].sort() }));
  }

  async eventPage(missionId: string, afterSeq: number, limit: number): Promise<MissionEvent[]> {
    return structuredClone((this.eventLog.get(missionId) ?? []).filter((e) => e.seq > afterSeq).slice(0, limit));
  }

  async testRunPage(missionId: string, phaseId: string, fromPosition: number, limit: number): Promise<TestRun[]> {
    const runs = this.runRows.get(missionId)?.get(phaseId) ?? [];
    return structuredClone(runs.slice(fromPosition, fromPosition + limit));
  }

  async stepPage(missionId: string, phaseId: string, fromPosition: number, limit: number): Promise<StepReport[]> {
    const steps = this.stepRows.get(missionId)?.get(phaseId) ?? [];
    return structuredClone(steps.slice(fromPosition, fromPosition + limit));
  }

  async artifactPage(missionId: string, fromPosition: number, limit: number): Promise<ArtifactRecord[]> {
    const records = (this.artifactRecords.get(missionId) ?? []).filter((r) => r !== undefined);
    return structuredClone(records.slice(fromPosition, fromPosition + limit));
  }

  async artifactContents(missionId: string): Promise<Map<string, string>> {
    return new Map(this.artifacts.get(missionId) ?? []);
  }

  async searchLibrary(search: LibrarySearch): Promise<LibraryMatch[]> {
    const tags = [...new Set(search.tags ?? [])];
    const text = search.text?.toLowerCase();
    const any = tags.length > 0 || Boolean(text);
    return this.library
      .filter(
        (e) =>
          !any ||
          e.tags.some((t) => tags.includes(t)) ||
          (text !== undefined && text !== '' && (e.title.toLowerCase().includes(text) || e.note.toLowerCase().includes(text))),
      )
      .map((e): LibraryMatch => ({ entry: structuredClone(e), matchedTags: e.tags.filter((t) => tags.includes(t)) }))
      .sort(
        (a, b) =>
          b.matchedTags.length - a.matchedTags.length ||
          b.entry.reuseScore - a.entry.reuseScore ||
          b.entry.pinnedAt.localeCompare(a.entry.pinnedAt) ||
          (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0),
      )
      .slice(0, search.limit);
  }

  async countByState(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const m of this.missions.values()) counts[m.state] = (counts[m.state] ?? 0) + 1;
    return counts;
  }

  async overdueApprovals(now: Date, limit: number): Promise<string[]> {
    return [...this.missions.values()]
      .filter((m) => m.state === 'awaiting_approval' && m.approval?.status === 'requested' && new Date(m.approval.expiresAt) <= now)
      .sort((a, b) => Date.parse(a.approval!.expiresAt) - Date.parse(b.approval!.expiresAt))
      .slice(0, limit)
      .map((m) => m.id);
  }

  async list(filter: MissionListFilter): Promise<MissionPage> {
    const cursor = filter.cursor ? decodeCursor(filter.cursor) : null;
    const text = filter.text?.toLowerCase();
    const newestFirst = (a: Mission, b: Mission) => b.updatedAt.getTime() - a.updatedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
    const rows = [...this.missions.values()]
      .filter((m) => !filter.state || m.state === filter.state)
      .filter((m) => !filter.requesterId || m.requester.id === filter.requesterId)
      .filter((m) => !text || m.title.toLowerCase().includes(text) || m.intent.toLowerCase().includes(text))
      .filter((m) => !cursor || m.updatedAt < cursor.updatedAt || (m.updatedAt.getTime() === cursor.updatedAt.getTime() && m.id < cursor.id))
      .sort(newestFirst);
    const page = rows.slice(0, filter.limit);
    const last = page.at(-1);
    return {
      missions: page.map(
        (m): MissionSummary =>
          structuredClone({
            id: m.id,
            title: m.title,
            state: m.state,
            requester: m.requester,
            channelId: m.channelId,
            createdAt: m.createdAt,
            updatedAt: m.updatedAt,
          }),
      ),
      nextCursor: rows.length > filter.limit && last ? encodeCursor(last.updatedAt, last.id) : null,
    };
  }

  async overviewOf(personId: string, missionLimit: number): Promise<PersonOverview> {
    const { missions } = await this.list({ requesterId: personId, limit: missionLimit });
    const awaitingApproval = [...this.missions.values()]
      .filter((m) => isAwaitingApprovalFrom(m, personId))
      .sort((a, b) => Date.parse(a.approval!.expiresAt) - Date.parse(b.approval!.expiresAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((m): AwaitingApproval => structuredClone({ id: m.id, title: m.title, state: m.state, plays: m.plays, approval: m.approval }));
    return { missions, awaitingApproval };
  }

  async events(missionId: string): Promise<MissionEvent[]> {
    return structuredClone(this.eventLog.get(missionId) ?? []);
  }

  async countToolkitPrecedents(tags: readonly string[], excludeMissionId: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const m of this.missions.values()) {
      if (m.id === excludeMissionId || !m.tags.some((t) => tags.includes(t))) continue;
      for (const t of m.toolkits) if (t.selected) counts[t.toolkitId] = (counts[t.toolkitId] ?? 0) + 1;
    }
    return counts;
  }
}
