// WebCodecs encoders: the browser's own VideoEncoder (no 32 MB download), fed
// frame by frame as frames render, muxed by mediabunny. Frames go in as
// limited-range BT.709 I420 made by rgbaToI420, and each gets its timestamp and
// duration, so the file lasts exactly frames/fps and decodes to our colours.
import {
  BufferSource,
  BufferTarget,
  Input,
  MP4,
  Mp4OutputFormat,
  Output,
  QUALITY_HIGH,
  QUALITY_LOW,
  QUALITY_MEDIUM,
  VideoSample,
  VideoSampleSource,
  WEBM,
  WebMOutputFormat,
  canEncodeVideo,
  type VideoCodec,
} from 'mediabunny';
import { DEFAULTS, KEYFRAME_SECONDS, type Quality } from '../settings.js';
import type { Container, EncodeJob, Encoder, ProbeResult, VerifyJob } from './encoder.js';
import { repairAvcDecoderConfig } from './avcc.js';
import { verifyByDecoding } from './decode-check.js';
import { I420_COLOR_SPACE, i420Size, rgbaToI420 } from './yuv.js';

interface WebCodecsSpec {
  id: string;
  description: string;
  codec: VideoCodec;
  container: Extract<Container, 'mp4' | 'webm'>;
}

export const WEBCODECS_CODECS: readonly WebCodecsSpec[] = [
  { id: 'webcodecs-h264', description: 'H.264 MP4 (WebCodecs)', codec: 'avc', container: 'mp4' },
  { id: 'webcodecs-vp9', description: 'VP9 WebM (WebCodecs)', codec: 'vp9', container: 'webm' },
  { id: 'webcodecs-vp8', description: 'VP8 WebM (WebCodecs)', codec: 'vp8', container: 'webm' },
];

const BITRATE = { high: QUALITY_HIGH, standard: QUALITY_MEDIUM, small: QUALITY_LOW } as const;

class WebCodecsEncoder implements Encoder {
  readonly id: string;
  readonly description: string;
  readonly mimeType: string;
  readonly extension: string;
  readonly container: Container;
  readonly #codec: VideoCodec;

  constructor(spec: WebCodecsSpec) {
    this.id = spec.id;
    this.description = spec.description;
    this.#codec = spec.codec;
    this.container = spec.container;
    this.extension = spec.container;
    this.mimeType = `video/${spec.container}`;
  }

  async isSupported(job: Pick<EncodeJob, 'width' | 'height'>): Promise<boolean> {
    if (typeof VideoEncoder === 'undefined') return false;
    return canEncodeVideo(this.#codec, { width: job.width, height: job.height });
  }

  async encode(job: EncodeJob): Promise<Uint8Array> {
    const target = new BufferTarget();
    const format = this.container === 'mp4' ? new Mp4OutputFormat({ fastStart: 'in-memory' }) : new WebMOutputFormat();
    const output = new Output({ format, target });
    const { frames, fps, signal, width, height } = job;
    const source = new VideoSampleSource({
      codec: this.#codec,
      bitrate: BITRATE[(job.quality ?? DEFAULTS.quality) as Quality],
      keyFrameInterval: KEYFRAME_SECONDS,
      latencyMode: 'quality',
      sizeChangeBehavior: 'deny',
      // Runs before the muxer sees the metadata, so the MP4 gets the mended avcC.
      ...(this.#codec === 'avc' ? { onEncodedPacket: (_packet: unknown, meta?: EncodedVideoChunkMetadata) => repairAvcDescription(meta) } : {}),
      // Test-only: a codec string no VideoEncoder accepts makes the real configure fail.
      ...(job.fault === 'fail' ? { fullCodecString: 'cloudreel-injected-failure' } : {}),
    });
    output.addVideoTrack(source, { frameRate: fps });
    const yuv = new Uint8Array(i420Size(width, height));
    try {
      await output.start();
      for (let i = 0; i < frames.count; i++) {
        // Drawing frame i+1 overlaps the encoder's work on frame i; `add`
        // resolves once the encoder queue has room (backpressure).
        const image = await frames.pixels(i);
        signal?.throwIfAborted();
        // One buffer for every frame: the VideoFrame copies what it is given (natively; a
        // VideoSample made from the buffer would copy it once more in JavaScript).
        rgbaToI420(image.data, width, height, yuv);
        const frame = new VideoFrame(yuv, {
          format: 'I420',
          codedWidth: width,
          codedHeight: height,
          timestamp: Math.round((i * 1e6) / fps),
          duration: Math.round(1e6 / fps),
          colorSpace: I420_COLOR_SPACE,
        });
        // The sample owns the frame: closing it closes the frame.
        const sample = new VideoSample(frame, { timestamp: i / fps, duration: 1 / fps });
        try {
          await source.add(sample);
        } finally {
          sample.close();
        }
      }
      job.onProgress?.(0.5);
      await output.finalize();
      job.onProgress?.(1);
    } catch (e) {
      if (output.state !== 'finalized' && output.state !== 'canceled') await output.cancel().catch(() => {});
      throw e;
    }
    if (!target.buffer) throw new Error('the muxer produced no file');
    return new Uint8Array(target.buffer);
  }

  verifyDecoded(bytes: Uint8Array, { rendered, quality }: VerifyJob) {
    return verifyByDecoding({ bytes, container: this.container, encoderId: this.id, quality, rendered });
  }

  /** Demuxes the whole file with mediabunny: no ffmpeg.wasm needed on this path. */
  async probe(bytes: Uint8Array): Promise<ProbeResult> {
    const input = new Input({ source: new BufferSource(bytes), formats: [MP4, WEBM] });
    try {
      const track = await input.getPrimaryVideoTrack();
      if (!track) throw new Error('the output holds no video stream');
      const stats = await track.computePacketStats();
      return { codec: String(await track.getCodecParameterString()), frames: stats.packetCount, width: track.codedWidth, height: track.codedHeight };
    } catch (e) {
      throw new Error(`the output cannot be read back: ${(e as Error).message}`);
    } finally {
      input.dispose?.();
    }
  }
}

/** Mends, in place, an H.264 description whose SPS/PPS carry a doubled NAL header byte (Firefox). */
function repairAvcDescription(meta?: EncodedVideoChunkMetadata): void {
  const config = meta?.decoderConfig;
  if (!config?.description) return;
  const d = config.description;
  const bytes = ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d);
  const repaired = repairAvcDecoderConfig(bytes);
  if (repaired !== bytes) config.description = repaired;
}

export function createWebCodecsEncoders(): Encoder[] {
  return WEBCODECS_CODECS.map((spec) => new WebCodecsEncoder(spec));
}
