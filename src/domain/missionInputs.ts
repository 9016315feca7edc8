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

// ---- Plan & Approve ---------------------------------------------------------------------

const snakeId = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, `${what} must be snake_case (a-z, 0-9, _), starting with a letter, at most 64 characters`);
const shortText = (what: string, max = 500) => z.string({ error: `${what} is required` }).trim().min(1, `${what} must not be empty`).max(max, `${what} must be at most ${max} characters`);
const textList = (what: string, maxItems = 20, maxLength = 500) => z.array(shortText(what, maxLength)).max(maxItems, `${what} may hold at most ${maxItems} entries`);

export const playDraftSchema = z.object({
  title: shortText('title', 200),
  rationale: shortText('rationale', 2000),
  confidence: z.number({ error: 'confidence must be a number from 0 to 1' }).min(0, 'confidence must be at least 0').max(1, 'confidence must be at most 1'),
  phases: z
    .array(
      z.object({
        id: snakeId('phase id'),
        name: shortText('phase name', 200),
        steps: z.array(z.object({ id: snakeId('step id'), title: shortText('step title', 300) })).min(1, 'each phase needs at least one step').max(50),
      }),
    )
    .min(1, 'phases must hold at least one phase')
    .max(20, 'phases may hold at most 20 phases')
    .refine((phases) => new Set(phases.map((p) => p.id)).size === phases.length, 'phase ids must be unique within the play')
    .refine((phases) => {
      const ids = phases.flatMap((p) => p.steps.map((s) => s.id));
      return new Set(ids).size === ids.length;
    }, 'step ids must be unique within the play'),
  undoPlan: z.object({ summary: shortText('undoPlan.summary', 1000), steps: textList('undoPlan.steps', 20).min(1, 'undoPlan.steps must list at least one rollback step') }),
  safeguardsEnforced: textList('safeguardsEnforced').default([]),
  risk: z.object({
    complexity: z.enum(['low', 'medium', 'high']),
    impact: z.enum(['low', 'medium', 'high', 'critical']),
    reversibility: z.enum(['low', 'medium', 'high']),
    testCoverage: z.enum(['weak', 'moderate', 'strong']),
    notes: z.string().max(1000).optional(),
  }),
  estimatedDurationMinutes: z.number().int().min(1).max(60 * 24 * 30),
  codeChangePreview: z
    .object({
      filesToModify: z.number().int().min(0),
      filesToCreate: z.number().int().min(0),
      linesAdded: z.number().int().min(0),
      linesRemoved: z.number().int().min(0),
      files: z.array(z.string().max(300)).max(200).default([]),
    })
    .nullable()
    .default(null),
  mustHaves: z.object({ truths: textList('mustHaves.truths').default([]), artifacts: textList('mustHaves.artifacts', 50, 300).default([]), keyLinks: textList('mustHaves.keyLinks').default([]) }).default({ truths: [], artifacts: [], keyLinks: [] }),
});

export const proposePlaysInput = z.object({ missionId: missionIdSchema, plays: z.array(playDraftSchema).min(1, 'plays must hold at least one play').max(5, 'propose at most 5 plays at a time') });
export const playRefInput = z.object({ missionId: missionIdSchema, playId: z.string().trim().min(1, 'playId is required').max(50) });
export const dismissPlayInput = playRefInput.extend({ reason: shortText('reason', 1000) });
export const requestApprovalInput = z.object({ missionId: missionIdSchema, playId: z.string().trim().min(1).max(50).optional(), note: z.string().trim().max(2000).optional() });
export const decideApprovalInput = z
  .object({
    missionId: missionIdSchema,
    decision: z.enum(['approve', 'reject'], { error: 'decision must be approve or reject' }),
    requestId: z.string().trim().min(1).max(100).optional(),
    reason: z.string().trim().max(2000).optional(),
  })
  .refine((d) => d.decision !== 'reject' || (d.reason !== undefined && d.reason.length > 0), { message: 'reason: say why the play is rejected', path: ['reason'] });
/** A refused approval click, recorded for the audit trail. */
export const approvalDeniedInput = z.object({ missionId: missionIdSchema, reason: shortText('reason', 1000) });
export const searchLibraryInput = z
  .object({
    tags: z.array(z.string().trim().toLowerCase().min(1).max(50)).max(20).optional(),
    text: z.string().trim().min(1).max(200).optional(),
    limit: z.number().int().min(1).max(50).default(10),
  })
  .default({ limit: 10 });

