// FrameRenderer: draws frame i of a FrameSet with three.js into a canvas of its
// own (never the page's, never waiting on requestAnimationFrame, so an export
// finishes in a hidden tab) and hands back the picture as an image Blob.
import {
  BufferGeometry,
  Color,
  Float32BufferAttribute,
  LinearSRGBColorSpace,
  Matrix4,
  PerspectiveCamera,
  Points,
  PointsMaterial,
  Scene,
  Uint8BufferAttribute,
  WebGLRenderer,
} from 'three';
import { cameraFromView, fitCamera, type CameraView } from './camera.js';
import type { ColormapName } from './colormap.js';
import type { Frame, FrameSet } from './frames.js';
import { pointColors } from './point-colors.js';
import { viewToLocal } from './origin.js';
import { clearTarget, createRasterTarget, drawPoints, packRGBA } from './raster.js';
import { colorScale, framingBounds, type ScaleOptions } from './scale.js';
import type { FrameImageFormat, RendererKind } from './settings.js';

/** `bounds` fixes the framing, `vmin`/`vmax`/`palette` the colours (checked: see checkScaleOptions). */
export interface RenderOptions extends ScaleOptions {
  width: number;
  height: number;
  /** Draw "Frame i/N | n points" at the top, as the original did. */
  title: boolean;
  /** Point diameter in pixels; by default chosen from the point count. */
  pointSize?: number;
  background?: string;
  colormap?: ColormapName;
  /** Render from this camera (in world coordinates) instead of one fitted to all frames. */
  view?: CameraView;
  renderer?: RendererKind;
}

export interface FrameRenderer {
  readonly count: number;
  /** The rasteriser in use: 'cpu' from the frame where a lost WebGL context made it take over. */
  readonly kind?: 'webgl' | 'cpu';
  /** Draws frame `index` (with its title) and returns its RGBA pixels. */
  pixels(index: number): ImageData;
  /** Draws frame `index` and returns it as an image file (or raw RGBA bytes). */
  render(index: number, format: FrameImageFormat): Promise<Blob>;
  /** Test-only: loses the WebGL context (as a GPU reset would) before the next frame. */
  loseContext?(): void;
  dispose(): void;
}

const JPEG_QUALITY = 0.95;

/** Frames of at most this many points are sparse: markers rather than a surface, each standing alone. */
export const SPARSE_POINTS = 100;
/**
 * The smallest square that keeps a lone point's colour through 4:2:0 video,
 * whose chroma covers 2x2 pixel blocks. An odd width, wherever it lands, loses
 * only half a row and half a column of blocks; an even one can lose a whole row
 * and column (measured on both H.264 paths, a red point decodes with R 178-194
 * at 6 px, 200-214 at 5 px, 218-224 at 7 px).
 */
export const CHROMA_SAFE_PX = 7;

/**
 * Pixels per point for a frame of `pointsInFrame` points: 4 for 1k points down
 * to 1 for 1M at a 720-line frame, scaled with the height, so a sparse cloud
 * stays visible and a dense one does not turn into a solid blob. A sparse
 * frame's points are odd whole-pixel squares of at least CHROMA_SAFE_PX, at any
 * height, so even a single point keeps its colour in the video.
 */
