// How every tool answers: structured content plus a short text summary on success; on
// failure a tool result with isError and a message that names the field or the state and
// what to do. Refusals never become protocol errors, so the assistant can read and recover.
import { randomUUID } from 'node:crypto';
import type { CallToolResult, ResourceLink } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ConnectorError } from '../connectors/connectorError.js';
import { TOOLKIT_CREDENTIAL_VARIABLES } from '../connectors/credentials/toolkitCredentialVariables.js';
import { MissionError } from '../domain/errors.js';
import { inputJsonSchema } from '../domain/inputIssues.js';

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
  if (error instanceof ConnectorError) {
    logger.warn({ err: error, tool, toolkit: error.toolkitId, failure: error.failure }, 'connector call refused');
    return toolRefusal({
      code: 'connector_failed',
      message: connectorMessage(tool, error),
      details: { toolkit: error.toolkitId, failure: error.failure, status: error.status, retryable: error.retryable },
    });
  }
  const reference = randomUUID();
  logger.error({ err: error, tool, reference }, 'tool failed unexpectedly');
  return toolRefusal({
    code: 'internal_error',
    message: `${tool} failed because of an internal error (reference ${reference}); nothing was changed by this call unless get_mission shows otherwise. Try again, or ask an operator to check the server log.`,
    details: { reference },
  });
}

const TOOLKIT_NAMES: Record<string, string> = { github: 'GitHub', linear: 'Linear' };

/** A connector's failure in words: which connector, what it answered, and what to do; nothing was changed. */
function connectorMessage(tool: string, error: ConnectorError): string {
  const name = TOOLKIT_NAMES[error.toolkitId] ?? error.toolkitId;
  const status = error.status ? ` (HTTP ${error.status})` : '';
  const whatToDo: Record<string, string> = {
    unauthorized: `${name} did not accept the connector's token${status}: it is missing, expired or revoked. Ask an operator to store a fresh one (\`mission-control credential set --toolkit ${error.toolkitId}\`, or ${(TOOLKIT_CREDENTIAL_VARIABLES[error.toolkitId] ?? []).join(', ') || 'its environment variable'}), then call ${tool} again.`,
    forbidden: `${name} refused the connector's token${status}: it lacks access to this resource (GitHub classic tokens need the \`repo\` scope). Ask an operator to grant it, then call ${tool} again.`,
    not_found: `${name} has no such resource${status}, or the connector's token cannot see it: check the reference. ${error.message}`,
    rate_limited: `${name} is rate limiting the connector${status}; call ${tool} again${error.retryAfterMs !== null ? ` in ${Math.ceil(error.retryAfterMs / 1000)} s` : ' later'}.`,
    unavailable: `${name} is unavailable${status}; call ${tool} again in a moment.`,
    timeout: `${name} did not answer in time; call ${tool} again in a moment.`,
  };
  return `${tool}: the ${name} connector failed, and nothing was changed. ${whatToDo[error.failure] ?? error.message}`;
}

/**
 * The schema handed to the SDK for a tool's input. The SDK would validate arguments itself and
 * answer failures with its own wording; instead it gets an object schema that accepts any
 * object but lists (as JSON Schema, via metadata) exactly the domain schema, and the registry
 * parses with the domain's parseInput. So an MCP refusal reads exactly like the Slack one.
 * Domain input schemas are strict objects with no combinator at the top (report_progress is a
 * `kind` enum plus fields, piped into its discriminated union), which is what the Anthropic
 * API accepts; this refuses anything else at registration rather than let a client drop the tool.
 */
export function documentedInput(tool: string, schema: z.ZodType): z.ZodObject {
  const json = inputJsonSchema(schema);
  const combinator = ['oneOf', 'anyOf', 'allOf'].find((key) => key in json);
  if (json.type !== 'object' || combinator || json.additionalProperties !== false) {
    throw new Error(
      `${tool}: the input schema must be a strict plain object (type "object", additionalProperties false, no ${combinator ?? 'oneOf/anyOf/allOf'} at the top)`,
    );
  }
  return z.looseObject({}).meta(json);
}
