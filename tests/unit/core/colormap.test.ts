import { colorByZ } from '../../../src/core/colormap';

test('z maps onto viridis: dark purple at the bottom, yellow at the top', () => {
  const colors = colorByZ(new Float32Array([0, 0, 0, 0, 0, 5, 0, 0, 10]), 0, 10);
  // viridis starts at #440154 and ends at #fde725
  expect(Array.from(colors.subarray(0, 3))).toEqual([0x44, 0x01, 0x54]);
  expect(Array.from(colors.subarray(6, 9))).toEqual([0xfd, 0xe7, 0x25]);
  const mid = Array.from(colors.subarray(3, 6));
  expect(mid[1]!).toBeGreaterThan(mid[0]!); // teal-green in the middle
});

test('a flat cloud gets the middle colour, not NaN', () => {
  const colors = colorByZ(new Float32Array([0, 0, 2, 1, 1, 2]), 2, 2);
  expect(Array.from(colors.subarray(0, 3))).toEqual(Array.from(colors.subarray(3, 6)));
});

test('other colormaps give other colours; plasma starts at #0d0887', () => {
  const z = new Float32Array([0, 0, 0]);
  expect(Array.from(colorByZ(z, 0, 1, 'plasma'))).toEqual([0x0d, 0x08, 0x87]);
  expect(Array.from(colorByZ(z, 0, 1, 'viridis'))).not.toEqual(Array.from(colorByZ(z, 0, 1, 'plasma')));
});
