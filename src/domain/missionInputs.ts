// Input schemas of the mission service. Front doors (Slack, MCP) reuse them, so a bad
// field gets the same clear message wherever it comes from, and MCP lists their
// descriptions as each tool's JSON Schema. Objects are strict: an unknown key is refused
// by name (a typo must not be ignored silently).
import { z } from 'zod';
import { CHIP_KINDS, MAX_CHIP_ITEMS, MAX_CHIP_ITEM_LENGTH } from './brief.js';
import { MissionError } from './errors.js';
import { describeIssues, fieldPath, type InputProblem } from './inputIssues.js';
import { MISSION_STATES } from './missionStateMachine.js';
import { TOOLKIT_CATALOG } from './toolkits.js';

export const MAX_INTENT_LENGTH = 20_000;

const toolkitIds = TOOLKIT_CATALOG.map((t) => t.id) as [string, ...string[]];

export const missionIdSchema = z
  .string({ error: 'missionId is required' })
  .trim()
  .min(1, 'missionId must not be empty')
  .max(100, 'missionId is too long: use the id shown by list_missions or /mission list')
  .describe('The mission id, e.g. "msn_mb3k2x0a1f2e3d4c5b6a7980", as returned by start_mission or list_missions.');

export const chipKindSchema = z
  .enum(CHIP_KINDS, { error: `kind must be one of: ${CHIP_KINDS.join(', ')}` })
  .describe(`Which brief chip: ${CHIP_KINDS.join(', ')}.`);

const chipItemsSchema = z
  .array(
    z
      .string()
      .max(MAX_CHIP_ITEM_LENGTH, `each item must be at most ${MAX_CHIP_ITEM_LENGTH} characters`)
      .describe('One statement, e.g. "Refresh tokens rotate on every use".'),
    {
      error: 'items must be a list of statements',
    },
  )
  .min(1, 'items must hold at least one statement')
  .max(MAX_CHIP_ITEMS, `items may hold at most ${MAX_CHIP_ITEMS} statements`)
  .describe(
    `The chip's full list of statements (1-${MAX_CHIP_ITEMS}, each at most ${MAX_CHIP_ITEM_LENGTH} characters); an edit replaces the chip's current list.`,
  );

const toolkitIdSchema = z
  .enum(toolkitIds, { error: `toolkitId must be one of: ${toolkitIds.join(', ')}` })
  .describe(`A toolkit from the catalog: ${toolkitIds.join(', ')}.`);

export const startMissionInput = z.strictObject({
  intent: z
    .string({ error: 'intent is required: describe what the mission should achieve' })
    .trim()
    .min(3, 'intent is empty: describe what the mission should achieve, e.g. "Fix the flaky login test"')
    .max(MAX_INTENT_LENGTH, `intent is longer than ${MAX_INTENT_LENGTH} characters: shorten it or link to a document`)
    .describe(
      `What the mission should achieve, with its constraints, in plain words (3-${MAX_INTENT_LENGTH} characters), e.g. "Fix the JWT refresh race in the auth service without downtime".`,
    ),
  channelId: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .optional()
    .describe('Slack channel id the mission lives in (where approvals are requested), e.g. "C0123ABCD". Omit when there is none.'),
  threadTs: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .optional()
    .describe('Slack thread timestamp within channelId, e.g. "1729000000.000100". Omit to start a new thread.'),
  /** Chips an assistant already drafted; they replace the built-in drafter's chips of the same kind. */
  chips: z
    .array(
      z.strictObject({
        kind: chipKindSchema,
        items: chipItemsSchema,
        confidence: z
          .enum(['high', 'medium', 'low'])
          .default('medium')
          .describe('How sure you are of this chip: high, medium (default) or low; low chips are flagged for review.'),
      }),
    )
    .max(CHIP_KINDS.length)
    .refine((chips) => new Set(chips.map((c) => c.kind)).size === chips.length, 'chips must not repeat a kind')
    .optional()
    .describe(
      "Brief chips you already drafted, at most one per kind; each replaces the built-in drafter's chip of that kind. Omit to let the drafter write them all.",
    ),
});

export const editChipInput = z.strictObject({ missionId: missionIdSchema, kind: chipKindSchema, items: chipItemsSchema });
export const chipRefInput = z.strictObject({ missionId: missionIdSchema, kind: chipKindSchema });
export const missionRefInput = z.strictObject({ missionId: missionIdSchema });

export const selectToolkitsInput = z.strictObject({
  missionId: missionIdSchema,
  toolkits: z
    .array(
      z.strictObject({
        toolkitId: toolkitIdSchema,
        /** Go on without connecting this toolkit now (the seed's "defer OAuth"). */
        defer: z.boolean().default(false).describe('true to go on without connecting this toolkit now (it does not count against coverage); default false.'),
      }),
    )
    .min(1, 'toolkits must name at least one toolkit')
    .max(toolkitIds.length)
    .refine((list) => new Set(list.map((t) => t.toolkitId)).size === list.length, 'toolkits must not repeat a toolkit')
    .describe(
      'The full toolkit selection (it replaces any earlier one), each toolkit once, e.g. [{"toolkitId": "github"}, {"toolkitId": "linear", "defer": true}].',
    ),
});

