// Export settings, each defined once: the choices (qualities, colormaps, point shapes, renderers, frame images, codec order),
// the limits and the defaults that core, the encoders and the UI share. Imports nothing; the option types are
// derived from these lists. tests/cases/settings.json holds the same values, and Python is checked against it.

/** Size/quality trade-off, mapped to each codec's own settings. */
export const QUALITIES = ['high', 'standard', 'small'] as const;
export type Quality = (typeof QUALITIES)[number];

/** Colormaps offered to users (ones whose low end stays visible on black). */
export const COLORMAPS = ['viridis', 'plasma', 'inferno', 'magma', 'jet'] as const;
export type ColormapName = (typeof COLORMAPS)[number];

/** How each point is drawn: a square (WebGL's POINTS) or a disc, `pointSize` pixels across. */
export const POINT_SHAPES = ['square', 'round'] as const;
export type PointShape = (typeof POINT_SHAPES)[number];

/** Which rasteriser draws the points: 'auto' picks the CPU one when WebGL is software or missing. */
export const RENDERER_KINDS = ['auto', 'webgl', 'cpu'] as const;
export type RendererKind = (typeof RENDERER_KINDS)[number];

/** What ffmpeg is fed: compressed pictures (jpeg, png) or raw RGBA bytes. */
export const FRAME_IMAGE_FORMATS = ['jpeg', 'png', 'rgba'] as const;
export type FrameImageFormat = (typeof FRAME_IMAGE_FORMATS)[number];

/**
 * Encoder ids in the default order: WebCodecs first (fast, nothing to download),
 * where the browser supports it; ffmpeg.wasm, loaded only if those fail, then the original order.
 */
export const DEFAULT_CODECS = [
  'webcodecs-h264',
  'webcodecs-vp9',
  'webcodecs-vp8',
  'ffmpeg-h264',
  'ffmpeg-vp8',
  'ffmpeg-mpeg4',
  'ffmpeg-gif',
] as const;

/** One frame per 100 s: slower than that, GIF's frame delay (at most 655 s) and players misbehave. */
export const MIN_FPS = 0.01;
export const MAX_FPS = 240;
/** The largest side WebGL implementations commonly allow for a drawing buffer. */
export const MAX_SIDE = 8192;
/** The largest point diameter in pixels (at 720 lines) the exporter accepts. */
export const MAX_POINT_SIZE = 64;
/** Seconds of video between keyframes, in every encoder. */
export const KEYFRAME_SECONDS = 2;

/** The player's fps input: whole frames per second for the preview (an export takes MIN_FPS to MAX_FPS). */
export const PLAYBACK_MIN_FPS = 1;
export const PLAYBACK_MAX_FPS = 60;

/** The defaults of the options that have a fixed one (the original tool's where it had one). */
export const DEFAULTS = {
  fps: 5,
  width: 1280,
  height: 720,
  title: true,
  background: '#000000',
  colormap: 'viridis',
  pointShape: 'square',
  quality: 'standard',
  renderer: 'auto',
  frameImage: 'png',
} as const satisfies {
  fps: number;
  width: number;
  height: number;
  title: boolean;
  background: string;
  colormap: ColormapName;
  pointShape: PointShape;
  quality: Quality;
  renderer: RendererKind;
  frameImage: FrameImageFormat;
};
