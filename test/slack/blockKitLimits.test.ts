// The validator catches every limit it knows, and the text helpers stay inside them.
import { describe, expect, it } from 'vitest';
import type { KnownBlock, View } from '@slack/types';
import { checkBlockKitLimits, fitLines, LIMITS, truncate, type LimitRule, type SlackMessage } from '../../src/slack/blockKitLimits.js';

const x = (n: number) => 'x'.repeat(n);
const plainText = (text: string) => ({ type: 'plain_text' as const, text });
const message = (...blocks: unknown[]): SlackMessage => ({ text: 'fallback', blocks: blocks as KnownBlock[] });
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (over: Record<string, unknown> = {}) => ({ type: 'button', text: plainText('Go'), action_id: 'go', value: 'v', ...over });
const actions = (...elements: unknown[]) => ({ type: 'actions', elements });
const select = (options: unknown[], over: Record<string, unknown> = {}) => actions({ type: 'static_select', action_id: 's', options, ...over });
const option = (text: string, value = 'v', description?: string) => ({
  text: plainText(text),
  value,
  ...(description ? { description: plainText(description) } : {}),
});
const input = (element: unknown, over: Record<string, unknown> = {}) => ({ type: 'input', label: plainText('Label'), element, ...over });
const modal = (over: Record<string, unknown> = {}, blocks: unknown[] = [section('ok')]): View =>
  ({ type: 'modal', title: plainText('Title'), blocks, ...over }) as View;

const CASES: Array<[LimitRule, SlackMessage | View]> = [
  ['too_many_blocks', message(...Array.from({ length: 51 }, () => ({ type: 'divider' })))],
  [
    'too_many_blocks',
    modal(
      {},
      Array.from({ length: 101 }, () => ({ type: 'divider' })),
    ),
  ],
  ['message_text', { text: x(LIMITS.messageText + 1), blocks: [] }],
  ['empty_text', { text: ' ', blocks: [] }],
  ['empty_text', message(section(''))],
  ['text_length', message(section(x(3001)))],
  ['header_text', message({ type: 'header', text: plainText(x(151)) })],
  ['section_fields', message({ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) })],
  ['section_field_text', message({ type: 'section', fields: [{ type: 'mrkdwn', text: x(2001) }] })],
  ['section_empty', message({ type: 'section' })],
  ['context_elements', message({ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) })],
  ['actions_elements', message(actions(...Array.from({ length: 26 }, (_, i) => button({ action_id: `a${i}` }))))],
  ['block_id', message({ ...section('ok'), block_id: x(256) })],
  ['duplicate_block_id', message({ ...section('a'), block_id: 'same' }, { ...section('b'), block_id: 'same' })],
  ['action_id', message(actions(button({ action_id: x(256) })))],
  ['duplicate_action_id', message(actions(button(), button()))],
  ['button_text', message(actions(button({ text: plainText(x(76)) })))],
  ['button_value', message(actions(button({ value: x(2001) })))],
  ['url', message(actions(button({ url: `https://e.com/${x(3000)}` })))],
  ['confirm', message(actions(button({ confirm: { title: plainText(x(101)), text: plainText('t'), confirm: plainText('y'), deny: plainText('n') } })))],
  ['options', message(select(Array.from({ length: 101 }, (_, i) => option(`o${i}`, `v${i}`))))],
  ['options', message(actions({ type: 'checkboxes', action_id: 'c', options: Array.from({ length: 11 }, (_, i) => option(`o${i}`, `v${i}`)) }))],
  ['option_text', message(select([option(x(76))]))],
  ['option_value', message(select([option('o', x(151))]))],
  ['option_description', message(select([option('o', 'v', x(76))]))],
  ['placeholder', message(select([option('o')], { placeholder: plainText(x(151)) }))],
  ['input_label', modal({}, [input({ type: 'plain_text_input', action_id: 'i' }, { label: plainText(x(2001)) })])],
  ['input_hint', modal({}, [input({ type: 'plain_text_input', action_id: 'i' }, { hint: plainText(x(2001)) })])],
  ['input_length', modal({}, [input({ type: 'plain_text_input', action_id: 'i', max_length: 3001 })])],
  ['input_length', modal({}, [input({ type: 'plain_text_input', action_id: 'i', max_length: 10, initial_value: x(11) })])],
  ['view_title', modal({ title: plainText(x(25)) })],
  ['view_submit', modal({ submit: plainText(x(25)) })],
  ['view_close', modal({ close: plainText(x(25)) })],
  ['callback_id', modal({ callback_id: x(256) })],
  ['private_metadata', modal({ private_metadata: x(3001) })],
];

