// UAT.md in the GSD format: one test case per observable truth and per acceptance criterion the
// truths do not already state, each with the prompt a person tries, the expected result, and the
// result they recorded; then the issues found and the sign-off. Pure function of mission state.
import { actorName } from '../actors.js';
import type { Mission } from '../mission.js';
import { plural } from '../text/englishLists.js';
import { uatItems, uatResults, type UatResult } from '../verification.js';
import { yamlFrontmatter } from './frontmatter.js';
import { code, heading, inline, render, type Block } from './markdown.js';
import { choosePlan, compareTime } from './missionOutline.js';

export type UatStatus = 'passed' | 'issues_found' | 'pending';

export function uatMarkdown(mission: Mission): string {
  const executed = mission.execution ? (mission.plays.find((p) => p.id === mission.execution!.playId) ?? null) : null;
  const play = mission.execution ? executed : (choosePlan(mission.plays)?.play ?? null);
  const items = uatItems(mission, play);
  const results = uatResults(mission);
  const recorded = items.map((item) => results.get(item.id)).filter((r): r is UatResult => r !== undefined);
  const failed = items.filter((item) => results.get(item.id)?.outcome === 'fail');
  const pending = items.filter((item) => !results.has(item.id));
  const status: UatStatus = failed.length > 0 ? 'issues_found' : pending.length > 0 || items.length === 0 ? 'pending' : 'passed';
  const latest = [...recorded].sort((a, b) => compareTime(b.at, a.at))[0] ?? null;
  const testers = [...new Set(recorded.map((r) => actorName(r.by)))];

  const blocks: Block[] = [
    yamlFrontmatter({
      mission: mission.id,
      mission_version: mission.version,
      title: mission.title,
      play: play?.id ?? null,
      status,
      tested_by: testers.length > 0 ? testers.join(', ') : null,
      tested_at: latest?.at ?? null,
      items: items.length,
      passed: items.length - failed.length - pending.length,
      failed: failed.length,
      pending: pending.length,
    }),
    heading(1, `UAT: ${mission.title}`),
    [
      items.length === 0
        ? 'Nothing to test: the play states no observable truths and the brief no acceptance criteria.'
        : `${plural(items.length, 'test case')} from the play's observable truths and the brief's acceptance criteria. A person marks each one Pass or Fail, with a note, in the mission thread's UAT message.`,
    ],
    heading(2, 'Test cases'),
    ...items.flatMap((item, i): Block[] => {
      const result = results.get(item.id);
      return [
        heading(3, `${i + 1}. ${item.statement}`),
        [
          `**Source:** ${item.source === 'truth' ? 'observable truth' : 'acceptance criterion'} (${code(item.id)})`,
          `**Prompt:** ${inline(`"${item.prompt}"`)}`,
          `**Expected:** ${inline(item.expected)}`,
          `**Result:** ${result ? result.outcome.toUpperCase() : 'PENDING'}`,
          result ? `**Notes:** ${inline(result.note || '(none)')} (${inline(actorName(result.by))}, ${result.at})` : '**Notes:** not tested yet',
        ].flatMap((line, j, all) => (j < all.length - 1 ? [`${line}  `] : [line])),
      ];
    }),
    heading(2, 'Issues found'),
    failed.length === 0
      ? ['None.']
      : failed.map((item) => {
          const result = results.get(item.id)!;
          const becomes =
            item.source === 'truth'
              ? 'a gap: the mission cannot complete until it passes on a re-test'
              : `follow-up ${result.followUpId ? code(result.followUpId) : '(not recorded)'}`;
          return `- ${inline(item.statement)}: ${inline(result.note)} (${becomes})`;
        }),
    heading(2, 'Sign-off'),
    [
      status === 'passed'
        ? `Signed off: every test case passed (${testers.join(', ')}, last at ${latest!.at}).`
        : status === 'issues_found'
          ? `Not signed off: ${plural(failed.length, 'test case')} failed${pending.length > 0 ? ` and ${pending.length} not tested yet` : ''}.`
          : items.length === 0
            ? 'Nothing to sign off.'
            : `Not signed off: ${plural(pending.length, 'test case')} not tested yet.`,
    ],
  ];
  return render(blocks);
}
