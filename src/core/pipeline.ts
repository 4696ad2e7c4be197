// The export flow: frames -> the first encoder that makes a verified file,
// pulling frames from the renderer as it goes (render and encode interleave). Each stage is handed in (ExportStages), so a unit test runs
// the whole flow with fakes; export.ts wires in three.js and ffmpeg.wasm.
import { encodeWithFallback, type Attempt } from './encode/chain.js';
import type { Encoder, FrameSource } from './encode/encoder.js';
import { selectEncoders } from './encode/registry.js';
import { toFrameSet, type FrameInput, type FrameSet } from './frames.js';
import { frameCount, isLazyFrames, type LazyFrames } from './lazy-frames.js';
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
  /** Time spent drawing frames, the rest (encoding, verifying, fallbacks) and the whole export. */
  timings: { renderMs: number; encodeMs: number; totalMs: number };
}

export interface ExportStages {
  /** A renderer of the frames: a FrameSet, or a LazyFrames whose frames it awaits as it draws them. */
  createRenderer(set: FrameSet | LazyFrames, options: ResolvedOptions): FrameRenderer;
  encoders: readonly Encoder[];
}

function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return Boolean(signal?.aborted) || (e as Error)?.name === 'AbortError';
}

/**
 * Lets the page handle input, paint and other work between frames (drawing a
 * frame blocks the thread): a message-channel task. Not a timer: timers set from
 * timer callbacks are clamped to 4 ms after five levels (HTML's timer nesting
 * rule), which cost an export of 48 frames about 0.3 s, and hidden pages
 * throttle timers further.
 */
export function yieldToPage(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * The renderer as encoders see it: frames drawn on demand, each reported as
 * "Rendering frame i/N", with the time spent rendering added up. `loseContextAt`
 * (tests only) loses the WebGL context before drawing that frame, once.
 */
function frameSource(renderer: FrameRenderer, status: StatusReporter, signal?: AbortSignal, loseContextAt = -1) {
  let renderMs = 0;
  const timed = async <T>(index: number, draw: () => Promise<T>): Promise<T> => {
    await yieldToPage();
    signal?.throwIfAborted();
    if (index === loseContextAt) {
      loseContextAt = -1;
      renderer.loseContext?.();
    }
    const kindBefore = renderer.kind;
    const t0 = performance.now();
    const out = await draw();
    renderMs += performance.now() - t0;
    if (kindBefore === 'webgl' && renderer.kind === 'cpu') status.contextLost(index + 1, renderer.count);
    status.render(index + 1, renderer.count);
    if (index === renderer.count - 1) status.encode();
    return out;
  };
  const source: FrameSource = {
    count: renderer.count,
    pixels: (i) => timed(i, async () => (renderer.readPixels ? renderer.readPixels(i) : renderer.pixels(i))),
    image: (i, format) => timed(i, () => renderer.render(i, format)),
  };
  return { source, renderMs: () => renderMs };
}

/** A FrameSet made by toFrameSet is already validated and packed. */
function isFrameSet(frames: ArrayLike<FrameInput> | FrameSet | LazyFrames): frames is FrameSet {
  return !('length' in frames) && Array.isArray((frames as FrameSet).frames) && 'bounds' in frames;
}

/** Frames to render: inputs (validated here), a FrameSet, or a LazyFrames read as the frames are drawn. */
export async function runExport(
  frames: ArrayLike<FrameInput> | FrameSet | LazyFrames,
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
    // Said before validating: checking millions of points takes a while.
    const ready = frames != null && (isFrameSet(frames) || isLazyFrames(frames as LazyFrames)) ? (frames as FrameSet | LazyFrames) : null;
    if (ready) status.prepare(frameCount(ready));
    else if (typeof (frames as ArrayLike<FrameInput>)?.length === 'number' && (frames as ArrayLike<FrameInput>).length > 0) status.prepare((frames as ArrayLike<FrameInput>).length);
    const set = ready ?? toFrameSet(frames as ArrayLike<FrameInput>);
    const count = frameCount(set);

    const t0 = performance.now();
    const renderer = stages.createRenderer(set, o);
    const loseContextAt = options.testFaults?.['webgl'] === 'lose-context' ? Math.floor(renderer.count / 2) : -1;
    const source = frameSource(renderer, status, signal, loseContextAt);
    let chain: Awaited<ReturnType<typeof encodeWithFallback>>;
    try {
      const job = { frames: source.source, imageFormat: o.frameImage, width: o.width, height: o.height, fps: o.fps, quality: o.quality, ...(signal ? { signal } : {}) };
      chain = await encodeWithFallback(encoders, job, status, options.testFaults);
    } finally {
      renderer.dispose();
    }
    const { bytes, encoder, attempts } = chain;
    const totalMs = performance.now() - t0;
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: encoder.mimeType });
    status.ready(bytes.length);
    return {
      blob,
      mimeType: encoder.mimeType,
      extension: encoder.extension,
      codec: encoder.id,
      bytes: bytes.length,
      durationSeconds: count / o.fps,
      frames: count,
      attempts,
      timings: { renderMs: source.renderMs(), encodeMs: totalMs - source.renderMs(), totalMs },
    };
  } catch (e) {
    if (isAbort(e, signal)) status.cancelled();
    else status.failed(String((e as Error)?.message ?? e));
    throw e;
  }
}
