// The opaque cursor of list_missions pages: the last row's (updatedAt, id), in the one cursor
// format (src/domain/pageCursor.ts). One format for every MissionRepository, so a cursor means
// the same whichever store made it.
import { MissionError } from '../domain/errors.js';
import { decodeTuple, encodeTuple } from '../domain/pageCursor.js';

export function encodeCursor(updatedAt: Date, id: string): string {
  return encodeTuple([updatedAt.toISOString(), id]);
}

export function decodeCursor(cursor: string): { updatedAt: Date; id: string } {
  const [iso, id] = decodeTuple(cursor) ?? [];
  const updatedAt = typeof iso === 'string' ? new Date(iso) : new Date(Number.NaN);
  if (typeof id !== 'string' || Number.isNaN(updatedAt.getTime())) {
    throw new MissionError('invalid_input', 'cursor: not a cursor from a previous page. Leave it out to start from the first page.', { field: 'cursor' });
  }
  return { updatedAt, id };
}
