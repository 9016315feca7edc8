// Reads the text after `/mission`: help, list, status <id>, cancel <id>, budget <id> <usd>, or else an intent.
// A single unknown word is treated as a mistyped subcommand rather than a mission, so
// "/mission stauts" does not start a mission called "stauts".
export type MissionCommandText =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'status'; missionId: string }
  | { kind: 'cancel'; missionId: string }
  | { kind: 'budget'; missionId: string; budgetUsd: string }
  | { kind: 'start'; intent: string }
  | { kind: 'usage'; problem: string };

export function parseMissionCommand(raw: string): MissionCommandText {
  const text = raw.trim();
  if (text.length === 0) return { kind: 'usage', problem: 'Say what the mission should achieve, e.g. `/mission Fix the flaky login test`.' };
  const [first = '', ...rest] = text.split(/\s+/);
  const word = first.toLowerCase();
  if (word === 'help') return { kind: 'help' };
  if (word === 'list') return { kind: 'list' };
  if (word === 'status') {
    const id = rest[0];
    return id && rest.length === 1 ? { kind: 'status', missionId: id } : { kind: 'usage', problem: 'Give one mission id: `/mission status <mission id>`.' };
  }
  // "cancel <id>" cancels; "cancel the nightly job …" is an intent like any other.
  if (word === 'cancel' && rest.length <= 1) {
    const id = rest[0];
    return id ? { kind: 'cancel', missionId: id } : { kind: 'usage', problem: 'Give the mission to cancel: `/mission cancel <mission id>`.' };
  }
  // "budget <id> <usd>" sets a mission's model budget; "budget reports for Q3 …" is an intent.
  if (word === 'budget' && (rest.length <= 2 || /^msn_/.test(rest[0] ?? ''))) {
    const [id, usd] = rest;
    return id && usd && rest.length === 2
      ? { kind: 'budget', missionId: id, budgetUsd: usd.replace(/^\$/, '') }
      : { kind: 'usage', problem: 'Give the mission and the new budget in US dollars: `/mission budget <mission id> <usd>`, e.g. `/mission budget msn_… 10`.' };
  }
  if (rest.length === 0) return { kind: 'usage', problem: `Unknown subcommand \`${first.slice(0, 50)}\`. To start a mission, describe it in a few words.` };
  return { kind: 'start', intent: text };
}