export const recordCoverageInput = z.strictObject({
  missionId: missionIdSchema,
  toolkitId: toolkitIdSchema,
  status: z
    .enum(['unknown', 'needs_auth', 'needs_data', 'blocked', 'degraded', 'ready'])
    .describe('What the read-only inspection found: ready (usable), degraded (partly usable), needs_auth, needs_data, blocked, or unknown.'),
  summary: z
    .string()
    .trim()
    .min(1, 'summary must say what was inspected')
    .max(2000)
    .describe('What was inspected and found, in a sentence or two, e.g. "Read 14 open PRs and the CI config; checks run on every PR".'),
  metrics: z
    .record(z.string().max(64), z.union([z.number().finite(), z.string().max(500), z.boolean()]))
    .refine((m) => Object.keys(m).length <= 50, 'metrics may hold at most 50 entries')
    .default({})
    .describe('Up to 50 named findings (numbers, short strings or booleans), e.g. {"open_prs": 14, "ci": "github-actions"}.'),
});

export const confirmToolkitsInput = z.strictObject({
  missionId: missionIdSchema,
  /** Needed when the coverage meter is below the threshold; recorded as governance_override_requested. */
  override: z
    .strictObject({
      reason: z
        .string()
        .trim()
        .min(3, 'override.reason must say why it is safe to go on')
        .max(1000)
        .describe('Why it is safe to go on below the coverage threshold.'),
    })
    .optional()
    .describe('Go on although coverage is below the threshold; recorded for governance.'),
});

/** "Not needed for this mission": the toolkit stays selected but no longer counts against coverage. */
export const deferToolkitInput = z.strictObject({
  missionId: missionIdSchema,
  toolkitId: toolkitIdSchema,
});

/** A person overrides the coverage gate and leaves Prepare (the Slack "Override coverage" modal). */
export const overrideCoverageInput = z.strictObject({
  missionId: missionIdSchema,
  reason: z
    .string({ error: 'reason is required' })
    .trim()
    .min(3, 'reason must say why it is safe to plan with this coverage')
    .max(1000, 'reason must be at most 1000 characters')
    .describe('Why it is safe to plan with coverage below the threshold.'),
});

export const cancelMissionInput = z.strictObject({
  missionId: missionIdSchema,
  reason: z.string().trim().min(1, 'reason must say why the mission is cancelled').max(1000).describe('Why the mission is cancelled.'),
});

export const listMissionsInput = z.strictObject({
  state: z
    .enum(MISSION_STATES, { error: `state must be one of: ${MISSION_STATES.join(', ')}` })
    .optional()
    .describe(`Only missions in this state: ${MISSION_STATES.join(', ')}.`),
  requesterId: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe('Only missions started by this requester: a Slack user id (e.g. "U0JORDAN") or an MCP token name.'),
  text: z.string().trim().min(1).max(200).optional().describe('Only missions whose title or intent contains this text (case-insensitive), e.g. "jwt".'),
  limit: z.number().int().min(1).max(100).default(20).describe('How many missions per page, 1-100 (default 20).'),
  cursor: z.string().max(200).optional().describe('nextCursor from the previous page, to read the next one; omit for the first page.'),
});

/** A page of a mission's history (events, test runs, steps): the page after `cursor`, oldest first. */
export const historyPageInput = z.strictObject({
  missionId: missionIdSchema,
  cursor: z.string().max(200).optional().describe('nextCursor from the previous page, to read the next one; omit for the first page.'),
  limit: z.number().int().min(1).max(500).default(200).describe('How many entries per page, 1-500 (default 200).'),
});

export const verifyEventLogInput = z.strictObject({
  missionId: missionIdSchema,
  full: z
    .boolean()
    .default(false)
    .describe('true: check every event from the first (reads the whole log); false (default): check the events after the last verified checkpoint.'),
});

/** Parses `input` or throws `invalid_input` naming every bad field and what to do; `label` (a tool's name) starts the message. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, label?: string): z.output<S> {
  const unusable = unusableText(input);
  const result = unusable.length > 0 ? null : schema.safeParse(input);
  if (result?.success) return result.data;
  // Echo at most a short excerpt of what was sent, and a bounded number of problems: a refusal is never larger than its cause.
  const problems = (result ? describeIssues(schema, input, result.error.issues) : unusable)
    .slice(0, MAX_PROBLEMS)
    .map((p) => ({ field: excerpt(p.field, 100), message: excerpt(p.message, 600) }));
  const text = problems.map((p) => p.message).join('; ');
  throw new MissionError('invalid_input', label ? `${label}: ${text}.` : `Invalid input. ${text}.`, {
    field: problems[0]?.field,
    fields: problems.map((p) => p.field),
  });
}

const MAX_PROBLEMS = 8;

/**
 * Text no store can keep: NUL (PostgreSQL refuses it in text) and lone UTF-16 surrogates (not
 * valid Unicode; both databases mangle or refuse them). Checked in every string of every input,
 * keys included, before the schema, so each front door refuses them the same way.
 */
function unusableText(input: unknown): InputProblem[] {
  const problems: InputProblem[] = [];
  const visit = (value: unknown, path: PropertyKey[], depth: number): void => {
    if (problems.length >= MAX_PROBLEMS || depth > 32) return;
    if (typeof value === 'string') {
      const why = textProblem(value);
      if (why) problems.push({ field: fieldPath(path) || 'input', message: `${fieldPath(path) || 'input'} ${why}; remove it and send the text again` });
      return;
    }
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) visit(item, [...path, i], depth + 1);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      const why = textProblem(key);
      if (why) {
        problems.push({ field: fieldPath([...path, key]), message: `a field name${path.length > 0 ? ` in ${fieldPath(path)}` : ''} ${why}` });
        continue;
      }
      visit(item, [...path, key], depth + 1);
    }
  };
  visit(input, [], 0);
  return problems;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000), which cannot be stored';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate (broken Unicode, e.g. half an emoji), which cannot be stored';
  return null;
}

