// What more than one document reads from a mission the same way: the plan on the table, the
// phases in plan order with what was reported, follow-ups, and an ordering that never depends
// on input order or the host's locale.
import type { ArtifactRecord } from '../evidence.js';
import type { Execution, PhaseProgress, ValidatorAlert } from '../execution.js';
import type { Play, PlayPhase } from '../plays.js';
import type { FollowUp, FollowUpPriority } from '../reflection.js';
import { code, inline, link, type Block } from './markdown.js';

export interface PlanChoice {
  play: Play;
  approved: boolean;
  basis: 'approved' | 'selected' | 'top_ranked';
}

/** The approved play; else the selected one; else the best-ranked play nobody dismissed. */
export function choosePlan(plays: readonly Play[]): PlanChoice | null {
  const ranked = sortPlaysByRank(plays);
  const approved = ranked.find((p) => p.status === 'approved');
  if (approved) return { play: approved, approved: true, basis: 'approved' };
  const selected = ranked.find((p) => p.status === 'selected');
  if (selected) return { play: selected, approved: false, basis: 'selected' };
  const top = ranked.find((p) => p.status !== 'dismissed');
  return top ? { play: top, approved: false, basis: 'top_ranked' } : null;
}

export function sortPlaysByRank(plays: readonly Play[]): Play[] {
  return [...plays].sort((a, b) => a.rank - b.rank || compareText(a.id, b.id));
}

export interface PhaseRow {
  number: number;
  id: string;
  name: string;
  planned: PlayPhase | null;
  progress: PhaseProgress | null;
}

/** The play's phases in plan order with their reported progress, then any reported phase the plan does not have. */
export function phaseRows(play: Play | null, execution: Execution | null): PhaseRow[] {
  const reported = execution?.phases ?? [];
  const progressById = new Map(reported.map((p) => [p.phaseId, p]));
  const planned = play?.phases ?? [];
  const plannedIds = new Set(planned.map((p) => p.id));
  const extra = reported.filter((p) => !plannedIds.has(p.phaseId)).sort((a, b) => a.index - b.index || compareText(a.phaseId, b.phaseId));
  return [
    ...planned.map((phase) => ({ id: phase.id, name: phase.name, planned: phase, progress: progressById.get(phase.id) ?? null })),
    ...extra.map((progress) => ({ id: progress.phaseId, name: progress.name, planned: null, progress })),
  ].map((row, i) => ({ ...row, number: i + 1 }));
}

export function phaseLabel(row: PhaseRow): string {
  return `Phase ${row.number} (${row.name})`;
}

export function phaseOfId(phases: readonly PhaseRow[], phaseId: string): string {
  const row = phases.find((r) => r.id === phaseId);
  return row ? phaseLabel(row) : `phase ${phaseId}`;
}

export function sortAlerts(alerts: readonly ValidatorAlert[], phases: readonly PhaseRow[]): ValidatorAlert[] {
  const order = phaseOrder(phases);
  return [...alerts].sort((a, b) => order(a.phaseId) - order(b.phaseId) || compareTime(a.raisedAt, b.raisedAt) || compareText(a.id, b.id));
}

export function phaseOrder(phases: readonly PhaseRow[]): (phaseId: string) => number {
  const index = new Map(phases.map((row) => [row.id, row.number]));
  return (phaseId) => index.get(phaseId) ?? Number.MAX_SAFE_INTEGER;
}

export function sortArtifacts(artifacts: readonly ArtifactRecord[]): ArtifactRecord[] {
  return [...artifacts].sort((a, b) => compareTime(a.attachedAt, b.attachedAt) || compareText(a.id, b.id));
}

const PRIORITY_ORDER: Record<FollowUpPriority, number> = { urgent: 0, high: 1, medium: 2, low: 3 };

export function followUpList(followUps: readonly FollowUp[], whenEmpty: string): Block {
  if (followUps.length === 0) return [`_${whenEmpty}_`];
  const sorted = [...followUps].sort(
    (a, b) => PRIORITY_ORDER[a.priority] - PRIORITY_ORDER[b.priority] || compareTime(a.createdAt, b.createdAt) || compareText(a.id, b.id),
  );
  return sorted.map((f) => `- ${inline(f.title)} (priority ${f.priority}, ${f.status}; ${trackerLabel(f)})`);
}

function trackerLabel(f: FollowUp): string {
  const tracker = f.tracker === 'linear' ? 'Linear' : f.tracker === 'github' ? 'GitHub' : null;
  if (f.externalId) return `${tracker ?? 'tracker'} ${f.url ? link(f.externalId, f.url) : code(f.externalId)}`;
  return tracker ? `to be filed in ${tracker}` : 'not filed in a tracker';
}

/** Code-point order: localeCompare would depend on the host's ICU data. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Chronological for parseable timestamps, text order otherwise, so sorting never depends on the input order. */
export function compareTime(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return ta - tb;
  return compareText(a, b);
}
