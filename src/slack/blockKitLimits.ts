// Slack's Block Kit limits, the text helpers that keep builders inside them, and a validator
// that lists every violation. Slack rejects a whole message or view over a single broken limit,
// so builders truncate (and say what they left out) and tests run every output through here.
import type { KnownBlock, View } from '@slack/types';

/** Limits from the Block Kit reference (docs.slack.dev/reference/block-kit). Lengths are characters. */
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  /** Notification fallback; Slack truncates past 40,000, we keep it short so it reads as a notification. */
  messageText: 4000,
  blockId: 255,
  actionId: 255,
  text: 3000,
  headerText: 150,
  sectionFields: 10,
  sectionFieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  selectOptions: 100,
  checkboxOptions: 10,
  radioOptions: 10,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  placeholder: 150,
  inputLabel: 2000,
  inputHint: 2000,
  plainTextInputLength: 3000,
  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  callbackId: 255,
  privateMetadata: 3000,
} as const;

export interface SlackMessage {
  /** Notification and accessibility fallback. */
  text: string;
  blocks: KnownBlock[];
}

/** Cuts `text` to at most `max` characters (UTF-16 units, which never undercount), ending with "…". */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length + 1 > max) break;
    out += ch;
  }
  // Never leave half an HTML entity or a dangling Slack link/mention opener behind.
  out = out.replace(/&[a-z]{0,4}$/i, '').replace(/<[^>]*$/, '');
  return `${out}…`;
}

/** Slack mrkdwn treats &, < and > as control characters: user text must not open links or mentions. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Joins as many whole lines as fit in `max` characters (with `head` first), and ends with
 * "…and N more <noun>" plus `pointer` when some were left out. A line longer than the space
 * left is truncated rather than dropped when it is the first one.
 */
export function fitLines(
  lines: readonly string[],
  max: number,
  opts: { head?: string; noun?: string; pointer?: string } = {},
): { text: string; shown: number; omitted: number } {
  const head = opts.head ?? '';
  const noun = opts.noun ? ` ${opts.noun}` : '';
  const more = (n: number) => `\n…and ${n} more${noun}${opts.pointer ? ` ${opts.pointer}` : ''}`;
  let text = head;
  let shown = 0;
  for (let i = 0; i < lines.length; i++) {
    const sep = text.length > 0 ? '\n' : '';
    const left = lines.length - i - 1;
    const reserve = left > 0 ? more(lines.length).length : 0;
    const line = lines[i]!;
    if (text.length + sep.length + line.length + reserve <= max) {
      text += sep + line;
      shown++;
      continue;
    }
    // Not even one line fits whole: show a cut version of it so the section is never empty.
    if (shown === 0) {
      const room = max - text.length - sep.length - more(lines.length).length;
      if (room > 20) {
        text += sep + truncate(line, room);
        shown++;
      }
    }
    break;
  }
  const omitted = lines.length - shown;
  if (omitted > 0) text += more(omitted);
  return { text, shown, omitted };
}

// ---- The validator ----------------------------------------------------------------------

export type LimitRule =
  | 'too_many_blocks'
  | 'message_text'
  | 'empty_text'
  | 'text_length'
  | 'header_text'
  | 'section_fields'
  | 'section_field_text'
  | 'section_empty'
  | 'context_elements'
  | 'actions_elements'
  | 'block_id'
  | 'duplicate_block_id'
  | 'action_id'
  | 'duplicate_action_id'
  | 'button_text'
  | 'button_value'
  | 'url'
  | 'confirm'
  | 'options'
  | 'option_text'
  | 'option_value'
  | 'option_description'
  | 'placeholder'
  | 'input_label'
  | 'input_hint'
  | 'input_length'
  | 'view_title'
  | 'view_submit'
  | 'view_close'
  | 'callback_id'
  | 'private_metadata';

export interface BlockKitViolation {
  /** JSON path of the offending value, e.g. "blocks[3].accessory.text.text". */
  path: string;
  rule: LimitRule;
  limit: number;
  actual: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

class Checker {
  readonly violations: BlockKitViolation[] = [];

