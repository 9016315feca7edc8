// Which Slack messages show a mission, and what each showed last. The projector reads and
// writes them; storage implements the port (src/storage/prismaSlackMessageStore.ts).

/**
 * Thread surfaces: 'brief' | 'toolkits' | 'plays' | 'approval:<requestId>' | 'status' | 'alert:<alertId>' | 'reflection'.
 * Direct messages to approvers: 'dm:approval:<requestId>:<userId>' (channel is the DM's id).
 */
export type SurfaceKey = string;

export interface SlackMessageRecord {
  missionId: string;
  surface: SurfaceKey;
  channel: string;
  ts: string;
  /** sha256 of the rendered text and blocks last delivered; `undeliverable:<slack error>` for a direct message Slack refused for good (e.g. user_not_found). */
  contentHash: string;
  /** Digest of the urgent parts of what was delivered (editPace.ts); '' when unknown, so the next change is treated as urgent. */
  headlineHash: string;
  /** When the message was last posted or edited (for coalescing edits). */
  updatedAt: Date;
}

export interface SlackMessageStore {
  list(missionId: string): Promise<SlackMessageRecord[]>;
  /** Inserts or replaces the record of one surface. */
  put(record: SlackMessageRecord): Promise<void>;
  /** `put` for several surfaces (each at most once) in one go. */
  putAll(records: readonly SlackMessageRecord[]): Promise<void>;
}

/** For tests and for processes without a database-backed store. */
export class InMemorySlackMessageStore implements SlackMessageStore {
  private readonly records = new Map<string, SlackMessageRecord>();
  async list(missionId: string): Promise<SlackMessageRecord[]> {
    return [...this.records.values()].filter((r) => r.missionId === missionId).map((r) => ({ ...r }));
  }
  async put(record: SlackMessageRecord): Promise<void> {
    this.records.set(`${record.missionId}\u0000${record.surface}`, { ...record });
  }
  async putAll(records: readonly SlackMessageRecord[]): Promise<void> {
    for (const record of records) await this.put(record);
  }
}
