// Opaque page cursors: a tuple as base64url JSON. list_missions pages carry the last row's
// (updatedAt, id) (src/storage/listCursor.ts); a mission's history pages (events, test runs,
// steps) carry what they page and where the next page starts. One format everywhere, so a
// cursor means the same whichever store or front door made it.
import { MissionError } from './errors.js';

export function encodeTuple(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The tuple a cursor holds, or null when it is not one. */
export function decodeTuple(cursor: string): unknown[] | null {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(values) ? values : null;
  } catch {
    return null;
  }
}

/** The kinds of mission history read in pages; a cursor of one kind is refused for another. */
export type HistoryKind = 'events' | 'test_runs' | 'steps' | 'artifacts';

export function encodeHistoryCursor(kind: HistoryKind, position: readonly number[]): string {
  return encodeTuple([kind, ...position]);
}

/** The position a history cursor of `kind` holds (`size` non-negative integers). */
export function decodeHistoryCursor(kind: HistoryKind, cursor: string, size: number): number[] {
  const [found, ...position] = decodeTuple(cursor) ?? [];
  if (found !== kind || position.length !== size || !position.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) {
    throw new MissionError(
      'invalid_input',
      `cursor: not a cursor from a previous page of this mission's ${kind.replace('_', ' ')}. Leave it out to start from the first page.`,
      { field: 'cursor' },
    );
  }
  return position as number[];
}