/** At most `max` characters of `text`, saying how much was left out. */
export function excerpt(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max).replace(/[\uD800-\uDBFF]$/, '')}… (${text.length} characters in all)`;
}

// ---- Plan & Approve ---------------------------------------------------------------------

const snakeId = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, `${what} must be snake_case (a-z, 0-9, _), starting with a letter, at most 64 characters`);
const shortText = (what: string, max = 500) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`);
const textList = (what: string, maxItems = 20, maxLength = 500) =>
  z.array(shortText(what, maxLength).describe('One entry, in a sentence.')).max(maxItems, `${what} may hold at most ${maxItems} entries`);
const level3 = (what: string) => z.enum(['low', 'medium', 'high']).describe(`${what}: low, medium or high.`);

export const playDraftSchema = z.strictObject({
  title: shortText('title', 200).describe('Short name of the approach, e.g. "Rotate refresh tokens with a grace window".'),
  rationale: shortText('rationale', 2000).describe('Why this approach fits the brief, and its trade-offs.'),
  confidence: z
    .number({ error: 'confidence must be a number from 0 to 1' })
    .min(0, 'confidence must be at least 0')
    .max(1, 'confidence must be at most 1')
    .describe('How likely the play is to succeed as planned, from 0 to 1, e.g. 0.8.'),
  phases: z
    .array(
      z.strictObject({
        id: snakeId('phase id').describe('snake_case phase id, unique within the play, e.g. "jwt_refresh_fix"; report_progress uses it as phaseId.'),
        name: shortText('phase name', 200).describe('Readable phase name, e.g. "Fix the refresh race".'),
        steps: z
          .array(
            z.strictObject({
              id: snakeId('step id').describe('snake_case step id, unique within the play, e.g. "write_tests"; report_progress uses it as stepId.'),
              title: shortText('step title', 300).describe('What the step does, e.g. "Write a failing test for concurrent refresh".'),
            }),
          )
          .min(1, 'each phase needs at least one step')
          .max(50)
          .describe("The phase's steps in order (1-50)."),
      }),
    )
    .min(1, 'phases must hold at least one phase')
    .max(20, 'phases may hold at most 20 phases')
    .refine((phases) => new Set(phases.map((p) => p.id)).size === phases.length, 'phase ids must be unique within the play')
    .refine((phases) => {
      const ids = phases.flatMap((p) => p.steps.map((s) => s.id));
      return new Set(ids).size === ids.length;
    }, 'step ids must be unique within the play')
    .describe('The phases in execution order (1-20); each phase completes only when its quality gate passes.'),
  undoPlan: z
    .strictObject({
      summary: shortText('undoPlan.summary', 1000).describe(
        'How the change is undone, in a sentence, e.g. "Revert the PR and restore the previous token TTL".',
      ),
      steps: textList('undoPlan.steps', 20)
        .min(1, 'undoPlan.steps must list at least one rollback step')
        .describe('The rollback steps in order (1-20), e.g. ["Revert the merge commit", "Redeploy"].'),
    })
    .describe('How to roll back; request_rollback runs it.'),
  safeguardsEnforced: textList('safeguardsEnforced')
    .default([])
    .describe("Safeguards from the brief that this play enforces, in the brief's words (up to 20); they raise its rank."),
  risk: z
    .strictObject({
      complexity: level3('How complex the change is'),
      impact: z
        .enum(['low', 'medium', 'high', 'critical'])
        .describe('What breaks if it goes wrong: low, medium, high or critical; with the others it sets the risk level the approval policy uses.'),
      reversibility: level3('How easily it is undone'),
      testCoverage: z.enum(['weak', 'moderate', 'strong']).describe('How well tests cover the touched code: weak, moderate or strong.'),
      notes: z.string().max(1000).optional().describe('Anything else a reviewer should know about the risk.'),
    })
    .describe('The risk matrix; it decides the risk level and so how many approvals are needed.'),
  estimatedDurationMinutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 30)
    .describe('Estimated working time in whole minutes, e.g. 90.'),
  codeChangePreview: z
    .strictObject({
      filesToModify: z.number().int().min(0).describe('How many existing files change.'),
      filesToCreate: z.number().int().min(0).describe('How many new files are created.'),
      linesAdded: z.number().int().min(0).describe('Estimated lines added.'),
      linesRemoved: z.number().int().min(0).describe('Estimated lines removed.'),
      files: z
        .array(z.string().max(300).describe('A repository path, e.g. "src/auth/refresh.ts".'))
        .max(200)
        .default([])
        .describe('Paths of the files touched (up to 200).'),
    })
    .nullable()
    .default(null)
    .describe('Estimated size of the code change, or null when unknown.'),
  mustHaves: z
    .strictObject({
      truths: textList('mustHaves.truths').default([]).describe('Statements that must be true when done, e.g. "A refresh never logs a user out".'),
      artifacts: textList('mustHaves.artifacts', 50, 300).default([]).describe('Files or outputs that must exist when done, e.g. "src/auth/refresh.test.ts".'),
      keyLinks: textList('mustHaves.keyLinks').default([]).describe('Connections that must hold, e.g. "login page calls /auth/refresh".'),
    })
    .default({ truths: [], artifacts: [], keyLinks: [] })
    .describe('What must hold when the play is done (goal-backward checks).'),
});

