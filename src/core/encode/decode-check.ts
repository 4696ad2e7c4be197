// Verification by decoding (as ffmpeg's FATE does): reads an MP4/WebM back with
// mediabunny, checks its codec configuration from the bytes, decodes the first and
// last frames with the browser's VideoDecoder and compares them (PSNR) with the
// frames that were rendered.
import { BufferSource, EncodedPacketSink, Input, MP4, VideoSampleSink, WEBM, type VideoSample } from 'mediabunny';
import { checkAvcC, descriptionBytes, checkVp8KeyFrame, checkVp9KeyFrame } from './codec-config.js';
import type { Container, Quality } from './encoder.js';

/** Pixels per side of the blocks frames are compared in (see blockPsnr). */
export const BLOCK = 8;

/**
 * RGB PSNR in dB of `b` against `a` (RGBA frames `width` pixels wide) over the
 * means of BLOCK x BLOCK pixel blocks; Infinity when equal. Whole-pixel PSNR
 * depends on the content (a dense cloud of one-pixel points loses more to 4:2:0
 * chroma and quantisation than a smooth one); block means keep what a viewer sees
 * (where the points are, their colours, the frame's order) and drop that noise.
 */
export function blockPsnr(a: Uint8ClampedArray | Uint8Array, b: Uint8ClampedArray | Uint8Array, width: number): number {
  if (a.length !== b.length) throw new Error(`frames of ${a.length} and ${b.length} bytes cannot be compared`);
  const height = a.length / 4 / width;
  const bw = Math.ceil(width / BLOCK);
  const bh = Math.ceil(height / BLOCK);
  const sums = new Float64Array(bw * bh * 6);
  const counts = new Float64Array(bw * bh);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = (Math.floor(y / BLOCK) * bw + Math.floor(x / BLOCK));
      const i = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) {
        sums[k * 6 + c] += a[i + c]!;
        sums[k * 6 + 3 + c] += b[i + c]!;
      }
      counts[k]++;
    }
  }
  let sum = 0;
  for (let k = 0; k < counts.length; k++) {
    for (let c = 0; c < 3; c++) {
      const d = (sums[k * 6 + c]! - sums[k * 6 + 3 + c]!) / counts[k]!;
      sum += d * d;
    }
  }
  const mse = sum / (counts.length * 3);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/**
 * The lowest PSNR (dB) a decoded first or last frame may have against its rendered
 * frame, per codec and quality. Measured 2026-12-01 in headless Chromium (Debian's
 * /usr/bin/chromium, software rendering), 640x360, the sphere, helix and torus of
 * examples/shapes.js, first and last frame, WebCodecs and ffmpeg.wasm encoders
 * together: the minimum, minus a 3 dB margin, rounded down. Minima: avc 29.95 /
 * 29.61 / 27.26 (high / standard / small; WebCodecs H.264 on the sphere's last frame
 * sets the small one), vp8 29.92 / 29.90 / 27.68, vp9 29.97 / 29.95 / 29.93. The
 * ceiling near 30-35 dB is 4:2:0 chroma on one-pixel points, not the bitrate. The
 * same shapes in reverse order (testFaults 'wrong-content') score 18.8-21.4 dB.
 */
export const PSNR_BOUNDS: Record<string, Record<Quality, number>> = {
  avc: { high: 26, standard: 26, small: 24 },
  vp8: { high: 26, standard: 26, small: 24 },
  vp9: { high: 26, standard: 26, small: 26 },
};

/** The rendered first and last frames, RGBA, that the decoded ones are compared with. */
export interface ReferenceFrames {
  width: number;
  height: number;
  first: Uint8ClampedArray;
  last: Uint8ClampedArray;
}

export interface DecodeCheck {
  codec: string;
  /** PSNR (dB) of the decoded first and last frames against the rendered ones; absent where not decoded. */
  psnr?: { first: number; last: number };
  /** How long the verification took (the cost the issue bounds per export). */
  ms: number;
}

function toRgba(sample: VideoSample, width: number, height: number): Uint8ClampedArray {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas to read a decoded frame');
  sample.draw(ctx, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height).data;
}

/**
 * Throws with the reason when the file's codec configuration is malformed or its
 * decoded first/last frames differ from the `rendered` ones beyond the codec's bound.
 * Codecs mediabunny cannot read (MPEG-4 Part 2, GIF) or VideoDecoder cannot decode are
 * checked as far as they go: GIF and MPEG-4 Part 2 by their signature and frame count only.
 */
export async function verifyByDecoding(
  bytes: Uint8Array,
  container: Container,
  rendered: () => Promise<ReferenceFrames | undefined>,
  quality: Quality,
): Promise<DecodeCheck> {
  const t0 = performance.now();
  const check = await decodeCheck(bytes, container, rendered, quality);
  return { ...check, ms: performance.now() - t0 };
}

async function decodeCheck(
  bytes: Uint8Array,
  container: Container,
  rendered: () => Promise<ReferenceFrames | undefined>,
  quality: Quality,
): Promise<Omit<DecodeCheck, 'ms'>> {
  if (container === 'gif') return { codec: 'gif' };
  const input = new Input({ source: new BufferSource(bytes), formats: [MP4, WEBM] });
  try {
    const track = await input.getPrimaryVideoTrack();
    if (!track) throw new Error('the output holds no video stream');
    const codec = track.codec;
    if (codec === null) return { codec: 'unknown' };
    const size = { width: track.codedWidth, height: track.codedHeight };
    const packets = new EncodedPacketSink(track);
    const first = await packets.getFirstPacket();
    const last = await packets.getPacket(Infinity);
    if (!first || !last) throw new Error('the output holds no frames');
    if (codec === 'avc') {
      const config = await track.getDecoderConfig();
      if (!config?.description) throw new Error('the H.264 stream has no decoder configuration (avcC)');
      const d = config.description;
      checkAvcC(descriptionBytes(d));
    }
    if (codec === 'vp8') checkVp8KeyFrame(first.data, size);
    if (codec === 'vp9') checkVp9KeyFrame(first.data, size);
    const bounds = PSNR_BOUNDS[codec];
    if (!bounds || typeof VideoDecoder === 'undefined' || !(await track.canDecode())) return { codec };
    const reference = await rendered();
    if (!reference) return { codec };
    if (reference.width !== size.width || reference.height !== size.height) {
      throw new Error(`the video is ${size.width}x${size.height}, the frames were rendered at ${reference.width}x${reference.height}`);
    }
    const result = { first: 0, last: 0 };
    const sink = new VideoSampleSink(track);
    const wanted = [first.timestamp, last.timestamp] as const;
    let k = 0;
    for await (const sample of sink.samplesAtTimestamps(wanted)) {
      if (!sample) throw new Error(`no frame decodes at ${wanted[k]} s`);
      try {
        const which = k === 0 ? 'first' : 'last';
        result[which] = blockPsnr(reference[which], toRgba(sample, size.width, size.height), size.width);
      } finally {
        sample.close();
      }
      k++;
    }
    const bound = bounds[quality];
    for (const which of ['first', 'last'] as const) {
      if (result[which] < bound) {
        throw new Error(
          `the decoded ${which} frame differs from the rendered one: PSNR ${result[which].toFixed(1)} dB, below the ${bound} dB bound for ${codec} at quality ${quality}`,
        );
      }
    }
    return { codec, psnr: result };
  } finally {
    input.dispose?.();
  }
}
