import { titleText } from '../../../src/core/render';

test('title reads as the original: "Frame i/N | n points", counting from 1', () => {
  expect(titleText(0, 48, { count: 100000, positions: new Float32Array(), colors: null })).toBe('Frame 1/48 | 100000 points');
});
