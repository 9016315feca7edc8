// YAML for the documents' frontmatter and the deviation blocks. Written here rather than with a
// YAML library: the values are a few scalars, lists and maps, and the package is not a dependency.
// Plain scalars only when YAML cannot read them as anything else; otherwise a JSON string.

export type YamlScalar = string | number | boolean | null;
export type YamlValue = YamlScalar | readonly YamlScalar[] | { readonly [key: string]: YamlValue };

const YAML_RESERVED = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

function yamlScalar(value: YamlScalar): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : yamlScalar(String(value));
  if (/^[A-Za-z_][A-Za-z0-9_./-]*$/.test(value) && !YAML_RESERVED.test(value)) return value;
  // A JSON string is a valid YAML double-quoted scalar; YAML 1.1 also reads these three as line breaks.
  return JSON.stringify(value).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function yamlLines(map: { readonly [key: string]: YamlValue }, indent = ''): string[] {
  return Object.entries(map).flatMap(([key, value]) => {
    if (Array.isArray(value)) {
      return value.length === 0 ? [`${indent}${key}: []`] : [`${indent}${key}:`, ...value.map((v: YamlScalar) => `${indent}  - ${yamlScalar(v)}`)];
    }
    if (value !== null && typeof value === 'object') return [`${indent}${key}:`, ...yamlLines(value as { readonly [key: string]: YamlValue }, `${indent}  `)];
    return [`${indent}${key}: ${yamlScalar(value as YamlScalar)}`];
  });
}

export function yamlFrontmatter(map: { readonly [key: string]: YamlValue }): string[] {
  return ['---', ...yamlLines(map), '---'];
}
