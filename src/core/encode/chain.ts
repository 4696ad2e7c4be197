// The fallback chain: try each encoder in order, verify what it made, report
// "Trying <codec>..." and move on to the next one when an attempt fails.
import { DEFAULTS } from '../settings.js';
import type { StatusReporter } from '../status.js';
import type { DecodeCheck } from './decode-check.js';
import type { EncodeJob, Encoder, InjectedFault } from './encoder.js';
import { colourSwappedFrames, withDoubledAvcC } from './test-faults.js';
import { checkContainer, keepEndFrames } from './verify.js';

export interface Attempt {
  codec: string;
  description: string;
  /** Why it failed; absent for the attempt that succeeded. */
  error?: string;
  /** What verification by decoding found in the file that succeeded (its PSNR against the rendered frames). */
  verified?: DecodeCheck;
  ms: number;
}

export interface ChainResult {
  bytes: Uint8Array;
  encoder: Encoder;
  attempts: Attempt[];
}

export class EncodeChainError extends Error {
  override name = 'EncodeChainError';
  constructor(readonly attempts: Attempt[]) {
    super(`every codec failed: ${attempts.map((a) => `${a.description} [${a.codec}]: ${a.error}`).join('; ')}`);
  }
}

/** Noise of the given length, standing in for a broken encoder's output. */
function garbage(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

async function attempt(encoder: Encoder, job: EncodeJob, fault: InjectedFault | undefined): Promise<{ bytes: Uint8Array; verified?: DecodeCheck }> {
  if (!(await encoder.isSupported(job))) throw new Error('not supported in this browser');
  // The first and last frames as rendered, kept for verification by decoding.
  const ends = keepEndFrames(job.frames, job.width, job.height);
  const frames = fault === 'wrong-content' ? colourSwappedFrames(ends.source) : ends.source;
  let bytes = await encoder.encode({ ...job, frames, ...(fault === 'fail' ? { fault } : {}) });
  if (fault === 'garbage') bytes = garbage(Math.max(bytes.length, 1024));
  if (fault === 'bad-avcc') bytes = await withDoubledAvcC(bytes);
  checkContainer(bytes, encoder.container);
  if (encoder.probe) {
    const probe = await encoder.probe(bytes, job.signal);
    const expected = job.frames.count;
    if (probe.frames !== expected) {
      throw new Error(`the output holds ${probe.frames} frames, expected ${expected}`);
    }
  }
  const verified = await encoder.verifyDecoded?.(bytes, {
    rendered: ends.reference,
    quality: job.quality ?? DEFAULTS.quality,
    frames: job.frames.count,
    ...(job.signal ? { signal: job.signal } : {}),
  });
  return verified ? { bytes, verified } : { bytes };
}

export async function encodeWithFallback(
  encoders: readonly Encoder[],
  job: Omit<EncodeJob, 'onProgress' | 'fault'>,
  status: StatusReporter,
  faults: Partial<Record<string, InjectedFault>> = {},
): Promise<ChainResult> {
  const attempts: Attempt[] = [];
  /** Engines that could not start (ffmpeg.wasm failed to load): their other encoders would fail the same way. */
  const down = new Set<string>();
  for (const encoder of encoders) {
    job.signal?.throwIfAborted();
    if (encoder.engine && down.has(encoder.engine)) {
      attempts.push({ codec: encoder.id, description: encoder.description, error: `skipped: ${encoder.engine} could not be loaded`, ms: 0 });
      continue;
    }
    status.trying(encoder.description);
    const t0 = performance.now();
    try {
      const { bytes, verified } = await attempt(
        encoder,
        { ...job, onProgress: (f) => status.encodeProgress(f) },
        faults[encoder.id],
      );
      attempts.push({ codec: encoder.id, description: encoder.description, ms: performance.now() - t0, ...(verified ? { verified } : {}) });
      return { bytes, encoder, attempts };
    } catch (e) {
      if (job.signal?.aborted) throw job.signal.reason;
      const error = String((e as Error)?.message ?? e);
      const engine = (e as { engine?: unknown } | null)?.engine;
      if (engine !== undefined && engine === encoder.engine) down.add(encoder.engine);
      attempts.push({ codec: encoder.id, description: encoder.description, error, ms: performance.now() - t0 });
    }
  }
  throw new EncodeChainError(attempts);
}