export function defaultPointSize(pointsInFrame: number, height: number): number {
  const base = Math.min(4, Math.max(1, 7 - Math.log10(Math.max(1, pointsInFrame))));
  const size = base * (height / 720);
  if (pointsInFrame > SPARSE_POINTS) return size;
  const whole = Math.ceil(Math.max(size, CHROMA_SAFE_PX));
  return whole % 2 === 1 ? whole : whole + 1;
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

/** Draws the points of one frame into the composite canvas. */
interface PointBackend {
  readonly kind: 'webgl' | 'cpu';
  /** The CPU backend's own pixel buffer, which draw() fills (lets pixels() skip a full read-back). */
  readonly image?: ImageData;
  /** Draws `frame` with square points `size` pixels wide. */
  draw(frame: Frame, colors: Uint8Array, size: number): void;
  /** Whether the GPU context is gone (what draw() put in the frame is then blank or stale). */
  lost?(): boolean;
  loseContext?(): void;
  dispose(): void;
}

type Ctx2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

/** WebGL's renderer string says whether a GPU or a software emulation draws. */
export function isSoftwareRenderer(rendererName: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(rendererName);
}

function webglRendererName(): string | null {
  try {
    const gl = makeCanvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return name;
  } catch {
    return null;
  }
}

let autoKind: 'webgl' | 'cpu' | null = null;

/** 'auto' resolved once per page: the CPU rasteriser unless a real GPU is there. */
export function resolveRendererKind(kind: RendererKind): 'webgl' | 'cpu' {
  if (kind !== 'auto') return kind;
  if (!autoKind) {
    const name = webglRendererName();
    autoKind = name === null || isSoftwareRenderer(name) ? 'cpu' : 'webgl';
  }
  return autoKind;
}

function webglBackend(width: number, height: number, background: Color, camera: PerspectiveCamera, ctx: Ctx2D): PointBackend {
  const glCanvas = makeCanvas(width, height);
  const renderer = new WebGLRenderer({ canvas: glCanvas, antialias: false, alpha: false, preserveDrawingBuffer: true });
  renderer.setPixelRatio(1);
  renderer.setSize(width, height, false);
  // Colours go to the frame as given: no sRGB encoding of the byte values.
  renderer.outputColorSpace = LinearSRGBColorSpace;
  renderer.setClearColor(background, 1);
  const scene = new Scene();
  const material = new PointsMaterial({ sizeAttenuation: false, vertexColors: true });
  return {
    kind: 'webgl',
    draw(frame, colors, size) {
      material.size = size;
      const geometry = new BufferGeometry();
      geometry.setAttribute('position', new Float32BufferAttribute(frame.positions, 3));
      geometry.setAttribute('color', new Uint8BufferAttribute(colors, 3, true));
      const points = new Points(geometry, material);
      points.frustumCulled = false;
      scene.add(points);
      renderer.render(scene, camera);
      scene.remove(points);
      geometry.dispose();
      ctx.drawImage(glCanvas, 0, 0);
    },
    lost: () => renderer.getContext().isContextLost(),
    loseContext: () => renderer.forceContextLoss(),
    dispose() {
      material.dispose();
      renderer.dispose();
      // Frees the context now rather than at garbage collection (browsers cap live contexts).
      if (!renderer.getContext().isContextLost()) renderer.forceContextLoss();
    },
  };
}

function cpuBackend(width: number, height: number, background: Color, camera: PerspectiveCamera, ctx: Ctx2D): PointBackend {
  const target = createRasterTarget(width, height);
  const image = new ImageData(new Uint8ClampedArray(target.pixels.buffer as ArrayBuffer), width, height);
  const bg = packRGBA(Math.round(background.r * 255), Math.round(background.g * 255), Math.round(background.b * 255));
  const viewProjection = new Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse).elements;
  return {
    kind: 'cpu',
    image,
    draw(frame, colors, size) {
      clearTarget(target, bg);
      drawPoints(target, frame.positions, colors, viewProjection, size);
      ctx.putImageData(image, 0, 0);
    },
    dispose() {},
  };
}

export function createFrameRenderer(set: FrameSet, options: RenderOptions): FrameRenderer {
  const { width, height } = options;
  const framing = framingBounds(set, options.bounds);
  // The frames are drawn in local coordinates (relative to set.origin); a view comes in world ones.
  const camera = options.view ? cameraFromView(viewToLocal(options.view, set.origin), framing, width / height) : fitCamera(framing, width / height);
  // Linear: the colour bytes are drawn as they are, on both backends.
  const background = new Color().setStyle(options.background ?? '#000000', LinearSRGBColorSpace);
  const scale = colorScale(set, options);

  const composite = makeCanvas(width, height);
  // A CPU-backed 2D canvas: the CPU rasteriser writes into it and encoders read it back.
  const maybeCtx = composite.getContext('2d', { willReadFrequently: true }) as Ctx2D | null;
  if (!maybeCtx) throw new Error('This browser cannot create a 2D canvas to compose frames');
  const ctx = maybeCtx;
  const kind = resolveRendererKind(options.renderer ?? 'auto');
  let backend = (kind === 'cpu' ? cpuBackend : webglBackend)(width, height, background, camera, ctx);

  const fontPx = Math.round((20 * height) / 720);
  /** Rows the title can touch (it starts 0.8 em down and is about 1.2 em tall). */
  const titleBand = Math.ceil(fontPx * 2.5);

  function draw(index: number): void {
    const frame = set.frames[index];
    if (!frame) throw new RangeError(`frame index ${index} is outside 0..${set.frames.length - 1}`);
    const colors = pointColors(frame, scale);
    // From this frame's own count: a lone point is not drawn at the size a dense frame needs.
    const size = options.pointSize ?? defaultPointSize(frame.count, height);
    backend.draw(frame, colors, size);
    if (backend.lost?.()) {
      // The GPU went away (driver reset, too many contexts, a test): this frame
      // came out blank or stale. The CPU rasteriser draws it again and every frame after.
      backend.dispose();
      backend = cpuBackend(width, height, background, camera, ctx);
      backend.draw(frame, colors, size);
    }
    if (options.title) {
      ctx.font = `${fontPx}px sans-serif`;
      ctx.fillStyle = '#ffffff';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.fillText(titleText(index, set.frames.length, frame), width / 2, Math.round(fontPx * 0.8));
    }
  }

  return {
    count: set.frames.length,
    get kind() {
      return backend.kind;
    },
    pixels(index) {
      draw(index);
      if (!backend.image) return ctx.getImageData(0, 0, width, height);
      // The CPU backend's buffer already holds the points: read back only the
      // title's rows instead of allocating a whole frame each time.
      if (options.title) backend.image.data.set(ctx.getImageData(0, 0, width, Math.min(height, titleBand)).data);
      return backend.image;
    },
    async render(index, format) {
      draw(index);
      if (format === 'rgba') return new Blob([ctx.getImageData(0, 0, width, height).data]);
      return canvasToBlob(composite, format === 'png' ? 'image/png' : 'image/jpeg');
    },
    loseContext() {
      backend.loseContext?.();
    },
    dispose() {
      backend.dispose();
    },
  };
}
