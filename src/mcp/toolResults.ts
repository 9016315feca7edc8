// How every tool answers: structured content plus a short text summary on success; on
// failure a tool result with isError and a message that names the field or the state and
// what to do. Refusals never become protocol errors, so the assistant can read and recover.
import { randomUUID } from 'node:crypto';
import type { CallToolResult, ResourceLink } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import { MissionError } from '../domain/errors.js';

/**
 * Where a refusal's code and details travel. Not in structuredContent: the SDK's Client checks
 * structuredContent against the tool's output schema even on error results, so an error shape
 * there would make clients reject the answer. Assistants read the text; programs read _meta.
 */
export const ERROR_META_KEY = 'mission-control/error';

export interface ToolErrorInfo {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** links: the mission's resources (mission://...) as resource_link items after the summary. */
export function toolSuccess(summary: string, structured: Record<string, unknown>, links: readonly ResourceLink[] = []): CallToolResult {
  return { content: [{ type: 'text', text: summary }, ...links], structuredContent: structured };
}

export function toolRefusal(info: ToolErrorInfo): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: info.message }], _meta: { [ERROR_META_KEY]: info } };
}

/** Maps any thrown error to a tool result. Unexpected errors are logged in full and answered generically. */
export function toolError(error: unknown, tool: string, logger: Logger): CallToolResult {
  if (error instanceof MissionError) return toolRefusal({ code: error.code, message: error.message, details: { ...error.details } });
  const reference = randomUUID();
  logger.error({ err: error, tool, reference }, 'tool failed unexpectedly');
  return toolRefusal({
    code: 'internal_error',
    message: `${tool} failed because of an internal error (reference ${reference}); nothing was changed by this call unless get_mission shows otherwise. Try again, or ask an operator to check the server log.`,
    details: { reference },
  });
}

/**
 * The schema handed to the SDK for a tool's input. The SDK would validate arguments itself and
 * answer failures with its own wording; instead it gets an object schema that accepts any
 * object but documents (as JSON Schema, via metadata) exactly the domain schema, and the
 * handler validates with the domain's parseInput. So an MCP refusal reads exactly like the
 * Slack one, and a discriminated union (report_progress) is listed as oneOf instead of an
 * empty object.
 */
export function documentedInput(schema: z.ZodType): z.ZodObject {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return z.looseObject({}).meta(json);
}
