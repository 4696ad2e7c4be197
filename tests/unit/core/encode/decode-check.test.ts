import { blockPsnr, BLOCK, PSNR_BOUNDS } from '../../../../src/core/encode/decode-check';
import { FFMPEG_CODECS } from '../../../../src/core/encode/ffmpeg-args';

const frame = (width: number, height: number, fill: (x: number, y: number) => [number, number, number]) => {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out.set([...fill(x, y), 255], (y * width + x) * 4);
  }
  return out;
};

describe('blockPsnr', () => {
  test('equal frames score Infinity', () => {
    const a = frame(16, 8, (x, y) => [x * 10, y * 20, 7]);
    expect(blockPsnr(a, a.slice(), 16)).toBe(Infinity);
  });

  test('a uniform difference of 10 in every channel scores 10 log10(255^2 / 100)', () => {
    const a = frame(16, 16, () => [100, 100, 100]);
    const b = frame(16, 16, () => [110, 90, 110]);
    expect(blockPsnr(a, b, 16)).toBeCloseTo(10 * Math.log10((255 * 255) / 100), 10);
  });

  test('pixels moved within one block do not count; moved across blocks they do', () => {
    const W = 2 * BLOCK;
    const dot = (px: number) => frame(W, BLOCK, (x, y) => (x === px && y === 0 ? [255, 0, 0] : [0, 0, 0]));
    expect(blockPsnr(dot(0), dot(BLOCK - 1), W)).toBe(Infinity);
    expect(blockPsnr(dot(0), dot(BLOCK), W)).toBeLessThan(Infinity);
  });

  test('alpha is ignored; partial blocks at the edges are averaged over their own pixels', () => {
    const S = BLOCK + 2;
    const a = frame(S, S, () => [50, 50, 50]);
    const b = a.slice();
    for (let i = 3; i < b.length; i += 4) b[i] = 0;
    expect(blockPsnr(a, b, S)).toBe(Infinity);
    // Only the 2x2 corner block differs, by 40: one block of four, so the MSE is 40^2 / 4.
    const c = frame(S, S, (x, y) => (x >= BLOCK && y >= BLOCK ? [90, 90, 90] : [50, 50, 50]));
    expect(blockPsnr(a, c, S)).toBeCloseTo(10 * Math.log10((255 * 255) / (1600 / 4)), 10);
  });

  test('frames of different sizes cannot be compared', () => {
    expect(() => blockPsnr(new Uint8Array(16), new Uint8Array(32), 2)).toThrow(/16 and 32 bytes/);
  });
});

test('every encoder has a bound at every quality', () => {
  const ids = [...FFMPEG_CODECS.map((c) => c.id), 'webcodecs-h264', 'webcodecs-vp9', 'webcodecs-vp8'];
  expect(Object.keys(PSNR_BOUNDS).sort()).toEqual(ids.sort());
  for (const id of ids) {
    for (const q of ['high', 'standard', 'small'] as const) expect(PSNR_BOUNDS[id]![q]).toBeGreaterThan(20);
  }
});
