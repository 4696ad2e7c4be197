import { Vector3 } from 'three';
import { cameraFromView, clipAround, fitCamera, fitView } from '../../../src/core/camera';
import { toFrameSet } from '../../../src/core/frames';

function ndc(camera: ReturnType<typeof fitCamera>, p: [number, number, number]) {
  return new Vector3(...p).project(camera);
}

describe('fitCamera', () => {
  // Frames far apart: a camera fitted to the first frame alone would miss the others.
  const set = toFrameSet([
    { points: [0, 0, 0, 1, 1, 1] },
    { points: [40, -3, 2, 41, -2, 3] },
    { points: [-10, 25, -8] },
  ]);

  test.each([16 / 9, 1, 9 / 16, 4])('every point of every frame is in view at aspect %f', (aspect) => {
    const camera = fitCamera(set.bounds, aspect);
    for (const frame of set.frames) {
      for (let i = 0; i < frame.count; i++) {
        const p = ndc(camera, [frame.positions[i * 3]!, frame.positions[i * 3 + 1]!, frame.positions[i * 3 + 2]!]);
        expect(Math.abs(p.x)).toBeLessThan(1);
        expect(Math.abs(p.y)).toBeLessThan(1);
        expect(Math.abs(p.z)).toBeLessThan(1); // between near and far planes
      }
    }
  });

  test('every corner of the bounds is in view', () => {
    const camera = fitCamera(set.bounds, 16 / 9);
    const { min, max } = set.bounds!;
    for (const x of [min[0], max[0]]) for (const y of [min[1], max[1]]) for (const z of [min[2], max[2]]) {
      const p = ndc(camera, [x, y, z]);
      expect(Math.max(Math.abs(p.x), Math.abs(p.y), Math.abs(p.z))).toBeLessThan(1);
    }
  });

  test('the cloud fills a fair part of the frame (not fitted absurdly far away)', () => {
    const camera = fitCamera(set.bounds, 16 / 9);
    const xs = set.frames.flatMap((f) => Array.from({ length: f.count }, (_, i) =>
      ndc(camera, [f.positions[i * 3]!, f.positions[i * 3 + 1]!, f.positions[i * 3 + 2]!]).x));
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(0.8);
  });

  test('z is up and the view is matplotlib-like (from -y, +x side, above)', () => {
    const camera = fitCamera({ min: [-1, -1, -1], max: [1, 1, 1] }, 1);
    expect(camera.up.toArray()).toEqual([0, 0, 1]);
    expect(camera.position.x).toBeGreaterThan(0);
    expect(camera.position.y).toBeLessThan(0);
    expect(camera.position.z).toBeGreaterThan(0);
    expect(ndc(camera, [0, 0, 1]).y).toBeGreaterThan(ndc(camera, [0, 0, -1]).y);
  });

  test('a single point or all-empty frames still give a usable camera', () => {
    for (const bounds of [{ min: [3, 3, 3], max: [3, 3, 3] } as const, null]) {
      const camera = fitCamera(bounds as never, 16 / 9);
      const p = ndc(camera, bounds ? [3, 3, 3] : [0, 0, 0]);
      expect(Number.isFinite(p.x)).toBe(true);
      expect(Math.abs(p.x)).toBeLessThan(1e-6);
    }
  });
});

describe('cameraFromView', () => {
  test('the target lands mid-frame and every point of the bounds is between near and far', () => {
    const bounds = { min: [-1, -1, -1], max: [1, 1, 1] } as { min: [number, number, number]; max: [number, number, number] };
    const camera = cameraFromView({ position: [6, -4, 3], target: [0.5, 0, 0], up: [0, 0, 1], fovDeg: 40 }, bounds, 16 / 9);
    const p = ndc(camera, [0.5, 0, 0]);
    expect(Math.abs(p.x)).toBeLessThan(1e-9);
    expect(Math.abs(p.y)).toBeLessThan(1e-9);
    for (const c of [[-1, -1, -1], [1, 1, 1], [1, -1, 1]] as const) expect(Math.abs(ndc(camera, [...c]).z)).toBeLessThan(1);
    expect(camera.fov).toBe(40);
  });
});

describe('fitView and clipAround', () => {
  test('fitView gives fitCamera\'s camera, the bounds\' centre and half their diagonal (at least 1e-6)', () => {
    const bounds = { min: [0, 0, -1], max: [4, 2, 4] } as const;
    const { camera, target, radius } = fitView(bounds as never, 16 / 9);
    expect(camera.position.toArray()).toEqual(fitCamera(bounds as never, 16 / 9).position.toArray());
    expect(target.toArray()).toEqual([2, 1, 1.5]);
    expect(radius).toBeCloseTo(Math.hypot(4, 2, 5) / 2, 12);
    expect(fitView({ min: [3, 3, 3], max: [3, 3, 3] }, 1).radius).toBe(1e-6);
    expect(fitView(null, 1).radius).toBeCloseTo(Math.sqrt(3), 12);
  });

  test('clipAround keeps the whole cloud between near and far wherever the camera is', () => {
    const { camera, target, radius } = fitView({ min: [-1, -1, -1], max: [1, 1, 1] }, 1);
    for (const [x, y, z] of [[30, 0, 0], [0, -2.5, 0.5], [0.2, 0.1, 0]] as const) {
      camera.position.set(x, y, z);
      camera.lookAt(target);
      camera.updateMatrixWorld(true);
      clipAround(camera, target, radius);
      const d = camera.position.distanceTo(target);
      expect(camera.near).toBeLessThanOrEqual(Math.max(d - radius, d * 1e-3));
      expect(camera.far).toBeGreaterThanOrEqual(d + radius);
      expect(camera.near).toBeGreaterThan(0);
    }
  });
});
