// The CPU backend of PointScene: the point rasteriser (../raster.ts) drawing
// into an ImageData of its own, WebGL's POINTS rules without WebGL.
import { Matrix4 } from 'three';
import { clearTarget, createRasterTarget, drawPoints, packRGBA } from '../raster.js';
import type { PointShape } from '../settings.js';
import { backgroundColor, type PointScene } from './point-scene.js';

export interface CpuPointScene extends PointScene {
  readonly kind: 'cpu';
  /** The picture render() fills, width x height RGBA. */
  readonly image: ImageData;
}

export function createCpuScene(width: number, height: number): CpuPointScene {
  const target = createRasterTarget(width, height);
  const image = new ImageData(new Uint8ClampedArray(target.pixels.buffer as ArrayBuffer), width, height);
  const viewProjection = new Matrix4();
  let background = packRGBA(0, 0, 0);
  let positions: Float32Array | null = null;
  let colors: Uint8Array | null = null;
  let size = 1;
  let shape: PointShape = 'square';
  return {
    kind: 'cpu',
    image,
    setPoints(p, c) {
      positions = p && c ? p : null;
      colors = p && c ? c : null;
    },
    setPointSize(pixels) {
      size = pixels;
    },
    setPointShape(s) {
      shape = s;
    },
    setBackground(css) {
      const c = backgroundColor(css);
      background = packRGBA(Math.round(c.r * 255), Math.round(c.g * 255), Math.round(c.b * 255));
    },
    render(camera) {
      clearTarget(target, background);
      if (!positions || !colors) return;
      viewProjection.multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse);
      drawPoints(target, positions, colors, viewProjection.elements, size, shape);
    },
    lost: () => false,
    dispose() {
      positions = colors = null;
    },
  };
}
