import { i420Size, rgbaToI420 } from '../../../../src/core/encode/yuv';

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
