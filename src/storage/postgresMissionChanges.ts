// MissionChanges on PostgreSQL: a trigger on "Mission" NOTIFYs every committed save (migration
// 20261129040100_mission_change_notify) and each instance LISTENs on one dedicated connection,
// outside the pool (a pooled connection is handed to other queries and its LISTEN would be
// lost). When that connection drops, it reconnects with exponential backoff and full jitter,
// and once listening again tells its listeners that anything may have changed, since notices
// sent meanwhile are gone; polling covers the gap.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { ANYTHING_MAY_HAVE_CHANGED, type MissionChangeListener, type MissionChangeNotice, type MissionChanges } from '../domain/missionChanges.js';
import type { DatabaseSettings } from './databaseSettings.js';

/** The channel the trigger notifies for `schema` (NOTIFY is database-wide; the hash keeps the name under 64 bytes). */
export function missionChangeChannel(schema: string): string {
  return `mission_changed:${createHash('md5').update(schema, 'utf8').digest('hex')}`;
}

/** A notification's payload, `<mission id> <version>`; null when it is not one. */
export function parseChangePayload(payload: string | undefined): MissionChangeNotice | null {
  const match = /^(\S+) (\d+)$/.exec(payload ?? '');
  return match ? { missionId: match[1]!, version: Number(match[2]) } : null;
}

export type ListenerState = 'connecting' | 'listening' | 'reconnecting' | 'closed';

export interface ListenerStatus {
  state: ListenerState;
  /** The last connection error, while not listening. */
  lastError: string | null;
  /** Connections lost since start. */
  drops: number;
}

export interface PostgresMissionChangesOptions {
  connectionString: string;
  schema: string;
  settings: DatabaseSettings;
  /** Told when the listener starts listening, drops, or fails to reconnect (start logs it). */
  onStatus?: (status: ListenerStatus, detail: { retryInMs?: number }) => void;
  /** Reconnect backoff: the first wait and the longest (ms). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export class PostgresMissionChanges implements MissionChanges {
  private readonly listeners = new Set<MissionChangeListener>();
  private readonly channel: string;
  private client: pg.Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private listenedBefore = false;
  private current: ListenerStatus = { state: 'connecting', lastError: null, drops: 0 };

  constructor(private readonly options: PostgresMissionChangesOptions) {
    this.channel = missionChangeChannel(options.schema);
  }

  /** Connects and LISTENs; resolves once listening or after the first failure (it then keeps retrying in the background). */
  async start(): Promise<void> {
    await this.connect();
  }

  subscribe(listener: MissionChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): ListenerStatus {
    return { ...this.current };
  }

  async close(): Promise<void> {
    this.setStatus({ state: 'closed', lastError: null });
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.isClosed()) return;
    const { settings } = this.options;
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      query_timeout: settings.connectTimeoutMs,
      // A silent network is noticed by TCP keepalive; the connection otherwise only waits for notifications.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client.on('notification', (message) => {
      if (message.channel !== this.channel) return;
      const notice = parseChangePayload(message.payload);
      if (notice) this.deliver(notice);
    });
    client.on('error', (error) => this.dropped(client, error));
    client.on('end', () => this.dropped(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      this.dropped(client, error);
      return;
    }
    if (this.isClosed()) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    this.setStatus({ state: 'listening', lastError: null });
    // Saves made while the connection was down were announced to nobody.
    if (this.listenedBefore) this.deliver(ANYTHING_MAY_HAVE_CHANGED);
    this.listenedBefore = true;
  }

  /** The connection failed or ended: forget it and try again after a backoff (once per connection). */
  private dropped(client: pg.Client, error: unknown): void {
    if ((client as { droppedAlready?: boolean }).droppedAlready) return;
    (client as { droppedAlready?: boolean }).droppedAlready = true;
    void client.end().catch(() => undefined);
    if (this.isClosed()) return;
    const wasListening = this.client === client;
    this.client = null;
    if (wasListening) this.current.drops++;
    const base = this.options.backoffBaseMs ?? 250;
    const max = this.options.backoffMaxMs ?? 30_000;
    const ceiling = Math.min(max, base * 2 ** Math.min(this.failures, 16));
    this.failures++;
    const retryInMs = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    this.setStatus(
      { state: 'reconnecting', lastError: error instanceof Error ? error.message : error ? String(error) : 'the connection ended' },
      { retryInMs },
    );
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, retryInMs);
    this.retryTimer.unref();
  }

  /** Read through a method: TypeScript would otherwise keep a narrowing of the state across awaits. */
  private isClosed(): boolean {
    return this.current.state === 'closed';
  }

  private deliver(notice: MissionChangeNotice): void {
    for (const listener of this.listeners) {
      try {
        listener(notice);
      } catch {
        // A listener reports its own failures; the others still hear.
      }
    }
  }

  private setStatus(next: Pick<ListenerStatus, 'state' | 'lastError'>, detail: { retryInMs?: number } = {}): void {
    this.current = { ...this.current, ...next };
    this.options.onStatus?.(this.status(), detail);
  }
}
