// Golden digests of the CPU rasteriser's pixels() for the example shapes (issue 13: a refactor must reproduce them byte for byte).
// The digests live in tests/cases/goldens.json ("raster"); they are never regenerated: a mismatch is a change of behaviour.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toFrameSet, type FrameInput, type FrameSet } from '../../../src/core/frames';
import { resolveOptions } from '../../../src/core/options';
import { createFrameRenderer } from '../../../src/core/render';
import { canvases, useCanvasStandIn } from './canvas-stand-in';

type Shape = (options?: { frames?: number; points?: number }) => FrameInput[];
// examples/shapes.js is a plain ES module in a "type": "module" package, which jest (CommonJS) cannot
// require: its own text is run as a function body, with the `export` keywords dropped.
const shapesSource = readFileSync(join(__dirname, '../../../examples/shapes.js'), 'utf8').replace(/^export /gm, '');
const SHAPES = new Function(`${shapesSource}\nreturn SHAPES;`)() as Record<'sphere' | 'helix' | 'torus', Shape>;

interface Golden {
  sha256: string;
  summary: string;
}
const GOLDENS = JSON.parse(readFileSync(join(__dirname, '../../cases/goldens.json'), 'utf8')).raster as Record<string, Golden>;

// The torus alone is 4.8 million points: well past jest's default 5 s on a busy machine.
jest.setTimeout(300_000);

useCanvasStandIn();

const sha256 = (bytes: ArrayBufferView) => createHash('sha256').update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)).digest('hex');

/** Frames 0, middle and last of `shape` (its default frames and points) at width x height, every other option at its default. */
const frameSets = new Map<string, FrameSet>();
function drawShape(name: keyof typeof SHAPES, width: number, height: number, frames?: FrameInput[]) {
  const made = frameSets.get(name) ?? toFrameSet(SHAPES[name]());
  if (!frames) frameSets.set(name, made); // drawn at both sizes: made once
  const set = frames ? toFrameSet(frames) : made;
  canvases.length = 0;
  // The export's defaults (resolveOptions), passed on as exportAnimation's stages do (src/core/export.ts).
  const o = resolveOptions({ width, height, renderer: 'cpu' });
  const renderer = createFrameRenderer(set, { width, height, title: o.title, background: o.background, colormap: o.colormap, renderer: o.renderer, ...o.scale });
  const ctx = canvases[0]!;
  const n = renderer.count;
  const out = [0, Math.floor(n / 2), n - 1].map((index) => {
    ctx.texts.length = 0;
    const image = renderer.pixels(index);
    const words = new Uint32Array(image.data.buffer, image.data.byteOffset, width * height);
    const background = words[0]!;
    const lit = words.reduce((k, w) => k + (w !== background ? 1 : 0), 0);
    const key = `${name} ${width}x${height} frame ${index}`;
    const summary = `${set.frames[index]!.count} points of ${n} frames, ${lit} pixels unlike the top-left one, title ${ctx.texts.join('; ')}`;
    return { key, golden: { sha256: sha256(image.data), summary } };
  });
  renderer.dispose();
  return out;
}

describe.each([
  [1280, 720],
  [320, 180],
])('CPU rasteriser pixels at %ix%i', (width, height) => {
  test.each(['sphere', 'helix', 'torus'] as const)('%s: frames 0, middle and last match their golden digests', (name) => {
    for (const { key, golden } of drawShape(name, width, height)) {
      expect({ key, ...golden }).toEqual({ key, ...GOLDENS[key] });
    }
  });
});

test('negative control: moving one point of the sphere by a pixel changes its digest', () => {
  const frames = SHAPES.sphere();
  const [first] = drawShape('sphere', 320, 180, frames);
  const moved = frames.map((f) => ({ ...f, points: Float32Array.from(f.points as Float32Array) }));
  (moved[0]!.points as Float32Array)[0] += 0.05; // one point, frame 0: about a pixel at 320x180
  const [changed] = drawShape('sphere', 320, 180, moved);
  expect(first!.golden.sha256).toBe(GOLDENS[first!.key]!.sha256);
  expect(changed!.golden.sha256).not.toBe(first!.golden.sha256);
});

test('the goldens hold every shape, size and frame this file draws, and nothing else', () => {
  const frameCounts = { sphere: 6, helix: 36, torus: 48 }; // the shapes' defaults
  const keys = ['1280x720', '320x180'].flatMap((size) =>
    Object.entries(frameCounts).flatMap(([name, n]) => [0, Math.floor(n / 2), n - 1].map((i) => `${name} ${size} frame ${i}`)),
  );
  expect(Object.keys(GOLDENS).sort()).toEqual(keys.sort());
});
