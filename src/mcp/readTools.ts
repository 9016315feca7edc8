// The read-only tools (registered even with --read-only): list_missions, get_mission, search_library, verify_event_log.
import { z } from 'zod';
import { listMissionsInput, missionRefInput, searchLibraryInput, verifyEventLogInput } from '../domain/missionInputs.js';
import { missionSummaryView, missionView, viewMission, viewSummary, describeNext } from './missionView.js';
import { defineTool, type McpContext, type ToolSpec } from './toolRegistry.js';

const libraryMatchView = z.object({
  entryId: z.string(),
  title: z.string(),
  tags: z.array(z.string()),
  matchedTags: z.array(z.string()),
  rating: z.number(),
  reuseScore: z.number(),
  note: z.string(),
  missionId: z.string(),
  pinnedAt: z.string(),
  phases: z.array(z.object({ id: z.string(), name: z.string(), steps: z.number().int() })),
});

export function readTools(context: McpContext): ToolSpec[] {
  const { service } = context;
  const listMissions = defineTool({
    name: 'list_missions',
    title: 'List missions',
    description:
      'Lists missions, most recently updated first. Filter by state (defining, preparing, planning, awaiting_approval, executing, reflecting, done, cancelled, rolled_back, failed), requesterId (a Slack user id or token name) and text (matches title or intent). Pass nextCursor back as cursor for the next page.',
    input: listMissionsInput,
    output: z.object({ missions: z.array(missionSummaryView), nextCursor: z.string().nullable() }),
    readOnly: true,
    async run(input) {
      const page = await service.listMissions(input);
      const missions = page.missions.map(viewSummary);
      const lines = missions.map((m) => `- ${m.id} [${m.state}] ${m.title}`);
      const more = page.nextCursor ? `\nMore: call again with cursor "${page.nextCursor}".` : '';
      return {
        summary: `${missions.length} mission(s).${lines.length > 0 ? `\n${lines.join('\n')}` : ''}${more}`,
        result: { missions, nextCursor: page.nextCursor },
      };
    },
  });

  const getMission = defineTool({
    name: 'get_mission',
    title: 'Get a mission',
    description:
      'Reads one mission: brief chips, toolkits and coverage, ranked plays, approval state, execution phases with gates and alerts, evidence summary (sha256 per artifact), reflection, and next: what can be done next and by whom (a person in Slack or the assistant, with the tool to use).',
    input: missionRefInput,
    output: missionView,
    readOnly: true,
    async run(input) {
      const mission = await service.getMission(input);
      const view = viewMission(mission);
      return { summary: `${mission.title}\n${describeNext(mission)}`, result: view };
    },
  });

  const searchLibrary = defineTool({
    name: 'search_library',
    title: 'Search the play library',
    description:
      'Finds plays pinned to the library after well-rated missions, by tags (most shared tags first) or text (title or note). precedentCount is how many entries share a tag with the query: the precedent the planner scores plays with.',
    input: searchLibraryInput,
    output: z.object({ matches: z.array(libraryMatchView), precedentCount: z.number().int() }),
    readOnly: true,
    async run(input) {
      const found = await service.searchLibrary(input);
      const matches = found.map((m) => ({
        entryId: m.entry.id,
        title: m.entry.title,
        tags: [...m.entry.tags],
        matchedTags: [...m.matchedTags],
        rating: m.entry.rating,
        reuseScore: m.entry.reuseScore,
        note: m.entry.note,
        missionId: m.entry.missionId,
        pinnedAt: m.entry.pinnedAt,
        phases: m.entry.play.phases.map((p) => ({ id: p.id, name: p.name, steps: p.steps.length })),
      }));
      const precedentCount = found.filter((m) => m.matchedTags.length > 0).length;
      const lines = matches.map((m) => `- ${m.title} (rated ${m.rating}/5; tags ${m.tags.join(', ')})`);
      return {
        summary: `${matches.length} library play(s), precedent ${precedentCount}.${lines.length > 0 ? `\n${lines.join('\n')}` : ''}`,
        result: { matches, precedentCount },
      };
    },
  });

  const verifyEventLog = defineTool({
    name: 'verify_event_log',
    title: "Verify a mission's event log",
    description:
      "Checks the mission's hash-chained event log against its recorded head. By default it is incremental: it reads only the events after the last verified checkpoint and proves that they are intact, link back to the checkpointed hash, and end at the mission's recorded head, and that the checkpoint's own event is unchanged; it does not re-read the events before the checkpoint, so a change made to those since it was recorded is not detected. full: true re-reads every event from the first and detects any change anywhere in the log. A check that passes records a new checkpoint. checkedFromSeq says where this check started (0: the first event).",
    input: verifyEventLogInput,
    output: z.object({
      ok: z.boolean(),
      eventCount: z.number().int(),
      checkedFromSeq: z.number().int().describe('The check covered the events after this seq (0: every event, a full check).'),
      headHash: z.string().nullable().describe('The hash of the last event, when the chain holds.'),
      brokenAtSeq: z.number().int().nullable(),
      reason: z.string().nullable(),
    }),
    readOnly: true,
    async run(input) {
      const check = await service.verifyEventLog(input);
      const covered = check.checkedFromSeq === 0 ? 'every event' : `the events after ${check.checkedFromSeq} (the last checkpoint)`;
      return {
        summary: check.ok
          ? `The event log is intact: ${check.eventCount} events, checked ${covered}.`
          : `The event log is broken at event ${check.brokenAtSeq}: ${check.reason}. Checked ${covered}.`,
        result: {
          ok: check.ok,
          eventCount: check.eventCount,
          checkedFromSeq: check.checkedFromSeq,
          headHash: check.ok ? check.headHash : null,
          brokenAtSeq: check.ok ? null : check.brokenAtSeq,
          reason: check.ok ? null : check.reason,
        },
      };
    },
  });

  return [listMissions, getMission, searchLibrary, verifyEventLog];
}
