// Counting and listing things in English sentences, the same way in every message and document.

/** "1 phase", "3 phases"; `pluralNoun` for irregular words ("1 play library entry", "2 entries"). */
export function plural(n: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : pluralNoun}`;
}

/** ["auth", "payments", "data"] -> "auth, payments and data". */
export function joinAnd(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
