// Reads the YAML subset Slack app manifests in slack/ are written in (block mappings, block
// sequences of scalars or mappings, plain, single- and double-quoted scalars, booleans,
// comments), so tests can compare the manifests with the code. No YAML library is installed;
// anything outside the subset (flow collections, anchors, multi-line scalars) is refused.
export type YamlValue = string | boolean | number | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  indent: number;
  text: string;
  number: number;
}

export function parseManifestYaml(source: string): YamlValue {
  const lines: Line[] = [];
  source.split('\n').forEach((raw, i) => {
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '') return;
    if (/^\s*(---|\.\.\.)\s*$/.test(text)) return;
    lines.push({ indent: text.length - text.trimStart().length, text: text.trim(), number: i + 1 });
  });
  let at = 0;

  const parseBlock = (indent: number): YamlValue => {
    const first = lines[at];
    if (!first || first.indent < indent) return '';
    return first.text.startsWith('- ') || first.text === '-' ? parseSequence(first.indent) : parseMapping(first.indent);
  };

  const parseMapping = (indent: number, into: Record<string, YamlValue> = {}): Record<string, YamlValue> => {
    while (at < lines.length && lines[at]!.indent === indent && !lines[at]!.text.startsWith('- ')) {
      const line = lines[at]!;
      const match = /^("[^"]*"|'[^']*'|[^:#]+?):(?:\s+(.*))?$/.exec(line.text);
      if (!match) throw new Error(`line ${line.number}: expected "key: value", got ${JSON.stringify(line.text)}`);
      const key = scalar(match[1]!) as string;
      at += 1;
      if (match[2] !== undefined && match[2] !== '') into[key] = scalar(match[2]);
      else
        into[key] =
          lines[at] && lines[at]!.indent > indent
            ? parseBlock(lines[at]!.indent)
            : lines[at]?.indent === indent && lines[at]!.text.startsWith('- ')
              ? parseSequence(indent)
              : '';
    }
    if (at < lines.length && lines[at]!.indent > indent) throw new Error(`line ${lines[at]!.number}: unexpected indentation`);
    return into;
  };

  const parseSequence = (indent: number): YamlValue[] => {
    const items: YamlValue[] = [];
    while (at < lines.length && lines[at]!.indent === indent && (lines[at]!.text.startsWith('- ') || lines[at]!.text === '-')) {
      const line = lines[at]!;
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        at += 1;
        items.push(parseBlock(indent + 1));
      } else if (/^("[^"]*"|'[^']*'|[^:#"'\s][^:#]*?):(\s|$)/.test(rest)) {
        // "- key: value" starts a mapping whose further keys sit under "key".
        const itemIndent = indent + (line.text.length - rest.length);
        lines[at] = { indent: itemIndent, text: rest, number: line.number };
        items.push(parseMapping(itemIndent));
      } else {
        at += 1;
        items.push(scalar(rest));
      }
    }
    return items;
  };

  const value = parseBlock(0);
  if (at < lines.length) throw new Error(`line ${lines[at]!.number}: not understood: ${JSON.stringify(lines[at]!.text)}`);
  return value;
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return line.slice(0, i);
    }
  }
  return line;
}

function scalar(raw: string): YamlValue {
  const text = raw.trim();
  if (/^".*"$/.test(text)) return JSON.parse(text) as string;
  if (/^'.*'$/.test(text)) return text.slice(1, -1).replace(/''/g, "'");
  if (/^[[{&*!|>]/.test(text)) throw new Error(`YAML outside the manifest subset: ${text}`);
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}