// ---- Execute & Observe ------------------------------------------------------------------

const phaseIdSchema = z.string({ error: 'phaseId is required' }).trim().min(1, 'phaseId is required').max(64);
const countsSchema = z
  .record(z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'counts keys must be snake_case'), z.number().finite())
  .refine((c) => Object.keys(c).length <= 20, 'counts may hold at most 20 entries')
  .default({});

export const phaseRefInput = z.object({ missionId: missionIdSchema, phaseId: phaseIdSchema });
export const failPhaseInput = phaseRefInput.extend({ reason: shortText('reason', 2000) });
const deviationRule = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], { error: 'rule must be 1 (bug fix), 2 (missing critical piece), 3 (blocker) or 4 (architectural change)' });
export const reportStepInput = phaseRefInput.extend({
  stepId: snakeId('stepId'),
  title: z.string().trim().min(1).max(300).optional(),
  durationMs: z.number({ error: 'durationMs is required (milliseconds the step took)' }).int().min(0).max(7 * 24 * 3600 * 1000),
  counts: countsSchema,
  commit: z.string().trim().min(1).max(300).optional(),
  deviation: z.object({ rule: deviationRule, reason: shortText('deviation.reason', 1000) }).optional(),
});
export const reportTestRunInput = phaseRefInput
  .extend({
    total: z.number({ error: 'total is required' }).int().min(0),
    passing: z.number({ error: 'passing is required' }).int().min(0),
    failing: z.number().int().min(0).optional(),
    coverage: z.number().min(0, 'coverage is a fraction from 0 to 1').max(1, 'coverage is a fraction from 0 to 1 (0.92 for 92%)').optional(),
    suite: z.string().trim().min(1).max(200).optional(),
  })
  .refine((r) => r.passing <= r.total, { message: 'passing must not be more than total', path: ['passing'] });
export const raiseAlertInput = phaseRefInput.extend({
  type: z.enum(['auto_fix', 'review_required'], { error: 'type must be auto_fix or review_required' }),
  severity: z.enum(['low', 'medium', 'high', 'critical'], { error: 'severity must be low, medium, high or critical' }),
  description: shortText('description', 2000),
});
export const resolveAlertInput = z.object({ missionId: missionIdSchema, alertId: z.string().trim().min(1).max(100), outcome: z.enum(['accepted', 'blocked']), note: shortText('note', 2000) });
export const recordDeviationInput = phaseRefInput.extend({ rule: deviationRule, description: shortText('description', 1000), reason: shortText('reason', 1000), stepId: z.string().trim().min(1).max(64).optional() });

/** An assistant's own model usage: tokens, and the cost if it knows it (else the configured price is used). */
export const usageReportInput = z.object({
  missionId: missionIdSchema,
  model: z.string({ error: 'model is required: the model that did the work, e.g. claude-sonnet-4-5' }).trim().min(1, 'model must not be empty').max(100),
  inputTokens: z.number({ error: 'inputTokens must be a whole number of tokens' }).int('inputTokens must be a whole number').min(0).max(1e9),
  outputTokens: z.number({ error: 'outputTokens must be a whole number of tokens' }).int('outputTokens must be a whole number').min(0).max(1e9),
  costUsd: z.number({ error: 'costUsd must be a number of US dollars' }).finite().min(0).max(1e5).optional(),
});

/** One report from an executor, as MCP's report_progress takes it. */
export const progressReportInput = z.discriminatedUnion(
  'kind',
  [
    phaseRefInput.extend({ kind: z.literal('phase_started') }),
    phaseRefInput.extend({ kind: z.literal('phase_completed') }),
    failPhaseInput.extend({ kind: z.literal('phase_failed') }),
    reportStepInput.extend({ kind: z.literal('step_completed') }),
    reportTestRunInput.safeExtend({ kind: z.literal('test_run') }),
    raiseAlertInput.extend({ kind: z.literal('validator_alert') }),
    recordDeviationInput.extend({ kind: z.literal('deviation') }),
    usageReportInput.extend({ kind: z.literal('usage') }),
  ],
  { error: 'kind must be one of: phase_started, phase_completed, phase_failed, step_completed, test_run, validator_alert, deviation, usage' },
);

/** A person sets a mission's model budget. */
export const setBudgetInput = z.object({
  missionId: missionIdSchema,
  budgetUsd: z.coerce
    .number({ error: 'budgetUsd must be a number of US dollars, e.g. 5 or 12.50' })
    .finite('budgetUsd must be a number of US dollars, e.g. 5 or 12.50')
    .min(0, 'budgetUsd must be 0 or more')
    .max(100_000, 'budgetUsd must be at most 100000'),
});

