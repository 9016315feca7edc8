// The opaque cursor of list_missions pages: the last row's (updatedAt, id), base64url JSON.
// One format for every MissionRepository, so a cursor means the same whichever store made it.
import { MissionError } from '../domain/errors.js';

export function encodeCursor(updatedAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([updatedAt.toISOString(), id])).toString('base64url');
}

export function decodeCursor(cursor: string): { updatedAt: Date; id: string } {
  try {
    const [iso, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const updatedAt = new Date(iso);
    if (typeof id !== 'string' || Number.isNaN(updatedAt.getTime())) throw new Error('bad cursor');
    return { updatedAt, id };
  } catch {
    throw new MissionError('invalid_input', 'cursor: not a cursor from a previous page. Leave it out to start from the first page.', { field: 'cursor' });
  }
}
