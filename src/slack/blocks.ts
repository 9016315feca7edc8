// Small Block Kit constructors that clamp every text to its limit, so a builder can pass
// any mission text and still produce a block Slack accepts.
import type {
  ActionsBlock,
  ActionsBlockElement,
  Button,
  ConfirmationDialog,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  MrkdwnElement,
  PlainTextElement,
  SectionBlock,
  SectionBlockAccessory,
} from '@slack/types';
import { encodeActionValue, type ActionId, type ActionValue } from './actionIds.js';
import { LIMITS, truncate } from './blockKitLimits.js';

export const plain = (text: string, max: number = LIMITS.text): PlainTextElement => ({ type: 'plain_text', text: truncate(text, max), emoji: true });
export const mrkdwn = (text: string, max: number = LIMITS.text): MrkdwnElement => ({ type: 'mrkdwn', text: truncate(text, max) });

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plain(text, LIMITS.headerText) };
}

export function section(text: string, accessory?: SectionBlockAccessory, blockId?: string): SectionBlock {
  return { type: 'section', text: mrkdwn(text), ...(accessory ? { accessory } : {}), ...(blockId ? { block_id: blockId } : {}) };
}

/** Label/value pairs as section fields (at most 10, each at most 2000 characters). */
export function fieldsSection(fields: readonly string[]): SectionBlock {
  return { type: 'section', fields: fields.slice(0, LIMITS.sectionFields).map((f) => mrkdwn(f, LIMITS.sectionFieldText)) };
}

export function context(texts: readonly string[]): ContextBlock {
  return {
    type: 'context',
    elements: texts
      .filter((t) => t.length > 0)
      .slice(0, LIMITS.contextElements)
      .map((t) => mrkdwn(t)),
  };
}

export const divider = (): DividerBlock => ({ type: 'divider' });

export function confirmDialog(title: string, text: string, confirm: string, deny = 'Go back'): ConfirmationDialog {
  return {
    title: plain(title, LIMITS.confirmTitle),
    text: plain(text, LIMITS.confirmText),
    confirm: plain(confirm, LIMITS.confirmButton),
    deny: plain(deny, LIMITS.confirmButton),
  };
}

export function button(opts: { text: string; actionId: ActionId; value: ActionValue; style?: 'primary' | 'danger'; confirm?: ConfirmationDialog }): Button {
  return {
    type: 'button',
    text: plain(opts.text, LIMITS.buttonText),
    action_id: opts.actionId,
    value: encodeActionValue(opts.value),
    ...(opts.style ? { style: opts.style } : {}),
    ...(opts.confirm ? { confirm: opts.confirm } : {}),
  };
}

export function actions(blockId: string, elements: ActionsBlockElement[]): ActionsBlock {
  return { type: 'actions', block_id: truncate(blockId, LIMITS.blockId), elements: elements.slice(0, LIMITS.actionsElements) };
}