export const proposePlaysInput = z.strictObject({
  missionId: missionIdSchema,
  plays: z
    .array(playDraftSchema)
    .min(1, 'plays must hold at least one play')
    .max(5, 'propose at most 5 plays at a time')
    .describe("1-5 plays (alternative approaches) to rank with the planner's and the library's."),
});
const playIdSchema = z.string().trim().min(1, 'playId is required').max(50).describe('A play id as listed by get_mission or propose_plays, e.g. "play_2".');
export const playRefInput = z.strictObject({ missionId: missionIdSchema, playId: playIdSchema });
export const dismissPlayInput = playRefInput.extend({ reason: shortText('reason', 1000).describe('Why the play is dismissed.') });
export const requestApprovalInput = z.strictObject({
  missionId: missionIdSchema,
  playId: playIdSchema.optional().describe('The play to approve; omit to keep the currently selected play (the top-ranked one unless another was selected).'),
  note: z.string().trim().max(2000).optional().describe('A note for the approvers, e.g. what to look at first.'),
});
export const decideApprovalInput = z
  .strictObject({
    missionId: missionIdSchema,
    decision: z.enum(['approve', 'reject'], { error: 'decision must be approve or reject' }).describe('approve or reject.'),
    requestId: z.string().trim().min(1).max(100).optional().describe('The approval request being decided (stale clicks are refused).'),
    reason: z.string().trim().max(2000).optional().describe('Why; required to reject.'),
  })
  .refine((d) => d.decision !== 'reject' || (d.reason !== undefined && d.reason.length > 0), {
    message: 'reason: say why the play is rejected',
    path: ['reason'],
  });
/** A refused approval click, recorded for the audit trail. */
export const approvalDeniedInput = z.strictObject({ missionId: missionIdSchema, reason: shortText('reason', 1000).describe('Why the click was refused.') });
export const searchLibraryInput = z
  .strictObject({
    tags: z
      .array(z.string().trim().toLowerCase().min(1).max(50).describe('A tag, e.g. "jwt-refresh".'))
      .max(20)
      .optional()
      .describe('Find plays sharing these tags (most shared first), e.g. ["auth", "jwt-refresh"].'),
    text: z.string().trim().min(1).max(200).optional().describe('Find plays whose title or note contains this text.'),
    limit: z.number().int().min(1).max(50).default(10).describe('How many matches at most, 1-50 (default 10).'),
  })
  .default({ limit: 10 });

// ---- Execute & Observe ------------------------------------------------------------------

const phaseIdSchema = z
  .string({ error: 'phaseId is required' })
  .trim()
  .min(1, 'phaseId is required')
  .max(64)
  .describe('A phase id of the approved play, e.g. "jwt_refresh_fix" (get_mission lists them).');
const countsSchema = z
  .record(z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'counts keys must be snake_case'), z.number().finite())
  .refine((c) => Object.keys(c).length <= 20, 'counts may hold at most 20 entries');
const deviationRule = z.literal([1, 2, 3, 4], { error: 'rule must be 1 (bug fix), 2 (missing critical piece), 3 (blocker) or 4 (architectural change)' });
const RULE_TEXT = 'GSD deviation rule: 1 bug fix, 2 missing critical piece, 3 blocker, 4 architectural change (rule 4 stops for a person)';

const phaseRefShape = { missionId: missionIdSchema, phaseId: phaseIdSchema };
const failPhaseShape = { ...phaseRefShape, reason: shortText('reason', 2000).describe('Why the phase failed.') };
const stepShape = {
  ...phaseRefShape,
  stepId: snakeId('stepId').describe('The step\'s snake_case id from the play, e.g. "write_tests"; a step not in the play needs deviation.'),
  title: z.string().trim().min(1).max(300).optional().describe("The step's title, for a step not in the play."),
  durationMs: z
    .number({ error: 'durationMs is required (milliseconds the step took)' })
    .int()
    .min(0)
    .max(7 * 24 * 3600 * 1000)
    .describe('How long the step took, in whole milliseconds, e.g. 4200.'),
  counts: countsSchema.default({}).describe('Named counts for the step (snake_case keys, up to 20), e.g. {"files_changed": 3, "tests_added": 5}.'),
  commit: z.string().trim().min(1).max(300).optional().describe('The commit the step produced: a sha or a URL.'),
  deviation: z
    .strictObject({
      rule: deviationRule.describe(RULE_TEXT),
      reason: shortText('deviation.reason', 1000).describe('Why the step was needed although the play does not list it.'),
    })
    .optional()
    .describe('Required when stepId is not in the play: which deviation rule applies and why.'),
};
const testRunShape = {
  ...phaseRefShape,
  total: z.number({ error: 'total is required' }).int().min(0).describe('How many tests ran, e.g. 162.'),
  passing: z.number({ error: 'passing is required' }).int().min(0).describe('How many tests passed (at most total).'),
  failing: z.number().int().min(0).optional().describe('How many tests failed.'),
  coverage: z
    .number()
    .min(0, 'coverage is a fraction from 0 to 1')
    .max(1, 'coverage is a fraction from 0 to 1 (0.92 for 92%)')
    .optional()
    .describe('Line coverage as a fraction from 0 to 1, e.g. 0.92 for 92%.'),
  suite: z.string().trim().min(1).max(200).optional().describe('The suite or runner, e.g. "vitest".'),
};
const passingWithinTotal = { message: 'passing must not be more than total', path: ['passing'] };
const alertShape = {
  ...phaseRefShape,
  type: z
    .enum(['auto_fix', 'review_required'], { error: 'type must be auto_fix or review_required' })
    .describe('auto_fix (you fixed it; recorded) or review_required (a person must resolve it in Slack before the phase can complete).'),
  severity: z
    .enum(['low', 'medium', 'high', 'critical'], { error: 'severity must be low, medium, high or critical' })
    .describe('low, medium, high or critical.'),
  description: shortText('description', 2000).describe('What the validator found, e.g. "Refresh tokens stored without a TTL".'),
};
const deviationShape = {
  ...phaseRefShape,
  rule: deviationRule.describe(RULE_TEXT),
  description: shortText('description', 1000).describe('What is done differently from the play.'),
  reason: shortText('reason', 1000).describe('Why the deviation is necessary.'),
  stepId: z.string().trim().min(1).max(64).optional().describe('The step the deviation concerns, if any.'),
};

