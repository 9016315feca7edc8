// Resources: mission://{id} (the mission as JSON), mission://{id}/plan.md, /summary.md,
// /verification.md (GSD documents), and the mission's history in pages: mission://{id}/events
// (the hash-chained log, each page checked as a stretch of the chain), /test-runs and /steps;
// a page names the next one (`?cursor=…`). Subscribers get notifications/resources/updated whenever this process saves
// a change to the mission, for example when a person approves in Slack, and, on PostgreSQL, when another instance does.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { MissionError } from '../domain/errors.js';
import type { MissionService } from '../domain/missionService.js';
import { artifactOut, viewMission } from './missionView.js';

const DOCUMENTS = [
  {
    suffix: 'plan.md',
    document: 'plan',
    title: 'PLAN.md',
    description: 'GSD plan from the approved (or selected) play: phases, steps, must-haves, undo plan.',
  },
  { suffix: 'summary.md', document: 'summary', title: 'SUMMARY.md', description: 'What was reported: phases, steps, tests, alerts, deviations.' },
  {
    suffix: 'verification.md',
    document: 'verification',
    title: 'VERIFICATION.md',
    description: 'Gates, must-haves checked against the code, truths signed off, evidence (hashes re-checked): passed, gaps_found or human_needed.',
  },
  {
    suffix: 'uat.md',
    document: 'uat',
    title: 'UAT.md',
    description: 'User acceptance test: a prompt per truth and acceptance criterion, the results people recorded, the sign-off.',
  },
] as const;

const URI_PATTERN = /^mission:\/\/([^/?#]+)(?:\/(plan\.md|summary\.md|verification\.md|uat\.md|events|test-runs|steps|artifacts)(?:\?cursor=[^#]*)?)?$/;

/** Entries per history page: enough for an assistant to read, small enough to stay a few hundred kilobytes. */
export const HISTORY_PAGE = 200;

/** The paged histories: each is read from `mission://{id}/<suffix>`, later pages with `?cursor=`. */
const HISTORIES = [
  {
    suffix: 'events',
    title: 'Event log',
    description:
      "The append-only, hash-chained event log of the mission, oldest first, 200 events a page; each page is checked as a stretch of the chain (the last page also against the mission's recorded head). verify_event_log checks the log: from its last verified checkpoint, or every event with full: true.",
    read: async (service: MissionService, missionId: string, cursor: string | undefined) => {
      const page = await service.eventPage({ missionId, cursor, limit: HISTORY_PAGE });
      return { verification: page.verification, events: page.events, nextCursor: page.nextCursor };
    },
  },
  {
    suffix: 'test-runs',
    title: 'Test runs',
    description: "Every test run reported, phase by phase in the play's order, oldest first, 200 a page.",
    read: async (service: MissionService, missionId: string, cursor: string | undefined) => {
      const page = await service.testRunPage({ missionId, cursor, limit: HISTORY_PAGE });
      return { testRuns: page.entries, nextCursor: page.nextCursor };
    },
  },
  {
    suffix: 'steps',
    title: 'Steps reported',
    description: "Every step reported, phase by phase in the play's order, oldest first, 200 a page.",
    read: async (service: MissionService, missionId: string, cursor: string | undefined) => {
      const page = await service.stepPage({ missionId, cursor, limit: HISTORY_PAGE });
      return { steps: page.entries, nextCursor: page.nextCursor };
    },
  },
  {
    suffix: 'artifacts',
    title: 'Evidence',
    description: 'Every artifact attached (name, kind, sha256, who attached it), in attachment order, 200 a page.',
    read: async (service: MissionService, missionId: string, cursor: string | undefined) => {
      const page = await service.artifactPage({ missionId, cursor, limit: HISTORY_PAGE });
      return { artifacts: page.entries.map((e) => ({ position: e.position, ...artifactOut(e.artifact) })), nextCursor: page.nextCursor };
    },
  },
] as const;

/** The URI of a history page: the first without a cursor. */
export function historyPageUri(missionId: string, suffix: (typeof HISTORIES)[number]['suffix'], cursor?: string | null): string {
  return `mission://${encodeURIComponent(missionId)}/${suffix}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`;
}

/** The mission id a mission:// URI refers to, or null when it is not one of ours. */
export function missionIdOfUri(uri: string): string | null {
  const match = URI_PATTERN.exec(uri);
  return match ? decodeURIComponent(match[1]!) : null;
}

function asResourceError(error: unknown, uri: string): never {
  if (error instanceof MissionError) throw new McpError(ErrorCode.InvalidParams, `${uri}: ${error.message}`, { code: error.code });
  throw error;
}

function variable(variables: Record<string, string | string[]>, name: string): string | undefined {
  const raw = variables[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined ? undefined : decodeURIComponent(value);
}

function idFrom(variables: Record<string, string | string[]>): string {
  return variable(variables, 'missionId') ?? '';
}

/** Mission ids to complete a partial one: recent missions whose id starts with it, then missions whose title mentions it. */
export async function completeMissionId(service: MissionService, value: string | undefined): Promise<string[]> {
  const typed = (value ?? '').trim();
  const recent = await service.listMissions({ limit: 100 });
  const ids = recent.missions.map((m) => m.id).filter((id) => id.toLowerCase().startsWith(typed.toLowerCase()));
  if (typed.length > 0) {
    const byTitle = await service.listMissions({ text: typed.slice(0, 200), limit: 20 });
    for (const m of byTitle.missions) if (!ids.includes(m.id)) ids.push(m.id);
  }
  return ids.slice(0, 100);
}

export function registerMissionResources(server: McpServer, service: MissionService, logger: Logger, options: { subscriptions: boolean }): () => void {
  const complete = { missionId: (value: string) => completeMissionId(service, value) };
  server.registerResource(
    'mission',
    new ResourceTemplate('mission://{missionId}', {
      complete,
      // Lists the 50 most recently updated missions; older ones are read by id.
      list: async () => {
        const page = await service.listMissions({ limit: 50 });
        return {
          resources: page.missions.map((m) => ({
            uri: `mission://${m.id}`,
            name: m.id,
            title: m.title,
            description: `${m.state}: ${m.title}`,
            mimeType: 'application/json',
          })),
        };
      },
    }),
    { title: 'Mission', description: 'The mission as JSON: brief, toolkits, plays, approval, execution, evidence, next steps.', mimeType: 'application/json' },
    async (uri, variables) => {
      const mission = await service.getMission({ missionId: idFrom(variables) }).catch((e: unknown) => asResourceError(e, uri.href));
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(viewMission(mission), null, 2) }] };
    },
  );

  for (const doc of DOCUMENTS) {
    server.registerResource(
      doc.document,
      new ResourceTemplate(`mission://{missionId}/${doc.suffix}`, { list: undefined, complete }),
      { title: doc.title, description: doc.description, mimeType: 'text/markdown' },
      async (uri, variables) => {
        const exported = await service
          .exportDocument({ missionId: idFrom(variables), document: doc.document })
          .catch((e: unknown) => asResourceError(e, uri.href));
        return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: exported.markdown }] };
      },
    );
  }

  for (const history of HISTORIES) {
    const read = async (uri: URL, variables: Record<string, string | string[]>) => {
      const missionId = idFrom(variables);
      const page = await history.read(service, missionId, variable(variables, 'cursor')).catch((e: unknown) => asResourceError(e, uri.href));
      const next = page.nextCursor ? historyPageUri(missionId, history.suffix, page.nextCursor) : null;
      // Compact JSON: a page of history is data to read, and its size is what a client pays for.
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ missionId, ...page, next }) }] };
    };
    const metadata = { title: history.title, description: history.description, mimeType: 'application/json' };
    // The SDK matches a query template only when every variable is present: the first page and
    // the later ones (`?cursor=`) are two templates of one resource.
    server.registerResource(history.suffix, new ResourceTemplate(`mission://{missionId}/${history.suffix}`, { list: undefined, complete }), metadata, read);
    server.registerResource(
      `${history.suffix}-page`,
      new ResourceTemplate(`mission://{missionId}/${history.suffix}{?cursor}`, { list: undefined, complete }),
      metadata,
      read,
    );
  }

  // Without a session (stateless HTTP) an update has no stream to travel on, so subscriptions are not offered.
  return options.subscriptions ? enableSubscriptions(server, service, logger) : () => undefined;
}

