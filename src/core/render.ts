// FrameRenderer: draws frame i of a FrameSet with three.js into a canvas of its
// own (never the page's, never waiting on requestAnimationFrame, so an export
// finishes in a hidden tab) and hands back the picture as an image Blob.
import {
  BufferGeometry,
  Color,
  Float32BufferAttribute,
  LinearSRGBColorSpace,
  Points,
  PointsMaterial,
  Scene,
  Uint8BufferAttribute,
  WebGLRenderer,
} from 'three';
import { cameraFromView, fitCamera, type CameraView } from './camera.js';
import { colorByZ, type ColormapName } from './colormap.js';
import type { Frame, FrameSet } from './frames.js';

/** What ffmpeg is fed: compressed pictures (jpeg, png) or raw RGBA bytes. */
export type FrameImageFormat = 'jpeg' | 'png' | 'rgba';

export interface RenderOptions {
  width: number;
  height: number;
  /** Draw "Frame i/N | n points" at the top, as the original did. */
  title: boolean;
  /** Point diameter in pixels; by default chosen from the point count. */
  pointSize?: number;
  background?: string;
  colormap?: ColormapName;
  /** Render from this camera instead of one fitted to all frames. */
  view?: CameraView;
}

export interface FrameRenderer {
  readonly count: number;
  render(index: number, format: FrameImageFormat): Promise<Blob>;
  dispose(): void;
}

const JPEG_QUALITY = 0.95;

/**
 * Pixels per point at a 720-line frame: 4 for 1k points down to 1 for 1M, so a
 * sparse cloud stays visible and a dense one does not turn into a solid blob.
 */
export function defaultPointSize(pointsPerFrame: number, height: number): number {
  const base = Math.min(4, Math.max(1, 7 - Math.log10(Math.max(1, pointsPerFrame))));
  return base * (height / 720);
}

export function titleText(index: number, total: number, frame: Frame): string {
  return `Frame ${index + 1}/${total} | ${frame.count} points`;
}

type AnyCanvas = OffscreenCanvas | HTMLCanvasElement;

function makeCanvas(width: number, height: number): AnyCanvas {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

function canvasToBlob(canvas: AnyCanvas, type: string): Promise<Blob> {
  if ('convertToBlob' in canvas) return canvas.convertToBlob({ type, quality: JPEG_QUALITY });
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas.toBlob returned nothing'))), type, JPEG_QUALITY),
  );
}

export function createFrameRenderer(set: FrameSet, options: RenderOptions): FrameRenderer {
  const { width, height } = options;
  const glCanvas = makeCanvas(width, height);
  const renderer = new WebGLRenderer({
    canvas: glCanvas,
    antialias: false,
    alpha: false,
    preserveDrawingBuffer: true,
  });
  renderer.setPixelRatio(1);
  renderer.setSize(width, height, false);
  // Colours go to the frame as given: no sRGB encoding of the byte values.
  renderer.outputColorSpace = LinearSRGBColorSpace;
  const background = new Color(options.background ?? '#000000');
  renderer.setClearColor(background, 1);

  const scene = new Scene();
  const camera = options.view ? cameraFromView(options.view, set.bounds, width / height) : fitCamera(set.bounds, width / height);
  const largest = set.frames.reduce((m, f) => Math.max(m, f.count), 0);
  const material = new PointsMaterial({
    size: options.pointSize ?? defaultPointSize(largest, height),
    sizeAttenuation: false,
    vertexColors: true,
  });
  const zMin = set.bounds?.min[2] ?? 0;
  const zMax = set.bounds?.max[2] ?? 0;

  const composite = makeCanvas(width, height);
  const ctx = composite.getContext('2d', { willReadFrequently: false }) as
    | OffscreenCanvasRenderingContext2D
    | CanvasRenderingContext2D
    | null;
  if (!ctx) throw new Error('This browser cannot create a 2D canvas to compose frames');

  function draw(index: number): void {
    const frame = set.frames[index];
    if (!frame) throw new RangeError(`frame index ${index} is outside 0..${set.frames.length - 1}`);
    const geometry = new BufferGeometry();
    geometry.setAttribute('position', new Float32BufferAttribute(frame.positions, 3));
    const colors = frame.colors ?? colorByZ(frame.positions, zMin, zMax, options.colormap);
    geometry.setAttribute('color', new Uint8BufferAttribute(colors, 3, true));
    const points = new Points(geometry, material);
    points.frustumCulled = false;
    scene.add(points);
    renderer.render(scene, camera);
    scene.remove(points);
    geometry.dispose();

    ctx!.drawImage(glCanvas, 0, 0);
    if (options.title) {
      const fontPx = Math.round((20 * height) / 720);
      ctx!.font = `${fontPx}px sans-serif`;
      ctx!.fillStyle = '#ffffff';
      ctx!.textAlign = 'center';
      ctx!.textBaseline = 'top';
      ctx!.fillText(titleText(index, set.frames.length, frame), width / 2, Math.round(fontPx * 0.8));
    }
  }

  return {
    count: set.frames.length,
    async render(index, format) {
      draw(index);
      if (format === 'rgba') return new Blob([ctx!.getImageData(0, 0, width, height).data]);
      return canvasToBlob(composite, format === 'png' ? 'image/png' : 'image/jpeg');
    },
    dispose() {
      material.dispose();
      renderer.dispose();
      renderer.forceContextLoss();
    },
  };
}
