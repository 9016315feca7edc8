// Runs the feed's consumers: claims missions with undelivered events, hands each to its
// consumer, and acknowledges, defers or retries. Failures back off exponentially with jitter
// (or as long as the remote asked, via `retryAfterMs`); after `maxAttempts` the mission is
// parked as dead for a person to look at. Nothing is dropped: the cursor only moves on success.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { FeedClaim, FeedSettlement, MissionFeed } from './domain/missionFeed.js';
import type { Clock } from './domain/runtime.js';

export interface FeedConsumer {
  name: string;
  /** Makes the outside world match the mission; `deferUntil` asks to be called again later (coalescing). */
  // biome-ignore lint/suspicious/noConfusingVoidType: a consumer that has nothing to defer just returns (Promise<void>).
  handle(claim: FeedClaim): Promise<void | { deferUntil: Date }>;
  /**
   * Called once a round's deliveries to this consumer are handled, before they are settled: for
   * what the consumer writes once per round rather than once per delivery. When it fails, those
   * deliveries are not settled; they are claimed again when their leases end.
   */
  endRound?(): Promise<void>;
}

/** Changes within this long of a delivery wait and go in one (per consumer name; 0 when absent). */
export type CoalesceMs = Readonly<Record<string, number>>;

export interface FeedWorkerOptions {
  feed: MissionFeed;
  clock: Clock;
  logger: Logger;
  consumers: readonly FeedConsumer[];
  /** Identifies this worker's leases; unique per process by default. */
  owner?: string;
  pollMs?: number;
  leaseMs?: number;
  maxAttempts?: number;
  batchSize?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /**
   * Per consumer: after a delivery, changes saved within this many ms wait until then and are
   * delivered together. Kept on the cursor, so it holds across instances: however many run, a
   * mission gets at most one delivery per window per consumer.
   */
  coalesceMs?: CoalesceMs;
  /**
   * A change saved here waits this long for its round, so changes saved close together (an
   * assistant's burst of reports) go in one round: one claim, one settle, one delivery per
   * mission, instead of one of each per change. 50 ms by default: far below what a person notices
   * in Slack (an edit waits a second anyway), and at an assistant's pace of a report every few
   * milliseconds a round gathers several.
   */
  gatherMs?: number;
  /**
   * A change saved in another process whose worker delivers (or last claimed by another worker)
   * is left to that worker until it has been due this long: it holds the mission in memory, so
   * it delivers without reading the mission and its Slack records again, and instances that
   * took every due change they saw did that work twice. After this, any worker takes it over
   * (the saver died or is busy). 1 s by default.
   */
  handoverMs?: number;
  /** Told when a delivery is parked as dead, so the mission can say so. */
  onDead?: (consumer: string, missionId: string, error: string) => Promise<unknown>;
}

/** What a consumer's error may say about retrying: how long the remote asked to wait (HTTP 429 Retry-After), or that retrying cannot help (e.g. the bot is not in the channel). */
export interface RetryAfterError extends Error {
  retryAfterMs?: number;
  permanent?: boolean;
}

export function retryDelayMs(attempts: number, error: unknown, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const asked = (error as RetryAfterError | undefined)?.retryAfterMs;
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts));
  // Full jitter spreads retries from several instances; never sooner than the remote asked.
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.max(typeof asked === 'number' && asked > 0 ? asked : 0, Math.round(jittered));
}

/** How long a change is left to the worker that saved it or claimed it last (`FeedWorkerOptions.handoverMs`). */
export const DEFAULT_HANDOVER_MS = 1000;

export class FeedWorker {
  readonly owner: string;
  private readonly options: Required<Omit<FeedWorkerOptions, 'owner' | 'onDead'>> & Pick<FeedWorkerOptions, 'onDead'>;
  private timer: NodeJS.Timeout | null = null;
  /** When the scheduled round (`timer`) runs. */
  private timerAt = 0;
  private running: Promise<number> | null = null;
  private stopped = true;
  private wakeRequested = false;
  /** A change was saved here (`wake`) since the current round of claims began. */
  private savedDuringRound = false;
  private stopRequested = false;
  /** Wakes at the end of coalescing windows, by 50 ms slot. */
  private readonly wakeTimers = new Map<number, NodeJS.Timeout>();

