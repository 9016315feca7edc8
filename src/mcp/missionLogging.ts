// MCP logging: mission events as notifications/message to the client, at a level per event
// type, so a client that set `logging/setLevel warning` hears only alerts, rejections and
// failures. A session hears the missions it works on: those its actor started or acted on,
// and those it named in a request (tools/call missionId, mission:// URIs). Clients with no
// level set hear everything (the SDK's default); the SDK drops what is below the set level.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
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
  const unsubscribe = service.subscribe((mission, events: readonly MissionEvent[]) => {
    if (!server.isConnected()) return;
    if (!followed.has(mission.id) && !sameActor(mission.requester, actor) && !events.some((e) => sameActor(e.actor, actor))) return;
    followed.add(mission.id);
    const sessionId = server.server.transport?.sessionId;
    for (const event of events) {
      const message = `${event.type} on mission ${mission.id} (${mission.state}) by ${actorLabel(event.actor)}`;
      server.server
        .sendLoggingMessage(
          {
            level: levelOf(event.type),
            logger: MISSION_LOGGER,
            data: { message, missionId: mission.id, seq: event.seq, type: event.type, stage: event.stage, state: mission.state, actor: event.actor, occurredAt: event.occurredAt.toISOString() },
          },
          sessionId,
        )
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
