// How long something took or will take, in one rendering everywhere (Slack, SUMMARY.md, PLAN.md):
// "250ms", "18.2s", "1m 30s", "2h 5m".

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.round(ms / 100) / 10).toString()}s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  return seconds > 0 ? `${minutes}m ${seconds}s` : `${minutes}m`;
}

/** Whole minutes (estimates, a mission's duration): under one reads "under 1m", not "0ms". */
export function formatMinutes(minutes: number): string {
  return minutes < 1 ? 'under 1m' : formatDuration(minutes * 60_000);
}

/** The time between two ISO timestamps; both shown as given when they do not make a forward interval. */
export function formatElapsed(from: string, to: string): string {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? formatDuration(ms) : `from ${from} to ${to}`;
}
