import { FrameError, toFrameSet, type FrameInput } from '../../../src/core/frames';

const ok = (n: number, offset = 0): FrameInput => ({
  points: Float32Array.from({ length: n * 3 }, (_, i) => i + offset),
});

describe('toFrameSet accepts what users hold', () => {
  test('flat Float32Array, [x, y, z] rows, float and byte colors, null colors', () => {
    const set = toFrameSet([
      { points: new Float32Array([0, 0, 0, 1, 1, 1]), colors: new Uint8Array([255, 0, 0, 0, 255, 0]) },
      { points: [[0, 0, 0], [2, 3, 4]], colors: [[1, 0, 0], [0, 0.5, 1]] },
      { points: [1, 2, 3], colors: null },
      { points: [5, 5, 5] },
    ]);
    expect(set.frames.map((f) => f.count)).toEqual([2, 2, 1, 1]);
    expect(Array.from(set.frames[0]!.colors!)).toEqual([255, 0, 0, 0, 255, 0]);
    expect(Array.from(set.frames[1]!.colors!)).toEqual([255, 0, 0, 0, 128, 255]);
    expect(Array.from(set.frames[1]!.positions)).toEqual([0, 0, 0, 2, 3, 4]);
    expect(set.frames[2]!.colors).toBeNull();
    expect(set.frames[3]!.colors).toBeNull();
  });

  test('empty frames and differing point counts', () => {
    const set = toFrameSet([ok(3), { points: [] }, ok(5)]);
    expect(set.frames.map((f) => f.count)).toEqual([3, 0, 5]);
  });

  test('bounds span every frame, not just the first', () => {
    const set = toFrameSet([{ points: [0, 0, 0] }, { points: [-5, 2, 9, 1, -7, 3] }]);
    expect(set.bounds).toEqual({ min: [-5, -7, 0], max: [1, 2, 9] });
  });

  test('bounds are null when every frame is empty', () => {
    expect(toFrameSet([{ points: [] }]).bounds).toBeNull();
  });
});

describe('toFrameSet holds no second copy of the colours', () => {
  test('byte colours are used as they are', () => {
    const colors = new Uint8Array([1, 2, 3]);
    expect(toFrameSet([{ points: new Float32Array(3), colors }]).frames[0]!.colors).toBe(colors);
  });

  test('float colours in a typed array are converted when read, and not kept', () => {
    const colors = new Float32Array([0, 0.5, 1]);
    const frame = toFrameSet([{ points: new Float32Array(3), colors }]).frames[0]!;
    const first = frame.colors;
    expect(Array.from(first!)).toEqual([0, 128, 255]);
    expect(frame.colors).not.toBe(first);
  });

  test('colours given as rows are converted once: the row copy is not kept either', () => {
    const frame = toFrameSet([{ points: [[0, 0, 0]], colors: [[0, 0.5, 1]] }]).frames[0]!;
    expect(frame.colors).toBe(frame.colors);
    expect(Array.from(frame.colors!)).toEqual([0, 128, 255]);
  });
});

describe('toFrameSet rejects bad frames, naming the frame and the problem', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['zero frames', [], /frames is empty/],
    ['not an array', 42, /frames must be an array/],
    ['frame without points', [ok(1), { colors: null }], /^frames\[1\]: expected an object with a "points" field/],
    ['length not divisible by 3', [ok(2), ok(2), { points: [1, 2, 3, 4] }], /^frames\[2\]: points must have shape \(N, 3\): a flat array needs x, y, z per point, got 4 values/],
    ['row of two values', [{ points: [[1, 2]] }], /^frames\[0\]: points must have shape \(N, 3\), but row 0 holds 2 values/],
    ['NaN coordinate', [ok(1), { points: [0, 0, 0, 1, NaN, 2] }], /^frames\[1\]: point 1 has a non-finite y coordinate \(NaN\)/],
    ['Infinity coordinate', [{ points: [Infinity, 0, 0] }], /^frames\[0\]: point 0 has a non-finite x coordinate \(Infinity\)/],
    ['float64 overflowing float32', [{ points: new Float64Array([0, 0, 1e300]) }], /^frames\[0\]: point 0 has a non-finite z coordinate/],
    ['colors of the wrong length', [ok(1), { points: [0, 0, 0, 1, 1, 1], colors: [1, 0, 0] }], /^frames\[1\]: colors must have shape \(2, 3\) to match 2 points, got 3 values \(expected 6\)/],
    ['color row of the wrong shape', [{ points: [0, 0, 0], colors: [[1, 0]] }], /^frames\[0\]: colors must have shape \(1, 3\) to match 1 points, but row 0 holds 2 values/],
    ['float color above 1', [ok(1), ok(1), { points: [0, 0, 0], colors: [0.5, 1.5, 0] }], /^frames\[2\]: float colors must lie in 0..1, got 1.5 at point 0 \(for 0..255 use a Uint8Array\)/],
    ['negative float color', [{ points: [0, 0, 0], colors: [0, -0.1, 0] }], /^frames\[0\]: float colors must lie in 0..1, got -0.1 at point 0/],
    ['NaN color', [{ points: [0, 0, 0], colors: [0, NaN, 0] }], /^frames\[0\]: float colors must lie in 0..1, got NaN at point 0/],
  ];
  test.each(cases)('%s', (_name, input, message) => {
    expect(() => toFrameSet(input as FrameInput[])).toThrow(FrameError);
    expect(() => toFrameSet(input as FrameInput[])).toThrow(message);
  });
});
