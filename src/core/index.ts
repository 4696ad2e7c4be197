// The public API of the core module: no Jupyter, no UI framework.
export { exportAnimation } from './export.js';
export { runExport, type ExportResult, type ExportStages } from './pipeline.js';
export type { ExportOptions } from './options.js';
export { toFrameSet, FrameError, type FrameInput, type FrameSet, type Frame, type Bounds } from './frames.js';
export { isLazyFrames, lazyFrames, type LazyFrames } from './lazy-frames.js';
export { toLocal, toWorld, type Vec3 } from './origin.js';
export type { ExportStatus, ExportPhase, StatusListener } from './status.js';
export { EncodeChainError, type Attempt } from './encode/chain.js';
export { PSNR_BOUNDS, type DecodeCheck } from './encode/decode-check.js';
export type { Encoder, EncodeJob } from './encode/encoder.js';
export { ffmpegHost } from './encode/ffmpeg-host.js';
export { createFrameRenderer, type FrameRenderer } from './render.js';
export { DEFAULT_CODECS, QUALITIES, type PointShape, type Quality, type RendererKind } from './settings.js';
export { LAS_CLASSES, FALLBACK_COLORS, legend, classColor, type ClassColor, type PaletteInput } from './palette.js';
export type { BoundsInput } from './scale.js';
