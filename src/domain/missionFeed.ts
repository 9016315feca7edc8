// Durable delivery of mission changes to side-effect consumers (Slack messages, tracker
// issues). The hash-chained event log is the source of truth: each consumer keeps, per
// mission, the sequence number of the last event it has handled, so nothing recorded is
// lost while Slack or a tracker is down, and a burst of events is handled as one change.
// Storage implements the port; `src/feedWorker.ts` runs consumers with retries.

export interface FeedClaim {
  consumer: string;
  missionId: string;
  /** Events up to here were handled already. */
  handledSeq: number;
  /** The mission's latest event when claimed: handle up to here, then acknowledge it. */
  eventSeq: number;
  /** Failed attempts since the last success. */
  attempts: number;
  /**
   * This claim's number among the mission's claims by this consumer, in any instance (a fencing
   * token): a worker that handled claim n and now holds n + 1 knows nobody else handled the
   * mission in between, so what it remembers of its own delivery is still what is stored.
   */
  claimNumber: number;
}

/**
 * How one delivery ended: events of `missionId` up to `seq` handled by `consumer` (`quietMs` as in
 * `acknowledge`), or, with `deferUntil`, nothing handled yet and not due before then (as `defer`).
 */
export interface FeedSettlement {
  consumer: string;
  missionId: string;
  seq: number;
  quietMs?: number;
  deferUntil?: Date;
}

export interface FeedStats {
  /** Missions with events the consumer has not handled yet (dead ones excluded). */
  pending: number;
  /** Missions parked after too many failures; they need a person. */
  dead: number;
  /** How long ago the oldest undelivered change was saved. */
  oldestPendingSeconds: number | null;
}

export interface MissionFeed {
  /**
   * Claims up to `limit` missions with events past the consumer's cursor that are due,
   * leasing each to `owner` until `now + leaseMs`: no other worker (or instance) gets it
   * before the lease ends or is released. A change saved in another worker's process (or last
   * claimed by another worker) is left to that worker until it has been due for `handoverMs`:
   * it holds the mission in memory and delivers it cheapest, and takes it over from one that died.
   */
  claim(consumer: string, owner: string, limit: number, leaseMs: number, now: Date, handoverMs?: number): Promise<FeedClaim[]>;
  /** `claim` for several consumers in one go (one statement): up to `limit` claims in all, each naming its consumer. */
  claimAcross(consumers: readonly string[], owner: string, limit: number, leaseMs: number, now: Date, handoverMs?: number): Promise<FeedClaim[]>;
  /**
   * Marks events up to `seq` handled, clears failures and releases the lease. Changes saved
   * later than `now` by less than `quietMs` are not due before then, so they go out together
   * (coalescing that holds whichever instance saves or delivers them).
   */
  acknowledge(consumer: string, missionId: string, owner: string, seq: number, now: Date, quietMs?: number): Promise<void>;
  /** Ends several leases in one go (one statement): each as `acknowledge`, or as `defer` when it has `deferUntil`. */
  settleAll(settlements: readonly FeedSettlement[], owner: string, now: Date): Promise<void>;
  /** Releases the lease after a failure: retried at `retryAt`, or parked as dead when null. */
  fail(consumer: string, missionId: string, owner: string, error: string, retryAt: Date | null): Promise<void>;
  /** Releases the lease without a failure, not to be claimed before `at` (coalescing bursts). */
  defer(consumer: string, missionId: string, owner: string, at: Date): Promise<void>;
  stats(consumer: string, now: Date): Promise<FeedStats>;
  /** Deliveries parked as dead, oldest first: which mission, and the failure that parked it. */
  parked(consumer: string, filter?: ParkedFilter): Promise<ParkedDelivery[]>;
  /**
   * Un-parks dead deliveries (failures forgotten) so the next claim takes them: the consumer's
   * all, or those of one mission or of the missions posted in one channel. Returns how many.
   */
  revive(consumer: string, filter?: ParkedFilter): Promise<number>;
}

export interface ParkedFilter {
  missionId?: string;
  /** Missions whose Slack channel is this one (e.g. the bot just joined it). */
  channelId?: string;
}

export interface ParkedDelivery {
  missionId: string;
  lastError: string | null;
}

/** The consumers every new mission gets a cursor for. */
export const FEED_CONSUMERS = ['slack', 'trackers', 'executor'] as const;
