import { defaultPointSize, titleText } from '../../../src/core/render';

test('point size: 4 px for 1k points down to 1 px for 1M, scaled with the frame height', () => {
  expect(defaultPointSize(1_000, 720)).toBe(4);
  expect(defaultPointSize(10_000, 720)).toBe(3);
  expect(defaultPointSize(100_000, 720)).toBeCloseTo(2);
  expect(defaultPointSize(1_000_000, 720)).toBe(1);
  expect(defaultPointSize(10, 720)).toBe(4);
  expect(defaultPointSize(0, 720)).toBe(4);
  expect(defaultPointSize(1_000, 1440)).toBe(8);
});

test('title reads as the original: "Frame i/N | n points", counting from 1', () => {
  expect(titleText(0, 48, { count: 100000, positions: new Float32Array(), colors: null })).toBe('Frame 1/48 | 100000 points');
});
