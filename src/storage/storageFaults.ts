// Recognises the database failing (a full disk, a read-only file, an unreachable or hung
// PostgreSQL) in whatever wrapping Prisma and the adapters give it, and turns it into a refusal
// a person can act on, naming the database (never its password).
import { MissionError } from '../domain/errors.js';
import type { DatabaseTarget } from './databaseUrl.js';

export type StorageFaultKind = 'full' | 'not_writable' | 'unreachable';

export interface StorageFault {
  kind: StorageFaultKind;
  /** The driver's own words, e.g. "SQLITE_FULL: database or disk is full". */
  detail: string;
}

const SQLITE_NOT_WRITABLE = /^SQLITE_(READONLY|IOERR|CANTOPEN|CORRUPT|NOTADB|PERM)/;
// PostgreSQL SQLSTATEs: connection exceptions (08), operator intervention (57: statement timeout,
// admin shutdown, pg_terminate_backend), idle-in-transaction timeout, read-only transaction, disk full.
const PG_UNREACHABLE = /^(08...|57014|57P0[1-4]|25P03|53300)$/;
const PG_NOT_WRITABLE = /^(25006|53100|53200)$/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNREACHABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|timeout expired|Connection ended|the database is not connected|terminating connection/i;
// Prisma's own codes for an unreachable database, a closed connection and a pool timeout.
const PRISMA_UNREACHABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const ADAPTER_UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'DatabaseDoesNotExist']);

/** The fields the checks below read on an error or on anything it wraps. */
interface WrappedError {
  code?: unknown;
  originalCode?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/**
 * An error and what it wraps, outermost first, each once: its `cause` chain and, with
 * `adapterErrors`, the adapter error Prisma's model API carries in `meta.driverAdapterError` (P1008).
 */
function* errorChain(error: unknown, { adapterErrors = false } = {}): Generator<WrappedError> {
  const pending: unknown[] = [error];
  const seen = new Set<unknown>();
  while (pending.length > 0) {
    const current = pending.pop();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const wrapped = current as WrappedError;
    yield wrapped;
    if (adapterErrors) pending.push(wrapped.meta?.driverAdapterError);
    pending.push(wrapped.cause);
  }
}

/** The storage fault behind an error, or null when the error is something else (a bug, a conflict). */
export function storageFaultOf(error: unknown, provider: DatabaseTarget['provider']): StorageFault | null {
  for (const { code, originalCode, kind, message } of errorChain(error)) {
    const text = typeof message === 'string' ? brief(message) : '';
    for (const c of [code, originalCode]) {
      if (typeof c !== 'string') continue;
      if (c === 'SQLITE_FULL' || c === '53100') return { kind: 'full', detail: `${c}: ${text || 'database or disk is full'}` };
      if (SQLITE_NOT_WRITABLE.test(c) || PG_NOT_WRITABLE.test(c)) return { kind: 'not_writable', detail: `${c}: ${text}` };
      if (provider === 'postgresql' && (PG_UNREACHABLE.test(c) || NETWORK_CODES.has(c) || PRISMA_UNREACHABLE.has(c)))
        return { kind: 'unreachable', detail: `${c}: ${text}` };
    }
    // SQLite's SocketTimeout is a busy (locked) database: the save retries it (isSqliteBusy).
    if (provider === 'postgresql' && typeof kind === 'string' && ADAPTER_UNREACHABLE_KINDS.has(kind)) return { kind: 'unreachable', detail: text || kind };
    if (provider === 'postgresql' && UNREACHABLE_MESSAGE.test(text)) return { kind: 'unreachable', detail: text };
  }
  return null;
}

// PostgreSQL's deadlock_detected and serialization_failure: the transaction was rolled back whole
// and running it again is the documented remedy, so a save meeting one lost a race like any other.
const PG_TRANSACTION_CONFLICT = new Set(['40P01', '40001']);

/** True when PostgreSQL rolled the transaction back as a deadlock or serialization victim (nothing was written). */
export function isTransactionConflict(error: unknown): boolean {
  for (const { code, originalCode, message } of errorChain(error)) {
    if ([code, originalCode].some((c) => typeof c === 'string' && PG_TRANSACTION_CONFLICT.has(c))) return true;
    if (typeof message === 'string' && /deadlock detected|could not serialize access/.test(message)) return true;
  }
  return false;
}

/** The driver's own words without Prisma's wrapping (which quotes its call site): the last line, at most 200 characters. */
function brief(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines.at(-1) ?? '';
  return last.length > 200 ? `${last.slice(0, 200)}…` : last;
}

/** The refusal an assistant or a person sees when a write meets a storage fault. */
export function storageRefusal(fault: StorageFault, where: string): MissionError {
  const messages: Record<StorageFaultKind, string> = {
    full: `The database is full (${where}: ${fault.detail}); nothing was saved. Free disk space on the database's volume; writes resume by themselves, then try again.`,
    not_writable: `The database is not writable (${where}: ${fault.detail}); nothing was saved. Make the database writable by the server (file and folder permissions, disk, or a primary rather than a replica), then try again.`,
    unreachable: `The database at ${where} did not answer (${fault.detail}). The change may not have been saved: read the mission again before retrying; if this persists, ask an operator to check the database.`,
  };
  return new MissionError('storage_unavailable', messages[fault.kind], { database: where, fault: fault.kind });
}

/** Rethrows storage faults as refusals; anything else unchanged. */
export function refuseStorageFaults<T extends object>(target: T, provider: DatabaseTarget['provider'], where: string): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value = Reflect.get(obj, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result = (value as (...a: unknown[]) => unknown).apply(obj, args);
          // Prisma's own promises are lazy thenables, not Promise instances.
          const thenable = typeof (result as { then?: unknown } | null)?.then === 'function';
          return thenable ? Promise.resolve(result).catch((error: unknown) => Promise.reject(translate(error))) : result;
        } catch (error) {
          throw translate(error);
        }
      };
    },
  });
  function translate(error: unknown): unknown {
    if (error instanceof MissionError) return error;
    const fault = storageFaultOf(error, provider);
    return fault ? storageRefusal(fault, where) : error;
  }
}

/**
 * True when SQLite gave up waiting for another process's write lock (busy_timeout): the adapter
 * reports it as SocketTimeout. The statement wrote nothing and its transaction is rolled back, so a
 * save meeting it lost a race like any other and is run again; another process writing back to
 * back can keep one waiting past the timeout (SQLite's busy wait is not a queue).
 */
export function isSqliteBusy(error: unknown): boolean {
  // The adapter's error arrives as a cause, or (through Prisma's model API, as P1008) in meta.driverAdapterError.
  for (const { code, originalCode, kind } of errorChain(error, { adapterErrors: true })) {
    if (kind === 'SocketTimeout') return true;
    if ([code, originalCode].some((c) => typeof c === 'string' && c.startsWith('SQLITE_BUSY'))) return true;
  }
  return false;
}
