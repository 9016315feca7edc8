// MCP sampling: when the connected assistant offers `sampling/createMessage` and no model is
// configured here, the assistant's own model drafts the brief of a mission it starts. The request
// goes back to the client inside the start_mission call (so it reaches the right session), the
// answer is checked like any model's, and the built-in draft stands in when it is unusable.
import { CreateMessageResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { BriefDrafter, DraftedBrief } from '../domain/briefDrafter.js';
import { draftBrief } from '../domain/deterministicBriefDrafter.js';
import type { ModelCallRecord } from '../domain/modelUsage.js';
import { briefAnswer, DRAFT_SYSTEM, intentBlock, validateBrief } from '../connectors/models/modelDrafting.js';
import type { RequestExtra } from './toolRegistry.js';

const SAMPLING_TIMEOUT_MS = 30_000;
const ANSWER_SCHEMA = JSON.stringify(z.toJSONSchema(briefAnswer));

/** The JSON object in a text answer (models like to wrap it in a code fence). */
function jsonIn(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1] ?? text;
  const start = fenced.indexOf('{');
  const end = fenced.lastIndexOf('}');
  return JSON.parse(start >= 0 && end > start ? fenced.slice(start, end + 1) : fenced);
}

export function samplingBriefDrafter(extra: RequestExtra): BriefDrafter {
  return {
    name: 'mcp-sampling',
    slow: true,
    async draft(intent: string): Promise<DraftedBrief> {
      const calls: ModelCallRecord[] = [];
      let reason = '';
      for (let attempt = 1; attempt <= 2; attempt++) {
        const started = performance.now();
        let text: string;
        let model = 'unknown';
        try {
          const result = await extra.sendRequest(
            {
              method: 'sampling/createMessage',
              params: {
                systemPrompt: `${DRAFT_SYSTEM}\nAnswer with one JSON object, and nothing else, matching this JSON Schema:\n${ANSWER_SCHEMA}`,
                messages: [{ role: 'user', content: { type: 'text', text: intentBlock(intent) } }],
                maxTokens: 2000,
                modelPreferences: { intelligencePriority: 0.4, speedPriority: 0.8, costPriority: 0.6 },
              },
            },
            CreateMessageResultSchema,
            { timeout: SAMPLING_TIMEOUT_MS },
          );
          model = result.model;
          text = result.content.type === 'text' ? result.content.text : '';
        } catch (error) {
          // The client refused or did not answer: no second try.
          calls.push(record(model, started, 'failed'));
          return {
            ...draftBrief(intent),
            modelCalls: calls,
            fallbackReason: `the assistant's model did not answer: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`,
          };
        }
        try {
          const value = validateBrief(jsonIn(text), intent);
          calls.push(record(model, started, 'ok'));
          return { ...value, modelCalls: calls };
        } catch (error) {
          calls.push(record(model, started, 'refused_output'));
          reason = `the assistant's model's answer was refused: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`;
        }
      }
      return { ...draftBrief(intent), modelCalls: calls, fallbackReason: `${reason} (asked twice)` };
    },
  };
}

/** Sampling reports no tokens; the assistant's own usage reports carry its cost. */
function record(model: string, started: number, outcome: ModelCallRecord['outcome']): ModelCallRecord {
  return {
    task: 'draft',
    provider: 'mcp-sampling',
    model,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    durationMs: Math.round(performance.now() - started),
    outcome,
  };
}
