// Bounds on every wait for the database, and on health checks and shutdown. Read from the
// environment with the rest of the configuration (src/config.ts spreads OPERATIONS_ENV in).
import { z } from 'zod';

const milliseconds = (fallback: number, min = 1) =>
  z.coerce
    .number()
    .int()
    .min(min)
    .max(24 * 60 * 60 * 1000)
    .default(fallback);

export const OPERATIONS_ENV = {
  /** How long opening one PostgreSQL connection may take. */
  DATABASE_CONNECT_TIMEOUT_MS: milliseconds(5000, 100),
  /** Longest statement: PostgreSQL cancels it (statement_timeout); the client gives up 2 s later if the server does not answer at all. */
  DATABASE_STATEMENT_TIMEOUT_MS: milliseconds(15_000, 100),
  /** PostgreSQL ends a session left idle inside a transaction this long (idle_in_transaction_session_timeout). */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: milliseconds(30_000, 100),
  /** How long `start` (and the other commands) wait for the database to answer before giving up. */
  DATABASE_START_TIMEOUT_MS: milliseconds(60_000, 0),
  /** /healthz and /readyz answer 503 when the database check takes longer. */
  HEALTH_TIMEOUT_MS: milliseconds(2000, 100),
  /** On SIGTERM/SIGINT, how long in-flight requests and deliveries may take before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: milliseconds(15_000, 0),
};

export interface DatabaseSettings {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  startTimeoutMs: number;
}

export const DEFAULT_DATABASE_SETTINGS: DatabaseSettings = {
  connectTimeoutMs: 5000,
  statementTimeoutMs: 15_000,
  idleInTransactionTimeoutMs: 30_000,
  startTimeoutMs: 60_000,
};

export function databaseSettingsFrom(config: {
  DATABASE_CONNECT_TIMEOUT_MS: number;
  DATABASE_STATEMENT_TIMEOUT_MS: number;
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: number;
  DATABASE_START_TIMEOUT_MS: number;
}): DatabaseSettings {
  return {
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    startTimeoutMs: config.DATABASE_START_TIMEOUT_MS,
  };
}
