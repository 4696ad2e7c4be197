import { CHROMA_SAFE_PX, defaultPointSize, SPARSE_POINTS, titleText } from '../../../src/core/render';

test('point size: 4 px for 1k points down to 1 px for 1M, scaled with the frame height', () => {
  expect(defaultPointSize(1_000, 720)).toBe(4);
  expect(defaultPointSize(10_000, 720)).toBe(3);
  expect(defaultPointSize(100_000, 720)).toBeCloseTo(2);
  expect(defaultPointSize(100_000, 360)).toBeCloseTo(1);
  expect(defaultPointSize(1_000_000, 720)).toBe(1);
  expect(defaultPointSize(1_000, 1440)).toBe(8);
});

test('a sparse frame draws odd whole-pixel squares of at least 7 px at any height (4:2:0 keeps their colour)', () => {
  expect(CHROMA_SAFE_PX).toBe(7);
  for (const count of [0, 1, 10, SPARSE_POINTS]) {
    expect(defaultPointSize(count, 360)).toBe(7);
    expect(defaultPointSize(count, 720)).toBe(7);
    expect(defaultPointSize(count, 1080)).toBe(7);
    expect(defaultPointSize(count, 1280)).toBe(9); // 7.1 px rounded up to odd
    expect(defaultPointSize(count, 1440)).toBe(9); // 8 px: an even width could straddle chroma blocks
  }
  expect(defaultPointSize(SPARSE_POINTS + 1, 720)).toBeCloseTo(4);
});

test('title reads as the original: "Frame i/N | n points", counting from 1', () => {
  expect(titleText(0, 48, { count: 100000, positions: new Float32Array(), colors: null })).toBe('Frame 1/48 | 100000 points');
});