  constructor(options: FeedWorkerOptions) {
    this.owner = options.owner ?? `worker-${process.pid}-${randomBytes(4).toString('hex')}`;
    this.options = {
      pollMs: 500,
      leaseMs: 30_000,
      maxAttempts: 20,
      batchSize: 10,
      backoffBaseMs: 1000,
      backoffMaxMs: 5 * 60_000,
      coalesceMs: {},
      gatherMs: 50,
      handoverMs: DEFAULT_HANDOVER_MS,
      ...options,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopRequested = false;
    this.schedule(0);
  }

  /** Runs soon instead of at the next poll (a local change was just saved). */
  wake(): void {
    this.savedDuringRound = true;
    if (this.stopped) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.runWithin(this.options.gatherMs);
  }

  /**
   * Makes sure a round runs within `delayMs` (another instance saved a change). Not at once: the
   * instance that saved it wakes its own worker and, holding the mission in memory, delivers it
   * cheapest; this one looks shortly after, for a saver that runs no worker (stdio). A change
   * whose saver's worker died is taken over once it has been due for `handoverMs`. A round
   * already due by then (the poll, an earlier wake) covers it, so a stream of notices costs this
   * worker at most one extra round per `delayMs`.
   */
  wakeWithin(delayMs: number): void {
    if (this.stopped || this.running) return;
    this.runWithin(delayMs);
  }

  /** A round within `delayMs`: one already due by then stays as it is (so a stream of wakes cannot put it off). */
  private runWithin(delayMs: number): void {
    if (this.timer && this.timerAt <= Date.now() + delayMs) return;
    this.schedule(delayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopRequested = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const timer of this.wakeTimers.values()) clearTimeout(timer);
    this.wakeTimers.clear();
    await this.running?.catch(() => undefined);
  }

  /** Handles everything due now, repeatedly, until nothing is due; returns how many claims were handled. */
  async runOnce(): Promise<number> {
    let handled = 0;
    // A stop (shutdown) lets the claims in hand finish and takes no more; their leases expire for another instance otherwise.
    // One statement claims for every consumer. When it got fewer claims than it asked for, nothing
    // more was due: the next round is skipped instead of asking only to hear "nothing", unless a
    // change was saved here during the round (a consumer's own save, say), which may have made
    // something due. Claims are handled consumer by consumer, in order.
    const { consumers, batchSize, leaseMs, handoverMs } = this.options;
    for (let round = 0; round < 1000 && !this.stopRequested; round++) {
      this.savedDuringRound = false;
      const limit = batchSize * consumers.length;
      const claims = await this.options.feed.claimAcross(
        consumers.map((c) => c.name),
        this.owner,
        limit,
        leaseMs,
        this.options.clock.now(),
        handoverMs,
      );
      handled += claims.length;
      // Deliveries that succeeded or deferred are settled together, in one statement, once the
      // round's claims are handled (their leases hold until then); failures are recorded at once.
      const settled: FeedSettlement[] = [];
      for (const consumer of consumers) {
        const mine = claims.filter((c) => c.consumer === consumer.name);
        if (mine.length === 0) continue;
        const handledNow = await Promise.all(mine.map((claim) => this.handle(consumer, claim)));
        if (await this.endRound(consumer)) for (const one of handledNow) if (one) settled.push(one);
      }
      await this.options.feed.settleAll(settled, this.owner, this.options.clock.now());
      // Changes that arrive meanwhile are due when each window ends: look then, not at the next poll.
      for (const one of settled) if (one.quietMs && !one.deferUntil) this.wakeIn(one.quietMs);
      if (claims.length < limit) {
        if (!this.savedDuringRound) break;
        // Changes saved during the round: gather the ones that follow closely, then look again.
        await new Promise((resolve) => setTimeout(resolve, this.options.gatherMs));
      }
    }
    return handled;
  }

  /** The consumer's end of the round (FeedConsumer.endRound); false when it failed, and the round's deliveries must not be settled. */
  private async endRound(consumer: FeedConsumer): Promise<boolean> {
    try {
      await consumer.endRound?.();
      return true;
    } catch (error) {
      this.options.logger.warn({ consumer: consumer.name, err: error }, 'a round of deliveries could not be recorded; they run again when their leases end');
      return false;
    }
  }

  /** Runs a round in about `delayMs` (wakes within 50 ms of each other are one). */
  private wakeIn(delayMs: number): void {
    if (this.stopped) return;
    const slot = Math.ceil((Date.now() + delayMs) / 50);
    if (this.wakeTimers.has(slot)) return;
    const timer = setTimeout(() => {
      this.wakeTimers.delete(slot);
      this.wake();
    }, delayMs);
    timer.unref();
    this.wakeTimers.set(slot, timer);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce();
      this.running
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'feed worker round failed'))
        .finally(() => {
          this.running = null;
          if (this.stopped) return;
          const again = this.wakeRequested;
          this.wakeRequested = false;
          this.schedule(again ? this.options.gatherMs : this.options.pollMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** Hands a claim to its consumer; returns how to settle it when it succeeded or deferred (a failure is recorded here). */
  private async handle(consumer: FeedConsumer, claim: FeedClaim): Promise<FeedSettlement | null> {
    const { feed, clock, logger } = this.options;
    try {
      const outcome = await consumer.handle(claim);
      const delivery = { consumer: consumer.name, missionId: claim.missionId, seq: claim.eventSeq };
      if (outcome && 'deferUntil' in outcome) return { ...delivery, deferUntil: outcome.deferUntil };
      return { ...delivery, quietMs: this.options.coalesceMs[consumer.name] ?? 0 };
    } catch (error) {
      const attempts = claim.attempts + 1;
      const message = error instanceof Error ? error.message : String(error);
      const permanent = (error as RetryAfterError | undefined)?.permanent === true;
      if (permanent || attempts >= this.options.maxAttempts) {
        logger.error(
          { consumer: consumer.name, missionId: claim.missionId, attempts, err: error },
          permanent ? 'delivery parked as dead: retrying cannot help' : 'delivery parked as dead after repeated failures',
        );
        await feed.fail(consumer.name, claim.missionId, this.owner, message, null);
        await this.options
          .onDead?.(consumer.name, claim.missionId, message)
          .catch((e: unknown) => logger.warn({ err: e, missionId: claim.missionId }, 'could not record the parked delivery on the mission'));
        return null;
      }
      const delay = retryDelayMs(claim.attempts, error, this.options.backoffBaseMs, this.options.backoffMaxMs);
      logger.warn({ consumer: consumer.name, missionId: claim.missionId, attempts, retryInMs: delay, error: message }, 'delivery failed; will retry');
      await feed.fail(consumer.name, claim.missionId, this.owner, message, new Date(clock.now().getTime() + delay));
      return null;
    }
  }
}
