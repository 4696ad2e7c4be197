import { colorByZ } from '../../../src/core/colormap';
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
    ['float64 beyond float32', [{ points: new Float64Array([0, 0, 1e300]) }], /^frames\[0\]: point 0 has a z coordinate beyond float32's range \(1e\+300; float32 holds at most 3\.4e\+38, even measured from the points' centre\)/],
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

describe('toFrameSet re-centres far points in float64 before the cast to float32', () => {
  const UTM = [500000, 5400000, 300];
  /** A 10 x 10 x 3 cloud of n points around (0, 0, 0), as float64 values. */
  function cloud(n: number): Float64Array {
    const out = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) {
      out[i * 3] = ((i * 0.618034) % 1) * 10 - 5;
      out[i * 3 + 1] = ((i * 0.7548777) % 1) * 10 - 5;
      out[i * 3 + 2] = ((i * 0.5698403) % 1) * 3;
    }
    return out;
  }
  const shifted = (values: Float64Array, by: number[]) => values.map((v, i) => v + by[i % 3]!);

  test.each([
    ['Float64Array', (v: Float64Array) => v],
    ['plain numbers', (v: Float64Array) => Array.from(v)],
    ['[x, y, z] rows', (v: Float64Array) => Array.from({ length: v.length / 3 }, (_, i) => Array.from(v.subarray(i * 3, i * 3 + 3)))],
  ])('%s at a UTM point: one origin, positions relative to it, detail kept', (_name, form) => {
    const base = cloud(1000);
    const world = [shifted(base, UTM), shifted(base, [UTM[0]! + 1, UTM[1]!, UTM[2]!])];
    const set = toFrameSet(world.map((w) => ({ points: form(w) as FrameInput['points'] })));
    // The centre of the float64 bounds over both frames.
    const lo = [0, 1, 2].map((k) => Math.min(...world.flatMap((w) => Array.from(w.filter((_, i) => i % 3 === k)))));
    const hi = [0, 1, 2].map((k) => Math.max(...world.flatMap((w) => Array.from(w.filter((_, i) => i % 3 === k)))));
    expect(set.origin).toEqual(lo.map((l, k) => l / 2 + hi[k]! / 2));
    set.frames.forEach((f, i) => {
      for (let j = 0; j < f.positions.length; j++) expect(Math.abs(f.positions[j]! + set.origin[j % 3]! - world[i]![j]!)).toBeLessThan(1e-6);
    });
    // Cast first, y would collapse onto 0.5 m steps (about 20 values); re-centred, every point keeps its own.
    expect(new Set(set.frames[0]!.positions.filter((_, i) => i % 3 === 1)).size).toBe(1000);
    // Bounds are local: the world bounds minus the origin.
    expect(set.bounds!.min.map((v, k) => v + set.origin[k]!)).toEqual(lo.map((l) => expect.closeTo(l, 6)));
    expect(set.bounds!.max.map((v, k) => v + set.origin[k]!)).toEqual(hi.map((h) => expect.closeTo(h, 6)));
  });

  test('colour by z keeps its meaning: the same cloud at the origin and at a UTM point gets the same colours', () => {
    const base = cloud(500);
    const here = toFrameSet([{ points: base }]);
    const there = toFrameSet([{ points: shifted(base, UTM) }]);
    expect(here.origin).toEqual([0, 0, 0]);
    const colours = (s: typeof here) => colorByZ(s.frames[0]!.positions, s.bounds!.min[2], s.bounds!.max[2]);
    const a = colours(here);
    const b = colours(there);
    const differ = a.filter((v, i) => Math.abs(v - b[i]!) > 4).length;
    expect(differ).toBe(0);
  });

  test('points near (0, 0, 0) are kept as they are; a Float32Array is not copied', () => {
    const points = Float32Array.from(cloud(10));
    const set = toFrameSet([{ points }, { points: [100, 0, 0] }]);
    expect(set.origin).toEqual([0, 0, 0]);
    expect(set.frames[0]!.positions).toBe(points);
    expect(Array.from(set.frames[1]!.positions)).toEqual([100, 0, 0]);
  });

  test('a Float32Array far away says once that precision was lost (naming the frame, with the fix) and is still re-centred', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const far = Float32Array.from(shifted(cloud(200), UTM));
      const set = toFrameSet([{ points: [] }, { points: far }, { points: far }]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toMatch(/^cloudreel: frames\[1\]: float32 points lie 5400000 from \(0, 0, 0\) but the animation spans only 10; float32 steps there are 0\.5, .*Pass float64 coordinates \(a Float64Array or plain numbers\)/);
      set.origin.forEach((o, k) => expect(Math.abs(o - [500000, 5400000, 301.5][k]!)).toBeLessThan(0.6));
      // Re-centred exactly (float32 values minus the origin, in float64): WebGL bands no further.
      for (let j = 0; j < 30; j++) expect(set.frames[1]!.positions[j]).toBe(Math.fround(far[j]! - set.origin[j % 3]!));
      warn.mockClear();
      toFrameSet([{ points: Float32Array.from(shifted(cloud(200), [1000, 0, 0])) }]);
      expect(warn).not.toHaveBeenCalled(); // 1e3 away, 10 wide: float32 holds it
    } finally {
      warn.mockRestore();
    }
  });

  test('the rule "a value beyond float32\'s range is refused" applies after re-centring', () => {
    // Far, but float32 holds the points around their centre and the centre itself.
    expect(toFrameSet([{ points: new Float64Array([1e37, 0, 0, 1e37 + 1e31, 1, 1]) }]).origin[0]).toBeCloseTo(1e37 + 5e30, -25);
    // The centre is beyond float32's range: named by its point.
    expect(() => toFrameSet([{ points: [0, 0, 0] }, { points: new Float64Array([0, 0, 0, 0, -1e300, 0]) }])).toThrow(
      /^frames\[1\]: point 1 has a y coordinate beyond float32's range \(-1e\+300;/,
    );
    expect(() => toFrameSet([{ points: new Float64Array([1e300, 0, 0, 1e300, 1, 1]) }])).toThrow(/^frames\[0\]: point 0 has a x coordinate beyond float32's range/);
  });
});
