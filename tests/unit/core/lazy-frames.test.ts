// LazyFrames through the real renderer (CPU rasteriser, canvas stand-in) and pipeline:
// the same pixels as the FrameSet, few frames alive at once, frames read again by a fallback codec.
import { createHash } from 'node:crypto';
import type { Encoder } from '../../../src/core/encode/encoder';
import { toFrameSet, FrameError, type Frame, type FrameSet } from '../../../src/core/frames';
import { frameCount, isLazyFrames, lazyFrames, type LazyFrames } from '../../../src/core/lazy-frames';
import { runExport, type ExportStages } from '../../../src/core/pipeline';
import { createFrameRenderer } from '../../../src/core/render';
import { valueRange } from '../../../src/core/scale';
import { validFile } from '../fakes';
import { useCanvasStandIn } from './canvas-stand-in';

useCanvasStandIn();

const WIDTH = 64;
const HEIGHT = 48;

/** Six frames of a spiral far from (0, 0, 0) (so the origin matters), coloured by value. */
function inputs() {
  return Array.from({ length: 6 }, (_, f) => {
    const n = 50 + f * 10;
    const points = new Float64Array(n * 3);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = (i / n) * 6 * Math.PI + f * 0.3;
      points.set([500000 + Math.cos(a) * (1 + f), 5400000 + Math.sin(a) * 2, 300 + i / 10], i * 3);
      values[i] = i * (f + 1);
    }
    return { points, values };
  });
}

/** A LazyFrames over `set`'s frames (not lazyFrames(): a source of its own) counting reads and frames alive. */
function countingSource(set: FrameSet) {
  const reads: number[] = [];
  let alive = 0;
  let mostAlive = 0;
  const source: LazyFrames & { reads: number[]; alive: () => number; mostAlive: () => number } = {
    count: set.frames.length,
    bounds: set.bounds,
    origin: set.origin,
    valueRange: valueRange(set),
    reads,
    alive: () => alive,
    mostAlive: () => mostAlive,
    async frame(i) {
      reads.push(i);
      alive += 1;
      mostAlive = Math.max(mostAlive, alive);
      await new Promise((resolve) => setTimeout(resolve, 0)); // as a fetch would: the frame arrives later
      const { positions, colors, count, values } = set.frames[i]!;
      return { positions: positions.slice(), colors, count, values: values ? values.slice() : null } as Frame;
    },
    release() {
      alive -= 1;
    },
  };
  return source;
}

/** An encoder that takes each frame's pixels (as WebCodecs does) and keeps their digests. */
function digestEncoder(id: string, digests: string[], fail = false): Encoder {
  return {
    id,
    description: id,
    mimeType: 'video/mp4',
    extension: 'mp4',
    container: 'mp4',
    isSupported: async () => true,
    async encode(job) {
      for (let i = 0; i < job.frames.count; i++) {
        const image = await job.frames.pixels(i);
        digests.push(createHash('sha256').update(image.data).digest('hex'));
      }
      if (fail) throw new Error(`${id} failed after every frame`);
      return validFile('mp4');
    },
  };
}

const stages = (encoders: Encoder[]): ExportStages => ({
  createRenderer: (set, o) => createFrameRenderer(set, { width: WIDTH, height: HEIGHT, title: o.title, colormap: o.colormap, renderer: 'cpu', ...o.scale }),
  encoders,
});

test('a LazyFrames renders the same pixels as the FrameSet of the same frames', async () => {
  const set = toFrameSet(inputs());
  const eager: string[] = [];
  const lazy: string[] = [];
  await runExport(set, { width: WIDTH, height: HEIGHT }, stages([digestEncoder('ffmpeg-h264', eager)]));
  const source = countingSource(set);
  const result = await runExport(source, { width: WIDTH, height: HEIGHT }, stages([digestEncoder('ffmpeg-h264', lazy)]));
  expect(result.frames).toBe(6);
  expect(lazy).toEqual(eager);
  expect(new Set(eager).size).toBe(6); // the frames differ: the comparison means something
  // The colour range is the source's: another range gives other pixels.
  const shifted: string[] = [];
  await runExport({ ...countingSource(set), valueRange: [0, 1] }, { width: WIDTH, height: HEIGHT }, stages([digestEncoder('ffmpeg-h264', shifted)]));
  expect(shifted).not.toEqual(eager);
});

test('at most one frame of a LazyFrames is alive in the renderer, and every one is released', async () => {
  const source = countingSource(toFrameSet(inputs()));
  await runExport(source, { width: WIDTH, height: HEIGHT }, stages([digestEncoder('ffmpeg-h264', [])]));
  expect(source.mostAlive()).toBe(1);
  expect(source.alive()).toBe(0);
});

test('a fallback codec reads the frames of a LazyFrames again, in order', async () => {
  const source = countingSource(toFrameSet(inputs()));
  const first: string[] = [];
  const second: string[] = [];
  const result = await runExport(source, { width: WIDTH, height: HEIGHT, codecs: ['first', 'second'] }, stages([digestEncoder('first', first, true), digestEncoder('second', second)]));
  expect(result.codec).toBe('second');
  expect(source.reads).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
  expect(second).toEqual(first);
  expect(source.alive()).toBe(0);
});

test('a frame the source cannot give fails the export with its words, and the frame is not drawn', async () => {
  const source = countingSource(toFrameSet(inputs()));
  const frame = source.frame.bind(source);
  source.frame = async (i) => {
    if (i === 3) throw new FrameError('frames[3] (scan_3.bin): points must have shape (N, 3)');
    return frame(i);
  };
  await expect(runExport(source, { width: WIDTH, height: HEIGHT }, stages([digestEncoder('ffmpeg-h264', [])]))).rejects.toThrow('frames[3] (scan_3.bin)');
});

test('pixels() is for frames in memory; lazyFrames() wraps a FrameSet; frameCount counts either', async () => {
  const set = toFrameSet(inputs());
  const source = countingSource(set);
  expect(() => createFrameRenderer(source, { width: WIDTH, height: HEIGHT, title: false, renderer: 'cpu' }).pixels(0)).toThrow(/readPixels/);
  const wrapped = lazyFrames(set);
  expect(isLazyFrames(wrapped)).toBe(true);
  expect(isLazyFrames(set)).toBe(false);
  expect([frameCount(set), frameCount(wrapped)]).toEqual([6, 6]);
  expect(wrapped.valueRange).toEqual(valueRange(set));
  await expect(wrapped.frame(6)).rejects.toThrow('frame index 6 is outside 0..5');
  const r = createFrameRenderer(set, { width: WIDTH, height: HEIGHT, title: false, renderer: 'cpu' });
  const sync = r.pixels(2).data.slice();
  expect((await r.readPixels!(2)).data).toEqual(sync);
});
