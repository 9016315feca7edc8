// Changes saved by other instances of the service, as a port. Storage implements it where the
// database can tell every instance (PostgreSQL LISTEN/NOTIFY, src/storage/postgresMissionChanges.ts);
// without one (SQLite: one process) a process hears only its own saves, and whoever waits on
// another process's change also polls. Notices are hints to re-read, never the state itself.

/** A mission saved at `version`, or `missionId: null` when notices may have been missed (the channel was down): anything may have changed. */
export type MissionChangeNotice = { missionId: string; version: number } | { missionId: null; version: null };

export type MissionChangeListener = (notice: MissionChangeNotice) => void;

export interface MissionChanges {
  /** Calls `listener` for every change any instance saved (this one's included); returns the unsubscribe function. */
  subscribe(listener: MissionChangeListener): () => void;
}

/** The notice that anything may have changed. */
export const ANYTHING_MAY_HAVE_CHANGED: MissionChangeNotice = { missionId: null, version: null };
