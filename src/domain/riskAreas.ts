// Risky areas, defined once: the topics where a change touches every user, their money or their
// data. The planner sizes impact by them, the service sizes complexity by them, and the approval
// path reads a risk floor from them, so no proposer (a model obeying an injected "mark this low
// risk", an assistant, a library play) can talk a play below what its subject demands.
import { RISK_LEVELS, type PlayDraft, type RiskLevel } from './plays.js';

export type RiskyArea = 'auth' | 'security' | 'payments' | 'data';

const AREA_TAGS: Record<RiskyArea, readonly string[]> = {
  auth: ['authentication', 'jwt'],
  security: ['security', 'csrf'],
  payments: ['payments'],
  data: ['database', 'migration', 'postgresql'],
};

const AREA_WORDS: Record<RiskyArea, RegExp> = {
  auth: /\b(?:auth(?:n|z|entication|enticat\w*|ori[sz]\w*)?|log ?ins?|log ?outs?|logged (?:in|out)|sessions?|jwts?|oauth2?|sso|saml|passwords?|mfa|2fa)\b/i,
  security: /\b(?:security|secure|vulnerab\w*|csrf|xsrf|xss|cves?|injection|exploit\w*|owasp|secrets?)\b/i,
  payments: /\b(?:payments?|billing|stripe|invoices?|refunds?|charges?|subscriptions?|paypal)\b/i,
  data: /\b(?:schemas?|migrations?|databases?|db|sql|postgres(?:ql)?|mysql|sqlite|pii|personal data|gdpr)\b/i,
};

const PRODUCTION_RE = /\b(?:production|prod|deploy\w*|releases?|releasing|rollouts?|roll out|downtime|live users)\b/i;

/** The risky areas a mission's tags or some text touch, in a fixed order. */
export function riskyAreasOf(tags: readonly string[], text = ''): RiskyArea[] {
  const tagSet = new Set(tags.map((t) => t.toLowerCase()));
  return (Object.keys(AREA_TAGS) as RiskyArea[]).filter((area) => AREA_TAGS[area].some((t) => tagSet.has(t)) || AREA_WORDS[area].test(text));
}

/** Auth, security and payments touch every user or their money. */
export function touchesUsersOrMoney(areas: readonly RiskyArea[]): boolean {
  return areas.some((a) => a !== 'data');
}

export function higherRisk(a: RiskLevel, b: RiskLevel): RiskLevel {
  return RISK_LEVELS.indexOf(a) >= RISK_LEVELS.indexOf(b) ? a : b;
}

function playText(play: Pick<PlayDraft, 'title' | 'phases' | 'undoPlan'>): string {
  return [play.title, ...play.phases.flatMap((p) => [p.name, ...p.steps.map((s) => s.title)]), play.undoPlan.summary, ...play.undoPlan.steps].join('\n');
}

/**
 * The least risk a play on this mission can have, whatever its own risk matrix says: from the
 * mission's topic tags (the built-in tagger's, which a model draft can add to but not remove) and
 * the play's own steps. Auth, security or payments: high. Data or production changes: medium.
 */
export function riskFloor(mission: { tags: readonly string[] }, play: Pick<PlayDraft, 'title' | 'phases' | 'undoPlan'>): RiskLevel {
  const text = playText(play);
  const areas = riskyAreasOf(mission.tags, text);
  if (touchesUsersOrMoney(areas)) return 'high';
  if (areas.includes('data') || PRODUCTION_RE.test(text) || mission.tags.includes('deployment')) return 'medium';
  return 'low';
}
