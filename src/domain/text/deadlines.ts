// Deadlines in people's words: "by Friday", "within 8 hours", "before end of sprint". One grammar
// for the drafter (which lifts them into the brief's timeline) and the planner (which leaves them
// out of step names and weighs its estimate against the time they leave).

const DAY = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri)';
const MONTH = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const WHEN =
  `(?:(?:the\\s+)?end\\s+of\\s+(?:the\\s+)?(?:day|week|month|sprint|quarter|year)|eod|eow|cob|` +
  `tomorrow(?:\\s+(?:morning|afternoon|evening|night))?|tonight|today|` +
  `(?:this|next)\\s+(?:week|month|sprint|quarter|${DAY})|` +
  `${DAY}(?:\\s+(?:morning|afternoon|evening|eod|noon))?|` +
  `${MONTH}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+\\d{4})?|` +
  `\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}(?:,?\\s+\\d{4})?|` +
  `\\d{4}-\\d{2}-\\d{2}|\\d{1,2}\\/\\d{1,2}(?:\\/\\d{2,4})?|q[1-4](?:\\s+\\d{4})?)`;
// Minutes are not a deadline unit: "alerts within 5 minutes" is a requirement, not a due date.
const DURATION =
  '(?:\\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a couple of|a few)\\s+(?:business\\s+|working\\s+)?(?:hours?|hrs?|days?|weeks?|months?|sprints?)';
const BY_SRC = `(?<![\\p{L}])(by|before|until|no later than)\\s+(${WHEN})(?![\\p{L}\\d])`;
const WITHIN_SRC = `(?<![\\p{L}])(within|in)\\s+(?:the\\s+next\\s+)?(${DURATION})(?![\\p{L}])`;
const BY_RE = new RegExp(BY_SRC, 'iu');
const WITHIN_RE = new RegExp(WITHIN_SRC, 'iu');
const LOOSE_TIME_RE = new RegExp(`(?<![\\p{L}\\d])(?:${WHEN}|\\d+\\s*(?:hours?|hrs?|days?|weeks?|months?|sprints?))(?![\\p{L}\\d])`, 'iu');
const ANY_DEADLINE_RE = new RegExp(`(?:${BY_SRC}|${WITHIN_SRC}|(?<![\\p{L}])(?:on|at|for|due)?\\s*(?<![\\p{L}\\d])(?:${WHEN})(?![\\p{L}\\d]))`, 'giu');
const TRAILING_DEADLINE_RE = new RegExp(`\\s+(?:${BY_SRC}|${WITHIN_SRC})\\s*$`, 'iu');
const NAMED_TIME_WORD = new RegExp(`^(?:${DAY}|${MONTH})$`, 'i');

/** Whether the text names a time at all ("by Friday", "in 2 weeks", "Q3", "72 hours"). */
export function mentionsDeadline(text: string): boolean {
  return BY_RE.test(text) || WITHIN_RE.test(text) || LOOSE_TIME_RE.test(text);
}

/** "We need this by friday" -> ["Complete by Friday"]; "within 8 hours" -> ["Complete within 8 hours"]. */
export function deadlinePhrases(text: string): string[] {
  const out: string[] = [];
  const by = BY_RE.exec(text);
  if (by) out.push(`Complete ${(by[1] ?? 'by').toLowerCase()} ${capitaliseNames(by[2] ?? '')}`);
  const within = WITHIN_RE.exec(text);
  if (within) out.push(`Complete ${(within[1] ?? 'within').toLowerCase()} ${within[2] ?? ''}`);
  return out;
}

/** The text with every time phrase taken out (whitespace left for the caller to tidy). */
export function withoutDeadlines(text: string): string {
  return text
    .replace(ANY_DEADLINE_RE, ' ')
    .replace(/\s+(?:by|before|until|within|in|on|at|for|due)\s*$/i, '')
    .replace(/\s+/g, ' ');
}

/** What an item says to do, without the deadline at its end: "Update X within 4 hours" -> "Update X". */
export function withoutTrailingDeadline(text: string): string {
  return text.replace(TRAILING_DEADLINE_RE, '').trim() || text;
}

const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  twelve: 12,
};

/** Time a timeline leaves, in working minutes (a day counts 8 hours, a week 40); null when it names no duration. */
export function workingMinutesLeft(timeline: string | null): number | null {
  if (!timeline) return null;
  let minutes = 0;
  const durationRe =
    /\b(\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s*(hours?|hrs?|h|minutes?|mins?|(?:working |business )?days?|weeks?)\b/gi;
  for (const m of timeline.matchAll(durationRe)) {
    const raw = (m[1] ?? '').toLowerCase();
    const n = NUMBER_WORDS[raw] ?? Number(raw);
    const unit = (m[2] ?? '').toLowerCase();
    if (/^(?:h|hrs?|hours?)$/.test(unit)) minutes += n * 60;
    else if (/^min/.test(unit)) minutes += n;
    else if (/days?$/.test(unit)) minutes += n * 8 * 60;
    else minutes += n * 40 * 60;
  }
  if (minutes > 0) return Math.round(minutes);
  if (/\b(?:end of (?:the )?day|eod|cob|today|tonight)\b/i.test(timeline)) return 8 * 60;
  return null;
}

/** "friday" -> "Friday", "oct" -> "Oct": day and month names read as names. */
function capitaliseNames(phrase: string): string {
  return phrase
    .split(/(\s+)/)
    .map((w) => (NAMED_TIME_WORD.test(w.replace(/[.,]$/, '')) ? w.charAt(0).toUpperCase() + w.slice(1).toLowerCase() : w))
    .join('');
}
