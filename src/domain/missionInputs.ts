// Input schemas of the mission service. Front doors (Slack, MCP) reuse them, so a bad
// field gets the same clear message wherever it comes from.
import { z } from 'zod';
import { CHIP_KINDS, MAX_CHIP_ITEMS, MAX_CHIP_ITEM_LENGTH } from './brief.js';
import { MissionError } from './errors.js';
import { MISSION_STATES } from './missionStateMachine.js';
import { TOOLKIT_CATALOG } from './toolkits.js';

export const MAX_INTENT_LENGTH = 20_000;

const toolkitIds = TOOLKIT_CATALOG.map((t) => t.id) as [string, ...string[]];

export const missionIdSchema = z
  .string({ error: 'missionId is required' })
  .trim()
  .min(1, 'missionId must not be empty')
  .max(100, 'missionId is too long: use the id shown by list_missions or /mission list');

export const chipKindSchema = z.enum(CHIP_KINDS, { error: `kind must be one of: ${CHIP_KINDS.join(', ')}` });

const chipItemsSchema = z
  .array(z.string().max(MAX_CHIP_ITEM_LENGTH, `each item must be at most ${MAX_CHIP_ITEM_LENGTH} characters`), {
    error: 'items must be a list of statements',
  })
  .min(1, 'items must hold at least one statement')
  .max(MAX_CHIP_ITEMS, `items may hold at most ${MAX_CHIP_ITEMS} statements`);

export const startMissionInput = z.object({
  intent: z
    .string({ error: 'intent is required: describe what the mission should achieve' })
    .trim()
    .min(3, 'intent is empty: describe what the mission should achieve, e.g. "Fix the flaky login test"')
    .max(MAX_INTENT_LENGTH, `intent is longer than ${MAX_INTENT_LENGTH} characters: shorten it or link to a document`),
  channelId: z.string().trim().min(1).max(64).optional(),
  threadTs: z.string().trim().min(1).max(64).optional(),
  /** Chips an assistant already drafted; they replace the built-in drafter's chips of the same kind. */
  chips: z
    .array(
      z.object({
        kind: chipKindSchema,
        items: chipItemsSchema,
        confidence: z.enum(['high', 'medium', 'low']).default('medium'),
      }),
    )
    .max(CHIP_KINDS.length)
    .refine((chips) => new Set(chips.map((c) => c.kind)).size === chips.length, 'chips must not repeat a kind')
    .optional(),
});

export const editChipInput = z.object({ missionId: missionIdSchema, kind: chipKindSchema, items: chipItemsSchema });
export const chipRefInput = z.object({ missionId: missionIdSchema, kind: chipKindSchema });
export const missionRefInput = z.object({ missionId: missionIdSchema });

export const selectToolkitsInput = z.object({
  missionId: missionIdSchema,
  toolkits: z
    .array(
      z.object({
        toolkitId: z.enum(toolkitIds, { error: `toolkitId must be one of: ${toolkitIds.join(', ')}` }),
        /** Go on without connecting this toolkit now (the seed's "defer OAuth"). */
        defer: z.boolean().default(false),
      }),
    )
    .min(1, 'toolkits must name at least one toolkit')
    .max(toolkitIds.length)
    .refine((list) => new Set(list.map((t) => t.toolkitId)).size === list.length, 'toolkits must not repeat a toolkit'),
});

export const recordCoverageInput = z.object({
  missionId: missionIdSchema,
  toolkitId: z.enum(toolkitIds, { error: `toolkitId must be one of: ${toolkitIds.join(', ')}` }),
  status: z.enum(['unknown', 'needs_auth', 'needs_data', 'blocked', 'degraded', 'ready']),
  summary: z.string().trim().min(1, 'summary must say what was inspected').max(2000),
  metrics: z
    .record(z.string().max(64), z.union([z.number().finite(), z.string().max(500), z.boolean()]))
    .refine((m) => Object.keys(m).length <= 50, 'metrics may hold at most 50 entries')
    .default({}),
});

export const confirmToolkitsInput = z.object({
  missionId: missionIdSchema,
  /** Needed when the coverage meter is below the threshold; recorded as governance_override_requested. */
  override: z.object({ reason: z.string().trim().min(3, 'override.reason must say why it is safe to go on').max(1000) }).optional(),
});

export const cancelMissionInput = z.object({
  missionId: missionIdSchema,
  reason: z.string().trim().min(1, 'reason must say why the mission is cancelled').max(1000),
});

export const listMissionsInput = z.object({
  state: z.enum(MISSION_STATES, { error: `state must be one of: ${MISSION_STATES.join(', ')}` }).optional(),
  requesterId: z.string().trim().min(1).max(100).optional(),
  text: z.string().trim().min(1).max(200).optional(),
  limit: z.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

/** Parses `input` or throws `invalid_input` naming every bad field and what to do. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = fieldPath(issue.path);
    const message = issue.message.startsWith(field.split(/[.[]/)[0] ?? '\u0000') ? issue.message : `${field || 'input'}: ${issue.message}`;
    return { field: field || 'input', message };
  });
  throw new MissionError('invalid_input', `Invalid input. ${problems.map((p) => p.message).join('; ')}.`, {
    field: problems[0]?.field,
    fields: problems.map((p) => p.field),
  });
}
