// MCP logging: mission events as notifications/message to the client, at a level per event
// type, so a client that set `logging/setLevel warning` hears only alerts, rejections and
// failures. Notifications start when the client sets a level: a client that never asks is not
// sent a stream of events it would only drop (with several sessions of one token following the
// same missions, sending to all of them doubled the cost of a report_progress call).
// A session hears the missions it works on: those its actor started or acted on, and those it
// named in a request (tools/call missionId, mission:// URIs).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LoggingLevelSchema, SetLevelRequestSchema, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { Actor } from '../domain/actors.js';
import type { MissionEvent } from '../domain/eventLog.js';
import type { MissionService } from '../domain/missionService.js';
import type { EventType } from '../domain/telemetryEvents.js';
import type { McpActor } from './mcpTokens.js';
import { missionIdOfUri } from './missionResources.js';

export const MISSION_LOGGER = 'mission-control.events';

const EVENT_LEVELS: Partial<Record<EventType, LoggingLevel>> = {
  approval_requested: 'notice',
  approval_granted: 'notice',
  plan_approved: 'notice',
  mission_brief_locked: 'notice',
  mission_stage_transition: 'notice',
  mission_completed: 'notice',
  execution_started: 'notice',
  approval_rejected: 'warning',
  approval_expired: 'warning',
  approval_denied: 'warning',
  validator_alert_raised: 'warning',
  governance_override_requested: 'warning',
  undo_requested: 'warning',
  execution_paused: 'warning',
  mission_cancelled: 'warning',
  connector_call_failed: 'warning',
  mission_failed: 'error',
};

export function levelOf(type: EventType): LoggingLevel {
  return EVENT_LEVELS[type] ?? 'info';
}

const SEVERITY = new Map(LoggingLevelSchema.options.map((level, index) => [level, index]));

function actorLabel(actor: Actor): string {
  return `${actor.kind}:${actor.id}`;
}

function sameActor(actor: Actor, ours: McpActor): boolean {
  return actor.kind === 'mcp_token' && actor.id === ours.id;
}

/** The mission ids a JSON-RPC request names: tools/call's missionId argument, or a mission:// URI. */
function missionIdsIn(message: unknown): string[] {
  if (typeof message !== 'object' || message === null || !('method' in message)) return [];
  const params = (message as { params?: Record<string, unknown> }).params ?? {};
  const ids: string[] = [];
  const args = params.arguments as Record<string, unknown> | undefined;
  if (typeof args?.missionId === 'string') ids.push(args.missionId);
  if (typeof params.uri === 'string') {
    const id = missionIdOfUri(params.uri);
    if (id) ids.push(id);
  }
  return ids;
}

export interface MissionLogging {
  /** Notes the missions a request from the client names, so their events reach it. */
  noteRequest(message: unknown): void;
  stop(): void;
}

export function enableMissionLogging(server: McpServer, service: MissionService, actor: McpActor, logger: Logger): MissionLogging {
  const followed = new Set<string>();
  /** The level the client set; null until it sets one (then nothing is sent). */
  let threshold: number | null = null;
  // Replaces the SDK's own handler (which keeps levels in a private map) so the server knows whether the client asked at all.
  server.server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    threshold = SEVERITY.get(request.params.level) ?? null;
    return {};
  });
  const unsubscribe = service.subscribe((mission, events: readonly MissionEvent[]) => {
    if (!followed.has(mission.id) && !sameActor(mission.requester, actor) && !events.some((e) => sameActor(e.actor, actor))) return;
    followed.add(mission.id);
    if (threshold === null || !server.isConnected()) return;
    for (const event of events) {
      const level = levelOf(event.type);
      if (SEVERITY.get(level)! < threshold) continue;
      const message = `${event.type} on mission ${mission.id} (${mission.state}) by ${actorLabel(event.actor)}`;
      server.server
        .sendLoggingMessage({
          level,
          logger: MISSION_LOGGER,
          data: {
            message,
            missionId: mission.id,
            seq: event.seq,
            type: event.type,
            stage: event.stage,
            state: mission.state,
            actor: event.actor,
            occurredAt: event.occurredAt.toISOString(),
          },
        })
        .catch((error: unknown) => logger.debug({ err: error, missionId: mission.id }, 'could not send a log notification'));
    }
  });
  return {
    noteRequest(message) {
      for (const id of missionIdsIn(message)) followed.add(id);
    },
    stop: unsubscribe,
  };
}
