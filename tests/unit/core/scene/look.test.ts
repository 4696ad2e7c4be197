// SceneLook: the framing, cameras and colours the export and the player share.
import { cameraFromView, fitCamera } from '../../../../src/core/camera';
import { toFrameSet } from '../../../../src/core/frames';
import { pointColors } from '../../../../src/core/point-colors';
import { colorScale } from '../../../../src/core/scale';
import { sceneLook } from '../../../../src/core/scene/look';

const utm = [500000, 5400000, 300] as const;
const set = toFrameSet([
  { points: [utm[0], utm[1], utm[2], utm[0] + 4, utm[1] + 2, utm[2] + 5], values: [1, 9] },
  { points: [utm[0] + 1, utm[1] + 1, utm[2] + 1], categories: [6] },
  { points: [utm[0], utm[1], utm[2] + 2] },
]);

test('framing and camera: the data\'s bounds, or the bounds option moved to the set\'s origin', () => {
  expect(sceneLook(set, {}).framing).toEqual(set.bounds);
  const bounds = { min: [utm[0] - 4, utm[1] - 4, utm[2] - 4], max: [utm[0] + 4, utm[1] + 4, utm[2] + 12] } as never;
  const look = sceneLook(set, { bounds });
  const local = look.framing!;
  expect(local.max.map((v, k) => v - local.min[k]!)).toEqual([8, 8, 16]);
  expect(look.fitted(16 / 9).camera.position.toArray()).toEqual(fitCamera(local, 16 / 9).position.toArray());
  const view = { position: [utm[0] + 9, utm[1] - 9, utm[2] + 9], target: [...utm], up: [0, 0, 1], fovDeg: 30 } as never;
  const local0 = [utm[0] - set.origin[0], utm[1] - set.origin[1], utm[2] - set.origin[2]];
  expect(look.cameraFrom(view, 1).position.toArray()).toEqual(
    cameraFromView({ position: [local0[0]! + 9, local0[1]! - 9, local0[2]! + 9], target: local0 as never, up: [0, 0, 1], fovDeg: 30 }, local, 1).position.toArray(),
  );
});

test('colours: pointColors with the set\'s colour scale', () => {
  const options = { vmin: 0, vmax: 10, colormap: 'plasma' as const, palette: new Map([[6, [1, 2, 3]]]) as never };
  const look = sceneLook(set, options);
  for (const frame of set.frames) expect(look.colors(frame)).toEqual(pointColors(frame, colorScale(set, options)));
  expect(Array.from(look.colors(set.frames[1]!))).toEqual([1, 2, 3]);
  // No set: no colour scale, and points are black.
  expect(Array.from(sceneLook(null, {}).colors(set.frames[0]!))).toEqual([0, 0, 0, 0, 0, 0]);
  expect(sceneLook(null, {}).framing).toBeNull();
});
