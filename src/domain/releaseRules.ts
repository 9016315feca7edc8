// Release (the seed's stage 5): deployments followed through GitHub's deployment statuses.
// A preview with its URL, canary steps (10% -> 50% -> 100%) and production; once production
// succeeds a monitoring window opens, during which the undo plan stays available (rollback
// through the production deploy); a failed deployment raises a review alert. Pure rules.
import { MissionError } from './errors.js';
import { appendAlert, type Execution, type ValidatorAlert } from './execution.js';
import type { Mission } from './mission.js';
import type { MissionCommand } from './missionCommand.js';

export type DeploymentKind = 'preview' | 'canary' | 'production';
export type DeploymentState = 'pending' | 'queued' | 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

/** One deployment status as GitHub reported it (reduced at the edge). */
export interface DeploymentStatusFacts {
  repository: string;
  deploymentId: string;
  environment: string;
  state: DeploymentState;
  /** The environment URL (or the status's target URL), when given. */
  url: string | null;
  description: string | null;
  sha: string;
  ref: string;
  /** GitHub's own flags on the deployment, when set. */
  productionEnvironment: boolean;
  transientEnvironment: boolean;
  /** Mission ids named by the deployment (its payload's mission_id, or its description). */
  missionIds: string[];
}

export interface DeploymentRecord {
  deploymentId: string;
  environment: string;
  kind: DeploymentKind;
  /** The share of traffic a canary step serves (10, 50, 100); null for other deployments. */
  canaryPercent: number | null;
  state: DeploymentState;
  url: string | null;
  sha: string;
  startedAt: string;
  updatedAt: string;
}

export interface MonitoringWindow {
  environment: string;
  startedAt: string;
  endsAt: string;
  /** Set when the window closed: its end passed, or the release was rolled back. */
  closedAt: string | null;
  outcome: 'healthy' | 'rolled_back' | null;
}

export interface Release {
  deployments: DeploymentRecord[];
  monitoring: MonitoringWindow | null;
}

/** How a deployment's environment and status read: canary with a share, preview, or production. */
export function classifyDeployment(facts: Pick<DeploymentStatusFacts, 'environment' | 'description' | 'productionEnvironment' | 'transientEnvironment'>): {
  kind: DeploymentKind;
  canaryPercent: number | null;
} {
  const percentMatch = /(\d{1,3})\s*%/.exec(facts.environment) ?? /(\d{1,3})\s*%/.exec(facts.description ?? '');
  const percent = percentMatch ? Math.min(Number(percentMatch[1]), 100) : null;
  if (/canary/i.test(facts.environment) || percent !== null) return { kind: percent === 100 ? 'production' : 'canary', canaryPercent: percent };
  if (facts.transientEnvironment || /preview|staging|review|qa\b|test/i.test(facts.environment)) return { kind: 'preview', canaryPercent: null };
  if (facts.productionEnvironment || /prod/i.test(facts.environment)) return { kind: 'production', canaryPercent: null };
  return { kind: 'preview', canaryPercent: null };
}

const FINISHED: readonly DeploymentState[] = ['success', 'failure', 'error', 'inactive'];

/** The highest canary share that deployed successfully (production counts as 100). */
export function promotedPercent(release: Release | undefined): number | null {
  const done = (release?.deployments ?? []).filter((d) => d.state === 'success' && (d.kind === 'canary' || d.kind === 'production'));
  if (done.length === 0) return null;
  return Math.max(...done.map((d) => (d.kind === 'production' ? 100 : (d.canaryPercent ?? 0))));
}

/** Whether the undo plan is live because production is being watched: a monitoring window open at `now`. */
export function releaseUndoOpen(mission: Pick<Mission, 'execution'>, now: Date): boolean {
  const monitoring = mission.execution?.release?.monitoring;
  return !!monitoring && monitoring.closedAt === null && Date.parse(monitoring.endsAt) > now.getTime();
}

function minutesBetween(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));
}

/**
 * Records one deployment status. The first status of a deployment records `deployment_started`;
 * success or failure records `deployment_completed`; a canary step serving more traffic than
 * before records `canary_promoted`; production succeeding opens the monitoring window (undo
 * available again until it ends); a failure raises a review alert a person must resolve.
 */
