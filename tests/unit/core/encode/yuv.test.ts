import { i420Size, rgbaToI420 } from '../../../../src/core/encode/yuv';
import fc from 'fast-check';

function solid(r: number, g: number, b: number, w = 4, h = 2) {
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([r, g, b, 255], i * 4);
  return rgbaToI420(rgba, w, h);
}

// Reference values: ITU-R BT.709, 8-bit limited range (Y 16..235, Cb/Cr 16..240).
test.each([
  ['black', [0, 0, 0], [16, 128, 128]],
  ['white', [255, 255, 255], [235, 128, 128]],
  ['red', [255, 0, 0], [63, 102, 240]],
  ['green', [0, 255, 0], [173, 42, 26]],
  ['blue', [0, 0, 255], [32, 240, 118]],
  ['mid grey', [128, 128, 128], [126, 128, 128]],
] as const)('%s converts to BT.709 limited-range Y, Cb, Cr', (_name, rgb, [y, cb, cr]) => {
  const out = solid(rgb[0], rgb[1], rgb[2]);
  expect(out.length).toBe(i420Size(4, 2));
  expect(Math.abs(out[0]! - y)).toBeLessThanOrEqual(1);
  expect(Math.abs(out[8]! - cb)).toBeLessThanOrEqual(1); // first Cb sample after the 4x2 luma plane
  expect(Math.abs(out[10]! - cr)).toBeLessThanOrEqual(1);
});

test('chroma is the mean of each 2x2 block; luma is per pixel', () => {
  const rgba = new Uint8Array(2 * 2 * 4);
  rgba.set([255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 255, 255, 0, 0, 255, 255]); // red row over blue row
  const out = rgbaToI420(rgba, 2, 2);
  expect([out[0], out[1], out[2], out[3]]).toEqual([63, 63, 32, 32]);
  expect(Math.abs(out[4]! - Math.round((102 + 240) / 2))).toBeLessThanOrEqual(1);
});

/** The conversion written out pixel by pixel from BT.709 in floating point, rounded as the fixed-point code rounds. */
function reference(rgba: Uint8Array, w: number, h: number): number[] {
  const [kr, kb] = [0.2126, 0.0722];
  const kg = 1 - kr - kb;
  const f = (c: number) => Math.round(c * 65536);
  const [yr, yg, yb] = [f((kr * 219) / 255), f((kg * 219) / 255), f((kb * 219) / 255)];
  const [ubr, ubg, ubb] = [f((-kr / (2 * (1 - kb)) * 224) / 255), f((-kg / (2 * (1 - kb)) * 224) / 255), f((0.5 * 224) / 255)];
  const [vr, vg, vb] = [f((0.5 * 224) / 255), f((-kg / (2 * (1 - kr)) * 224) / 255), f((-kb / (2 * (1 - kr)) * 224) / 255)];
  const ys: number[] = [];
  for (let p = 0; p < w * h; p++) ys.push(16 + Math.floor((yr * rgba[p * 4]! + yg * rgba[p * 4 + 1]! + yb * rgba[p * 4 + 2]! + 32768) / 65536));
  const us: number[] = [];
  const vs: number[] = [];
  for (let y = 0; y < h; y += 2) {
    for (let x = 0; x < w; x += 2) {
      const s = [0, 1, 2].map((k) => [0, 1, w, w + 1].reduce((sum, o) => sum + rgba[(y * w + x + o) * 4 + k]!, 0));
      us.push(128 + Math.floor((ubr * s[0]! + ubg * s[1]! + ubb * s[2]! + 131072) / 262144));
      vs.push(128 + Math.floor((vr * s[0]! + vg * s[1]! + vb * s[2]! + 131072) / 262144));
    }
  }
  return [...ys, ...us, ...vs];
}

test('every byte matches the per-pixel conversion: uniform blocks, mixed blocks, unaligned input', () => {
  const colour = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }));
  // Each 2x2 block is one colour (the reused path; often the previous block's) or four colours.
  const block = fc.oneof(colour.map((c) => [c, c, c, c]), fc.constant(null), fc.tuple(colour, colour, colour, colour));
  const image = fc.record({
    w: fc.integer({ min: 1, max: 6 }).map((n) => n * 2),
    h: fc.integer({ min: 1, max: 6 }).map((n) => n * 2),
    offset: fc.integer({ min: 0, max: 3 }),
    blocks: fc.array(block, { minLength: 36, maxLength: 36 }),
  });
  fc.assert(
    fc.property(image, ({ w, h, offset, blocks }) => {
      const rgba = new Uint8Array(offset + w * h * 4).subarray(offset);
      let previous = [[9, 8, 7, 6], [9, 8, 7, 6], [9, 8, 7, 6], [9, 8, 7, 6]];
      for (let by = 0; by < h / 2; by++) {
        for (let bx = 0; bx < w / 2; bx++) {
          const pixels = blocks[by * (w / 2) + bx] ?? previous; // null: the same colours as the block before
          [0, 1, w, w + 1].forEach((o, k) => rgba.set(pixels[k]!, (by * 2 * w + bx * 2 + o) * 4));
          previous = pixels;
        }
      }
      expect(Array.from(rgbaToI420(rgba, w, h))).toEqual(reference(rgba, w, h));
    }),
  );
});