export const phaseRefInput = z.strictObject(phaseRefShape);
export const failPhaseInput = z.strictObject(failPhaseShape);
export const reportStepInput = z.strictObject(stepShape);
export const reportTestRunInput = z.strictObject(testRunShape).refine((r) => r.passing <= r.total, passingWithinTotal);
export const raiseAlertInput = z.strictObject(alertShape);
export const resolveAlertInput = z.strictObject({
  missionId: missionIdSchema,
  alertId: z.string().trim().min(1).max(100).describe('The alert id, as listed by get_mission.'),
  outcome: z.enum(['accepted', 'blocked']).describe('accepted (the phase may go on) or blocked.'),
  note: shortText('note', 2000).describe('What the reviewer decided and why.'),
});
export const recordDeviationInput = z.strictObject(deviationShape);

/** An assistant's own model usage: tokens, and the cost if it knows it (else the configured price is used). */
const usageShape = {
  missionId: missionIdSchema,
  model: z
    .string({ error: 'model is required: the model that did the work, e.g. claude-sonnet-4-5' })
    .trim()
    .min(1, 'model must not be empty')
    .max(100)
    .describe('The model that did the work, e.g. "claude-sonnet-4-5".'),
  inputTokens: z
    .number({ error: 'inputTokens must be a whole number of tokens' })
    .int('inputTokens must be a whole number')
    .min(0)
    .max(1e9)
    .describe('Input (prompt) tokens the model used, e.g. 12000.'),
  outputTokens: z
    .number({ error: 'outputTokens must be a whole number of tokens' })
    .int('outputTokens must be a whole number')
    .min(0)
    .max(1e9)
    .describe('Output tokens the model produced, e.g. 3400.'),
  costUsd: z
    .number({ error: 'costUsd must be a number of US dollars' })
    .finite()
    .min(0)
    .max(1e5)
    .optional()
    .describe('What the calls cost in US dollars, if known, e.g. 0.087; without it the configured price of the model is used.'),
};
export const usageReportInput = z.strictObject(usageShape);

export const PROGRESS_KINDS = [
  'phase_started',
  'phase_completed',
  'phase_failed',
  'step_completed',
  'test_run',
  'validator_alert',
  'deviation',
  'usage',
] as const;
export type ProgressKind = (typeof PROGRESS_KINDS)[number];

/** Each kind's fields (besides kind). */
const PROGRESS_SHAPES: Record<ProgressKind, z.core.$ZodLooseShape> = {
  phase_started: phaseRefShape,
  phase_completed: phaseRefShape,
  phase_failed: failPhaseShape,
  step_completed: stepShape,
  test_run: testRunShape,
  validator_alert: alertShape,
  deviation: deviationShape,
  usage: usageShape,
};

function kindsUsing(field: string): ProgressKind[] {
  return PROGRESS_KINDS.filter((kind) => field in PROGRESS_SHAPES[kind]);
}

/** One kind's branch: strict, and a field that belongs to other kinds is refused saying which. */
function progressBranch<K extends ProgressKind, S extends z.core.$ZodLooseShape>(kind: K, shape: S) {
  return z.strictObject(
    { kind: z.literal(kind), ...shape },
    {
      error: (issue) => {
        if (issue.code !== 'unrecognized_keys') return undefined;
        return issue.keys
          .map(
            (key) =>
              `${key} is not used when kind is ${kind} (${key} belongs to ${kindsUsing(key).join(', ') || 'no kind'}): leave it out, or report the kind it belongs to`,
          )
          .join('; ');
      },
    },
  );
}

const kindList = PROGRESS_KINDS.join(', ');
/** Which kinds use a field, said at the start of its description. */
const forKinds = (required: readonly ProgressKind[], optional: readonly ProgressKind[], text: string) =>
  `${[...required.map((k) => `${k} (required)`), ...optional.map((k) => `${k} (optional)`)].join(', ')}: ${text}`;

