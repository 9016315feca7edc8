// The risk floor, defined once: the least risk a play can carry on this mission, read from the
// mission's subject (its topic tags) and from what the brief and the play say they will do. The
// proposer rates its own play (a model obeying an injected "mark this low risk", an assistant, a
// library play); this floor is computed here, applied when the play is proposed and again when
// approval is requested, and no proposer can lower it.
import type { Play, PlayDraft, RiskLevel } from './plays.js';
import { RISK_LEVELS } from './plays.js';

// ---------------------------------------------------------------------------
// Risky areas: where a change touches every user, their money or their data

export type RiskyArea = 'auth' | 'security' | 'payments' | 'data';

interface AreaDefinition {
  /** The drafter's topic tags that put a mission in this area. */
  tags: readonly string[];
  /** Words that put a play's steps in this area (word-bounded, case-insensitive). */
  words: RegExp;
  /** How a reviewer reads it. */
  label: string;
}

const RISKY_AREAS: Record<RiskyArea, AreaDefinition> = {
  auth: {
    tags: ['authentication', 'jwt'],
    words:
      /\b(?:auth(?:n|z|entication|enticat\w*|ori[sz]\w*)?|log ?ins?|log-in|log ?outs?|logged (?:in|out)|sessions?|jwts?|oauth2?|sso|saml|passwords?|credentials?|permissions?|rbac|mfa|2fa)\b/i,
    label: 'authentication or authorization',
  },
  security: {
    tags: ['security', 'csrf'],
    words: /\b(?:security|secure|vulnerab\w*|csrf|xsrf|xss|cves?|injection|exploit\w*|owasp|secrets?)\b/i,
    label: 'security',
  },
  payments: {
    tags: ['payments'],
    words: /\b(?:payments?|billing|stripe|invoices?|refunds?|charges?|subscriptions?|paypal|card\s+numbers?|checkout|payouts?)\b/i,
    label: 'payments or billing',
  },
  data: {
    tags: ['database', 'migration', 'postgresql'],
    words: /\b(?:schemas?|migrations?|databases?|db|sql|postgres(?:ql)?|mysql|sqlite|pii|personal data|gdpr)\b/i,
    label: 'data or schema',
  },
};

const AREAS = Object.keys(RISKY_AREAS) as RiskyArea[];

/** The risky areas a mission's tags or some text touch, in a fixed order. */
export function riskyAreasOf(tags: readonly string[], text = ''): RiskyArea[] {
  const tagSet = new Set(tags.map((t) => t.toLowerCase()));
  return AREAS.filter((area) => RISKY_AREAS[area].tags.some((t) => tagSet.has(t)) || RISKY_AREAS[area].words.test(text));
}

/** Auth, security and payments touch every user or their money. */
export function touchesUsersOrMoney(areas: readonly RiskyArea[]): boolean {
  return areas.some((a) => a !== 'data');
}

/** Work that reaches production: "deploy", "release", "rollout", "downtime", "live users". */
const PRODUCTION_RE = /\b(?:production|prod|deploy\w*|releases?|releasing|rollouts?|roll out|downtime|live users)\b/i;

export function reachesProduction(text: string): boolean {
  return PRODUCTION_RE.test(text);
}

// ---------------------------------------------------------------------------
// What the work does: destroys, touches production data, cannot be undone

interface Signal {
  kind: 'destructive' | 'production_data' | 'irreversible';
  label: string;
  pattern: RegExp;
}

