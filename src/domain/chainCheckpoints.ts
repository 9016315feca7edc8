// Hash-chain checkpoints: where a mission's event log was last verified, so the next check reads
// only the events after it (verifyEventLog, verifyEvidence) instead of the whole log. The port is
// implemented by storage (src/storage/prismaChainCheckpoints.ts); without one every check is full.

export interface ChainCheckpoint {
  /** The last event verified; the chain from the first event up to it was intact when checked. */
  eventSeq: number;
  /** That event's hash: the next event must link to it. */
  headHash: string;
  /** total_hash of the last evidence bundle sealed in the log up to `eventSeq`, or null. */
  sealedBundleHash: string | null;
  verifiedAt: Date;
}

export interface ChainCheckpoints {
  latest(missionId: string): Promise<ChainCheckpoint | null>;
  /** Records a verified point; a checkpoint never moves back (a later one at a higher seq wins). */
  record(missionId: string, checkpoint: ChainCheckpoint): Promise<void>;
}
