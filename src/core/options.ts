// Export options with their defaults, checked before any work starts.
import type { CameraView } from './camera.js';
import { isColormap } from './colormap.js';
import type { InjectedFault } from './encode/encoder.js';
import type { PaletteInput } from './palette.js';
import { checkScaleOptions, type BoundsInput, type ScaleOptions } from './scale.js';
import {
  COLORMAPS,
  DEFAULTS,
  FRAME_IMAGE_FORMATS,
  MAX_FPS,
  MAX_POINT_SIZE,
  MAX_SIDE,
  MIN_FPS,
  POINT_SHAPES,
  QUALITIES,
  RENDERER_KINDS,
  type ColormapName,
  type FrameImageFormat,
  type PointShape,
  type Quality,
  type RendererKind,
} from './settings.js';
import type { StatusListener } from './status.js';

export interface ExportOptions {
  /** Frames per second of the video (default 5, as the original). */
  fps?: number;
  /** Even number of pixels (yuv420p needs it); default 1280. */
  width?: number;
  /** Even number of pixels; default 720. */
  height?: number;
  /** Encoder ids to try, in order; default DEFAULT_CODECS: WebCodecs H.264, VP9, VP8 (where supported), then ffmpeg.wasm H.264, VP8, MPEG-4, GIF. */
  codecs?: readonly string[];
  /** Draw "Frame i/N | n points" at the top of each frame (default true). */
  title?: boolean;
  /** Point diameter in pixels; by default chosen from the point count. */
  pointSize?: number;
  /** 'square' (default, as WebGL draws points) or 'round': a disc `pointSize` pixels across. */
  pointShape?: PointShape;
  /** CSS colour behind the points (default black). */
  background?: string;
  /** Colormap for frames without colors: their values, else their z (default viridis). */
  colormap?: ColormapName;
  /** Fit the camera to this world box instead of the data; colour by z spans its z range. */
  bounds?: BoundsInput;
  /** The colormap's range for frames' values (default: their range over all frames). */
  vmin?: number;
  vmax?: number;
  /** `{class: colour}` overriding the LAS palette for frames' categories. */
  palette?: PaletteInput;
  /** Size/quality trade-off of the encoders (default standard). */
  quality?: Quality;
  /** Camera to render from (e.g. a viewer's current one); default: fitted to all frames. */
  view?: CameraView;
  signal?: AbortSignal;
  onStatus?: StatusListener;
  /** Rasteriser: 'auto' (default) uses the CPU one when WebGL is software (no GPU) or missing. */
  renderer?: RendererKind;
  /** How rendered frames reach ffmpeg.wasm (default png: lossless, and measured as fast end to end as jpeg). */
  frameImage?: FrameImageFormat;
  /**
   * Test-only: make the named encoders fail ('fail': a real failing run; 'garbage': bad output),
   * or `{ webgl: 'lose-context' }`: lose the WebGL context halfway through the frames.
   */
  testFaults?: Partial<Record<string, InjectedFault>>;
}

export interface ResolvedOptions {
  fps: number;
  width: number;
  height: number;
  title: boolean;
  pointSize: number | undefined;
  pointShape: PointShape;
  background: string;
  colormap: ColormapName;
  /** bounds, vmin, vmax and palette, checked. */
  scale: ScaleOptions;
  quality: Quality;
  view: CameraView | undefined;
  renderer: RendererKind;
  frameImage: FrameImageFormat;
}

const describe = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));
/** `"a", "b" or "c"` */
const quotedChoices = (list: readonly string[]): string =>
  `${list.slice(0, -1).map((x) => JSON.stringify(x)).join(', ')} or ${JSON.stringify(list[list.length - 1])}`;
const isOneOf = <T extends string>(list: readonly T[], value: unknown): value is T => (list as readonly unknown[]).includes(value);

function evenSide(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive whole number of pixels, got ${describe(value)}`);
  }
  if (value % 2 !== 0) {
    throw new RangeError(`${name} must be even (yuv420p video needs even sizes), got ${value}: try ${value + 1}`);
  }
  if (value > MAX_SIDE) throw new RangeError(`${name} ${value} is larger than ${MAX_SIDE} pixels, more than browsers render`);
  return value;
}

function checkView(view: CameraView): CameraView {
  const vec = (v: unknown) => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!view || !vec(view.position) || !vec(view.target) || !vec(view.up)) {
    throw new RangeError('view must have position, target and up, each three finite numbers');
  }
  if (view.position.every((x, i) => x === view.target[i])) throw new RangeError('view position and target must differ');
  if (!(view.fovDeg > 1 && view.fovDeg < 179)) throw new RangeError(`view fovDeg must lie between 1 and 179, got ${view.fovDeg}`);
  return view;
}

function checkRenderer(kind: RendererKind): RendererKind {
  if (!isOneOf(RENDERER_KINDS, kind)) throw new RangeError(`renderer must be ${quotedChoices(RENDERER_KINDS)}, got ${JSON.stringify(kind)}`);
  return kind;
}

export function resolveOptions(options: ExportOptions): ResolvedOptions {
  const fps = options.fps ?? DEFAULTS.fps;
  if (typeof fps !== 'number' || !(fps >= MIN_FPS && fps <= MAX_FPS)) {
    throw new RangeError(`fps must be a number from ${MIN_FPS} to ${MAX_FPS} (frames per second), got ${describe(fps)}`);
  }
  const frameImage = options.frameImage ?? DEFAULTS.frameImage;
  if (!isOneOf(FRAME_IMAGE_FORMATS, frameImage)) {
    throw new RangeError(`frameImage must be ${quotedChoices(FRAME_IMAGE_FORMATS)}, got ${JSON.stringify(frameImage)}`);
  }
  if (options.pointSize !== undefined && !(options.pointSize > 0 && options.pointSize <= MAX_POINT_SIZE)) {
    throw new RangeError(`pointSize must be between 0 and ${MAX_POINT_SIZE} pixels, got ${options.pointSize}`);
  }
  const pointShape = options.pointShape ?? DEFAULTS.pointShape;
  if (!isOneOf(POINT_SHAPES, pointShape)) {
    throw new RangeError(`pointShape must be ${quotedChoices(POINT_SHAPES)}, got ${JSON.stringify(pointShape)}`);
  }
  const colormap = options.colormap ?? DEFAULTS.colormap;
  if (!isColormap(colormap)) {
    throw new RangeError(`colormap must be one of ${COLORMAPS.join(', ')}, got ${JSON.stringify(colormap)}`);
  }
  const quality = options.quality ?? DEFAULTS.quality;
  if (!isOneOf(QUALITIES, quality)) {
    throw new RangeError(`quality must be one of ${QUALITIES.join(', ')}, got ${JSON.stringify(quality)}`);
  }
  return {
    fps,
    width: evenSide('width', options.width ?? DEFAULTS.width),
    height: evenSide('height', options.height ?? DEFAULTS.height),
    title: options.title ?? DEFAULTS.title,
    pointSize: options.pointSize,
    pointShape,
    background: options.background ?? DEFAULTS.background,
    colormap,
    scale: checkScaleOptions(options),
    quality,
    view: options.view === undefined ? undefined : checkView(options.view),
    renderer: checkRenderer(options.renderer ?? DEFAULTS.renderer),
    frameImage,
  };
}