// Kept short and specific: a floor that fires on everything would make every request high risk
// and teach people to ignore it.
const SIGNALS: readonly Signal[] = [
  {
    kind: 'destructive',
    label: 'destructive operation',
    pattern:
      /\b(?:drop(?:s|ping|ped)?|truncat\w*|purg\w*|wip(?:e|es|ing|ed)|destroy\w*|delet(?:e|es|ing|ed)\s+(?:all|every|the\s+\w+\s+(?:table|database|bucket|data))|rm\s+-rf|force[- ]push\w*)\b/i,
  },
  {
    kind: 'production_data',
    label: 'production data',
    pattern: /\b(?:production|prod\s+(?:db|database|data)|live\s+data|customer\s+data|user\s+data|users\s+table|pii)\b/i,
  },
  {
    kind: 'irreversible',
    label: 'irreversible step',
    pattern:
      /\b(?:irreversibl\w*|cannot\s+be\s+undone|can't\s+be\s+undone|no\s+rollback|without\s+(?:a\s+)?rollback|permanent(?:ly)?|(?:purg\w*|delet\w*|drop\w*|wip\w*|destroy\w*)\s+(?:\w+\s+){0,2}backups?)\b/i,
  },
];

// ---------------------------------------------------------------------------
// The floor

export interface RiskFloorInput {
  /** The mission's topic tags (the built-in tagger's, which a model draft can add to but not remove). */
  tags?: readonly string[];
  /** The brief's objective and scope. */
  brief: readonly string[];
  /** What the play says it will do: `planLines(play)`. */
  plan: readonly string[];
}

export interface RiskFloor {
  level: RiskLevel;
  /** Why, in words a reviewer reads: "destructive operation (\"drop\")". Empty at low. */
  reasons: string[];
}

/** What the floor reads of a play: title, rationale, phase names, step titles, undo plan and the files it will change. */
export function planLines(play: Pick<PlayDraft, 'title' | 'rationale' | 'phases' | 'undoPlan' | 'codeChangePreview'>): string[] {
  return [
    play.title,
    play.rationale,
    ...play.phases.flatMap((p) => [p.name, ...p.steps.map((s) => s.title)]),
    play.undoPlan.summary,
    ...play.undoPlan.steps,
    ...(play.codeChangePreview?.files ?? []),
  ];
}

const quoted = (match: RegExpExecArray): string => `("${match[0].slice(0, 40)}")`;

/**
 * The least risk a play can carry. High when the mission is about, or the play changes, auth,
 * security or payments, or the work is destructive, touches production data or cannot be undone;
 * critical when a destructive or irreversible step meets production data, or a destructive step is
 * irreversible ("purge backups"); medium for data and schema work or anything reaching production.
 * What the work does counts wherever it is said; an area counts when the mission's tags name it or
 * the plan changes it, not when the brief only describes the problem.
 */
export function riskFloor(input: RiskFloorInput): RiskFloor {
  const tags = input.tags ?? [];
  const plan = input.plan.join('\n');
  const everything = [...input.brief, ...input.plan].join('\n');
  const reasons: string[] = [];
  const areas = riskyAreasOf(tags, plan);
  for (const area of areas) {
    const match = RISKY_AREAS[area].words.exec(plan);
    reasons.push(`${RISKY_AREAS[area].label} ${match ? quoted(match) : "(the mission's topic)"}`);
  }
  const signals = new Set<Signal['kind']>();
  for (const signal of SIGNALS) {
    const match = signal.pattern.exec(everything);
    if (!match) continue;
    signals.add(signal.kind);
    reasons.push(`${signal.label} ${quoted(match)}`);
  }
  const has = (kind: Signal['kind']) => signals.has(kind);
  if ((has('destructive') && (has('production_data') || has('irreversible'))) || (has('irreversible') && has('production_data')))
    return { level: 'critical', reasons };
  if (signals.size > 0 || touchesUsersOrMoney(areas)) return { level: 'high', reasons };
  const production = PRODUCTION_RE.exec(plan);
  if (production) reasons.push(`reaches production ${quoted(production)}`);
  else if (tags.includes('deployment')) reasons.push("reaches production (the mission's topic)");
  return { level: reasons.length > 0 ? 'medium' : 'low', reasons };
}

export function maxRisk(a: RiskLevel, b: RiskLevel): RiskLevel {
  return RISK_LEVELS.indexOf(a) >= RISK_LEVELS.indexOf(b) ? a : b;
}

/** A play's risk: its own rating, raised to the floor. `raised` says from what and why, when it was. */
export function raisedRisk(ownRisk: RiskLevel, floor: RiskFloor): { level: RiskLevel; raised: { from: RiskLevel; reasons: string[] } | null } {
  const level = maxRisk(ownRisk, floor.level);
  return { level, raised: level === ownRisk ? null : { from: ownRisk, reasons: floor.reasons } };
}

/** What the floor reads on a mission: its tags, the brief's objective and scope, and what the play says it will do. */
export function riskFloorOf(
  mission: { tags: readonly string[]; brief: readonly string[] },
  play: Pick<Play, 'title' | 'rationale' | 'phases' | 'undoPlan' | 'codeChangePreview'>,
): RiskFloor {
  return riskFloor({ tags: mission.tags, brief: mission.brief, plan: planLines(play) });
}
