// The layers point one way: widget -> ui -> core. core knows nothing of lit,
// Jupyter, ui or widget; ui knows nothing of Jupyter or widget. Read from the
// import statements of every file under src/.
import fs from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../../src');
// 'root' is src/index.ts; 'outside' is anything outside src/ (package.json), which any layer may read.
type Layer = 'core' | 'ui' | 'widget' | 'root' | 'outside';

/** What each layer may not import: other layers, and package names by prefix. */
const FORBIDDEN: Record<Layer, { layers: Layer[]; packages: RegExp }> = {
  core: { layers: ['ui', 'widget', 'root'], packages: /^(lit(\/|$)|@lit\/|@jupyter|@lumino\/)/ },
  ui: { layers: ['widget', 'root'], packages: /^(@jupyter|@lumino\/)/ },
  widget: { layers: ['root'], packages: /^$/ },
  root: { layers: [], packages: /^$/ },
  outside: { layers: [], packages: /^$/ },
};

function layerOf(file: string): Layer {
  const rel = path.relative(SRC, file);
  if (rel.startsWith('..')) return 'outside';
  const top = rel.split(path.sep)[0]!;
  return top === 'core' || top === 'ui' || top === 'widget' ? top : 'root';
}

/** Every module specifier a file names: static imports, re-exports and dynamic import(). */
export function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm, /^\s*import\s*['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1]!);
  return found;
}

/** The imports in `files` (path -> source) that break the layer rule, as "file: specifier" lines. */
export function violations(files: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [file, source] of Object.entries(files)) {
    const rule = FORBIDDEN[layerOf(file)];
    for (const spec of specifiers(source)) {
      const target = path.resolve(path.dirname(file), spec);
      // The widget takes ui's components through its explicit public surface, ui/index.ts.
      const pastUiSurface = layerOf(file) === 'widget' && layerOf(target) === 'ui' && path.relative(SRC, target) !== path.join('ui', 'index.js');
      const bad = spec.startsWith('.') ? rule.layers.includes(layerOf(target)) || pastUiSurface : rule.packages.test(spec);
      if (bad) out.push(`${path.relative(SRC, file)}: ${spec}`);
    }
  }
  return out;
}

function sources(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(out, sources(full));
    else if (/\.(ts|js|mjs)$/.test(entry.name)) out[full] = fs.readFileSync(full, 'utf8');
  }
  return out;
}

test('core imports nothing of lit, Jupyter, ui or widget; ui nothing of Jupyter or widget; widget ui only through ui/index', () => {
  const files = sources(SRC);
  expect(Object.keys(files).filter((f) => layerOf(f) === 'core').length).toBeGreaterThan(20);
  expect(violations(files)).toEqual([]);
});

test('negative control: each kind of wrong-way import is caught', () => {
  const at = (rel: string) => path.join(SRC, rel);
  expect(
    violations({
      [at('core/a.ts')]: "import { html } from 'lit';\nimport type { X } from '../ui/player.js';\nexport { y } from '../widget/model.js';",
      [at('core/encode/b.ts')]: "const m = await import('../../ui/index.js');\nimport '@jupyter-widgets/base';",
      [at('ui/c.ts')]: "import { DOMWidgetModel } from '@jupyter-widgets/base';\nimport { M } from '../widget/model.js';\nimport { ok } from '../core/frames.js';\nimport { LitElement } from 'lit';",
      [at('widget/d.ts')]: "import { p } from '../ui/player.js';\nimport { c } from '../core/frames.js';\nimport { B } from '@jupyter-widgets/base';\nimport '../ui/index.js';",
    }),
  ).toEqual([
    "core/a.ts: lit",
    'core/a.ts: ../ui/player.js',
    'core/a.ts: ../widget/model.js',
    'core/encode/b.ts: @jupyter-widgets/base',
    'core/encode/b.ts: ../../ui/index.js',
    'ui/c.ts: @jupyter-widgets/base',
    'ui/c.ts: ../widget/model.js',
    'widget/d.ts: ../ui/player.js',
  ]);
});

test('the runner page (src/runner) imports nothing but the built module beside it, ./cloudreel.mjs, as any page would; its fetch worker imports nothing', () => {
  const runner = Object.entries(sources(path.join(SRC, 'runner'))).map(([file, source]) => [path.basename(file), specifiers(source)]);
  expect(runner).toEqual([
    ['runner-fetch.js', []],
    ['runner.js', ['./cloudreel.mjs']],
  ]);
});
