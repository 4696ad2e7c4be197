// PointScene: one frame's points drawn as square or round dots of one size over a
// background, through a camera. Its two backends are three.js (webgl-scene.ts)
// and the CPU rasteriser (cpu-scene.ts); the export and the in-cell player both draw through it.
import { Color, LinearSRGBColorSpace, type PerspectiveCamera } from 'three';
import type { PointShape } from '../settings.js';

export interface PointScene {
  readonly kind: 'webgl' | 'cpu';
  /** Shows these points (x y z, and r g b bytes, per point), or none. */
  setPoints(positions: Float32Array | null, colors: Uint8Array | null): void;
  /** Points this many pixels (of the drawing buffer) across. */
  setPointSize(pixels: number): void;
  /** Squares (WebGL's POINTS, the default) or discs: a pixel is drawn when its centre lies within size/2 of the point. */
  setPointShape(shape: PointShape): void;
  /** The CSS colour behind the points. */
  setBackground(css: string): void;
  render(camera: PerspectiveCamera): void;
  /** Whether the GPU context is gone (what render() drew is then blank or stale). */
  lost(): boolean;
  dispose(): void;
}

/** A CSS colour with its bytes as given (no sRGB decoding), as point colours are drawn. */
export function backgroundColor(css: string): Color {
  return new Color().setStyle(css, LinearSRGBColorSpace);
}
