// Turns zod issues into messages a person or a model can act on: the field's full path, what
// it must be and what it got ("durationMs must be a whole number, got 1.5"), "is required"
// only when the field is missing, and an unknown key named with the closest known one.
import { z } from 'zod';

export interface InputProblem {
  field: string;
  message: string;
}

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema | JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
} & Record<string, unknown>;

const listed = new WeakMap<z.ZodType, Record<string, unknown>>();

/** The JSON Schema of what a schema accepts (its input side), as MCP lists it for a tool. */
export function inputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  let json = listed.get(schema);
  if (!json) {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown>;
    json = rest;
    listed.set(schema, json);
  }
  return json;
}

export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

export function describeIssues(schema: z.ZodType, input: unknown, issues: readonly z.core.$ZodIssue[]): InputProblem[] {
  // Unknown keys first: a misspelt key usually explains the "required" that follows it.
  const ordered = [...issues.filter((i) => i.code === 'unrecognized_keys'), ...issues.filter((i) => i.code !== 'unrecognized_keys')];
  return ordered.flatMap((issue) => describeIssue(schema, input, issue));
}

function describeIssue(schema: z.ZodType, input: unknown, issue: z.core.$ZodIssue): InputProblem[] {
  const field = fieldPath(issue.path);
  const name = field || 'input';
  const found = valueAt(input, issue.path);
  const missing = found === undefined;
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownKeys(schema, issue);
    case 'invalid_type':
      if (missing) return [{ field: name, message: required(name, issue.message) }];
      return [{ field: name, message: `${name} must be ${expectedWords(issue.expected)}, got ${gotWords(found.value, issue.expected)}` }];
    case 'invalid_value':
    case 'invalid_union': {
      const values = issue.code === 'invalid_value' ? issue.values.map(String) : [];
      if (missing) return [{ field: name, message: required(name, issue.message, values) }];
      const base = isZodDefault(issue.message) && values.length > 0 ? `${name} must be one of: ${values.join(', ')}` : withField(name, issue.message);
      const value = found.value;
      const shown =
        value === null || ['number', 'boolean'].includes(typeof value) || (typeof value === 'string' && value.length <= 60)
          ? `, got ${JSON.stringify(value)}`
          : `, got ${gotWords(value, '')}`;
      return [{ field: name, message: `${base}${shown}` }];
    }
    case 'too_small':
    case 'too_big':
      return [{ field: name, message: isZodDefault(issue.message) ? sizeMessage(name, issue) : withField(name, issue.message) }];
    default:
      return [{ field: name, message: withField(name, issue.message) }];
  }
}

/** Unknown keys, each named with the closest known field; keys the schema knows elsewhere keep the schema's own message (report_progress: a field of another kind). */
function unknownKeys(schema: z.ZodType, issue: z.core.$ZodIssueUnrecognizedKeys): InputProblem[] {
  const known = propertiesAt(inputJsonSchema(schema), issue.path);
  const problems: InputProblem[] = [];
  const custom = issue.keys.filter((key) => known?.includes(key));
  if (custom.length > 0) problems.push({ field: fieldPath([...issue.path, custom[0]!]), message: issue.message });
  for (const key of issue.keys.filter((k) => !known?.includes(k)).slice(0, 8)) {
    // A key is echoed as a short excerpt: someone may send megabytes as a key.
    const field = fieldPath([...issue.path, key.length > 60 ? `${key.slice(0, 60)}…` : key]);
    const guess = known ? closest(key, known) : undefined;
    const of = issue.path.length > 0 ? ` of ${fieldPath(issue.path)}` : '';
    const list = known && known.length > 0 ? `${guess ? ' Known' : '; known'} fields${of}: ${known.join(', ')}` : '; remove it';
    problems.push({ field, message: `unknown field "${field}"${guess ? `; did you mean "${guess}"?` : ''}${list}` });
  }
  return problems;
}

function propertiesAt(json: JsonSchema, path: readonly PropertyKey[]): string[] | undefined {
  let nodes: JsonSchema[] = [json];
  for (const key of path) {
    nodes = nodes.flatMap(alternatives).flatMap((node) => {
      if (typeof key === 'number') return node.items && !Array.isArray(node.items) ? [node.items] : [];
      const property = node.properties?.[String(key)];
      return property ? [property] : [];
    });
  }
  const keys = nodes.flatMap(alternatives).flatMap((node) => Object.keys(node.properties ?? {}));
  return keys.length > 0 ? [...new Set(keys)] : undefined;
}

function alternatives(node: JsonSchema): JsonSchema[] {
  return [node, ...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])];
}

/** The closest known name: the same letters in another case, or at most a third of the letters different. */
function closest(key: string, known: readonly string[]): string | undefined {
  if (key.length > 100) return undefined; // no field name is that long, and the distance would cost key.length² time
  const lower = key.toLowerCase();
  const sameLetters = known.find((k) => k.toLowerCase() === lower);
  if (sameLetters) return sameLetters;
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Edits (insert, delete, replace, swap two neighbours) between two names: "edtis" is one from "edits". */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): { value: unknown } | undefined {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !(key in value)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value === undefined ? undefined : { value };
}

function isZodDefault(message: string): boolean {
  return /^(Invalid|Too (small|big)|Unrecognized)/.test(message);
}

function required(field: string, message: string, values: readonly string[] = []): string {
  if (!isZodDefault(message) && /\brequired\b/.test(message)) return withField(field, message);
  return `${field} is required${values.length > 0 ? `: one of ${values.join(', ')}` : ''}`;
}

/** Puts the full path in front of a message that names only the last part of it ("title is required" at plays[0].title). */
function withField(field: string, message: string): string {
  if (field === 'input' || message.startsWith(field)) return message;
  for (let i = 1; i < field.length; i++) {
    if (field[i - 1] !== '.' && field[i - 1] !== ']') continue;
    const suffix = field.slice(i);
    if (message.startsWith(suffix) && /^[\s:]/.test(message.slice(suffix.length))) return `${field}${message.slice(suffix.length)}`;
  }
  return `${field}: ${message}`;
}

function expectedWords(expected: string): string {
  const words: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    array: 'a list',
    object: 'an object',
    record: 'an object',
    null: 'null',
  };
  return words[expected] ?? expected;
}

function gotWords(value: unknown, expected: string): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value.length <= 24 ? `a string (${JSON.stringify(value)})` : 'a string';
  if (typeof value === 'number') return expected === 'int' ? String(value) : 'a number';
  if (typeof value === 'boolean') return `${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

function sizeMessage(field: string, issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
  const bound = issue.code === 'too_small' ? 'at least' : 'at most';
  if (issue.origin === 'string')
    return issue.code === 'too_small' && Number(limit) === 1 ? `${field} must not be empty` : `${field} must be ${bound} ${limit} characters`;
  if (issue.origin === 'array' || issue.origin === 'set') return `${field} must hold ${bound} ${limit} entries`;
  return `${field} must be ${bound} ${limit}`;
}
