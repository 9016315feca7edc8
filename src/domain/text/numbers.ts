// Numbers as people read them, the same in Slack, MCP text and the Markdown exports.

/** A fraction as a percentage with at most one decimal: 0.875 -> "87.5%", 0.9 -> "90%". */
export function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}

/** A signed count: 3 -> "+3", -2 -> "-2", 0 -> "0". */
export function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
