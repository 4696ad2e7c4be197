// The Encoder interface: turns rendered frame images into one video file.
import type { FrameImageFormat } from '../render.js';

export type Container = 'mp4' | 'webm' | 'gif';

/** Size/quality trade-off, mapped to each codec's own settings. */
export type Quality = 'high' | 'standard' | 'small';

/** A failure injected on purpose by a test (never set in normal use). */
export type InjectedFault = 'fail' | 'garbage';

export interface EncodeJob {
  /** One image per frame, in order, in `imageFormat`. */
  images: readonly Blob[];
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
  isSupported(): Promise<boolean>;
  encode(job: EncodeJob): Promise<Uint8Array>;
  /** Reads the file back (demuxes every packet) to prove it is readable. */
  probe?(bytes: Uint8Array, signal?: AbortSignal): Promise<ProbeResult>;
}