export function recordDeploymentStatus(mission: Mission, facts: DeploymentStatusFacts, monitoringMinutes: number, cmd: MissionCommand): Mission {
  const execution = mission.execution;
  if (!execution || (mission.state !== 'executing' && mission.state !== 'reflecting')) {
    throw new MissionError('transition_refused', `Deployments are followed while a mission executes or reflects; mission ${mission.id} is ${mission.state}.`, {
      state: mission.state,
    });
  }
  const release: Release = execution.release ?? { deployments: [], monitoring: null };
  const existing = release.deployments.find((d) => d.deploymentId === facts.deploymentId);
  const { kind, canaryPercent } = existing ?? classifyDeployment(facts);
  if (existing && existing.state === facts.state && existing.url === (facts.url ?? existing.url)) return mission;
  // A late status for a deployment that already finished (GitHub may deliver out of order) changes nothing.
  if (existing && FINISHED.includes(existing.state) && !FINISHED.includes(facts.state)) return mission;
  const record: DeploymentRecord = {
    deploymentId: facts.deploymentId,
    environment: facts.environment,
    kind,
    canaryPercent,
    state: facts.state,
    url: facts.url ?? existing?.url ?? null,
    sha: facts.sha,
    startedAt: existing?.startedAt ?? cmd.at,
    updatedAt: cmd.at,
  };
  if (!existing) {
    cmd.events.add('deployment_started', {
      deployment_id: record.deploymentId,
      environment: record.environment,
      kind,
      canary_percent: canaryPercent,
      sha: record.sha,
      ref: facts.ref,
    });
  }
  const deployments = existing ? release.deployments.map((d) => (d.deploymentId === record.deploymentId ? record : d)) : [...release.deployments, record];
  let next: Execution = { ...execution, release: { ...release, deployments } };
  if (facts.state === 'success' || facts.state === 'failure' || facts.state === 'error') {
    const outcome = facts.state === 'success' ? 'success' : 'failure';
    cmd.events.add('deployment_completed', {
      deployment_id: record.deploymentId,
      environment: record.environment,
      kind,
      canary_percent: canaryPercent,
      status: outcome,
      url: record.url,
      duration_mins: minutesBetween(record.startedAt, cmd.at),
    });
    if (outcome === 'success') next = afterSuccess(mission, execution, next, record, monitoringMinutes, cmd);
    else next = appendAlert(next, failedDeploymentAlert(next, record, facts.description, cmd));
  } else if (existing) {
    // Queued -> in progress, or retired (inactive): shown live in the thread.
    cmd.events.add('deployment_status_changed', {
      deployment_id: record.deploymentId,
      environment: record.environment,
      from: existing.state,
      to: record.state,
    });
  }
  return { ...mission, execution: next };
}

function afterSuccess(
  mission: Mission,
  before: Execution,
  next: Execution,
  record: DeploymentRecord,
  monitoringMinutes: number,
  cmd: MissionCommand,
): Execution {
  if (record.kind === 'preview') return next;
  const from = promotedPercent(before.release);
  const to = record.kind === 'production' ? 100 : (record.canaryPercent ?? 0);
  // A canary step, or production after canary steps (the last step to 100%).
  if (record.kind === 'canary' || from !== null) {
    if (from === null || to > from)
      cmd.events.add('canary_promoted', { environment: record.environment, from_percent: from ?? 0, to_percent: to, deployment_id: record.deploymentId });
  }
  if (record.kind !== 'production') return next;
  const endsAt = new Date(cmd.now.getTime() + monitoringMinutes * 60_000).toISOString();
  const monitoring: MonitoringWindow = { environment: record.environment, startedAt: cmd.at, endsAt, closedAt: null, outcome: null };
  const steps = mission.plays.find((p) => p.id === before.playId)?.undoPlan.steps ?? [];
  // The seed: rollback stays available through the production deploy, for as long as it is watched.
  cmd.events.add('undo_available', { play_id: before.playId, steps });
  return {
    ...next,
    release: { ...next.release!, monitoring },
    undo: before.undo.status === 'executed' ? before.undo : { ...before.undo, status: 'available' },
  };
}

function failedDeploymentAlert(execution: Execution, record: DeploymentRecord, description: string | null, cmd: MissionCommand): ValidatorAlert {
  const phaseId = execution.phases[execution.phases.length - 1]?.phaseId ?? 'release';
  const what = record.kind === 'canary' ? `Canary step ${record.canaryPercent ?? '?'}% (${record.environment})` : `Deployment to ${record.environment}`;
  const alert: ValidatorAlert = {
    id: cmd.newId('alr'),
    phaseId,
    type: 'review_required',
    severity: record.kind === 'preview' ? 'medium' : 'high',
    description: `${what} failed${description ? `: ${description}` : ''}. Decide whether to roll back or redeploy.`,
    status: 'open',
    raisedBy: cmd.actor,
    raisedAt: cmd.at,
    resolution: null,
  };
  cmd.events.add('validator_alert_raised', {
    alert_id: alert.id,
    phase: Math.max(0, execution.phases.length - 1),
    phase_id: phaseId,
    alert_type: 'review_required',
    severity: alert.severity,
    description: alert.description,
  });
  return alert;
}

/**
 * Closes a monitoring window whose time is up: `monitoring_report` records how production went
 * (deployments, failures), and the undo plan closes again once the mission has left execution.
 */
export function closeMonitoringWindow(mission: Mission, cmd: MissionCommand): Mission {
  const execution = mission.execution;
  const monitoring = execution?.release?.monitoring;
  if (!execution || !monitoring || monitoring.closedAt !== null || Date.parse(monitoring.endsAt) > cmd.now.getTime()) return mission;
  return { ...mission, execution: endMonitoring(execution, 'healthy', cmd) };
}

/** Ends the monitoring window with `outcome` and records its report; the undo plan closes unless execution still runs. */
export function endMonitoring(execution: Execution, outcome: 'healthy' | 'rolled_back', cmd: MissionCommand): Execution {
  const release = execution.release;
  const monitoring = release?.monitoring;
  if (!release || !monitoring || monitoring.closedAt !== null) return execution;
  const during = release.deployments.filter((d) => d.updatedAt >= monitoring.startedAt);
  cmd.events.add('monitoring_report', {
    environment: monitoring.environment,
    duration_mins: minutesBetween(monitoring.startedAt, cmd.at),
    window_mins: minutesBetween(monitoring.startedAt, monitoring.endsAt),
    deployments_failed: during.filter((d) => d.state === 'failure' || d.state === 'error').length,
    outcome,
  });
  const closed: MonitoringWindow = { ...monitoring, closedAt: cmd.at, outcome };
  const undo =
    outcome === 'healthy' && execution.completedAt !== null && execution.undo.status === 'available'
      ? { ...execution.undo, status: 'expired' as const }
      : execution.undo;
  return { ...execution, release: { ...release, monitoring: closed }, undo };
}
