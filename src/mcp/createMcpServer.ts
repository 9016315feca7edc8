// Builds one MCP server (tools, resources, prompts) over the mission service. Transports
// (stdio, Streamable HTTP, in-memory in tests) connect it; it holds no mission state itself.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { MAX_EVIDENCE_BYTES } from '../domain/missionInputs.js';
import type { MissionService } from '../domain/missionService.js';
import type { PullRequestReader } from '../domain/trackers.js';
import type { McpActor } from './mcpTokens.js';
import { lifecycleTools } from './lifecycleTools.js';
import type { SlackPresence } from './slackPresence.js';
import { enableMissionLogging } from './missionLogging.js';
import { registerMissionPrompts } from './missionPrompts.js';
import { registerMissionResources } from './missionResources.js';
import { readTools } from './readTools.js';
import { registerTools, type ApprovalWaitTiming, type McpContext, type McpLimits } from './toolRegistry.js';
import { DEFAULT_MAX_CALL_SECONDS, waitForApprovalTool } from './waitForApproval.js';
import { writeTools } from './writeTools.js';

export const SERVER_NAME = 'mission-control';
export const SERVER_VERSION = '0.1.0';

export interface McpServerOptions {
  service: MissionService;
  logger: Logger;
  /** Who calls when the transport carries no identity per request (stdio); HTTP sets it per request from the token. */
  actor: McpActor;
  /** Register only the read-only tools (list_missions, get_mission, search_library). */
  readOnly?: boolean;
  limits?: Partial<McpLimits>;
  /** Timing of wait_for_approval; maxCallMs caps one call (clients time a request out at 60 s). */
  approvalWait?: Partial<ApprovalWaitTiming & { maxCallMs: number }>;
  /**
   * Whether the client can receive notifications outside a request's response (a session's
   * GET stream, or stdio). Stateless HTTP cannot, so it advertises neither resource
   * subscriptions nor logging.
   */
  notifications?: boolean;
  /** The GitHub connector's pull request reader; adds the link_pull_request tool. */
  pullRequests?: PullRequestReader | null;
  /** The Slack front door's view of missions (start_mission and request_approval say where they are in Slack). */
  slackPresence?: SlackPresence | null;
}

export interface MissionMcpServer {
  server: McpServer;
  tools: string[];
  /** Connects a transport (use this rather than server.connect: it fixes error messages and notes which missions the client names). */
  connect(transport: Transport): Promise<void>;
  /** Closes the connection and stops the change notifications. */
  close(): Promise<void>;
}

const INSTRUCTIONS = `Mission Control runs engineering missions under human governance: Define (brief) -> Prepare (toolkits) -> Plan & Approve (plays, a person approves) -> Execute & Observe (phases, tests, alerts, evidence) -> Reflect & Improve. You can drive every step except decisions reserved for people (approvals, review alerts, overrides, ratings), which happen in Slack. Every tool result carries next: the steps that can be taken now, who can take each (you, a person, or either), the tool to call or the Slack control a person uses, and what the mission waits for; the run_mission prompt explains the whole flow. Every refusal says what to do, and writes nothing.`;

const SDK_ERROR_PREFIX = /^(MCP error -?\d+: )+/;

/**
 * The SDK answers a thrown McpError with its message, which already reads "MCP error <code>: ...",
 * and the client's McpError adds the prefix again ("MCP error -32602: MCP error -32602: ...").
 * The wire carries the message alone, so clients show the prefix once.
 */
function plainErrorMessage(message: JSONRPCMessage): JSONRPCMessage {
  // A property check, not the SDK's schema parse: this runs for every message sent.
  if (!('error' in message) || typeof message.error?.message !== 'string' || !SDK_ERROR_PREFIX.test(message.error.message)) return message;
  return { ...message, error: { ...message.error, message: message.error.message.replace(SDK_ERROR_PREFIX, '') } };
}

export function createMcpServer(options: McpServerOptions): MissionMcpServer {
  const readOnly = options.readOnly ?? false;
  const notifications = options.notifications ?? true;
  const context: McpContext = {
    service: options.service,
    logger: options.logger,
    defaultActor: options.actor,
    limits: { maxEvidenceBytes: Math.min(options.limits?.maxEvidenceBytes ?? MAX_EVIDENCE_BYTES, MAX_EVIDENCE_BYTES) },
    approvalWait: { pollIntervalMs: options.approvalWait?.pollIntervalMs ?? 2_000, progressIntervalMs: options.approvalWait?.progressIntervalMs ?? 5_000 },
    pullRequests: options.pullRequests ?? null,
    slackPresence: options.slackPresence ?? null,
  };
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION, title: 'Mission Control' },
    {
      instructions: readOnly ? `${INSTRUCTIONS} This server is read-only: only list_missions, get_mission and search_library are available.` : INSTRUCTIONS,
      capabilities: notifications
        ? { tools: {}, resources: { subscribe: true, listChanged: true }, prompts: {}, logging: {} }
        : { tools: {}, resources: {}, prompts: {} },
    },
  );
  const maxCallMs = options.approvalWait?.maxCallMs ?? DEFAULT_MAX_CALL_SECONDS * 1000;
  context.clientSupportsSampling = () => server.server.getClientCapabilities()?.sampling !== undefined;
  const tools = registerTools(
    server,
    context,
    [...readTools(context), ...writeTools(context), ...lifecycleTools(context), waitForApprovalTool(context, { maxCallMs })],
    { readOnly },
  );
  const stopResourceNotifications = registerMissionResources(server, options.service, options.logger, { subscriptions: notifications });
  const logging = notifications ? enableMissionLogging(server, options.service, options.actor, options.logger) : null;
  registerMissionPrompts(server, { readOnly, service: options.service });
  let closed = false;
  const dispose = () => {
    if (closed) return;
    closed = true;
    stopResourceNotifications();
    logging?.stop();
  };
  server.server.onclose = dispose;
  return {
    server,
    tools,
    connect: async (transport) => {
      const send = transport.send.bind(transport);
      transport.send = (message, sendOptions) => send(plainErrorMessage(message), sendOptions);
      await server.connect(transport);
      if (logging) {
        const deliver = transport.onmessage;
        transport.onmessage = (message, extra) => {
          logging.noteRequest(message);
          deliver?.(message, extra);
        };
      }
    },
    close: async () => {
      dispose();
      await server.close();
    },
  };
}
