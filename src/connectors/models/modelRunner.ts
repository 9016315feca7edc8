// One structured call to the configured model, through the AI SDK: a time limit per call, the
// SDK's own retries for 429 / 5xx / 529 overloaded (honouring retry-after), output checked by the
// caller's validator, refused output asked for once more, and every attempt recorded with its
// tokens and cost. It never throws for a provider problem: it says why it has no answer.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateObject, NoObjectGeneratedError, RetryError, type FlexibleSchema, type LanguageModel } from 'ai';
import type { ModelCallRecord, ModelTask } from '../../domain/modelUsage.js';
import { costOf, type ModelSettings } from './modelConfig.js';

export interface ModelRunnerOptions {
  /** Milliseconds a call may take, retries included, before it is abandoned. */
  timeoutMs?: Partial<Record<Exclude<ModelTask, 'assistant'>, number>>;
  /** Retries of a 429, 5xx or overloaded answer (the SDK's exponential backoff, or the provider's retry-after). */
  maxRetries?: number;
  /** Tests and proxies: the fetch the provider clients use. */
  fetch?: typeof globalThis.fetch;
}

export const DEFAULT_TIMEOUT_MS: Record<Exclude<ModelTask, 'assistant'>, number> = { draft: 20_000, plan: 45_000, review: 45_000 };

export interface StructuredRequest<T> {
  task: Exclude<ModelTask, 'assistant'>;
  /** What the model is asked to fill (plain JSON Schema: every provider's structured output accepts it). Built once with `zodSchema`, so the JSON Schema is not recomputed per call. */
  schema: FlexibleSchema<unknown>;
  schemaName: string;
  system: string;
  prompt: string;
  /** The domain's checks on the answer; throws with the reason when it refuses it. */
  validate(output: unknown): T;
}

export type StructuredAnswer<T> = { ok: true; value: T; calls: ModelCallRecord[] } | { ok: false; reason: string; calls: ModelCallRecord[] };

export interface ModelRunner {
  /** e.g. "anthropic:claude-haiku-4-5" for a task. */
  label(task: Exclude<ModelTask, 'assistant'>): string;
  generate<T>(request: StructuredRequest<T>): Promise<StructuredAnswer<T>>;
}

function withVersionPath(baseURL: string): string {
  // Anthropic's own SDKs take the host (https://api.anthropic.com); the AI SDK wants the /v1 base.
  const trimmed = baseURL.replace(/\/+$/, '');
  return /\/v\d+$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
}

function languageModel(settings: ModelSettings, modelId: string, fetch: typeof globalThis.fetch | undefined): LanguageModel {
  if (settings.provider === 'anthropic') {
    return createAnthropic({
      apiKey: settings.apiKey,
      ...(settings.baseURL ? { baseURL: withVersionPath(settings.baseURL) } : {}),
      ...(fetch ? { fetch } : {}),
    })(modelId);
  }
  return createOpenAICompatible({
    name: 'openai-compatible',
    baseURL: settings.baseURL!,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    // OpenAI, vLLM, Ollama and LM Studio take response_format json_schema; usage comes back with every answer.
    supportsStructuredOutputs: true,
    includeUsage: true,
    ...(fetch ? { fetch } : {}),
  }).chatModel(modelId);
}

/** Why a call gave no answer, in words for the mission record (no secrets: status, provider message, or the time limit). */
export function describeFailure(error: unknown, timeoutMs: number): string {
  const cause = RetryError.isInstance(error) ? error.lastError : error;
  if (APICallError.isInstance(cause)) {
    const overloaded =
      cause.statusCode === 529 || /overloaded/i.test(cause.responseBody ?? '') ? ' (overloaded)' : cause.statusCode === 429 ? ' (rate limited)' : '';
    const retried = RetryError.isInstance(error) ? ` after ${error.errors.length} attempts` : '';
    return `the provider answered HTTP ${cause.statusCode ?? 'error'}${overloaded}${retried}`;
  }
  if (cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError')) return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  if (cause instanceof Error && /fetch failed|ECONNREFUSED|ENOTFOUND|network/i.test(`${cause.message} ${String((cause as { cause?: unknown }).cause ?? '')}`)) {
    return 'the provider could not be reached';
  }
  return `the call failed: ${cause instanceof Error ? cause.message.slice(0, 200) : String(cause).slice(0, 200)}`;
}

export function createModelRunner(settings: ModelSettings, options: ModelRunnerOptions = {}): ModelRunner {
  const models = new Map<string, LanguageModel>();
  const modelFor = (modelId: string) => {
    const known = models.get(modelId);
    if (known) return known;
    const model = languageModel(settings, modelId, options.fetch);
    models.set(modelId, model);
    return model;
  };
  const record = (
    task: ModelTask,
    modelId: string,
    started: number,
    usage: { inputTokens?: number | undefined; outputTokens?: number | undefined } | undefined,
    outcome: ModelCallRecord['outcome'],
  ): ModelCallRecord => {
    const inputTokens = usage?.inputTokens ?? 0;
    const outputTokens = usage?.outputTokens ?? 0;
    return {
      task,
      provider: settings.provider,
      model: modelId,
      inputTokens,
      outputTokens,
      costUsd: costOf(settings.prices, modelId, inputTokens, outputTokens) ?? 0,
      durationMs: Math.round(performance.now() - started),
      outcome,
    };
  };

  return {
    label: (task) => `${settings.provider}:${settings.models[task]}`,
    async generate<T>(request: StructuredRequest<T>): Promise<StructuredAnswer<T>> {
      const modelId = settings.models[request.task];
      const timeoutMs = options.timeoutMs?.[request.task] ?? DEFAULT_TIMEOUT_MS[request.task];
      const calls: ModelCallRecord[] = [];
      let reason = '';
      // Refused output is asked for once more; an outage (after the SDK's own retries) is not.
      for (let attempt = 1; attempt <= 2; attempt++) {
        const started = performance.now();
        try {
          const result = await generateObject({
            model: modelFor(modelId),
            schema: request.schema,
            schemaName: request.schemaName,
            system: request.system,
            prompt: request.prompt,
            temperature: 0.2,
            maxRetries: options.maxRetries ?? 2,
            // generateObject takes no `timeout`; the signal bounds the call, its retries included.
            abortSignal: AbortSignal.timeout(timeoutMs),
          });
          try {
            const value = request.validate(result.object);
            calls.push(record(request.task, modelId, started, result.usage, 'ok'));
            return { ok: true, value, calls };
          } catch (error) {
            calls.push(record(request.task, modelId, started, result.usage, 'refused_output'));
            reason = `the model's answer was refused: ${error instanceof Error ? error.message.slice(0, 300) : String(error)}`;
          }
        } catch (error) {
          if (NoObjectGeneratedError.isInstance(error)) {
            calls.push(record(request.task, modelId, started, error.usage, 'refused_output'));
            reason = `the model's answer was not valid ${request.schemaName} JSON`;
            continue;
          }
          calls.push(record(request.task, modelId, started, undefined, 'failed'));
          return { ok: false, reason: describeFailure(error, timeoutMs), calls };
        }
      }
      return { ok: false, reason: `${reason} (asked twice)`, calls };
    },
  };
}
