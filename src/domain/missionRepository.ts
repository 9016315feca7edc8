// Storage as the domain needs it. Implementations (Prisma on SQLite or PostgreSQL) live
// outside src/domain and must make `save` atomic: mission row, toolkits, tags and new
// events together, or nothing.
import type { MissionEvent } from './eventLog.js';
import type { ArtifactRecord } from './evidence.js';
import type { StepReport, TestRun } from './execution.js';
import type { LibraryEntry, LibraryMatch, LibrarySearch } from './library.js';
import type { Mission, MissionSummary } from './mission.js';
import type { MissionState } from './missionStateMachine.js';

export interface MissionListFilter {
  state?: MissionState;
  requesterId?: string;
  /** Case-insensitive substring of title or intent, every character literal (`%`, `_` and `\\` too). */
  text?: string;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

/** A mission awaiting approval as a person's overview shows it. */
export type AwaitingApproval = Pick<Mission, 'id' | 'title' | 'state' | 'plays' | 'approval'>;

/** What a person's overview (the App Home) shows: their latest missions and what waits for their decision. */
export interface PersonOverview {
  /** Missions the person requested, newest first. */
  missions: MissionSummary[];
  /** Every mission whose open approval request the person may still decide, soonest to expire first (no cap). */
  awaitingApproval: AwaitingApproval[];
}

export interface MissionPage {
  missions: MissionSummary[];
  nextCursor: string | null;
}

/** A test run a command appended: its phase and position (0-based, per phase) and the run. */
export interface AppendedTestRun {
  phaseId: string;
  position: number;
  run: TestRun;
}

/** A step a command appended: its phase and position (0-based, per phase) and the report. */
export interface AppendedStep {
  phaseId: string;
  position: number;
  step: StepReport;
}

/** Content the save writes next to the mission, in the same transaction. */
export interface MissionWrites {
  /** The artifacts this command attached: content (stored once, never updated), record and position (0-based: the count before it). */
  artifacts?: Array<{ id: string; name: string; kind: string; sha256: string; content: string; attachedAt: Date; position: number; record: ArtifactRecord }>;
  /**
   * Records and positions for artifacts whose rows hold content only (attached before the
   * document's window): written once, by the save that first bounds a document from before.
   */
  artifactRecords?: Array<{ id: string; position: number; record: ArtifactRecord }>;
  libraryEntry?: LibraryEntry;
  /** False when toolkits and tags are unchanged; absent means rewrite them. */
  replaceChildren?: boolean;
  /**
   * The test runs this command appended, exactly (the stage rule records them as it appends).
   * Storage appends these and touches no earlier run; absent means none. (A phase handed over
   * without `history`, its lists holding its whole history, is stored with rows for all of it.)
   */
  testRuns?: AppendedTestRun[];
  /** The steps this command appended, exactly; like `testRuns`, storage appends these and touches no earlier step. */
  steps?: AppendedStep[];
}

export interface MissionRepository {
  /** Stores a new mission and its first events. */
  create(mission: Mission, events: readonly MissionEvent[]): Promise<void>;
  get(missionId: string): Promise<Mission | null>;
  /** The mission's stored version, null when there is no such mission: a cheap check that a remembered state is still current. */
  currentVersion(missionId: string): Promise<number | null>;
  /**
   * Saves `mission` (whose version is already bumped) if the stored version is still
   * `expectedVersion`, appending `events`. Otherwise throws MissionError `concurrent_update`
   * and writes nothing.
   */
  save(mission: Mission, expectedVersion: number, events: readonly MissionEvent[], writes?: MissionWrites): Promise<void>;
  /** Stored evidence content of a mission, by artifact id. */
  artifactContents(missionId: string): Promise<Map<string, string>>;
  /** Up to `limit` artifact records from `fromPosition` (0-based, attachment order), in order. */
  artifactPage(missionId: string, fromPosition: number, limit: number): Promise<ArtifactRecord[]>;
  /** Library entries sharing tags with the query or holding its text in title or note; most shared tags, then reuse score, then most recently pinned first. */
  searchLibrary(search: LibrarySearch): Promise<LibraryMatch[]>;
  /** How many missions are in each state (for /metrics), from counters kept with every save: its cost does not grow with the missions. */
  countByState(): Promise<Record<string, number>>;
  /**
   * Ids of missions executing or reflecting whose production monitoring window may still be open
   * (at least every such mission; the caller checks each), found without loading every mission.
   */
  monitoringCandidates(): Promise<string[]>;
  /**
   * Ids of missions executing or reflecting that follow a pull request of `repository`
   * (`owner/name`) or hold evidence from it (at least every such mission; the caller checks each),
   * so a webhook delivery loads those missions, not every mission in flight.
   */
  githubCandidates(repository: string): Promise<string[]>;
  /** Ids of missions whose open approval request expired at or before `now`. */
  overdueApprovals(now: Date, limit: number): Promise<string[]>;
  list(filter: MissionListFilter): Promise<MissionPage>;
  /** The person's `missionLimit` latest missions and every mission awaiting their approval. */
  overviewOf(personId: string, missionLimit: number): Promise<PersonOverview>;
  /** Every event of the mission, in order (tests and small logs; history is read in pages). */
  events(missionId: string): Promise<MissionEvent[]>;
  /** Up to `limit` events with seq greater than `afterSeq`, in order. */
  eventPage(missionId: string, afterSeq: number, limit: number): Promise<MissionEvent[]>;
  /** Up to `limit` test runs of one phase from `fromPosition` (0-based), in order. */
  testRunPage(missionId: string, phaseId: string, fromPosition: number, limit: number): Promise<TestRun[]>;
  /** Up to `limit` steps of one phase from `fromPosition` (0-based), in order. */
  stepPage(missionId: string, phaseId: string, fromPosition: number, limit: number): Promise<StepReport[]>;
  /** For each toolkit: how many other missions sharing at least one of `tags` selected it. */
  countToolkitPrecedents(tags: readonly string[], excludeMissionId: string): Promise<Record<string, number>>;
}
