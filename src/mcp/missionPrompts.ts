// Prompts: run_mission (drive a mission from brief to retrospective with these tools) and
// draft_brief (turn an intent into brief chips). They teach the rules the server enforces,
// so an assistant does not learn them by being refused.
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { CHIP_KINDS, CHIP_LABELS } from '../domain/brief.js';
import { COVERAGE_THRESHOLD } from '../domain/mission.js';
import type { MissionService } from '../domain/missionService.js';
import { completeMissionId } from './missionResources.js';

export function runMissionText(missionId: string | undefined, readOnly: boolean): string {
  const target = missionId ? `mission ${missionId} (read it first with get_mission)` : 'a new mission (start_mission with the intent)';
  if (readOnly) {
    return `This Mission Control server is read-only. Use list_missions, get_mission and search_library, and the mission://{id} resources (plan.md, summary.md, verification.md, events), to report on ${target}. You cannot change missions here.`;
  }
  return [
    `Drive ${target} through Mission Control. Every step is recorded as a hash-chained event; people govern, you execute and report honestly.`,
    '',
    "1. Define: start_mission with the intent (and chips if you drafted them). Review the chips; fix them with update_brief (edits replace a chip's whole list). Lock with update_brief lock: true once the objective, scope, acceptance criteria, KPIs and safeguards are right.",
    `2. Prepare: inspect the recommended toolkits read-only, then select_toolkits with the toolkits and a coverage entry per toolkit (status ready|degraded|needs_data|..., summary, metrics). It confirms at ${Math.round(COVERAGE_THRESHOLD * 100)}% coverage; below that only a person can override.`,
    '3. Plan: propose_plays with 1-3 plays: phases with snake_case step ids, an undo plan, the safeguards each enforces, a risk matrix, must-haves. Read the ranking.',
    '4. Approve: request_approval with the playId you recommend, then wait_for_approval (call again while it says pending). Never start work before it returns approved; you cannot approve, and a person must.',
    '5. Execute: for each phase in order, report_progress phase_started, then step_completed for each step (stepId from the play, durationMs, counts), test_run with real numbers (total, passing, failing, coverage 0..1), validator_alert for anything a reviewer must see (review_required waits for a person), deviation for work outside the plan (rule 4 = architectural change: stop and ask). Then phase_completed; the gate must pass.',
    '6. Evidence: attach_evidence for the PR link (with CI checks), reports and JSON results; each gets a sha256. complete_mission when every phase is completed; the gate checks recorded evidence, never your word.',
    '7. Reflect: add_follow_up for work left over, submit_retrospective (went well, to improve). A person rates the mission and may pin the play to the library.',
    '',
    'If a tool answers with isError, read the message: it names the field or the state and what to do, and nothing was written. get_mission always lists the next steps and who can take them. If execution cannot go on safely, request_rollback with a reason.',
  ].join('\n');
}

export function draftBriefText(intent: string): string {
  return [
    "Turn this intent into a Mission Control brief. Answer with the chips as JSON, ready for start_mission's chips argument:",
    '[{"kind": "objective", "items": ["..."], "confidence": "high|medium|low"}, ...]',
    '',
    `Chip kinds: ${CHIP_KINDS.map((k) => `${k} (${CHIP_LABELS[k]})`).join(', ')}.`,
    '- objective: one sentence, the outcome (not the method).',
    '- scope: the components, files or systems that change; say what is out of scope.',
    '- acceptance_criteria: observable checks ("All tests must pass", "Logout revokes the token").',
    '- kpis: measurable targets ("Test coverage ≥90%", "p95 latency < 200 ms"); a coverage KPI becomes a quality gate.',
    '- safeguards: what must never break ("Backward compatibility with existing sessions", "Code review required for auth changes", "Zero downtime deployment").',
    '- timeline: the deadline or time box, if the intent gives one.',
    'Use confidence low where you guessed. Keep each item under 500 characters, at most 20 items per chip. Leave out a chip rather than invent it.',
    '',
    'Intent:',
    intent,
  ].join('\n');
}

export function registerMissionPrompts(server: McpServer, options: { readOnly: boolean; service: MissionService }): void {
  server.registerPrompt(
    'run_mission',
    {
      title: 'Run a mission',
      description: 'How to drive a mission from brief to retrospective with the Mission Control tools.',
      argsSchema: {
        missionId: completable(z.string().max(100).optional().describe('An existing mission to continue; omit to start one.'), (value) =>
          completeMissionId(options.service, value),
        ),
      },
    },
    ({ missionId }) => ({ messages: [{ role: 'user', content: { type: 'text', text: runMissionText(missionId, options.readOnly) } }] }),
  );
  server.registerPrompt(
    'draft_brief',
    {
      title: 'Draft a brief',
      description: 'Turn an intent into brief chips (objective, scope, acceptance criteria, KPIs, safeguards, timeline) for start_mission.',
      argsSchema: { intent: z.string().min(3).max(20_000).describe('What the mission should achieve, with its constraints.') },
    },
    ({ intent }) => ({ messages: [{ role: 'user', content: { type: 'text', text: draftBriefText(intent) } }] }),
  );
}
