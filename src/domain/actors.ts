// Who did something: a person in Slack, an assistant holding an MCP token, or the system itself.
import { z } from 'zod';

export const actorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('slack_user'), id: z.string().trim().min(1).max(64), name: z.string().max(200).optional() }),
  z.object({
    kind: z.literal('mcp_token'),
    id: z.string().trim().min(1).max(100),
    /** The Slack user an assistant's token acts for, if any; it never gives the assistant a human's rights. */
    onBehalfOf: z.string().max(64).optional(),
  }),
  z.object({ kind: z.literal('system'), id: z.string().trim().min(1).max(100) }),
]);

export type Actor = z.infer<typeof actorSchema>;

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'mission-control' };

export function isHuman(actor: Actor): boolean {
  return actor.kind === 'slack_user';
}

/**
 * Who did something, in plain words: "Dana (U123)", "assistant claude (for U123)", "Mission Control".
 * Front doors that can show a person better (Slack mentions) do so for people and use this for the rest.
 */
export function actorName(actor: Actor): string {
  switch (actor.kind) {
    case 'slack_user':
      return actor.name ? `${actor.name} (${actor.id})` : actor.id;
    case 'mcp_token':
      return actor.onBehalfOf ? `assistant ${actor.id} (for ${actor.onBehalfOf})` : `assistant ${actor.id}`;
    case 'system':
      return actor.id === 'mission-control' ? 'Mission Control' : `Mission Control (${actor.id})`;
  }
}
