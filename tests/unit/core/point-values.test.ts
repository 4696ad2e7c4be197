// Per-point values and categories: checked like points (naming the frame), the
// colour scale's defaults, and pointColors' order: colors, categories, values, z.
import { colorByScalar, colorByZ } from '../../../src/core/colormap';
import { FrameError, toFrameSet, type FrameInput } from '../../../src/core/frames';
import { classColor } from '../../../src/core/palette';
import { pointColors } from '../../../src/core/point-colors';
import { colorScale, valueRange } from '../../../src/core/scale';

const points = (n: number, z = 0) => Float32Array.from({ length: n * 3 }, (_, i) => (i % 3 === 2 ? z + i : i));
const errorOf = (frames: FrameInput[]): string => {
  try {
    toFrameSet(frames);
  } catch (e) {
    expect(e).toBeInstanceOf(FrameError);
    return (e as Error).message;
  }
  throw new Error('expected a FrameError');
};

describe('values and categories are checked like points, naming the frame', () => {
  test('accepted: typed arrays, plain numbers, BigInt arrays; Float32Array and Uint8Array kept as they are', () => {
    const v = new Float32Array([0.5, 1, 2]);
    const c = new Uint8Array([2, 6, 9]);
    const set = toFrameSet([
      { points: points(3), values: v },
      { points: points(3), values: [1, 2, 3] },
      { points: points(2), values: new Float64Array([1e-3, -7]) },
      { points: points(3), categories: c },
      { points: points(2), categories: [0, 255] },
      { points: points(2), categories: new Float64Array([2, 6]) },
      { points: points(2), categories: BigInt64Array.from([1n, 18n]) },
      { points: [], values: [], categories: null },
    ]);
    expect(set.frames[0]!.values).toBe(v);
    expect(set.frames[3]!.categories).toBe(c);
    expect(Array.from(set.frames[1]!.values!)).toEqual([1, 2, 3]);
    expect(Array.from(set.frames[2]!.values!)).toEqual([Math.fround(1e-3), -7]);
    expect(Array.from(set.frames[4]!.categories!)).toEqual([0, 255]);
    expect(Array.from(set.frames[6]!.categories!)).toEqual([1, 18]);
    expect(set.frames[7]!.count).toBe(0);
  });

  test.each([
    [{ points: points(1200), values: new Float32Array(1199) }, 'frames[3]: values must have 1200 entries to match 1200 points, got 1199'],
    [{ points: points(4), values: [0, 1, NaN, 3] }, 'frames[3]: values must be finite, got NaN at point 2'],
    [{ points: points(4), values: new Float64Array([0, 1e300, 0, 0]) }, 'frames[3]: values must be finite, got 1e+300 at point 1 (too large for float32)'],
    [{ points: points(2), values: [0, '1'] as unknown as number[] }, 'frames[3]: values must be numbers, got "1" at point 1'],
    [{ points: points(2), values: 5 as unknown as number[] }, 'frames[3]: values must be an array of one number per point, or null'],
    [{ points: points(3), categories: [2, 2.5, 6] }, 'frames[3]: categories must be whole numbers from 0 to 255 (class codes), got 2.5 at point 1'],
    [{ points: points(3), categories: new Int16Array([2, 300, 6]) }, 'frames[3]: categories must be whole numbers from 0 to 255 (class codes), got 300 at point 1'],
    [{ points: points(3), categories: [-1, 0, 0] }, 'got -1 at point 0'],
    [{ points: points(3), categories: [1, 2] }, 'frames[3]: categories must have 3 entries to match 3 points, got 2'],
    [{ points: points(1), colors: [1, 0, 0], values: [1] }, 'frames[3]: got both colors and values: give one of colors, values or categories per frame'],
    [{ points: points(1), values: [1], categories: [2] }, 'frames[3]: got both values and categories'],
    [{ points: points(1), colors: [1, 0, 0], values: [1], categories: [2] }, 'frames[3]: got both colors, values and categories'],
  ] as Array<[FrameInput, string]>)('%#: %s', (frame, message) => {
    const good = { points: points(2) };
    expect(errorOf([good, good, good, frame])).toContain(message);
  });
});

describe('the colour scale', () => {
  const twoFrames = () =>
    toFrameSet([
      { points: points(3), values: [2, 4, 6] },
      { points: points(2), values: [-4, 10] },
      { points: points(2) },
    ]);

  test('vmin/vmax default to the values\' range over all frames, one end given keeps the other', () => {
    const set = twoFrames();
    expect(valueRange(set)).toEqual([-4, 10]);
    expect(colorScale(set).values).toEqual([-4, 10]);
    expect(colorScale(set, { vmin: 0 }).values).toEqual([0, 10]);
    expect(colorScale(set, { vmax: 5 }).values).toEqual([-4, 5]);
    expect(colorScale(set, { vmin: 0, vmax: 1 }).values).toEqual([0, 1]);
    // One end beyond the data's other end: they meet (a threshold) rather than cross.
    expect(colorScale(set, { vmin: 20 }).values).toEqual([20, 20]);
    expect(colorScale(set, { vmax: -10 }).values).toEqual([-10, -10]);
    expect(valueRange(toFrameSet([{ points: points(2) }]))).toBeNull();
  });

  test('colour by z spans the bounds\' z range when given, else the data\'s', () => {
    const set = toFrameSet([{ points: [0, 0, 2, 0, 0, 4] }]);
    expect(colorScale(set).z).toEqual([2, 4]);
    expect(colorScale(set, { bounds: { min: [0, 0, -10], max: [1, 1, 10] } }).z).toEqual([-10, 10]);
  });

  test('vmin == vmax is a threshold: below the low end, on it the middle, above it the high end', () => {
    const colors = colorByScalar(new Float32Array([0, 1, 2]), 1, 0, 1, 1);
    const [low, mid, high] = [0, 1, 2].map((i) => Array.from(colors.subarray(i * 3, i * 3 + 3)));
    expect(low).toEqual(Array.from(colorByScalar([0], 1, 0, 0, 1)));
    expect(high).toEqual(Array.from(colorByScalar([1], 1, 0, 0, 1)));
    expect(mid).toEqual(Array.from(colorByScalar([0.5], 1, 0, 0, 1)));
  });
});

describe('pointColors: colors, else categories, else values, else z', () => {
  const set = toFrameSet([
    { points: points(2), colors: new Uint8Array([1, 2, 3, 4, 5, 6]) },
    { points: points(2), categories: [2, 200] },
    { points: points(2), values: [0, 10] },
    { points: points(2, 5) },
  ]);
  const scale = colorScale(set, { vmin: 0, vmax: 20, palette: new Map([[200, [9, 8, 7]]]), colormap: 'magma' });

  test('each frame by its own field', () => {
    expect(Array.from(pointColors(set.frames[0]!, scale))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(pointColors(set.frames[1]!, scale))).toEqual([...classColor(2), 9, 8, 7]);
    expect(pointColors(set.frames[2]!, scale)).toEqual(colorByScalar([0, 10], 1, 0, 0, 20, 'magma'));
    expect(pointColors(set.frames[3]!, scale)).toEqual(colorByZ(set.frames[3]!.positions, ...scale.z, 'magma'));
  });

  test('the same value gets the same colour in two animations with the same vmin/vmax', () => {
    const other = toFrameSet([{ points: points(3), values: [10, 1000, -50] }]);
    const a = pointColors(set.frames[2]!, scale).subarray(3, 6);
    const b = pointColors(other.frames[0]!, colorScale(other, { vmin: 0, vmax: 20, colormap: 'magma' })).subarray(0, 3);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
