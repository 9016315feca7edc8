// Reading rendered surfaces the way a person scans them: all visible text, the buttons, the blocks.
import type { Surface } from './renderedSurfaces.js';

type Json = Record<string, unknown>;

/** Every `text` string in the surface (blocks, fields, buttons, options, labels), joined by newlines. */
export function visibleText(surface: Surface): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v as Json)) {
        if (k === 'text' && typeof child === 'string') out.push(child);
        else if (k !== 'value' && k !== 'private_metadata') walk(child);
      }
    }
  };
  walk(surface.blocks);
  return out.join('\n');
}

export interface RenderedButton {
  text: string;
  actionId: string;
  value: Json;
  blockType: string;
}

export function buttons(surface: Surface): RenderedButton[] {
  const found: RenderedButton[] = [];
  for (const block of surface.blocks as unknown as Json[]) {
    const elements = [...((block.elements as Json[] | undefined) ?? []), ...(block.accessory ? [block.accessory as Json] : [])];
    for (const e of elements) {
      if (e.type === 'button')
        found.push({
          text: (e.text as Json).text as string,
          actionId: e.action_id as string,
          value: JSON.parse(e.value as string) as Json,
          blockType: block.type as string,
        });
    }
  }
  return found;
}

export function blocksOfType(surface: Surface, type: string): Json[] {
  return (surface.blocks as unknown as Json[]).filter((b) => b.type === type);
}
