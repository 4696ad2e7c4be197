// The Encoder interface: turns rendered frame images into one video file.
import type { FrameImageFormat, Quality } from '../settings.js';
import type { DecodeCheck, ReferenceFrames } from './decode-check.js';

/** What verification by decoding compares a file with: the rendered ends, the quality asked for, the frame count. */
export interface VerifyJob {
  rendered: () => Promise<ReferenceFrames | undefined>;
  quality: Quality;
  frames: number;
  signal?: AbortSignal;
}

export type Container = 'mp4' | 'webm' | 'gif';

/**
 * A failure injected on purpose by a test (never set in normal use): 'fail', 'garbage',
 * 'bad-avcc' (doubled SPS/PPS header bytes, H.264 MP4 only) and 'wrong-content' (the
 * frames with red and blue swapped) for an encoder id; 'lose-context' for the key 'webgl' (the renderer).
 */
export type InjectedFault = 'fail' | 'garbage' | 'bad-avcc' | 'wrong-content' | 'lose-context';

/**
 * Frames as an encoder pulls them, one at a time and in order: nothing holds
 * them all. Rendering is deterministic, so a fallback encoder pulls them again.
 */
export interface FrameSource {
  readonly count: number;
  /** Frame `index` as RGBA pixels. */
  pixels(index: number): Promise<ImageData>;
  /** Frame `index` as an image file (or raw RGBA bytes). */
  image(index: number, format: FrameImageFormat): Promise<Blob>;
}

export interface EncodeJob {
  frames: FrameSource;
  /** How an encoder that needs image files (ffmpeg.wasm) takes the frames. */
  imageFormat: FrameImageFormat;
  width: number;
  height: number;
  fps: number;
  quality?: Quality;
  signal?: AbortSignal;
  /** Progress of this attempt in [0, 1]. */
  onProgress?: (fraction: number) => void;
  /** Test-only: make the encoder's real run fail (for example an invalid codec option). */
  fault?: 'fail';
}

export interface ProbeResult {
  codec: string;
  frames: number;
  width: number;
  height: number;
}

export interface Encoder {
  /** Stable id that `codecs` takes and `ExportResult.codec` reports. */
  readonly id: string;
  /** What the status line says: "Trying <description>...". */
  readonly description: string;
  readonly mimeType: string;
  readonly extension: string;
  readonly container: Container;
  /**
   * What runs it, where several encoders share one (e.g. "ffmpeg.wasm"): when
   * an attempt throws an error whose `engine` names it, the chain skips the rest.
   */
  readonly engine?: string;
  /** Whether this browser can make this video (codec, size, frame rate). */
  isSupported(job: Pick<EncodeJob, 'width' | 'height' | 'fps'>): Promise<boolean>;
  encode(job: EncodeJob): Promise<Uint8Array>;
  /** Reads the file back (demuxes every packet) to prove it is readable and count its frames. */
  probe?(bytes: Uint8Array, signal?: AbortSignal): Promise<ProbeResult>;
  /**
   * Checks the codec configuration and decodes the first and last frames to compare
   * them with the rendered ones (decode-check.ts); throws the reason when they fail.
   */
  verifyDecoded?(bytes: Uint8Array, job: VerifyJob): Promise<DecodeCheck>;
}
