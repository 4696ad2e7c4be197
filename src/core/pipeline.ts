// The export flow: frames -> rendered images -> the first encoder that makes a
// verified file. Each stage is handed in (ExportStages), so a unit test runs
// the whole flow with fakes; export.ts wires in three.js and ffmpeg.wasm.
import { encodeWithFallback, type Attempt } from './encode/chain.js';
import type { Encoder } from './encode/encoder.js';
import { selectEncoders } from './encode/registry.js';
import { toFrameSet, type FrameInput, type FrameSet } from './frames.js';
import { resolveOptions, type ExportOptions, type ResolvedOptions } from './options.js';
import type { FrameRenderer } from './render.js';
import { StatusReporter } from './status.js';

export interface ExportResult {
  blob: Blob;
  mimeType: string;
  extension: string;
  /** Id of the encoder that made the file, e.g. "ffmpeg-h264". */
  codec: string;
  bytes: number;
  durationSeconds: number;
  frames: number;
  /** Every encoder tried, in order, with why each failed one failed. */
  attempts: Attempt[];
  timings: { renderMs: number; encodeMs: number };
}

export interface ExportStages {
  createRenderer(set: FrameSet, options: ResolvedOptions): FrameRenderer;
  encoders: readonly Encoder[];
}

function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return Boolean(signal?.aborted) || (e as Error)?.name === 'AbortError';
}

async function renderAll(renderer: FrameRenderer, o: ResolvedOptions, status: StatusReporter, signal?: AbortSignal) {
  const images: Blob[] = [];
  for (let i = 0; i < renderer.count; i++) {
    signal?.throwIfAborted();
    images.push(await renderer.render(i, o.frameImage));
    status.render(i + 1, renderer.count);
  }
  return images;
}

/** A FrameSet made by toFrameSet is already validated and packed. */
function isFrameSet(frames: ArrayLike<FrameInput> | FrameSet): frames is FrameSet {
  return !('length' in frames) && Array.isArray((frames as FrameSet).frames) && 'bounds' in frames;
}

export async function runExport(
  frames: ArrayLike<FrameInput> | FrameSet,
  options: ExportOptions,
  stages: ExportStages,
): Promise<ExportResult> {
  const { signal } = options;
  const status = new StatusReporter(options.onStatus);
  status.init();
  try {
    signal?.throwIfAborted();
    const o = resolveOptions(options);
    const encoders = selectEncoders(stages.encoders, options.codecs);
    const set = isFrameSet(frames) ? frames : toFrameSet(frames);
    status.prepare(set.frames.length);

    const t0 = performance.now();
    const renderer = stages.createRenderer(set, o);
    let images: Blob[];
    try {
      images = await renderAll(renderer, o, status, signal);
    } finally {
      renderer.dispose();
    }

    const t1 = performance.now();
    status.encode();
    const job = { images, imageFormat: o.frameImage, width: o.width, height: o.height, fps: o.fps, quality: o.quality, ...(signal ? { signal } : {}) };
    const { bytes, encoder, attempts } = await encodeWithFallback(encoders, job, status, options.testFaults);
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: encoder.mimeType });
    status.ready(bytes.length);
    return {
      blob,
      mimeType: encoder.mimeType,
      extension: encoder.extension,
      codec: encoder.id,
      bytes: bytes.length,
      durationSeconds: set.frames.length / o.fps,
      frames: set.frames.length,
      attempts,
      timings: { renderMs: t1 - t0, encodeMs: performance.now() - t1 },
    };
  } catch (e) {
    if (isAbort(e, signal)) status.cancelled();
    else status.failed(String((e as Error)?.message ?? e));
    throw e;
  }
}
