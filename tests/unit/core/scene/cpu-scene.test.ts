// The CPU backend of the point scene: the rasteriser's pixels, over the background bytes as given.
import { Matrix4 } from 'three';
import { fitCamera } from '../../../../src/core/camera';
import { clearTarget, createRasterTarget, drawPoints, packRGBA } from '../../../../src/core/raster';
import { createCpuScene } from '../../../../src/core/scene/cpu-scene';

/** Node has no ImageData: the CPU scene only needs one wrapping its pixel buffer. */
class NodeImageData {
  constructor(
    readonly data: Uint8ClampedArray,
    readonly width: number,
    readonly height: number,
  ) {}
}

beforeAll(() => Object.assign(globalThis, { ImageData: NodeImageData }));
afterAll(() => delete (globalThis as { ImageData?: unknown }).ImageData);

const W = 64;
const H = 36;
const camera = fitCamera({ min: [-1, -1, -1], max: [1, 1, 1] }, W / H);
const positions = Float32Array.of(0, 0, 0, 0.5, -0.3, 0.2, -0.8, 0.6, -0.4);
const colors = Uint8Array.of(255, 0, 0, 0, 255, 0, 12, 34, 56);

test('draws what the rasteriser draws through the camera, over the background bytes as given', () => {
  const scene = createCpuScene(W, H);
  scene.setBackground('#336699');
  scene.setPoints(positions, colors);
  scene.setPointSize(3);
  scene.render(camera);

  const expected = createRasterTarget(W, H);
  clearTarget(expected, packRGBA(0x33, 0x66, 0x99));
  drawPoints(expected, positions, colors, new Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse).elements, 3);
  expect(Buffer.from(scene.image.data.buffer).equals(Buffer.from(expected.pixels.buffer))).toBe(true);
  expect(scene.kind).toBe('cpu');
  expect(scene.lost()).toBe(false);
});

test('round points are the rasteriser\'s discs', () => {
  const scene = createCpuScene(W, H);
  scene.setPoints(positions, colors);
  scene.setPointSize(7);
  scene.setPointShape('round');
  scene.render(camera);
  const expected = createRasterTarget(W, H);
  clearTarget(expected, packRGBA(0, 0, 0));
  drawPoints(expected, positions, colors, new Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse).elements, 7, 'round');
  expect(Buffer.from(scene.image.data.buffer).equals(Buffer.from(expected.pixels.buffer))).toBe(true);
  scene.setPointShape('square');
  scene.render(camera);
  expect(Buffer.from(scene.image.data.buffer).equals(Buffer.from(expected.pixels.buffer))).toBe(false);
});

test('with no points it shows the background alone', () => {
  const scene = createCpuScene(W, H);
  scene.setPoints(positions, colors);
  scene.setPoints(null, null);
  scene.setBackground('#000000');
  scene.render(camera);
  expect(new Uint32Array(scene.image.data.buffer).every((p) => p === packRGBA(0, 0, 0))).toBe(true);
});