/**
 * report_progress's input as a model sees it: one flat object with a `kind` enum and every
 * kind's fields (each description says which kinds use it), because the Anthropic API refuses
 * a oneOf at the top of a tool's input schema. It pipes into the discriminated union, which
 * checks each kind's required fields and refuses fields that belong to another kind.
 */
const progressReportFields = z.strictObject({
  kind: z
    .enum(PROGRESS_KINDS, { error: `kind must be one of: ${kindList}` })
    .describe(
      `What this report is: phase_started; phase_completed (its quality gate must pass: latest tests passing, coverage target on the last phase, no open review alerts); phase_failed; step_completed; test_run; validator_alert; deviation; usage (the tokens and cost of your own model, counted against the mission's budget). Each other field says which kinds use it; a field another kind uses is refused.`,
    ),
  missionId: missionIdSchema,
  phaseId: phaseIdSchema
    .optional()
    .describe('Every kind but usage (required): the phase of the approved play the report is about, e.g. "jwt_refresh_fix" (get_mission lists them).'),
  stepId: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .optional()
    .describe(
      forKinds(
        ['step_completed'],
        ['deviation'],
        'the snake_case step id from the play, e.g. "write_tests" (a step not in the play needs deviation); for deviation, the step it concerns.',
      ),
    ),
  title: stepShape.title.describe(forKinds([], ['step_completed'], "the step's title, for a step not in the play.")),
  durationMs: stepShape.durationMs.optional().describe(forKinds(['step_completed'], [], 'how long the step took, in whole milliseconds, e.g. 4200.')),
  counts: countsSchema
    .optional()
    .describe(forKinds([], ['step_completed'], 'named counts (snake_case keys, up to 20), e.g. {"files_changed": 3, "tests_added": 5}.')),
  commit: stepShape.commit.describe(forKinds([], ['step_completed'], 'the commit the step produced: a sha or a URL.')),
  deviation: stepShape.deviation.describe(forKinds([], ['step_completed'], 'needed when stepId is not in the play: {rule, reason}.')),
  total: testRunShape.total.optional().describe(forKinds(['test_run'], [], 'how many tests ran, e.g. 162.')),
  passing: testRunShape.passing.optional().describe(forKinds(['test_run'], [], 'how many tests passed (at most total).')),
  failing: testRunShape.failing.describe(forKinds([], ['test_run'], 'how many tests failed.')),
  coverage: testRunShape.coverage.describe(forKinds([], ['test_run'], 'line coverage as a fraction from 0 to 1, e.g. 0.92 for 92%.')),
  suite: testRunShape.suite.describe(forKinds([], ['test_run'], 'the suite or runner, e.g. "vitest".')),
  type: alertShape.type
    .optional()
    .describe(
      forKinds(
        ['validator_alert'],
        [],
        'auto_fix (you fixed it; recorded) or review_required (a person must resolve it in Slack before the phase can complete).',
      ),
    ),
  severity: alertShape.severity.optional().describe(forKinds(['validator_alert'], [], 'low, medium, high or critical.')),
  description: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .optional()
    .describe(forKinds(['validator_alert', 'deviation'], [], 'what the validator found, or what is done differently from the play.')),
  reason: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .optional()
    .describe(forKinds(['phase_failed', 'deviation'], [], 'why the phase failed, or why the deviation is necessary.')),
  rule: deviationRule.optional().describe(forKinds(['deviation'], [], `${RULE_TEXT}.`)),
  model: usageShape.model.optional().describe(forKinds(['usage'], [], 'the model that did the work, e.g. "claude-sonnet-4-5".')),
  inputTokens: usageShape.inputTokens.optional().describe(forKinds(['usage'], [], 'input (prompt) tokens the model used, e.g. 12000.')),
  outputTokens: usageShape.outputTokens.optional().describe(forKinds(['usage'], [], 'output tokens the model produced, e.g. 3400.')),
  costUsd: usageShape.costUsd.describe(
    forKinds([], ['usage'], 'what the calls cost in US dollars, e.g. 0.087; without it the configured price of the model is used.'),
  ),
});

/** One report from an executor, as MCP's report_progress takes it. */
export const progressReportInput = progressReportFields.pipe(
  z.discriminatedUnion(
    'kind',
    [
      progressBranch('phase_started', phaseRefShape),
      progressBranch('phase_completed', phaseRefShape),
      progressBranch('phase_failed', failPhaseShape),
      progressBranch('step_completed', stepShape),
      progressBranch('test_run', testRunShape).refine((r) => r.passing <= r.total, passingWithinTotal),
      progressBranch('validator_alert', alertShape),
      progressBranch('deviation', deviationShape),
      progressBranch('usage', usageShape),
    ],
    { error: `kind must be one of: ${kindList}` },
  ),
);

/** A person sets a mission's model budget. */
export const setBudgetInput = z.strictObject({
  missionId: missionIdSchema,
  budgetUsd: z.coerce
    .number({ error: 'budgetUsd must be a number of US dollars, e.g. 5 or 12.50' })
    .finite('budgetUsd must be a number of US dollars, e.g. 5 or 12.50')
    .min(0, 'budgetUsd must be 0 or more')
    .max(100_000, 'budgetUsd must be at most 100000')
    .describe("The mission's model budget in US dollars, e.g. 5 or 12.50; 0 pauses execution reports at the first model spend."),
});

