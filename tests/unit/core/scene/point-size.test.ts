// The point-size rule: the default from a frame's own point count, and a set size winning over it.
import { CHROMA_SAFE_PX, defaultPointSize, pointSizeFor, SPARSE_POINTS } from '../../../../src/core/scene/point-size';

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

test('a set pointSize wins over the per-frame default', () => {
  expect(pointSizeFor(1, 720, 3)).toBe(3);
  expect(pointSizeFor(1_000, 720)).toBe(defaultPointSize(1_000, 720));
  expect(pointSizeFor(1, 360)).toBe(CHROMA_SAFE_PX);
});
