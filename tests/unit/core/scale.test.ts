// The bounds, vmin/vmax and palette options: checked with clear messages, and
// bounds (world coordinates) turned into the FrameSet's coordinates in one place.
import { toFrameSet } from '../../../src/core/frames';
import { resolveOptions } from '../../../src/core/options';
import { checkBounds, checkScaleOptions, framingBounds, localBounds } from '../../../src/core/scale';

describe('bounds', () => {
  test('{min, max} and the pair form give the same box', () => {
    const box = { min: [-1, -2, -3], max: [1, 2, 3] };
    expect(checkBounds(box)).toEqual(box);
    expect(checkBounds([[-1, -2, -3], new Float64Array([1, 2, 3])])).toEqual(box);
    expect(checkBounds([[0, 0, 0], [0, 0, 0]])).toEqual({ min: [0, 0, 0], max: [0, 0, 0] }); // a point: allowed
  });

  test.each([
    [[[0, 0, 0]], 'bounds must be {min: [xmin, ymin, zmin], max: [xmax, ymax, zmax]} or [[xmin, ymin, zmin], [xmax, ymax, zmax]], got [[0,0,0]]'],
    [{ min: [0, 0], max: [1, 1, 1] }, 'bounds must be {min: '],
    ['box', 'got "box"'],
    [{ min: [0, NaN, 0], max: [1, 1, 1] }, 'bounds must be finite numbers, got NaN for ymin'],
    [[[0, 0, 0], [1, 1, Infinity]], 'bounds must be finite numbers, got Infinity for zmax'],
    [[[0, 0, 0], [1, '1', 1]], 'bounds must be finite numbers, got "1" for ymax'],
    [[[5, 0, 0], [2, 1, 1]], 'bounds must have min <= max on each axis, got xmin 5 > xmax 2'],
  ])('%j is refused', (input, message) => {
    expect(() => checkBounds(input)).toThrow(RangeError);
    expect(() => checkBounds(input)).toThrow(message);
  });

  test('in the FrameSet\'s coordinates, and framing falls back to the data', () => {
    const set = toFrameSet([{ points: [0, 0, 0, 1, 2, 3] }]);
    const box = { min: [-5, -5, -5] as [number, number, number], max: [5, 5, 5] as [number, number, number] };
    expect(localBounds(box, set)).toEqual(box); // positions are not re-centred yet
    expect(framingBounds(set, box)).toEqual(box);
    expect(framingBounds(set)).toEqual(set.bounds);
    expect(framingBounds(null, box)).toBeNull();
  });
});

describe('vmin, vmax and palette', () => {
  test.each([
    [{ vmin: NaN }, 'vmin must be a finite number, got NaN'],
    [{ vmax: Infinity }, 'vmax must be a finite number, got Infinity'],
    [{ vmin: '0' }, 'vmin must be a finite number, got "0"'],
    [{ vmin: 5, vmax: 2 }, 'vmin must not exceed vmax, got vmin 5 > vmax 2'],
    [{ palette: [1, 2] }, 'palette must map class codes to colours'],
    [{ palette: { 256: '#ffffff' } }, 'palette keys must be class codes from 0 to 255, got "256"'],
    [{ palette: { 2: 'red' } }, 'palette[2] must be "#rrggbb" or [r, g, b] with integers 0..255, got "red"'],
    [{ palette: { 2: [255, 0, 300] } }, 'palette[2] must be "#rrggbb" or [r, g, b] with integers 0..255, got [255, 0, 300]'],
  ])('%j is refused by resolveOptions', (options, message) => {
    expect(() => resolveOptions(options as never)).toThrow(RangeError);
    expect(() => resolveOptions(options as never)).toThrow(message);
  });

  test('accepted: equal limits, null as absent, palette keys as strings (JSON) or numbers', () => {
    expect(checkScaleOptions({ vmin: 1, vmax: 1 })).toEqual({ vmin: 1, vmax: 1 });
    expect(checkScaleOptions({ vmin: null, vmax: null, bounds: null, palette: null })).toEqual({});
    const { palette } = checkScaleOptions({ palette: { '2': '#A0522D', 6: [1, 2, 3] } });
    expect([...palette!.entries()]).toEqual([[2, [160, 82, 45]], [6, [1, 2, 3]]]);
    expect(resolveOptions({ bounds: [[0, 0, 0], [1, 1, 1]], vmin: 0, vmax: 2 }).scale).toEqual({ bounds: { min: [0, 0, 0], max: [1, 1, 1] }, vmin: 0, vmax: 2 });
  });
});
