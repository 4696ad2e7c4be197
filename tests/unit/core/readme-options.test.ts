// README's options table against the code: the codec chain and every default it states.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CODECS } from '../../../src/core/settings';
import { resolveOptions } from '../../../src/core/options';

const README = readFileSync(join(__dirname, '../../../README.md'), 'utf8');

/** The rows of the "| option | default | meaning |" table: option names -> default cell. */
function optionRows(): Map<string, string> {
  const lines = README.split('\n');
  const start = lines.findIndex((l) => l.trim() === '| option | default | meaning |');
  if (start < 0) throw new Error('README.md has no "| option | default | meaning |" table');
  const rows = new Map<string, string>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    // Cells split on "|" that is not escaped ("\|" is a pipe inside a cell).
    const [, names, fallback] = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const ids = [...names!.matchAll(/`(\w+)`/g)].map((m) => m[1]!);
    const defaults = ids.length > 1 ? fallback!.split(',').map((d) => d.trim()) : [fallback!];
    ids.forEach((id, i) => rows.set(id, defaults[i] ?? ''));
  }
  return rows;
}

/** A default cell as a value: `'text'`, `true`/`false` or a number; anything else (prose) as it is. */
function literal(cell: string): unknown {
  const text = cell.replace(/^`|`$/g, '');
  const quoted = /^'(.*)'$/.exec(text);
  if (quoted) return quoted[1];
  if (text === 'true' || text === 'false') return text === 'true';
  return text !== '' && Number.isFinite(Number(text)) ? Number(text) : cell;
}

test('the codecs row names exactly DEFAULT_CODECS, in order', () => {
  const cell = optionRows().get('codecs');
  expect(cell).toBeDefined();
  expect([...cell!.matchAll(/'([\w-]+)'/g)].map((m) => m[1])).toEqual([...DEFAULT_CODECS]);
});

test('every resolved option has a row, and each stated default is the one resolveOptions gives', () => {
  const rows = optionRows();
  const { scale, ...resolved } = resolveOptions({}) as unknown as Record<string, unknown>;
  // `scale` groups the fixed-scale options; each is a row of its own, with no fixed default.
  expect(scale).toEqual({});
  for (const name of ['bounds', 'vmin', 'vmax', 'palette']) expect({ name, documented: rows.has(name) }).toEqual({ name, documented: true });
  for (const [name, value] of Object.entries(resolved)) {
    expect({ name, documented: rows.has(name) }).toEqual({ name, documented: true });
    // Options without a fixed default (pointSize, view) say in words what happens.
    if (value !== undefined) expect({ name, default: literal(rows.get(name)!) }).toEqual({ name, default: value });
  }
});
