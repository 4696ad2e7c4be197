/** @jest-environment ./tests/unit/widget/widget-environment.cjs */
// The camera an export the kernel asked for renders with: the model asks its
// views ('cloudreel:camera'), the view shown last answers, none gives the default.
const views: unknown[] = [];
jest.mock('../../../src/core/export', () => ({
  exportAnimation: jest.fn((_frames: unknown, options: { view?: unknown }) => {
    views.push(options.view);
    return new Promise(() => {});
  }),
}));

import type { CameraView } from '../../../src/core/camera';
import type { CameraRequest } from '../../../src/widget/model';
import { createWidget } from './widget-harness';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const camera = (x: number): CameraView => ({ position: [x, 0, 0], target: [0, 0, 0], up: [0, 0, 1], fovDeg: 40 });

test('the view shown last gives its camera; with no view the export gets none', async () => {
  jest.spyOn(console, 'debug').mockImplementation(() => {});
  const { model, deliver } = createWidget({ frames_version: 1 });
  deliver({ type: 'frames-begin', version: 1, header: { frames: [{ points: 1, colors: false }], total_bytes: 12 }, chunks: 1 });
  deliver({ type: 'frames-chunk', version: 1, index: 0, offset: 0 }, [new DataView(new Float32Array([0, 0, 0]).buffer)]);
  deliver({ type: 'frames-end', version: 1 });
  const answer = (view: CameraView) => (request: CameraRequest) => (request.view = view);
  const first = answer(camera(1));
  const second = answer(camera(2));
  model.on('cloudreel:camera', first);
  model.on('cloudreel:camera', second);
  deliver({ type: 'export', request: 1 });
  await settle();
  model.runner.cancel();
  await settle();
  model.off('cloudreel:camera');
  deliver({ type: 'export', request: 2 });
  await settle();
  expect(views).toEqual([camera(2), undefined]);
  jest.restoreAllMocks();
});
