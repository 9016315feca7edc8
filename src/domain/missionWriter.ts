// How a command's change is saved: load the mission (or start from the state this process saved
// last), run a pure stage rule on it, seal its events into the hash chain and save both with an
// optimistic version check, retrying on fresh state when another writer won. Commands on one
// mission queue inside the process; listeners hear every saved change.
import type { Actor } from './actors.js';
import { MissionError, missionNotFound } from './errors.js';
import { canonicalJson, chainEvents, type MissionEvent, type PendingEvent } from './eventLog.js';
import { boundStoredEvidence } from './evidence.js';
import { inStoredOrder, type Mission } from './mission.js';
import { requireTokenMayAct } from './missionAccess.js';
import { EventBuffer, noWrites, type MissionCommand } from './missionCommand.js';
import type { MissionChangeNotice } from './missionChanges.js';
import type { MissionRepository } from './missionRepository.js';
import { STAGE_OF_STATE } from './missionStateMachine.js';
import type { Clock, IdGenerator } from './runtime.js';
import { catalogStage, type EventType } from './telemetryEvents.js';

export type MissionListener = (mission: Mission, events: readonly MissionEvent[]) => void;

/** A stage rule as a command runs it: pure, so on a concurrent update it runs again on fresh state. */
export type MissionChange = (mission: Mission, cmd: MissionCommand) => Mission;

/**
 * How long a write keeps retrying when other writers (this or another process) keep winning
 * the version check. A valid report is never refused for contention: it waits its turn up to
 * this long (well inside an MCP client's 60 s timeout) before `concurrent_update` is returned.
 */
const CONTENTION_DEADLINE_MS = 10_000;
/** The longest single backoff between retries; each wait is a random share of it (full jitter). */
const MAX_BACKOFF_MS = 250;
const REMEMBERED_MISSIONS = 500;

/**
 * Runs tasks for the same key one after another. Commands on one mission queue up inside
 * this process instead of racing; across processes the version check still decides.
 */
class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

