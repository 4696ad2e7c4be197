import {
  chooseOrigin,
  float32PrecisionNote,
  float32Step,
  FLOAT32_MAX,
  toLocal,
  toWorld,
  viewToLocal,
  viewToWorld,
} from '../../../src/core/origin';

const UTM: [number, number, number] = [500000, 5400000, 300];

test('world and local coordinates differ by the origin, in float64', () => {
  expect(toLocal([500001.25, 5400002.5, 301], UTM)).toEqual([1.25, 2.5, 1]);
  expect(toWorld([1.25, 2.5, 1], UTM)).toEqual([500001.25, 5400002.5, 301]);
  expect(toLocal([1, 2, 3], undefined)).toEqual([1, 2, 3]); // a FrameSet made by hand, without one
  const view = { position: [500010, 5400010, 310] as [number, number, number], target: UTM, up: [0, 0, 1] as [number, number, number], fovDeg: 35 };
  const local = viewToLocal(view, UTM);
  expect(local).toEqual({ position: [10, 10, 10], target: [0, 0, 0], up: [0, 0, 1], fovDeg: 35 });
  expect(viewToWorld(local, UTM)).toEqual(view);
});

describe('chooseOrigin', () => {
  const box = (min: number[], max: number[]) => Float64Array.from([...min, ...max]);

  test('points near (0, 0, 0) keep it', () => {
    expect(chooseOrigin(box([-5, -5, 0], [5, 5, 3]))).toEqual([0, 0, 0]);
    // The centre 80 from (0, 0, 0) is within 8 times the 10-wide extent.
    expect(chooseOrigin(box([75, 75, 75], [85, 85, 85]))).toEqual([0, 0, 0]);
  });

  test('far points are re-centred on their bounds centre', () => {
    expect(chooseOrigin(box([499995, 5399995, 299], [500005, 5400005, 302]))).toEqual([500000, 5400000, 300.5]);
    expect(chooseOrigin(box([1e4 - 5, -5, 0], [1e4 + 5, 5, 3]))).toEqual([1e4, 0, 1.5]);
    // One point (or all at one place) away from (0, 0, 0): the point itself.
    expect(chooseOrigin(box([1e6, 2, 3], [1e6, 2, 3]))).toEqual([1e6, 2, 3]);
  });

  test('no points: (0, 0, 0); the centre of huge bounds does not overflow', () => {
    expect(chooseOrigin(Float64Array.of(Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity))).toEqual([0, 0, 0]);
    expect(chooseOrigin(box([1.5e308, 0, 0], [1.5e308, 1, 1]))).toEqual([1.5e308, 0.5, 0.5]);
  });
});

test('float32Step is the exact float32 spacing: 0.0625 at 1e6, 0.5 at 5.4e6', () => {
  expect(float32Step(1e6)).toBe(0.0625);
  expect(float32Step(5.4e6)).toBe(0.5);
  expect(float32Step(-5.4e6)).toBe(0.5);
  expect(float32Step(1)).toBe(2 ** -23);
  expect(float32Step(0)).toBe(2 ** -149);
  expect(float32Step(1e300)).toBe(float32Step(FLOAT32_MAX));
  for (const v of [3, 1000.5, 123456.7, 5400000]) {
    const f = Math.fround(v);
    // The next float32 up is exactly one step away.
    expect(Math.fround(f + float32Step(f))).toBe(f + float32Step(f));
    expect(Math.fround(f + float32Step(f) * 0.49)).toBe(f);
  }
});

test('the precision note: when float32 has fewer than 4096 steps across the points', () => {
  const note = float32PrecisionNote('frames[3]', 5400005, 10);
  expect(note).toBe(
    'frames[3]: float32 points lie 5400000 from (0, 0, 0) but the animation spans only 10; float32 steps there are 0.5, ' +
      'so precision was lost before cloudreel got them and the picture shows bands. ' +
      'Pass float64 coordinates (a Float64Array or plain numbers): cloudreel re-centres them before casting to float32.',
  );
  expect(float32PrecisionNote('frames[0]', 1e6, 10)).toMatch(/steps there are 0.0625/); // 160 steps
  expect(float32PrecisionNote('frames[0]', 1e4, 10)).toBeNull(); // 10240 steps: not visible
  expect(float32PrecisionNote('frames[0]', 5.4e6, 0)).toBeNull(); // one point: nothing to lose
  expect(float32PrecisionNote('frames[0]', 5.4e6, 5000)).toBeNull();
});
