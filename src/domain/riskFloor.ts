// The risk floor: the least risk a plan can carry, read from what the plan and the brief say
// they will do. The assistant rates its own play; this floor is computed here and cannot be
// lowered by it. An approval request's risk is the higher of the two, and records why.
import type { RiskLevel } from './plays.js';
import { RISK_LEVELS } from './plays.js';

export interface RiskFloorInput {
  /** The brief's objective and scope. */
  brief: readonly string[];
  /** The play's title, rationale, phase names, step titles and files it will change. */
  plan: readonly string[];
}

export interface RiskFloor {
  level: RiskLevel;
  /** Why, in words a reviewer reads: "destructive operation (\"drop\")". Empty at low. */
  reasons: string[];
}

interface Signal {
  area: 'destructive' | 'production' | 'auth' | 'payment' | 'irreversible';
  label: string;
  pattern: RegExp;
}

// Word-bounded, case-insensitive. Kept short and specific: a floor that fires on everything
// would make every request high risk and teach people to ignore it.
const SIGNALS: readonly Signal[] = [
  { area: 'destructive', label: 'destructive operation', pattern: /\b(drop(?:s|ping|ped)?|truncat\w*|purg\w*|wip(?:e|es|ing|ed)|destroy\w*|delet(?:e|es|ing|ed)\s+(?:all|every|the\s+\w+\s+(?:table|database|bucket|data))|rm\s+-rf|force[- ]push\w*)\b/i },
  { area: 'production', label: 'production data', pattern: /\b(production|prod\s+(?:db|database|data)|live\s+data|customer\s+data|user\s+data|users\s+table|pii)\b/i },
  { area: 'auth', label: 'authentication or authorization', pattern: /\b(auth\w*|login|log-in|passwords?|credentials?|secrets?|oauth|sso|saml|jwt|sessions?|permissions?|rbac)\b/i },
  { area: 'payment', label: 'payments or billing', pattern: /\b(payments?|billing|invoices?|stripe|refunds?|charges?|card\s+numbers?|checkout|payouts?)\b/i },
  { area: 'irreversible', label: 'irreversible step', pattern: /\b(irreversibl\w*|cannot\s+be\s+undone|can't\s+be\s+undone|no\s+rollback|without\s+(?:a\s+)?rollback|permanent(?:ly)?|(?:purg\w*|delet\w*|drop\w*|wip\w*|destroy\w*)\s+(?:\w+\s+){0,2}backups?)\b/i },
];

const rank = (level: RiskLevel) => RISK_LEVELS.indexOf(level);

export function maxRisk(a: RiskLevel, b: RiskLevel): RiskLevel {
  return rank(a) >= rank(b) ? a : b;
}

/**
 * High when the work touches destructive operations, production data, auth or payments, or
 * an irreversible step; critical when a destructive or irreversible step meets production data,
 * or a destructive step is irreversible ("purge backups").
 */
export function riskFloor(input: RiskFloorInput): RiskFloor {
  const everything = [...input.brief, ...input.plan].join('\n');
  const plan = input.plan.join('\n');
  const found = new Map<Signal['area'], string>();
  for (const signal of SIGNALS) {
    // What the work does (destroy, touch production, cannot undo) counts wherever it is said; an
    // area (auth, payments) counts when the plan changes it, not when the brief only describes the problem.
    const match = signal.pattern.exec(signal.area === 'auth' || signal.area === 'payment' ? plan : everything);
    if (match) found.set(signal.area, `${signal.label} ("${match[0].slice(0, 40)}")`);
  }
  if (found.size === 0) return { level: 'low', reasons: [] };
  const has = (area: Signal['area']) => found.has(area);
  const critical = (has('destructive') && (has('production') || has('irreversible'))) || (has('irreversible') && has('production'));
  return { level: critical ? 'critical' : 'high', reasons: [...found.values()] };
}

/** The request's risk: the play's own, raised to the floor. `raised` says from what and why, when it was. */
export function requestRisk(playRisk: RiskLevel, floor: RiskFloor): { level: RiskLevel; raised: { from: RiskLevel; reasons: string[] } | null } {
  const level = maxRisk(playRisk, floor.level);
  return { level, raised: level === playRisk ? null : { from: playRisk, reasons: floor.reasons } };
}
