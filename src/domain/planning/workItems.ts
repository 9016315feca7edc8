// One scope item as the planner works with it: its name, id core, verb, and whether it is docs,
// schema or critical work.
import { withoutTrailingDeadline } from '../text/deadlines.js';
import { PLANNER_ACTION_VERBS } from '../text/actionVerbs.js';
import { cut, ID_FILLER, ID_WORDS, MAX_NAME_CHARS, SMALL_WORDS, titleCase, withoutParentheticals, words } from './planText.js';

const DOCS_RE = /\b(?:readme|docs?|document(?:ation|ed|ing)?|changelog|guides?|wiki|runbooks?)\b/i;
/** Schema work: "add a users table", "drop the legacy column", "write a migration". Merely naming a table is not. */
const SCHEMA_RE = /\b(?:schemas?|migrations?|(?:add|create|drop|alter|rename|remove)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+)?(?:tables?|columns?|indexe?s?))\b/i;
const CRITICAL_RE = /\b(?:critical|urgent|blocker|blocking|p0|sev ?[01]|hotfix)\b/i;

export interface WorkItem {
  text: string;
  /** The objective stands in for scope: steps say the change in a few words of their own, not the objective again. */
  fromObjective: boolean;
  /** Title Case, for phase names and play titles. */
  name: string;
  /** snake_case without the leading verb: "jwt_refresh_logic". */
  core: string;
  /** The item's own verb ("fix"), or "change". */
  verb: string;
  docs: boolean;
  /** The item itself changes the schema, so it ships a migration. */
  schema: boolean;
  critical: boolean;
}

const PROBLEM_RE = /\b(?:reports?|reported|shows?|wrong|broken|errors?|fails?|failing|crash\w*|bug\w*|incorrect|missing|slow)\b/i;
const NAME_STOPS = new Set([
  'to',
  'in',
  'for',
  'on',
  'across',
  'from',
  'of',
  'with',
  'at',
  'by',
  'into',
  'via',
  'below',
  'above',
  'under',
  'so',
  'because',
  'when',
  'after',
  'before',
  'without',
  'and',
  'that',
  'which',
]);

/**
 * "Add dark mode to the settings page" -> "Add dark mode": the action and what it acts on, at most
 * three content words, stopping at the first preposition. Null when the text does not start with an action.
 */
function shortPhrase(plain: string): string | null {
  const ws = plain.split(/\s+/).filter(Boolean);
  if (!PLANNER_ACTION_VERBS.has((ws[0] ?? '').toLowerCase())) return null;
  const out = [ws[0]!];
  let content = 0;
  for (const w of ws.slice(1)) {
    const bare = w.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
    if (NAME_STOPS.has(bare) && content > 0) break;
    out.push(w.replace(/[,;:.]+$/, ''));
    if (!SMALL_WORDS.has(bare)) content += 1;
    if (content >= 3 || /[,;:.]$/.test(w)) break;
  }
  return content > 0 ? out.join(' ') : null;
}

export function workItem(text: string, index: number, fromObjective = false): WorkItem {
  const plain = withoutParentheticals(withoutTrailingDeadline(text)) || text;
  // An objective that is no action ("Users report the PDF shows the wrong currency") is not copied either.
  const phrase = fromObjective ? (shortPhrase(plain) ?? (PROBLEM_RE.test(plain) ? 'Fix the reported problem' : 'Make the change')) : null;
  const meaningful = words(plain).filter((w) => !ID_FILLER.has(w));
  const first = meaningful[0] ?? '';
  const verb = PLANNER_ACTION_VERBS.has(first) ? first : 'change';
  const rest = PLANNER_ACTION_VERBS.has(first) && meaningful.length > 1 ? meaningful.slice(1) : meaningful;
  let core = rest.slice(0, ID_WORDS).join('_');
  if (/^[0-9]/.test(core)) core = `n${core}`;
  return {
    text: phrase ?? withoutTrailingDeadline(text),
    fromObjective,
    name: cut(titleCase(phrase ?? plain), MAX_NAME_CHARS),
    // Items in other scripts have no latin words: number them instead.
    core: core || `item_${index + 1}`,
    verb,
    docs: DOCS_RE.test(text),
    schema: SCHEMA_RE.test(text),
    critical: CRITICAL_RE.test(text),
  };
}