  max(path: string, rule: LimitRule, value: number, limit: number): void {
    if (value > limit) this.violations.push({ path, rule, limit, actual: value });
  }

  length(path: string, rule: LimitRule, value: unknown, limit: number): void {
    if (typeof value === 'string') this.max(path, rule, value.length, limit);
  }

  /** A text object: present, non-empty, within `limit`. */
  textObject(path: string, obj: unknown, limit: number, rule: LimitRule = 'text_length'): void {
    if (!isObject(obj)) return;
    const text = str(obj.text);
    if (text.trim().length === 0) this.violations.push({ path: `${path}.text`, rule: 'empty_text', limit: 1, actual: 0 });
    this.max(`${path}.text`, rule, text.length, limit);
  }

  blocks(path: string, blocks: unknown[], limit: number): void {
    this.max(path, 'too_many_blocks', blocks.length, limit);
    const blockIds = new Map<string, number>();
    blocks.forEach((block, i) => {
      if (!isObject(block)) return;
      const at = `${path}[${i}]`;
      if (typeof block.block_id === 'string') {
        this.length(`${at}.block_id`, 'block_id', block.block_id, LIMITS.blockId);
        if (blockIds.has(block.block_id)) this.violations.push({ path: `${at}.block_id`, rule: 'duplicate_block_id', limit: 1, actual: 2 });
        blockIds.set(block.block_id, i);
      }
      this.block(at, block);
    });
  }

  block(at: string, block: Json): void {
    switch (block.type) {
      case 'header':
        this.textObject(`${at}.text`, block.text, LIMITS.headerText, 'header_text');
        break;
      case 'section': {
        if (block.text !== undefined) this.textObject(`${at}.text`, block.text, LIMITS.text);
        const fields = arr(block.fields);
        if (block.text === undefined && fields.length === 0) this.violations.push({ path: at, rule: 'section_empty', limit: 1, actual: 0 });
        this.max(`${at}.fields`, 'section_fields', fields.length, LIMITS.sectionFields);
        for (const [j, f] of fields.entries()) this.textObject(`${at}.fields[${j}]`, f, LIMITS.sectionFieldText, 'section_field_text');
        if (isObject(block.accessory)) this.elements(`${at}`, [block.accessory], 'accessory');
        break;
      }
      case 'context': {
        const elements = arr(block.elements);
        this.max(`${at}.elements`, 'context_elements', elements.length, LIMITS.contextElements);
        elements.forEach((e, j) => {
          if (isObject(e) && (e.type === 'mrkdwn' || e.type === 'plain_text')) this.textObject(`${at}.elements[${j}]`, e, LIMITS.text);
        });
        break;
      }
      case 'actions': {
        const elements = arr(block.elements);
        this.max(`${at}.elements`, 'actions_elements', elements.length, LIMITS.actionsElements);
        this.elements(at, elements, 'elements');
        break;
      }
      case 'input':
        this.textObject(`${at}.label`, block.label, LIMITS.inputLabel, 'input_label');
        if (block.hint !== undefined) this.textObject(`${at}.hint`, block.hint, LIMITS.inputHint, 'input_hint');
        if (isObject(block.element)) this.elements(at, [block.element], 'element');
        break;
      default:
        break;
    }
  }

  /** Elements of one block: action ids must be unique within the block. */
  elements(at: string, elements: unknown[], key: string): void {
    const actionIds = new Set<string>();
    elements.forEach((element, j) => {
      if (!isObject(element)) return;
      const path = key === 'elements' ? `${at}.elements[${j}]` : `${at}.${key}`;
      if (typeof element.action_id === 'string') {
        this.length(`${path}.action_id`, 'action_id', element.action_id, LIMITS.actionId);
        if (actionIds.has(element.action_id)) this.violations.push({ path: `${path}.action_id`, rule: 'duplicate_action_id', limit: 1, actual: 2 });
        actionIds.add(element.action_id);
      }
      this.element(path, element);
    });
  }

