// Fakes of the two model APIs for msw, answering in the providers' own shapes: Anthropic's
// Messages API (structured output as a text block when the request carries
// output_config.format, as a forced `json` tool_use block when it carries that tool; usage with
// input_tokens / output_tokens; 429 rate_limit_error with retry-after; 529 overloaded_error) and
// OpenAI-compatible chat completions (response_format json_schema answered in message.content;
// usage with prompt_tokens / completion_tokens; 429 rate_limit_exceeded). What the "model" says
// is scripted by the test: `brain` gets the task and the prompt and returns the JSON object.
import { delay, http, HttpResponse, type HttpHandler } from 'msw';

export const ANTHROPIC_BASE = 'https://anthropic.test';
export const OPENAI_BASE = 'http://ollama.test:11434/v1';

export type ModelTaskKind = 'draft' | 'plan';

export interface FakeAnswer {
  /** The JSON the model "writes"; a string is sent as is (e.g. broken JSON). */
  json: unknown;
  inputTokens?: number;
  outputTokens?: number;
}

export type Brain = (task: ModelTaskKind, prompt: string, request: { model: string; body: Record<string, unknown> }) => FakeAnswer;

export interface RecordedRequest {
  provider: 'anthropic' | 'openai';
  task: ModelTaskKind;
  model: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

function taskOf(system: string): ModelTaskKind {
  return system.includes('You draft the brief') ? 'draft' : 'plan';
}

function text(json: unknown): string {
  return typeof json === 'string' ? json : JSON.stringify(json);
}

export interface FakeModelApis {
  handlers: HttpHandler[];
  requests: RecordedRequest[];
  /** Milliseconds every answer waits (a realistic model latency). */
  latencyMs: number;
}

/** `gate`: each answer waits for it (a test holds the model back to see the drafting state). */
export function fakeModelApis(brain: Brain, options: { latencyMs?: number; gate?: () => Promise<void> } = {}): FakeModelApis {
  const state: FakeModelApis = { handlers: [], requests: [], latencyMs: options.latencyMs ?? 0 };
  let seq = 0;
  state.handlers = [
    http.post(`${ANTHROPIC_BASE}/v1/messages`, async ({ request }) => {
      const body = (await request.json()) as Record<string, unknown>;
      const system = Array.isArray(body.system) ? (body.system as Array<{ text: string }>).map((s) => s.text).join('\n') : String(body.system ?? '');
      const messages = body.messages as Array<{ content: Array<{ type: string; text?: string }> | string }>;
      const prompt = messages.map((m) => (typeof m.content === 'string' ? m.content : m.content.map((c) => c.text ?? '').join('\n'))).join('\n');
      const task = taskOf(system);
      const model = String(body.model);
      state.requests.push({ provider: 'anthropic', task, model, body, headers: Object.fromEntries(request.headers) });
      if (state.latencyMs > 0) await delay(state.latencyMs);
      await options.gate?.();
      const answer = brain(task, prompt, { model, body });
      const tools = (body.tools as Array<{ name: string }> | undefined) ?? [];
      const jsonTool = tools.some((t) => t.name === 'json');
      const usage = {
        input_tokens: answer.inputTokens ?? 900,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: answer.outputTokens ?? 400,
        service_tier: 'standard',
      };
      seq += 1;
      return HttpResponse.json({
        id: `msg_01FAKE${String(seq).padStart(6, '0')}`,
        type: 'message',
        role: 'assistant',
        model,
        content: jsonTool
          ? [{ type: 'tool_use', id: `toolu_01FAKE${seq}`, name: 'json', input: typeof answer.json === 'string' ? { broken: answer.json } : answer.json }]
          : [{ type: 'text', text: text(answer.json) }],
        stop_reason: jsonTool ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage,
      });
    }),
    http.post(`${OPENAI_BASE}/chat/completions`, async ({ request }) => {
      const body = (await request.json()) as Record<string, unknown>;
      const messages = body.messages as Array<{ role: string; content: string }>;
      const system = messages
        .filter((m) => m.role === 'system')
        .map((m) => m.content)
        .join('\n');
      const prompt = messages
        .filter((m) => m.role === 'user')
        .map((m) => m.content)
        .join('\n');
      const task = taskOf(system);
      const model = String(body.model);
      state.requests.push({ provider: 'openai', task, model, body, headers: Object.fromEntries(request.headers) });
      if (state.latencyMs > 0) await delay(state.latencyMs);
      const answer = brain(task, prompt, { model, body });
      const promptTokens = answer.inputTokens ?? 900;
      const completionTokens = answer.outputTokens ?? 400;
      seq += 1;
      return HttpResponse.json({
        id: `chatcmpl-FAKE${seq}`,
        object: 'chat.completion',
        created: 1_764_288_000 + seq,
        model,
        system_fingerprint: 'fp_fake',
        choices: [{ index: 0, message: { role: 'assistant', content: text(answer.json), refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      });
    }),
  ];
  return state;
}

/** Anthropic's answers when it is busy: 429 with retry-after, or 529 overloaded. */
export function anthropicError(status: 429 | 529 | 500, counter?: { count: number }): HttpHandler {
  return http.post(`${ANTHROPIC_BASE}/v1/messages`, () => {
    if (counter) counter.count += 1;
    const error =
      status === 429
        ? {
            type: 'rate_limit_error',
            message:
              'Number of request tokens has exceeded your per-minute rate limit (https://docs.anthropic.com/en/api/rate-limits); see the response headers for current usage.',
          }
        : status === 529
          ? { type: 'overloaded_error', message: 'Overloaded' }
          : { type: 'api_error', message: 'Internal server error' };
    // retry-after in seconds as Anthropic sends it; retry-after-ms keeps the test fast (the SDK prefers it).
    const headers: Record<string, string> =
      status === 429 ? { 'retry-after': '1', 'retry-after-ms': '5', 'request-id': 'req_fake' } : { 'retry-after-ms': '5', 'request-id': 'req_fake' };
    return HttpResponse.json({ type: 'error', error, request_id: 'req_fake' }, { status, headers });
  });
}

export function openAiRateLimited(counter?: { count: number }): HttpHandler {
  return http.post(`${OPENAI_BASE}/chat/completions`, () => {
    if (counter) counter.count += 1;
    return HttpResponse.json(
      {
        error: {
          message: 'Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1.',
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
      },
      { status: 429, headers: { 'retry-after-ms': '5', 'x-ratelimit-remaining-requests': '0' } },
    );
  });
}

/** A provider that never answers in time. */
export function anthropicHangs(): HttpHandler {
  return http.post(`${ANTHROPIC_BASE}/v1/messages`, async () => {
    await delay('infinite');
    return HttpResponse.json({});
  });
}

/** The intent as the drafter's prompt carries it. */
export function intentOf(prompt: string): string {
  return /<intent>\n([\s\S]*?)\n<\/intent>/.exec(prompt)?.[1] ?? prompt;
}