export const MAX_EVIDENCE_BYTES = 1_000_000;
export const attachEvidenceInput = z
  .object({
    missionId: missionIdSchema,
    name: shortText('name', 200),
    kind: z.enum(['link', 'markdown', 'json', 'file'], { error: 'kind must be link, markdown, json or file' }),
    /** Text for markdown and file artifacts. */
    content: z.string().max(MAX_EVIDENCE_BYTES, `content must be at most ${MAX_EVIDENCE_BYTES} characters: attach a link for larger artifacts`).optional(),
    /** Any JSON value for json artifacts; hashed in canonical form (sorted keys). */
    json: z.unknown().optional(),
    url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL' }).max(2000).optional(),
    mediaType: z.string().trim().min(1).max(100).optional(),
    phaseId: z.string().trim().min(1).max(64).optional(),
    review: z.object({ state: z.enum(['approved', 'changes_requested', 'commented']), reviewer: shortText('review.reviewer', 200) }).optional(),
    checks: z
      .array(z.object({ name: shortText('checks.name', 200), conclusion: z.enum(['success', 'failure', 'neutral', 'skipped', 'pending']) }))
      .max(100)
      .optional(),
  })
  .superRefine((a, ctx) => {
    if (a.kind === 'link' && !a.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'url is required for a link artifact' });
    if (a.kind === 'json' && a.json === undefined) ctx.addIssue({ code: 'custom', path: ['json'], message: 'json is required for a json artifact' });
    if ((a.kind === 'markdown' || a.kind === 'file') && (a.content === undefined || a.content.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['content'], message: `content is required for a ${a.kind} artifact` });
    }
  });

export const rollbackInput = z.object({
  missionId: missionIdSchema,
  reason: shortText('reason', 2000),
  stepsRun: z.array(z.object({ step: shortText('stepsRun.step', 500), outcome: z.enum(['done', 'failed']), detail: z.string().trim().max(1000).default('') })).max(20).optional(),
});
export const failMissionInput = z.object({ missionId: missionIdSchema, reason: shortText('reason', 2000) });

// ---- Reflect & Improve ------------------------------------------------------------------

export const feedbackInput = z.object({
  missionId: missionIdSchema,
  rating: z.number({ error: 'rating is required: 1 to 5' }).int('rating must be a whole number from 1 to 5').min(1, 'rating must be from 1 to 5').max(5, 'rating must be from 1 to 5'),
  effortSavedHours: z.number().min(0).max(10_000).optional(),
  comments: z.string().trim().min(1).max(5000).optional(),
  suggestedImprovements: z.string().trim().min(1).max(5000).optional(),
});
export const followUpInput = z.object({
  missionId: missionIdSchema,
  title: shortText('title', 300),
  priority: z.enum(['urgent', 'high', 'medium', 'low'], { error: 'priority must be urgent, high, medium or low' }).default('medium'),
});
export const followUpIssueInput = z.object({
  missionId: missionIdSchema,
  followUpId: z.string().trim().min(1).max(100),
  externalId: shortText('externalId', 100),
  url: z.url().max(2000).optional(),
  tracker: z.enum(['linear', 'github']),
});
export const pinToLibraryInput = z.object({
  missionId: missionIdSchema,
  tags: z.array(z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{0,49}$/, 'tags are lowercase words joined by hyphens, e.g. jwt-refresh')).min(1, 'tags must hold at least one tag').max(20),
  note: shortText('note', 2000),
});
export const retrospectiveInput = z.object({
  missionId: missionIdSchema,
  wentWell: textList('wentWell', 20, 1000).default([]),
  toImprove: textList('toImprove', 20, 1000).default([]),
});

export const exportDocumentInput = z.object({
  missionId: missionIdSchema,
  document: z.enum(['plan', 'summary', 'verification'], { error: 'document must be plan, summary or verification' }),
});

/** A connector reports that an outside API failed or answers again for a mission. */
export const connectorHealthInput = z.object({
  missionId: missionIdSchema,
  toolkitId: z.enum(toolkitIds, { error: `toolkitId must be one of: ${toolkitIds.join(', ')}` }),
  operation: z.string().trim().min(1).max(100).default('call'),
  error: z.string().trim().max(1000).optional(),
});