export const MAX_EVIDENCE_BYTES = 1_000_000;
export const attachEvidenceInput = z
  .strictObject({
    missionId: missionIdSchema,
    name: shortText('name', 200).describe('A name for the artifact, e.g. "Test report phase 1" or "PR #482".'),
    kind: z
      .enum(['link', 'markdown', 'json', 'file'], { error: 'kind must be link, markdown, json or file' })
      .describe('link (needs url), markdown or file (needs content), or json (needs json).'),
    /** Text for markdown and file artifacts. */
    content: z
      .string()
      .max(MAX_EVIDENCE_BYTES, `content must be at most ${MAX_EVIDENCE_BYTES} characters: attach a link for larger artifacts`)
      .optional()
      .describe("For kind markdown or file: the artifact's text (a test report, a log excerpt, a diff). Larger artifacts: attach a link instead."),
    /** Any JSON value for json artifacts; hashed in canonical form (sorted keys). */
    json: z.unknown().optional().describe('For kind json: any JSON value, e.g. {"passed": 162, "failed": 0}; hashed in canonical form (sorted keys).'),
    url: z
      .url({ protocol: /^https?$/, error: 'url must be an http(s) URL' })
      .max(2000)
      .optional()
      .describe('For kind link: an http(s) URL, e.g. "https://github.com/acme/api/pull/482".'),
    mediaType: z.string().trim().min(1).max(100).optional().describe('The content\'s media type, e.g. "text/plain" or "application/junit+xml".'),
    phaseId: z.string().trim().min(1).max(64).optional().describe('The phase the artifact belongs to, e.g. "jwt_refresh_fix"; omit for the whole mission.'),
    review: z
      .strictObject({
        state: z.enum(['approved', 'changes_requested', 'commented']).describe('approved, changes_requested or commented.'),
        reviewer: shortText('review.reviewer', 200).describe('Who reviewed, e.g. a GitHub login.'),
      })
      .optional()
      .describe('A code review this artifact records. One attached by an assistant does not count for the code-review gate.'),
    checks: z
      .array(
        z.strictObject({
          name: shortText('checks.name', 200).describe('The CI check\'s name, e.g. "build".'),
          conclusion: z.enum(['success', 'failure', 'neutral', 'skipped', 'pending']).describe('success, failure, neutral, skipped or pending.'),
        }),
      )
      .max(100)
      .optional()
      .describe('CI checks this artifact records (up to 100).'),
  })
  .superRefine((a, ctx) => {
    if (a.kind === 'link' && !a.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'url is required for a link artifact' });
    if (a.kind === 'json' && a.json === undefined) ctx.addIssue({ code: 'custom', path: ['json'], message: 'json is required for a json artifact' });
    if ((a.kind === 'markdown' || a.kind === 'file') && (a.content === undefined || a.content.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['content'], message: `content is required for a ${a.kind} artifact` });
    }
  });

export const rollbackInput = z.strictObject({
  missionId: missionIdSchema,
  reason: shortText('reason', 2000).describe('Why the mission is rolled back.'),
  stepsRun: z
    .array(
      z.strictObject({
        step: shortText('stepsRun.step', 500).describe('The undo plan step, in its words, e.g. "Revert the merge commit".'),
        outcome: z.enum(['done', 'failed']).describe('done or failed.'),
        detail: z.string().trim().max(1000).default('').describe('What happened, e.g. the revert commit sha.'),
      }),
    )
    .max(20)
    .optional()
    .describe('Undo plan steps you carried out yourself (up to 20); steps not listed are left to a person.'),
});
export const failMissionInput = z.strictObject({ missionId: missionIdSchema, reason: shortText('reason', 2000).describe('Why the mission failed.') });

// ---- Reflect & Improve ------------------------------------------------------------------

export const feedbackInput = z.strictObject({
  missionId: missionIdSchema,
  rating: z
    .number({ error: 'rating is required: 1 to 5' })
    .int('rating must be a whole number from 1 to 5')
    .min(1, 'rating must be from 1 to 5')
    .max(5, 'rating must be from 1 to 5')
    .describe('How well the mission went, 1 to 5.'),
  effortSavedHours: z.number().min(0).max(10_000).optional().describe('Hours of work the mission saved, e.g. 6.'),
  comments: z.string().trim().min(1).max(5000).optional().describe('Free comments.'),
  suggestedImprovements: z.string().trim().min(1).max(5000).optional().describe('What should be done differently next time.'),
});
export const followUpInput = z.strictObject({
  missionId: missionIdSchema,
  title: shortText('title', 300).describe('The follow-up work, as an issue title, e.g. "Add rate limiting to /auth/refresh".'),
  priority: z
    .enum(['urgent', 'high', 'medium', 'low'], { error: 'priority must be urgent, high, medium or low' })
    .default('medium')
    .describe('urgent, high, medium (default) or low.'),
});
export const followUpIssueInput = z.strictObject({
  missionId: missionIdSchema,
  followUpId: z.string().trim().min(1).max(100).describe('The follow-up id.'),
  externalId: shortText('externalId', 100).describe('The tracker\'s issue id, e.g. "ENG-123" or "482".'),
  url: z.url().max(2000).optional().describe("The issue's URL."),
  tracker: z.enum(['linear', 'github']).describe('linear or github.'),
});
export const pinToLibraryInput = z.strictObject({
  missionId: missionIdSchema,
  tags: z
    .array(
      z
        .string()
        .trim()
        .toLowerCase()
        .regex(/^[a-z0-9][a-z0-9-]{0,49}$/, 'tags are lowercase words joined by hyphens, e.g. jwt-refresh')
        .describe('A tag, e.g. "jwt-refresh".'),
    )
    .min(1, 'tags must hold at least one tag')
    .max(20)
    .describe('1-20 tags to find the play by.'),
  note: shortText('note', 2000).describe('When to reuse the play.'),
});
export const retrospectiveInput = z.strictObject({
  missionId: missionIdSchema,
  wentWell: textList('wentWell', 20, 1000).default([]).describe('What went well (up to 20 entries), e.g. ["Tests caught the race before review"].'),
  toImprove: textList('toImprove', 20, 1000).default([]).describe('What to improve next time (up to 20 entries), e.g. ["Inspect Linear before planning"].'),
});

