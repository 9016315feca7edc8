// Reflect & Improve: feedback, follow-ups, library contribution and the retrospective.
import type { Actor } from './actors.js';

export interface Feedback {
  rating: number;
  effortSavedHours: number | null;
  comments: string | null;
  suggestedImprovements: string | null;
  by: Actor;
  at: string;
}

export type FollowUpPriority = 'urgent' | 'high' | 'medium' | 'low';
export type FollowUpStatus = 'open' | 'in_progress' | 'done' | 'deferred' | 'cancelled';

export interface FollowUp {
  id: string;
  title: string;
  priority: FollowUpPriority;
  status: FollowUpStatus;
  /** Where a connector should file it; null until a tracker is chosen. */
  tracker: 'linear' | 'github' | null;
  /** Set once a connector created the issue, e.g. "ENG-124" and its URL. */
  externalId: string | null;
  url: string | null;
  createdBy: Actor;
  createdAt: string;
}

export interface LibraryContribution {
  entryId: string;
  tags: string[];
  note: string;
  reuseScore: number;
  by: Actor;
  at: string;
}

export interface RetrospectiveMetrics {
  durationMinutes: number;
  phasesPlanned: number;
  phasesCompleted: number;
  stepsCompleted: number;
  testsAdded: number;
  testsBefore: number | null;
  testsAfter: number | null;
  coverageBefore: number | null;
  coverageAfter: number | null;
  gatesPassed: number;
  gatesEvaluated: number;
  autoFixes: number;
  reviewAlerts: number;
  deviations: number;
  followUps: number;
  artifacts: number;
}

export interface Retrospective {
  metrics: RetrospectiveMetrics;
  wentWell: string[];
  toImprove: string[];
  by: Actor;
  at: string;
}

export interface Reflection {
  feedback: Feedback | null;
  followUps: FollowUp[];
  library: LibraryContribution | null;
  retrospective: Retrospective | null;
}

/** A play enters the library only with a rating of at least 4; later missions see it as precedent. */
export const LIBRARY_MIN_RATING = 4;

export function reuseScore(rating: number): number {
  return Math.round((rating / 5) * 100) / 100;
}
