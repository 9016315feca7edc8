// Model configuration from the environment: which provider, which model per task, prices per
// million tokens, and the default mission budget. `MODEL_PROVIDER=none` (the default) keeps the
// built-in drafter and planner and sends nothing anywhere.
import { z } from 'zod';
import type { ModelTask } from '../../domain/modelUsage.js';

export type ModelProviderName = 'none' | 'anthropic' | 'openai-compatible';

export interface ModelPrice {
  /** USD per million input tokens. */
  input: number;
  /** USD per million output tokens. */
  output: number;
}

/** List prices (USD per million tokens, input/output) at the time of writing; MODEL_PRICES adds to and overrides them. */
export const DEFAULT_MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
};

/** Anthropic models per task when MODEL_DRAFT / MODEL_PLAN / MODEL_REVIEW are unset: a small model drafts, a larger one plans and reviews (seed 001's tiers). */
export const ANTHROPIC_DEFAULT_MODELS: Readonly<Record<Exclude<ModelTask, 'assistant'>, string>> = {
  draft: 'claude-haiku-4-5',
  plan: 'claude-sonnet-4-5',
  review: 'claude-sonnet-4-5',
};

const optionalText = z.string().trim().min(1).optional();

function parsePrices(value: string, ctx: z.RefinementCtx): Record<string, ModelPrice> {
  const prices: Record<string, ModelPrice> = {};
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    // The last colon separates the price: Ollama names have colons of their own (llama3.1:8b:0/0).
    const match = /^(\S+?)\s*:\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(part);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not model:input/output (USD per million tokens), e.g. claude-sonnet-4-5:3/15` });
      return z.NEVER;
    }
    prices[match[1]!] = { input: Number(match[2]), output: Number(match[3]) };
  }
  return prices;
}

/** The model variables, spread into the process configuration schema (src/config.ts). */
export const MODEL_ENV = {
  MODEL_PROVIDER: z.enum(['none', 'anthropic', 'openai-compatible'], { error: 'MODEL_PROVIDER must be none, anthropic or openai-compatible' }).default('none'),
  ANTHROPIC_API_KEY: optionalText,
  ANTHROPIC_BASE_URL: z.url({ protocol: /^https?$/, error: 'ANTHROPIC_BASE_URL must be an http(s) URL such as https://api.anthropic.com/v1' }).optional(),
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'OPENAI_BASE_URL must be an http(s) URL ending in /v1, e.g. http://127.0.0.1:11434/v1 for Ollama' })
    .optional(),
  MODEL_DRAFT: optionalText,
  MODEL_PLAN: optionalText,
  MODEL_REVIEW: optionalText,
  MODEL_PRICES: z.string().default('').transform(parsePrices),
  MISSION_BUDGET_USD: z.coerce
    .number({ error: 'MISSION_BUDGET_USD must be a number of US dollars, e.g. 5' })
    .finite()
    .min(0, 'MISSION_BUDGET_USD must be 0 or more')
    .optional(),
};

const modelEnvSchema = z.object(MODEL_ENV);
export type ModelEnv = z.output<typeof modelEnvSchema>;

export interface ModelSettings {
  provider: Exclude<ModelProviderName, 'none'>;
  apiKey: string | undefined;
  baseURL: string | undefined;
  models: Record<Exclude<ModelTask, 'assistant'>, string>;
  prices: Record<string, ModelPrice>;
}

/** What is wrong with the model variables, in one sentence naming them, or null. */
export function modelConfigProblem(env: ModelEnv): string | null {
  if (env.MODEL_PROVIDER === 'anthropic' && !env.ANTHROPIC_API_KEY)
    return 'MODEL_PROVIDER=anthropic needs ANTHROPIC_API_KEY (or set MODEL_PROVIDER=none for the built-in drafter and planner)';
  if (env.MODEL_PROVIDER === 'openai-compatible') {
    if (!env.OPENAI_BASE_URL && !env.OPENAI_API_KEY)
      return 'MODEL_PROVIDER=openai-compatible needs OPENAI_BASE_URL (e.g. http://127.0.0.1:11434/v1 for Ollama) or OPENAI_API_KEY for api.openai.com';
    if (!env.MODEL_DRAFT || !env.MODEL_PLAN)
      return 'MODEL_PROVIDER=openai-compatible needs MODEL_DRAFT and MODEL_PLAN (the model names your endpoint serves, e.g. llama3.1:8b)';
  }
  return null;
}

/** Null when models are off (MODEL_PROVIDER=none). */
export function modelSettingsFrom(env: ModelEnv): ModelSettings | null {
  if (env.MODEL_PROVIDER === 'none') return null;
  const anthropic = env.MODEL_PROVIDER === 'anthropic';
  const defaults = anthropic ? ANTHROPIC_DEFAULT_MODELS : { draft: env.MODEL_DRAFT!, plan: env.MODEL_PLAN!, review: env.MODEL_PLAN! };
  return {
    provider: env.MODEL_PROVIDER,
    apiKey: anthropic ? env.ANTHROPIC_API_KEY : env.OPENAI_API_KEY,
    baseURL: anthropic ? env.ANTHROPIC_BASE_URL : (env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1'),
    models: { draft: env.MODEL_DRAFT ?? defaults.draft, plan: env.MODEL_PLAN ?? defaults.plan, review: env.MODEL_REVIEW ?? defaults.review },
    prices: { ...DEFAULT_MODEL_PRICES, ...env.MODEL_PRICES },
  };
}

/** USD for a call, or null when the model has no price (a dated id like claude-sonnet-4-5-20250929 uses its family's price). */
export function costOf(prices: Readonly<Record<string, ModelPrice>>, model: string, inputTokens: number, outputTokens: number): number | null {
  const price = prices[model] ?? Object.entries(prices).find(([name]) => model.startsWith(`${name}-`) || model.startsWith(`${name}@`))?.[1];
  if (!price) return null;
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
}
