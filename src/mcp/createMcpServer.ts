// Builds one MCP server (tools, resources, prompts) over the mission service. Transports
// (stdio, Streamable HTTP, in-memory in tests) connect it; it holds no mission state itself.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Logger } from 'pino';
import { MAX_EVIDENCE_BYTES } from '../domain/missionInputs.js';
import type { MissionService } from '../domain/missionService.js';
import type { PullRequestReader } from '../domain/trackers.js';
import type { McpActor } from './mcpTokens.js';
import { lifecycleTools } from './lifecycleTools.js';
import { registerMissionPrompts } from './missionPrompts.js';
import { registerMissionResources } from './missionResources.js';
import { readTools } from './readTools.js';
import { registerTools, type ApprovalWaitTiming, type McpContext, type McpLimits } from './toolRegistry.js';
import { waitForApprovalTool } from './waitForApproval.js';
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
  approvalWait?: Partial<ApprovalWaitTiming>;
  /** The GitHub connector's pull request reader; adds the link_pull_request tool. */
  pullRequests?: PullRequestReader | null;
}

export interface MissionMcpServer {
  server: McpServer;
  tools: string[];
  /** Closes the connection and stops the change notifications. */
  close(): Promise<void>;
}

const INSTRUCTIONS = `Mission Control runs engineering missions under human governance: Define (brief) -> Prepare (toolkits) -> Plan & Approve (plays, a person approves) -> Execute & Observe (phases, tests, alerts, evidence) -> Reflect & Improve. You can drive every step except decisions reserved for people (approvals, review alerts, overrides, ratings), which happen in Slack. Every tool result carries next: the steps that can be taken now, who can take each (you, a person, or either), the tool to call or the Slack control a person uses, and what the mission waits for; the run_mission prompt explains the whole flow. Every refusal says what to do, and writes nothing.`;

export function createMcpServer(options: McpServerOptions): MissionMcpServer {
  const readOnly = options.readOnly ?? false;
  const context: McpContext = {
    service: options.service,
    logger: options.logger,
    defaultActor: options.actor,
    limits: { maxEvidenceBytes: Math.min(options.limits?.maxEvidenceBytes ?? MAX_EVIDENCE_BYTES, MAX_EVIDENCE_BYTES) },
    approvalWait: { pollIntervalMs: options.approvalWait?.pollIntervalMs ?? 2_000, progressIntervalMs: options.approvalWait?.progressIntervalMs ?? 5_000 },
    pullRequests: options.pullRequests ?? null,
  };
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION, title: 'Mission Control' },
    {
      instructions: readOnly ? `${INSTRUCTIONS} This server is read-only: only list_missions, get_mission and search_library are available.` : INSTRUCTIONS,
      capabilities: { tools: {}, resources: { subscribe: true, listChanged: true }, prompts: {} },
    },
  );
  context.clientSupportsSampling = () => server.server.getClientCapabilities()?.sampling !== undefined;
  const tools = registerTools(server, context, [...readTools(context), ...writeTools(context), ...lifecycleTools(context), waitForApprovalTool(context)], { readOnly });
  const stopNotifications = registerMissionResources(server, options.service, options.logger);
  registerMissionPrompts(server, { readOnly });
  let closed = false;
  const dispose = () => {
    if (closed) return;
    closed = true;
    stopNotifications();
  };
  server.server.onclose = dispose;
  return {
    server,
    tools,
    close: async () => {
      dispose();
      await server.close();
    },
  };
}