export const exportDocumentInput = z.strictObject({
  missionId: missionIdSchema,
  document: z
    .enum(['plan', 'summary', 'verification', 'uat'], { error: 'document must be plan, summary, verification or uat' })
    .describe('plan, summary, verification or uat.'),
});

/** A person's UAT result for one item (a truth or an acceptance criterion). */
export const recordUatResultInput = z.strictObject({
  missionId: missionIdSchema,
  itemId: z
    .string({ error: 'itemId is required' })
    .trim()
    .regex(/^(?:truth|criterion)_\d{1,3}$/, 'itemId must look like truth_1 or criterion_2')
    .describe('The UAT item, e.g. truth_1 or criterion_2.'),
  outcome: z.enum(['pass', 'fail'], { error: 'outcome must be pass or fail' }).describe('pass or fail.'),
  note: z.string().trim().max(1000, 'note must be at most 1000 characters').optional().describe('What was tried and seen; required when it failed.'),
});

/** Check the approved play's artifacts and key links against a pull request's code. */
export const verifyMustHavesInput = z.strictObject({
  missionId: missionIdSchema,
  pullRequest: z
    .string()
    .trim()
    .min(1)
    .max(300)
    .optional()
    .describe('The pull request to read (URL, owner/name#47 or 47); omit to use the one attached to the mission.'),
});

/** A connector reports that an outside API failed or answers again for a mission. */
export const connectorHealthInput = z.strictObject({
  missionId: missionIdSchema,
  toolkitId: toolkitIdSchema,
  operation: z.string().trim().min(1).max(100).default('call').describe('The operation that failed or recovered.'),
  error: z.string().trim().max(1000).optional().describe('The error, without secrets.'),
});

// ---- Gates a person owns -----------------------------------------------------------------

/** A person's code review, recorded from Slack; it counts for the code-review gate. */
export const recordReviewInput = z.strictObject({
  missionId: missionIdSchema,
  decision: z.enum(['approved', 'changes_requested'], { error: 'decision must be approved or changes_requested' }).describe('approved or changes_requested.'),
  note: shortText('note', 2000).describe(
    'What was reviewed and what the reviewer found, e.g. "Read the diff of PR #47; the refresh path is covered by tests".',
  ),
  url: z
    .url({ protocol: /^https?$/, error: 'url must be an http(s) URL' })
    .max(2000)
    .optional()
    .describe('The reviewed pull request or diff, when there is one.'),
});

export const GATE_CHECK_IDS = [
  'tests_reported',
  'tests_passing',
  'coverage_target',
  'no_open_review_alerts',
  'code_review',
  'ci_checks',
  'all_phases_completed',
] as const;

/** An approver lets one gate check count although it does not pass; recorded as gate_overridden. */
export const overrideGateInput = z.strictObject({
  missionId: missionIdSchema,
  checkId: z
    .enum(GATE_CHECK_IDS, { error: `checkId must be one of: ${GATE_CHECK_IDS.join(', ')}` })
    .describe(`The gate check to override: ${GATE_CHECK_IDS.join(', ')}.`),
  phaseId: z.string().trim().min(1).max(64).optional().describe("The phase whose gate it is; omit for the mission's final gate."),
  reason: z
    .string({ error: 'reason is required' })
    .trim()
    .min(3, 'reason must say why the check may be overridden')
    .max(1000, 'reason must be at most 1000 characters')
    .describe('Why it is safe to go on without this check passing.'),
});

/** A step of handing the mission to an executor (recorded by the executor connector, a system actor). */
export const recordExecutorDispatchInput = z.strictObject({
  missionId: missionIdSchema,
  phase: z.enum(['requested', 'dispatched', 'failed']).describe('requested before the call; dispatched or failed after it.'),
  executor: z.enum(['github_actions']).describe('The executor.'),
  repository: z.string().trim().min(3).max(200).describe('owner/name of the repository whose workflow runs the mission.'),
  workflow: z.string().trim().min(1).max(200).describe('The workflow file name or id, e.g. mission.yml.'),
  ref: z.string().trim().min(1).max(250).nullable().describe('The ref the workflow runs on; null for the default branch.'),
  runsUrl: z.url().max(2000).optional().describe('Where the runs are (dispatched).'),
  foundExisting: z.boolean().default(false).describe('true when a run already started for the mission was found instead of dispatching another.'),
  error: z.string().trim().min(1).max(1000).optional().describe('Why it failed, in words (failed).'),
});