describe('checkBlockKitLimits', () => {
  it('accepts a message and a modal at exactly the limits', () => {
    expect(
      checkBlockKitLimits(
        message(
          { type: 'header', text: plainText(x(150)) },
          section(x(3000)),
          actions(button({ text: plainText(x(75)), value: x(2000), action_id: x(255) })),
          ...Array.from({ length: 47 }, () => ({ type: 'divider' })),
        ),
      ),
    ).toEqual([]);
    expect(
      checkBlockKitLimits(
        modal({ title: plainText(x(24)), submit: plainText(x(24)), private_metadata: x(3000) }, [
          input({ type: 'plain_text_input', action_id: 'i', max_length: 3000, initial_value: x(3000) }),
        ]),
      ),
    ).toEqual([]);
  });

  it.each(CASES.map(([rule, payload], i) => [`${rule} #${i}`, rule, payload] as const))('catches %s', (_name, rule, payload) => {
    const violations = checkBlockKitLimits(payload);
    expect(violations.map((v) => v.rule)).toContain(rule);
  });

  it('covers every rule it can report', () => {
    const rules = new Set(CASES.map(([rule]) => rule));
    const all: LimitRule[] = [
      'too_many_blocks',
      'message_text',
      'empty_text',
      'text_length',
      'header_text',
      'section_fields',
      'section_field_text',
      'section_empty',
      'context_elements',
      'actions_elements',
      'block_id',
      'duplicate_block_id',
      'action_id',
      'duplicate_action_id',
      'button_text',
      'button_value',
      'url',
      'confirm',
      'options',
      'option_text',
      'option_value',
      'option_description',
      'placeholder',
      'input_label',
      'input_hint',
      'input_length',
      'view_title',
      'view_submit',
      'view_close',
      'callback_id',
      'private_metadata',
    ];
    expect([...rules].sort()).toEqual([...all].sort());
  });

  it('says where the violation is and by how much', () => {
    expect(checkBlockKitLimits(message({ type: 'divider' }, actions(button({ text: plainText(x(80)) }))))).toEqual([
      { path: 'blocks[1].elements[0].text.text', rule: 'button_text', limit: 75, actual: 80 },
    ]);
  });
});

describe('text helpers', () => {
  it('truncate keeps to the limit with an ellipsis and never splits an emoji or an entity', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate(x(20), 10)).toBe(`${x(9)}…`);
    expect(truncate('ab😀😀😀', 5).length).toBeLessThanOrEqual(5);
    expect(truncate('ab😀😀😀', 5)).toBe('ab😀…');
    expect(truncate('aaaa &amp; bbbb', 8)).toBe('aaaa …');
    expect(truncate('see <@U123', 9)).toBe('see …');
  });

  it('fitLines shows whole lines and says how many it left out', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i} ${x(50)}`);
    const fitted = fitLines(lines, 1000, { head: '*Head*', noun: 'lines', pointer: '(see `/mission status msn_1`)' });
    expect(fitted.text.length).toBeLessThanOrEqual(1000);
    expect(fitted.text).toMatch(new RegExp(`…and ${fitted.omitted} more lines \\(see \`/mission status msn_1\`\\)$`));
    expect(fitted.shown + fitted.omitted).toBe(100);
    expect(fitLines(['a', 'b'], 100).text).toBe('a\nb');
    const one = fitLines([x(5000)], 3000, { head: 'H' });
    expect(one.text.length).toBeLessThanOrEqual(3000);
    expect(one.shown).toBe(1);
  });
});