  element(path: string, element: Json): void {
    if (element.placeholder !== undefined) this.textObject(`${path}.placeholder`, element.placeholder, LIMITS.placeholder, 'placeholder');
    if (isObject(element.confirm)) this.confirm(`${path}.confirm`, element.confirm);
    switch (element.type) {
      case 'button':
        this.textObject(`${path}.text`, element.text, LIMITS.buttonText, 'button_text');
        this.length(`${path}.value`, 'button_value', element.value, LIMITS.buttonValue);
        this.length(`${path}.url`, 'url', element.url, LIMITS.url);
        break;
      case 'static_select':
      case 'multi_static_select':
        this.options(path, element, LIMITS.selectOptions);
        break;
      case 'checkboxes':
        this.options(path, element, LIMITS.checkboxOptions);
        break;
      case 'radio_buttons':
        this.options(path, element, LIMITS.radioOptions);
        break;
      case 'overflow':
        this.options(path, element, 5);
        break;
      case 'plain_text_input': {
        const maxLength = typeof element.max_length === 'number' ? element.max_length : LIMITS.plainTextInputLength;
        this.max(`${path}.max_length`, 'input_length', maxLength, LIMITS.plainTextInputLength);
        if (typeof element.min_length === 'number') this.max(`${path}.min_length`, 'input_length', element.min_length, LIMITS.plainTextInputLength);
        this.length(`${path}.initial_value`, 'input_length', element.initial_value, Math.min(maxLength, LIMITS.plainTextInputLength));
        break;
      }
      default:
        break;
    }
  }

  options(path: string, element: Json, limit: number): void {
    const options = arr(element.options);
    this.max(`${path}.options`, 'options', options.length, limit);
    const check = (list: unknown[], at: string) =>
      list.forEach((o, k) => {
        if (!isObject(o)) return;
        this.textObject(`${at}[${k}].text`, o.text, LIMITS.optionText, 'option_text');
        this.length(`${at}[${k}].value`, 'option_value', o.value, LIMITS.optionValue);
        if (o.description !== undefined) this.textObject(`${at}[${k}].description`, o.description, LIMITS.optionDescription, 'option_description');
      });
    check(options, `${path}.options`);
    check(arr(element.initial_options), `${path}.initial_options`);
  }

  confirm(path: string, confirm: Json): void {
    this.textObject(`${path}.title`, confirm.title, LIMITS.confirmTitle, 'confirm');
    this.textObject(`${path}.text`, confirm.text, LIMITS.confirmText, 'confirm');
    this.textObject(`${path}.confirm`, confirm.confirm, LIMITS.confirmButton, 'confirm');
    this.textObject(`${path}.deny`, confirm.deny, LIMITS.confirmButton, 'confirm');
  }
}

/** Every Block Kit limit `payload` breaks; an empty list means Slack will accept it (as far as limits go). */
export function checkBlockKitLimits(payload: SlackMessage | View): BlockKitViolation[] {
  const checker = new Checker();
  const p = payload as unknown as Json;
  if (p.type === 'modal' || p.type === 'home') {
    checker.blocks('blocks', arr(p.blocks), LIMITS.viewBlocks);
    if (p.type === 'modal') {
      checker.textObject('title', p.title, LIMITS.viewTitle, 'view_title');
      if (p.submit !== undefined) checker.textObject('submit', p.submit, LIMITS.viewSubmit, 'view_submit');
      if (p.close !== undefined) checker.textObject('close', p.close, LIMITS.viewClose, 'view_close');
    }
    checker.length('callback_id', 'callback_id', p.callback_id, LIMITS.callbackId);
    checker.length('private_metadata', 'private_metadata', p.private_metadata, LIMITS.privateMetadata);
  } else {
    checker.blocks('blocks', arr(p.blocks), LIMITS.messageBlocks);
    const text = str(p.text);
    if (text.trim().length === 0) checker.violations.push({ path: 'text', rule: 'empty_text', limit: 1, actual: 0 });
    checker.max('text', 'message_text', text.length, LIMITS.messageText);
  }
  return checker.violations;
}
