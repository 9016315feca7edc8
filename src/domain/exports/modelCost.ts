// SUMMARY.md's "Model cost" section: tokens and USD per stage or execution phase, with the
// mission's budget, when any model calls (Mission Control's own or assistants' usage reports)
// were recorded.
import type { Mission } from '../mission.js';
import { code, heading, inline, md, table, type Block, type Cell } from './markdown.js';

function usd(amount: number): string {
  return `$${amount.toFixed(4)}`;
}

export function modelCostSection(mission: Mission): Block[] {
  const models = mission.models;
  if (!models || models.total.calls === 0) return [];
  const rows: Cell[][] = Object.entries(models.byPhase).map(([phase, line]) => [
    md(code(phase)),
    String(line.calls),
    String(line.inputTokens),
    String(line.outputTokens),
    usd(line.costUsd),
  ]);
  rows.push([
    md('**Total**'),
    String(models.total.calls),
    String(models.total.inputTokens),
    String(models.total.outputTokens),
    md(`**${usd(models.total.costUsd)}**`),
  ]);
  const budget =
    models.budgetUsd === null
      ? 'No budget set.'
      : `Budget ${usd(models.budgetUsd)}${models.pausedAt ? `; over it since ${inline(models.pausedAt)}, execution reports paused` : ''}.`;
  return [heading(2, 'Model cost'), table(['Stage or phase', 'Calls', 'Input tokens', 'Output tokens', 'Cost'], rows), [budget]];
}
