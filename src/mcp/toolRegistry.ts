// One way to declare a tool: its name, the domain schema that documents and validates its
// input, its output schema, whether it only reads, and a handler that receives the parsed,
// typed input and returns a summary and structured content. Registration parses arguments
// once at the edge with the domain schema (so a refusal reads like Slack's), applies
// --read-only and maps every failure to a tool error.
import type { PullRequestReader } from '../domain/trackers.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { MissionService } from '../domain/missionService.js';
import type { McpActor } from './mcpTokens.js';
import type { Mission } from '../domain/mission.js';
import { parseInput } from '../domain/missionInputs.js';
import { answerWithNext, withNext } from './nextActions.js';
import { documentedInput, toolError } from './toolResults.js';
import type { SlackPresence } from './slackPresence.js';

export type RequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface McpLimits {
  /** Largest evidence content (text or canonical JSON) accepted, in bytes. */
  maxEvidenceBytes: number;
}

export interface ApprovalWaitTiming {
  /** How often wait_for_approval re-reads the mission (changes made by other processes do not notify this one). */
  pollIntervalMs: number;
  /** How often it sends notifications/progress while waiting. */
  progressIntervalMs: number;
}

export interface McpContext {
  service: MissionService;
  logger: Logger;
  /** The actor when the transport carries no per-request identity (stdio). */
  defaultActor: McpActor;
  limits: McpLimits;
  approvalWait: ApprovalWaitTiming;
  /** The GitHub connector's pull request reader, when GitHub is configured (enables link_pull_request). */
  pullRequests?: PullRequestReader | null;
  /** Where missions and approval requests are in Slack; null when this process has no Slack front door. */
  slackPresence?: SlackPresence | null;
  /** Whether the connected client declared the sampling capability (its model can draft briefs). */
  clientSupportsSampling?: () => boolean;
}

export interface ToolCall {
  actor: McpActor;
  extra: RequestExtra;
}

export interface ToolSpec<Input extends z.ZodType = z.ZodType, Output extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  /** The domain schema arguments are parsed with before run; listed as the tool's JSON Schema (a plain, strict object). */
  input: Input;
  output: Output;
  /** Read-only tools are the only ones registered with --read-only. */
  readOnly: boolean;
  /** Overrides the readOnlyHint for a tool that writes nothing but belongs to the driving tools (wait_for_approval). */
  readOnlyHint?: boolean;
  /** Hints for clients: the tool replaces what was there, or cannot be undone (rollback, complete, retrospective). */
  destructive?: boolean;
  /** Calling it again with the same arguments changes nothing more. Defaults to readOnly. */
  idempotent?: boolean;
  /** A check of the raw arguments made before parsing, for a refusal that must come first (evidence over the size limit). */
  precheck?(args: Record<string, unknown>): void;
  /** mission: the mission the call acted on, when the tool has it (next steps and resource links are built from it). */
  run(input: z.output<Input>, call: ToolCall): Promise<{ summary: string; result: z.input<Output>; mission?: Mission }>;
}

/** Declares a tool; only there so TypeScript infers run's input type from the input schema. */
export function defineTool<Input extends z.ZodType, Output extends z.ZodObject>(spec: ToolSpec<Input, Output>): ToolSpec<Input, Output> {
  return spec;
}

/** Who is calling: Streamable HTTP puts the token's actor on each request; stdio uses the configured one. */
export function actorFor(extra: RequestExtra, fallback: McpActor): McpActor {
  const actor = extra.authInfo?.extra?.actor as McpActor | undefined;
  return actor ?? fallback;
}

export function registerTools(server: McpServer, context: McpContext, tools: readonly ToolSpec[], options: { readOnly: boolean }): string[] {
  const registered: string[] = [];
  for (const tool of tools) {
    if (options.readOnly && !tool.readOnly) continue;
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: documentedInput(tool.name, tool.input),
        outputSchema: withNext(tool.output),
        annotations: {
          title: tool.title,
          readOnlyHint: tool.readOnlyHint ?? tool.readOnly,
          destructiveHint: tool.destructive ?? false,
          idempotentHint: tool.idempotent ?? tool.readOnly,
          // Missions, Slack threads and trackers are outside the assistant's sandbox.
          openWorldHint: !tool.readOnly,
        },
      },
      async (args: Record<string, unknown>, extra: RequestExtra) => {
        const actor = actorFor(extra, context.defaultActor);
        try {
          tool.precheck?.(args);
          const input = parseInput(tool.input, args, labelFor(tool.name, args));
          const ran = await tool.run(input, { actor, extra });
          return await answerWithNext(context.service, { ...ran, result: ran.result as Record<string, unknown> }, args, context.logger);
        } catch (error) {
          return toolError(error, tool.name, context.logger);
        }
      },
    );
    registered.push(tool.name);
  }
  return registered;
}

/** Names the tool, and the kind of report or artifact when there is one, at the start of a refusal. */
function labelFor(tool: string, args: Record<string, unknown>): string {
  return typeof args.kind === 'string' && /^[a-z_]{1,40}$/.test(args.kind) ? `${tool} (kind ${args.kind})` : tool;
}
