// The play library: plays pinned after a well-rated mission, found again by tags or text as
// precedent (and as ready-made candidate plays) for later missions.
import type { Actor } from './actors.js';
import type { PlayDraft } from './plays.js';

export interface LibraryEntry {
  id: string;
  missionId: string;
  playId: string;
  title: string;
  tags: string[];
  /** The public note the person wrote when pinning. */
  note: string;
  rating: number;
  reuseScore: number;
  /** The play as it was approved and run, so a later mission can propose it again. */
  play: PlayDraft;
  pinnedBy: Actor;
  pinnedAt: string;
}

export interface LibraryMatch {
  entry: LibraryEntry;
  /** The query tags this entry carries; more shared tags rank first. */
  matchedTags: string[];
}

export interface LibrarySearch {
  tags?: string[];
  /** Case-insensitive match on title or note. */
  text?: string;
  limit: number;
}
