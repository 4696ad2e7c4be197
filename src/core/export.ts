// exportAnimation: the core pipeline wired to three.js and ffmpeg.wasm.
import { createFFmpegEncoders } from './encode/ffmpeg.js';
import { createWebCodecsEncoders } from './encode/webcodecs.js';
import type { FrameInput, FrameSet } from './frames.js';
import type { LazyFrames } from './lazy-frames.js';
import type { ExportOptions } from './options.js';
import { runExport, type ExportResult, type ExportStages } from './pipeline.js';
import { createFrameRenderer } from './render.js';

export const browserStages = (): ExportStages => ({
  createRenderer: (set, o) =>
    createFrameRenderer(set, {
      width: o.width,
      height: o.height,
      title: o.title,
      background: o.background,
      colormap: o.colormap,
      pointShape: o.pointShape,
      renderer: o.renderer,
      ...o.scale,
      ...(o.view ? { view: o.view } : {}),
      ...(o.pointSize !== undefined ? { pointSize: o.pointSize } : {}),
    }),
  encoders: [...createWebCodecsEncoders(), ...createFFmpegEncoders()],
});

/**
 * Renders `frames` (inputs, a FrameSet from toFrameSet, or a LazyFrames read as they are drawn)
 * with three.js and encodes them, trying codecs in order.
 */
export function exportAnimation(frames: ArrayLike<FrameInput> | FrameSet | LazyFrames, options: ExportOptions = {}): Promise<ExportResult> {
  return runExport(frames, options, browserStages());
}
