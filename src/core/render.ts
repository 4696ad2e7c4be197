// FrameRenderer: draws frame i of a FrameSet or a LazyFrames (awaiting it) through the point scene (three.js or
// the CPU rasteriser) into a canvas of its own (never the page's, never waiting on
// requestAnimationFrame, so an export finishes in a hidden tab), adds the title,
// and hands back the picture as an image Blob.
import { WebGLRenderer } from 'three';
import type { CameraView } from './camera.js';
import type { ColormapName } from './colormap.js';
import type { Frame, FrameSet } from './frames.js';
import { frameAt, isLazyFrames, lazyFrames, type LazyFrames } from './lazy-frames.js';
import type { ScaleOptions } from './scale.js';
import { createCpuScene } from './scene/cpu-scene.js';
import { sceneLook } from './scene/look.js';
import type { PointScene } from './scene/point-scene.js';
import { pointSizeFor } from './scene/point-size.js';
import { createWebGLScene } from './scene/webgl-scene.js';
import { DEFAULTS, type FrameImageFormat, type PointShape, type RendererKind } from './settings.js';

/** `bounds` fixes the framing, `vmin`/`vmax`/`palette` the colours (checked: see checkScaleOptions). */
export interface RenderOptions extends ScaleOptions {
  width: number;
  height: number;
  /** Draw "Frame i/N | n points" at the top, as the original did. */
  title: boolean;
  /** Point diameter in pixels; by default chosen from the point count. */
  pointSize?: number;
  /** Squares (default) or discs, `pointSize` pixels across. */
  pointShape?: PointShape;
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
  /** Draws frame `index` (with its title) and returns its RGBA pixels; a FrameSet's frames only (a LazyFrames: readPixels). */
  pixels(index: number): ImageData;
  /** Awaits frame `index`, draws it and returns its RGBA pixels (the pipeline's way; pixels() where absent). */
  readPixels?(index: number): Promise<ImageData>;
  /** Awaits frame `index`, draws it and returns it as an image file (or raw RGBA bytes). */
  render(index: number, format: FrameImageFormat): Promise<Blob>;
  /** Test-only: loses the WebGL context (as a GPU reset would) before the next frame. */
  loseContext?(): void;
  dispose(): void;
}

const JPEG_QUALITY = 0.95;

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

/** A point scene and how its picture gets onto the composite canvas. */
interface Backend {
  scene: PointScene;
  /** Copies what the scene drew onto the composite canvas. */
  copyToComposite(): void;
  /** The CPU scene's own pixel buffer (lets pixels() skip a full read-back). */
  image?: ImageData;
  loseContext?(): void;
}

function webglBackend(width: number, height: number, ctx: Ctx2D): Backend {
  const glCanvas = makeCanvas(width, height);
  const renderer = new WebGLRenderer({ canvas: glCanvas, antialias: false, alpha: false, preserveDrawingBuffer: true });
  renderer.setPixelRatio(1);
  renderer.setSize(width, height, false);
  const scene = createWebGLScene(renderer);
  return { scene, copyToComposite: () => ctx.drawImage(glCanvas, 0, 0), loseContext: () => scene.loseContext() };
}

function cpuBackend(width: number, height: number, ctx: Ctx2D): Backend {
  const scene = createCpuScene(width, height);
  return { scene, copyToComposite: () => ctx.putImageData(scene.image, 0, 0), image: scene.image };
}

/**
 * A renderer of `set`'s frames. A LazyFrames is asked for each frame as it is
 * drawn (and told when the renderer is done with it), so only the frame being
 * drawn is held here; a FrameSet is the same path with every frame at hand.
 */
export function createFrameRenderer(set: FrameSet | LazyFrames, options: RenderOptions): FrameRenderer {
  const { width, height } = options;
  const inMemory = isLazyFrames(set) ? null : set;
  const source = inMemory ? lazyFrames(inMemory) : (set as LazyFrames);
  const total = source.count;
  const look = sceneLook(set, options);
  const camera = options.view ? look.cameraFrom(options.view, width / height) : look.fitted(width / height).camera;
  const background = options.background ?? '#000000';
  const pointShape = options.pointShape ?? DEFAULTS.pointShape;

  const composite = makeCanvas(width, height);
  // A CPU-backed 2D canvas: the CPU rasteriser writes into it and encoders read it back.
  const maybeCtx = composite.getContext('2d', { willReadFrequently: true }) as Ctx2D | null;
  if (!maybeCtx) throw new Error('This browser cannot create a 2D canvas to compose frames');
  const ctx = maybeCtx;
  const kind = resolveRendererKind(options.renderer ?? 'auto');
  let backend = (kind === 'cpu' ? cpuBackend : webglBackend)(width, height, ctx);
  const setUp = (scene: PointScene) => {
    scene.setBackground(background);
    scene.setPointShape(pointShape);
  };
  setUp(backend.scene);

  const fontPx = Math.round((20 * height) / 720);
  /** Rows the title can touch (it starts 0.8 em down and is about 1.2 em tall). */
  const titleBand = Math.ceil(fontPx * 2.5);

  function draw(index: number, frame: Frame): void {
    const colors = look.colors(frame);
    const size = pointSizeFor(frame.count, height, options.pointSize);
    const paint = ({ scene, copyToComposite }: Backend) => {
      scene.setPoints(frame.positions, colors);
      scene.setPointSize(size);
      scene.render(camera);
      copyToComposite();
    };
    paint(backend);
    if (backend.scene.lost()) {
      // The GPU went away (driver reset, too many contexts, a test): this frame
      // came out blank or stale. The CPU rasteriser draws it again and every frame after.
      backend.scene.dispose();
      backend = cpuBackend(width, height, ctx);
      setUp(backend.scene);
      paint(backend);
    }
    if (options.title) {
      ctx.font = `${fontPx}px sans-serif`;
      ctx.fillStyle = '#ffffff';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.fillText(titleText(index, total, frame), width / 2, Math.round(fontPx * 0.8));
    }
  }

  /** Awaits frame `index` from the source and draws it; the source hears when it is drawn. */
  async function drawFromSource(index: number): Promise<void> {
    if (!(index >= 0 && index < total)) throw new RangeError(`frame index ${index} is outside 0..${total - 1}`);
    const frame = await source.frame(index);
    try {
      draw(index, frame);
    } finally {
      source.release?.(index);
    }
  }

  function readBack(): ImageData {
    if (!backend.image) return ctx.getImageData(0, 0, width, height);
    // The CPU backend's buffer already holds the points: read back only the
    // title's rows instead of allocating a whole frame each time.
    if (options.title) backend.image.data.set(ctx.getImageData(0, 0, width, Math.min(height, titleBand)).data);
    return backend.image;
  }

  return {
    count: total,
    get kind() {
      return backend.scene.kind;
    },
    pixels(index) {
      if (!inMemory) throw new TypeError('pixels() draws frames held in memory (a FrameSet); a LazyFrames is drawn with readPixels()');
      draw(index, frameAt(inMemory, index));
      return readBack();
    },
    async readPixels(index) {
      await drawFromSource(index);
      return readBack();
    },
    async render(index, format) {
      await drawFromSource(index);
      if (format === 'rgba') return new Blob([ctx.getImageData(0, 0, width, height).data]);
      return canvasToBlob(composite, format === 'png' ? 'image/png' : 'image/jpeg');
    },
    loseContext() {
      backend.loseContext?.();
    },
    dispose() {
      backend.scene.dispose();
    },
  };
}
