// Typed domain errors: a stable code for programs, a message a person can act on,
// and structured details (never secrets) for front doors to render.

export type MissionErrorCode =
  | 'invalid_input'
  | 'mission_not_found'
  | 'transition_refused'
  | 'brief_locked'
  | 'precondition_failed'
  | 'concurrent_update'
  | 'permission_denied'
  | 'already_decided'
  | 'approval_expired'
  | 'gate_failed'
  | 'evidence_tampered'
  /** The database refused or did not answer (full disk, read-only file, unreachable server). */
  | 'storage_unavailable'
  /** A stored row cannot be read back (bad JSON, a document of the wrong shape); details name the mission and the column. */
  | 'stored_data_invalid'
  /** A mission's model spend is over its budget; a person raises it with /mission budget. */
  | 'budget_exceeded'
  /** Completion refused: a truth is not signed off, or a must-have is missing, a stub or not wired in the code. */
  | 'verification_incomplete';

export interface MissionErrorDetails {
  field?: string;
  state?: string;
  allowed?: readonly string[];
  [key: string]: unknown;
}

export class MissionError extends Error {
  readonly code: MissionErrorCode;
  readonly details: MissionErrorDetails;

  constructor(code: MissionErrorCode, message: string, details: MissionErrorDetails = {}) {
    super(message);
    this.name = 'MissionError';
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: MissionErrorCode; message: string; details: MissionErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isMissionError(error: unknown): error is MissionError {
  return error instanceof MissionError;
}

export function missionNotFound(missionId: string): MissionError {
  return new MissionError('mission_not_found', `No mission with id "${missionId}". List missions to find the right id.`, { field: 'missionId' });
}