/** resources/subscribe and unsubscribe for mission:// URIs; returns the cleanup for when the server closes. */
function enableSubscriptions(server: McpServer, service: MissionService, logger: Logger): () => void {
  const subscribed = new Set<string>();
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const missionId = missionIdOfUri(request.params.uri);
    if (!missionId)
      throw new McpError(
        ErrorCode.InvalidParams,
        `${request.params.uri} is not a mission resource; use mission://{id} or mission://{id}/plan.md, /summary.md, /verification.md, /uat.md, /events, /test-runs, /steps, /artifacts.`,
      );
    // Subscribing to a mission that does not exist is refused, so a typo does not wait forever.
    await service.getMission({ missionId }).catch((e: unknown) => asResourceError(e, request.params.uri));
    subscribed.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });
  const updated = (missionId: string | null) => {
    if (!server.isConnected()) return;
    for (const uri of subscribed) {
      if (missionId !== null && missionIdOfUri(uri) !== missionId) continue;
      server.server.sendResourceUpdated({ uri }).catch((error: unknown) => logger.debug({ err: error, uri }, 'could not send a resource update'));
    }
  };
  const stopLocal = service.subscribe((mission, events) => {
    updated(mission.id);
    if (server.isConnected() && events.some((e) => e.type === 'intent_submitted')) server.sendResourceListChanged();
  });
  // Saved by another instance (PostgreSQL LISTEN/NOTIFY); null: notices were missed, so every subscription may be stale.
  const stopElsewhere = service.onChangedElsewhere((notice) => updated(notice.missionId));
  return () => {
    stopLocal();
    stopElsewhere();
  };
}
