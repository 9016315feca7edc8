// Model calls and their cost on a mission: what Mission Control's own drafting and planning
// spent, what assistants report they spent, and the budget that pauses execution reports
// when crossed. Pure rules; providers and prices live outside the domain.
import { MissionError } from './errors.js';
import type { Mission } from './mission.js';
import type { MissionCommand } from './missionCommand.js';

/** What a model was asked to do: draft the brief, plan plays, review, or an assistant's own work. */
export type ModelTask = 'draft' | 'plan' | 'review' | 'assistant';

/** One call a model-backed drafter or planner made (or an assistant's usage report). */
export interface ModelCallRecord {
  task: ModelTask;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** USD, from the configured prices; 0 when the model has no price. */
  costUsd: number;
  durationMs: number;
  outcome: 'ok' | 'refused_output' | 'failed';
}

export interface CostLine {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface MissionModels {
  /** USD; null: no budget. */
  budgetUsd: number | null;
  total: CostLine;
  /** Cost per stage or execution phase id ("define", "plan_approve", "jwt_refresh_fix", ...). */
  byPhase: Record<string, CostLine>;
  /** Set while execution reports are refused because spend crossed the budget. */
  pausedAt: string | null;
}

export function emptyModels(budgetUsd: number | null): MissionModels {
  return { budgetUsd, total: emptyLine(), byPhase: {}, pausedAt: null };
}

function emptyLine(): CostLine {
  return { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

function add(line: CostLine | undefined, call: Pick<ModelCallRecord, 'inputTokens' | 'outputTokens' | 'costUsd'>): CostLine {
  const base = line ?? emptyLine();
  return {
    calls: base.calls + 1,
    inputTokens: base.inputTokens + call.inputTokens,
    outputTokens: base.outputTokens + call.outputTokens,
    costUsd: roundUsd(base.costUsd + call.costUsd),
  };
}

export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

/** Where a call's cost is counted: the execution phase running now, else the mission's stage. */
export function phaseKeyOf(mission: Mission, stage: string): string {
  const running = mission.execution?.phases.find((p) => p.status === 'running');
  return running ? running.phaseId : stage;
}

/**
 * Records model calls on the mission (`model_call_completed` each) and adds them to its cost.
 * When spend crosses the budget, execution reports pause (`execution_paused`) until a person raises it.
 */
export function recordModelCalls(mission: Mission, calls: readonly ModelCallRecord[], stage: string, cmd: MissionCommand): Mission {
  if (calls.length === 0) return mission;
  let models = mission.models ?? emptyModels(null);
  const phase = phaseKeyOf(mission, stage);
  for (const call of calls) {
    if (call.task === 'assistant') {
      cmd.events.add('usage_reported', {
        model: call.model,
        input_tokens: call.inputTokens,
        output_tokens: call.outputTokens,
        cost_usd: roundUsd(call.costUsd),
        phase,
      });
    } else
      cmd.events.add('model_call_completed', {
        task: call.task,
        provider: call.provider,
        model: call.model,
        input_tokens: call.inputTokens,
        output_tokens: call.outputTokens,
        cost_usd: roundUsd(call.costUsd),
        duration_ms: call.durationMs,
        outcome: call.outcome,
        phase,
      });
    models = { ...models, total: add(models.total, call), byPhase: { ...models.byPhase, [phase]: add(models.byPhase[phase], call) } };
  }
  if (models.budgetUsd !== null && models.total.costUsd > models.budgetUsd && models.pausedAt === null && mission.execution) {
    cmd.events.add('execution_paused', {
      phase_id: phase,
      reason: `model spend $${models.total.costUsd.toFixed(4)} crossed the mission budget of $${models.budgetUsd.toFixed(2)}`,
    });
    models = { ...models, pausedAt: cmd.at };
  }
  return { ...mission, models };
}

/** Refuses an execution report while the mission is paused over budget. */
export function requireWithinBudget(mission: Mission): void {
  const models = mission.models;
  if (!models || models.budgetUsd === null || models.total.costUsd <= models.budgetUsd) return;
  throw new MissionError(
    'budget_exceeded',
    `Execution is paused: model spend on this mission is $${models.total.costUsd.toFixed(4)}, over its budget of $${models.budgetUsd.toFixed(2)}. A person can raise the budget in Slack (\`/mission budget ${mission.id} <usd>\`); reports are accepted again once spend is within it.`,
    { state: mission.state, spentUsd: models.total.costUsd, budgetUsd: models.budgetUsd },
  );
}

/** A person sets the mission's budget (USD); spend within the new budget lifts the pause. */
export function setBudget(mission: Mission, budgetUsd: number, cmd: MissionCommand): Mission {
  if (cmd.actor.kind !== 'slack_user') {
    throw new MissionError(
      'permission_denied',
      'Only a person can change a mission budget; ask someone in the mission thread (`/mission budget <id> <usd>`).',
      { field: 'budgetUsd' },
    );
  }
  const models = mission.models ?? emptyModels(null);
  if (models.budgetUsd === budgetUsd) return mission;
  const stillOver = models.total.costUsd > budgetUsd;
  cmd.events.add('budget_changed', { from_usd: models.budgetUsd, to_usd: budgetUsd, spent_usd: models.total.costUsd, paused: stillOver });
  return { ...mission, models: { ...models, budgetUsd, pausedAt: stillOver ? models.pausedAt : null } };
}
