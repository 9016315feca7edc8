// Block Kit as a person reads it, in a terminal: headers underlined, sections and fields as
// text, context lines dimmed, buttons as [Approve]. Only the block types the bot sends are
// drawn in detail; anything else is named, so nothing silently disappears.

let knownPeople = {};
/** Display names for user mentions (<@U123> reads as @Name). */
export function setPeople(names) {
  knownPeople = { ...names };
}

/** Slack mrkdwn to plain text: links as "label (url)", dates as their fallback, mentions by name, bold/italic/strike markers dropped. */
export function mrkdwnToText(text, people = knownPeople) {
  return String(text ?? '')
    .replace(/<!date\^[^|>]*\|([^>]+)>/g, '$1')
    .replace(/<@([A-Z0-9]+)>/g, (_, id) => `@${people[id] ?? id}`)
    .replace(/<#([A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id, name) => `#${name || id}`)
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/gm, '$1$2')
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/gm, '$1$2')
    .replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,:;!?])/gm, '$1$2')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const textOf = (t) => (t ? mrkdwnToText(t.text) : '');
const indent = (text, prefix) =>
  text
    .split('\n')
    .map((line) => (line.length > 0 ? prefix + line : line.trimEnd()))
    .join('\n');

function elementText(element) {
  switch (element.type) {
    case 'button':
      return `[${textOf(element.text)}]`;
    case 'checkboxes':
      return element.options.map((o) => `${(element.initial_options ?? []).some((i) => i.value === o.value) ? '[x]' : '[ ]'} ${textOf(o.text)}`).join('  ');
    case 'static_select':
    case 'overflow':
      return `[${textOf(element.placeholder) || 'choose'} ▾]`;
    case 'mrkdwn':
    case 'plain_text':
      return mrkdwnToText(element.text);
    case 'image':
      return `(image: ${element.alt_text ?? ''})`;
    default:
      return `(${element.type})`;
  }
}

/** One message's blocks as lines of text (falls back to the message text when it has no blocks). */
export function renderBlocks(blocks, fallbackText = '') {
  if (!Array.isArray(blocks) || blocks.length === 0) return mrkdwnToText(fallbackText);
  const out = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'header': {
        const title = textOf(block.text);
        out.push(title, '═'.repeat(Math.min(72, [...title].length)));
        break;
      }
      case 'section': {
        const parts = [];
        if (block.text) parts.push(textOf(block.text));
        if (block.fields?.length) parts.push(block.fields.map((f) => `• ${textOf(f).replace(/\n/g, ': ')}`).join('\n'));
        let text = parts.join('\n');
        if (block.accessory) text += `${text.includes('\n') ? '\n' : '  '}${elementText(block.accessory)}`;
        out.push(text);
        break;
      }
      case 'context':
        out.push(indent(block.elements.map(elementText).join('  ·  '), '  ┆ '));
        break;
      case 'actions':
        out.push(block.elements.map(elementText).join('  '));
        break;
      case 'divider':
        out.push('─'.repeat(40));
        break;
      case 'input':
        out.push(`${textOf(block.label)}: ${elementText(block.element)}`);
        break;
      default:
        out.push(`(${block.type} block)`);
    }
  }
  return out.join('\n');
}

/**
 * A channel's messages as a thread: each top-level message, then its replies indented, with
 * how often the bot edited each one.
 */
export function renderThread(messages) {
  const all = [...messages];
  const roots = all.filter((m) => !m.threadTs);
  const out = [];
  for (const root of roots) {
    out.push(renderMessage(root, ''));
    const replies = all.filter((m) => m.threadTs === root.ts);
    if (replies.length > 0) out.push(`  ↳ ${replies.length} replies in the thread`);
    for (const reply of replies) out.push(renderMessage(reply, '  │ '));
  }
  return out.join('\n\n');
}

function renderMessage(message, prefix) {
  const edited = message.edits > 0 ? ` (edited ${message.edits}×)` : '';
  const head = `${prefix}Mission Control  APP${edited}`;
  return `${head}\n${indent(renderBlocks(message.blocks, message.text), prefix)}`;
}