/** How saves went, counted since start: what /metrics reports and tests observe. */
export interface WriterCounts {
  /** Saves refused because the remembered state was stale (another instance saved first), then re-applied on fresh state. */
  staleSaves: number;
  /** Remembered missions dropped because another instance announced a newer save. */
  droppedOnNotice: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class MissionWriter {
  private readonly queue = new KeyedQueue();
  private readonly listeners = new Set<MissionListener>();
  /** Missions as this process last saved or read them, most recent last. */
  private readonly recent = new Map<string, Mission>();
  private readonly counted: WriterCounts = { staleSaves: 0, droppedOnNotice: 0 };
  /** Missions whose remembered copy is this process's own save: it is driving them (see `heard`). */
  private readonly driven = new Set<string>();
  /** Missions being read again after another instance's notice, with the newest version announced meanwhile. */
  private readonly refreshing = new Map<string, number>();

  constructor(
    private readonly repository: MissionRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /**
   * The mission as stored now. A mission this process saved or read lately is served from
   * memory when the stored version is still the remembered one (a version is only ever saved
   * once, so the state is the same): the feed's consumers read every mission right after its
   * save, and a full read parses every document and joins every test run again.
   */
  async load(missionId: string): Promise<Mission> {
    const remembered = this.recent.get(missionId);
    if (remembered && (await this.repository.currentVersion(missionId)) === remembered.version) return remembered;
    const mission = await this.repository.get(missionId);
    if (!mission) throw missionNotFound(missionId);
    this.remember(mission);
    return mission;
  }

  /**
   * The mission with at least its events up to `eventSeq` (a feed delivery's claim): the
   * remembered copy when it has them, with no database read, since a delivery handles the events
   * it claimed and any later save marks the mission due again; otherwise `load`. Every save adds
   * events, so a remembered copy at that seq is a state that was stored, never a guess.
   */
  async loadSince(missionId: string, eventSeq: number): Promise<Mission> {
    const remembered = this.recent.get(missionId);
    if (remembered && remembered.eventSeq >= eventSeq) return remembered;
    return this.load(missionId);
  }

  /**
   * The mission as the database holds it, never the remembered copy: integrity checks
   * (verifyEvidence, verifyEventLog) must see a row changed behind the service's back, which
   * keeps its version and so would otherwise be served from memory.
   */
  async loadStored(missionId: string): Promise<Mission> {
    const mission = await this.repository.get(missionId);
    if (!mission) throw missionNotFound(missionId);
    return mission;
  }

  /** The command a rule runs under: `actor` now, fresh ids, an empty event buffer. */
  command(actor: Actor): MissionCommand {
    const now = this.clock.now();
    return { actor, now, at: now.toISOString(), newId: (prefix) => this.ids.next(prefix), events: new EventBuffer(actor), writes: noWrites() };
  }

  /** Saves a new mission with the events `cmd` buffered while it was made. */
  async create(mission: Mission, cmd: MissionCommand): Promise<Mission> {
    const sealed = this.seal(mission, cmd.events.pending, cmd.now);
    await this.repository.create(sealed.mission, sealed.events);
    this.remember(sealed.mission, { saved: true });
    this.notify(sealed.mission, sealed.events);
    return sealed.mission;
  }

  /**
   * Load, apply, save with an optimistic version check. `apply` must be a pure function of
   * the mission: on a concurrent update it runs again on the fresh state.
   */
  mutate(missionId: string, actor: Actor, apply: MissionChange): Promise<Mission> {
    // A token acts only on missions within its reach (missionAccess.ts); checked on the state the change applies to.
    const guarded = (mission: Mission, cmd: MissionCommand) => {
      requireTokenMayAct(mission, actor);
      return apply(mission, cmd);
    };
    return this.queue.run(missionId, () => this.mutateNow(missionId, actor, guarded));
  }

  /**
   * Calls `listener` after every change this process saves (front doors use it for live
   * updates). Returns the unsubscribe function. A failing listener never fails the command.
   */
  subscribe(listener: MissionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True when this process saved the mission at `version` or later (and still remembers it): a notice of that save is its own echo. */
  savedHere(missionId: string, version: number): boolean {
    return (this.recent.get(missionId)?.version ?? -1) >= version;
  }

  /**
   * Another instance announced a save (or that notices were missed): a remembered copy older
   * than it is dropped at once, so the next command here starts from fresh state instead of
   * running its rule on a stale copy and losing the version check.
   */
  heard(notice: MissionChangeNotice): void {
    if (notice.missionId === null) {
      this.counted.droppedOnNotice += this.recent.size;
      this.recent.clear();
      this.driven.clear();
      return;
    }
    const { missionId, version } = notice;
    const refreshing = this.refreshing.get(missionId);
    if (refreshing !== undefined) {
      this.refreshing.set(missionId, Math.max(refreshing, version));
      return;
    }
    const remembered = this.recent.get(missionId);
    if (remembered && remembered.version < version) {
      const driving = this.driven.has(missionId);
      this.forget(missionId);
      this.counted.droppedOnNotice++;
      // This process saved the copy it held, so it is driving the mission too (two instances
      // taking turns): read the new state now, in the mission's queue, so the next command here
      // does not wait for that read. A copy only read here is just dropped.
      if (driving) {
        this.refreshing.set(missionId, version);
        void this.queue.run(missionId, () => this.refresh(missionId)).catch(() => undefined);
      }
    }
  }

  /** Reads a mission another instance saved, unless a command here read or saved it meanwhile. */
  private async refresh(missionId: string): Promise<void> {
    try {
      if (this.recent.has(missionId)) return;
      const mission = await this.repository.get(missionId);
      // Remembered only if no newer save was announced while it was read.
      if (mission && mission.version >= (this.refreshing.get(missionId) ?? 0) && !this.recent.has(missionId)) this.remember(mission);
    } finally {
      this.refreshing.delete(missionId);
    }
  }

  counts(): WriterCounts {
    return { ...this.counted };
  }

  private notify(mission: Mission, events: readonly MissionEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(mission, events);
      } catch {
        // Listeners report their own failures; the saved change stands.
      }
    }
  }

  private seal(mission: Mission, pending: readonly PendingEvent[], now: Date): { mission: Mission; events: MissionEvent[] } {
    const stageOf = (type: EventType) => {
      const stage = catalogStage(type);
      return stage === 'cross_stage' ? STAGE_OF_STATE[mission.state] : stage;
    };
    const chained = chainEvents({ missionId: mission.id, eventSeq: mission.eventSeq, headHash: mission.headHash }, pending, stageOf, now, () =>
      this.ids.next('evt'),
    );
    return { mission: { ...mission, eventSeq: chained.eventSeq, headHash: chained.headHash, updatedAt: now }, events: chained.events };
  }

  private async mutateNow(missionId: string, actor: Actor, apply: MissionChange): Promise<Mission> {
    // The state this process saved last is the likely current one: start from it and let the
    // version check catch a writer elsewhere. A refusal or no-op on remembered state is checked
    // again on fresh state, so a stale memory never decides anything.
    let remembered = this.recent.get(missionId);
    const deadline = Date.now() + CONTENTION_DEADLINE_MS;
    for (let attempt = 1; ; attempt++) {
      const current = remembered ?? (await this.load(missionId));
      const cmd = this.command(actor);
      const now = cmd.now;
      let changed: Mission;
      try {
        changed = apply(current, cmd);
      } catch (error) {
        if (!remembered) throw error;
        remembered = this.forget(missionId);
        attempt--;
        continue;
      }
      if (cmd.events.pending.length === 0) {
        if (!remembered) return current;
        remembered = this.forget(missionId);
        attempt--;
        continue;
      }
      // A document from before the evidence window, listing every artifact: any save bounds it (its rows get their records).
      const bounded = boundStoredEvidence(changed.evidence);
      if (bounded) {
        changed = { ...changed, evidence: bounded.evidence };
        cmd.writes.artifactRecords = bounded.records;
      }
      const sealed = this.seal({ ...changed, version: current.version + 1 }, cmd.events.pending, now);
      // Most commands leave toolkits and tags alone; telling storage so spares rewriting those rows.
      cmd.writes.replaceChildren =
        (changed.toolkits !== current.toolkits || changed.tags !== current.tags) &&
        canonicalJson([changed.toolkits, changed.tags]) !== canonicalJson([current.toolkits, current.tags]);
      try {
        // cmd.writes names exactly what the rule appended (test runs, artifacts, a library entry):
        // storage appends those and never diffs against history it may no longer hold.
        await this.repository.save(sealed.mission, current.version, sealed.events, cmd.writes);
        this.remember(sealed.mission, { saved: true });
        this.notify(sealed.mission, sealed.events);
        return sealed.mission;
      } catch (error) {
        const fromMemory = remembered !== undefined;
        remembered = this.forget(missionId);
        if (error instanceof MissionError && error.code === 'concurrent_update' && fromMemory) {
          // The remembered state was stale (another instance saved since), not contended: re-apply on fresh state at once.
          this.counted.staleSaves++;
          attempt--;
          continue;
        }
        if (error instanceof MissionError && error.code === 'concurrent_update' && Date.now() < deadline) {
          // Another process won this round; back off (exponential, full jitter) and re-apply on fresh state.
          await pause(Math.random() * Math.min(MAX_BACKOFF_MS, 5 * 2 ** Math.min(attempt, 10)));
          continue;
        }
        throw error;
      }
    }
  }

  private remember(mission: Mission, { saved = false } = {}): void {
    this.recent.delete(mission.id);
    this.recent.set(mission.id, inStoredOrder(mission));
    if (saved) this.driven.add(mission.id);
    else this.driven.delete(mission.id);
    if (this.recent.size > REMEMBERED_MISSIONS) this.forget(this.recent.keys().next().value!);
  }

  private forget(missionId: string): undefined {
    this.recent.delete(missionId);
    this.driven.delete(missionId);
    return undefined;
  }
}
