// Verification by decoding (as ffmpeg's FATE does): reads an MP4/WebM back with
// mediabunny, checks its codec configuration from the bytes, decodes the first and
// last frames (the browser's VideoDecoder, else ffmpeg.wasm's decoder) and compares
// them (block PSNR, measured bounds) with the frames that were rendered.
import { BufferSource, EncodedPacketSink, Input, MP4, VideoSampleSink, WEBM, type VideoSample } from 'mediabunny';
import type { Quality } from '../settings.js';
import { checkAvcC, descriptionBytes, checkVp8KeyFrame, checkVp9KeyFrame } from './codec-config.js';
import type { Container } from './encoder.js';

/** Pixels per side of the blocks frames are compared in (see blockPsnr). */
export const BLOCK = 16;

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
  // Each pixel's block column, once: the loop below is the verification's hot path.
  const columnBlock = Int32Array.from({ length: width }, (_, x) => Math.floor(x / BLOCK));
  for (let y = 0; y < height; y++) {
    const rowBlock = Math.floor(y / BLOCK) * bw;
    for (let x = 0, i = y * width * 4; x < width; x++, i += 4) {
      const k = rowBlock + columnBlock[x]!;
      const o = k * 6;
      sums[o] += a[i]!;
      sums[o + 1] += a[i + 1]!;
      sums[o + 2] += a[i + 2]!;
      sums[o + 3] += b[i]!;
      sums[o + 4] += b[i + 1]!;
      sums[o + 5] += b[i + 2]!;
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
 * The lowest block PSNR (dB, see blockPsnr) a decoded first or last frame may have
 * against its rendered frame, per encoder and quality: the minimum measured minus a
 * 2 dB margin, rounded down. Measured 2026-12-01 by bench/psnr-bounds.mjs in Debian's
 * headless Chromium and Firefox ESR 153 (the CPU rasteriser in both), at 640x360 on
 * the sphere, helix and torus of examples/shapes.js, two random spheres (20k points x
 * 6 frames, 4k x 24) and uniform noise (100k points x 4), and at 1280x720 on 1M points
 * of noise; first and last frames. The shapes alone score 41.9-60.5 dB; noise, where
 * every pixel differs from its neighbours, sets every minimum (high / standard / small):
 * webcodecs-h264 35.22 / 35.14 / 35.04, webcodecs-vp9 35.38 / 35.38 / 35.38,
 * webcodecs-vp8 33.33 / 33.41 / 33.40 (Firefox), ffmpeg-h264 35.38 / 35.35 / 35.34,
 * ffmpeg-vp8 33.55 / 33.53 / 33.46 (decoded by Firefox), ffmpeg-mpeg4 37.00 / 36.90 /
 * 36.49, ffmpeg-gif 53.59 / 53.00 / 45.13 (the sphere, at small). The quality barely
 * matters: the ceiling is 4:2:0 chroma and colour conversion, not the bitrate. The same
 * exports with red and blue swapped (testFaults 'wrong-content') score at most 31.84
 * dB: under every bound but VP8's, whose decoders (Firefox's) lose more.
 */
export const PSNR_BOUNDS: Readonly<Record<string, Readonly<Record<Quality, number>>>> = {
  'webcodecs-h264': { high: 33, standard: 33, small: 33 },
  'webcodecs-vp9': { high: 33, standard: 33, small: 33 },
  'webcodecs-vp8': { high: 31, standard: 31, small: 31 },
  'ffmpeg-h264': { high: 33, standard: 33, small: 33 },
  'ffmpeg-vp8': { high: 31, standard: 31, small: 31 },
  'ffmpeg-mpeg4': { high: 35, standard: 34, small: 34 },
  'ffmpeg-gif': { high: 51, standard: 50, small: 43 },
};

/** The rendered first and last frames, RGBA, that the decoded ones are compared with. */
export interface ReferenceFrames {
  width: number;
  height: number;
  first: Uint8ClampedArray;
  last: Uint8ClampedArray;
}

/** The decoded first and last frames, RGBA at the rendered size. */
export interface DecodedEnds {
  first: Uint8ClampedArray | Uint8Array;
  last: Uint8ClampedArray | Uint8Array;
}

/**
 * Decodes a file's first and last frames to RGBA at `width` x `height` without the
 * browser's VideoDecoder: ffmpeg.wasm's decoder, for codecs or browsers WebCodecs
 * does not cover (MPEG-4 Part 2, GIF, a browser without VideoDecoder).
 */
export type EndFrameDecoder = (width: number, height: number) => Promise<DecodedEnds>;

export interface DecodeRequest {
  bytes: Uint8Array;
  container: Container;
  /** The encoder that made the file: its id picks the PSNR bound. */
  encoderId: string;
  quality: Quality;
  /** The rendered first and last frames; undefined when they were not kept. */
  rendered: () => Promise<ReferenceFrames | undefined>;
  /** Used where the browser's VideoDecoder cannot decode the file. */
  fallbackDecoder?: EndFrameDecoder;
}

export interface DecodeCheck {
  /** The codec the container names (mediabunny's name: avc, vp8, vp9), or the encoder id where it cannot read it. */
  codec: string;
  /** Which decoder decoded the frames; absent where none could. */
  decoder?: 'VideoDecoder' | 'ffmpeg.wasm';
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
 * decoded first/last frames differ from the rendered ones beyond the encoder's bound.
 * MP4 and WebM are read with mediabunny (the avcC and VP8/VP9 key frame checked from
 * the bytes); the frames are decoded with VideoDecoder where it can, else with the
 * fallback decoder (GIF and MPEG-4 Part 2, which mediabunny does not read, go there).
 */
export async function verifyByDecoding(request: DecodeRequest): Promise<DecodeCheck> {
  const t0 = performance.now();
  const check = await decodeCheck(request);
  return { ...check, ms: performance.now() - t0 };
}

interface Demuxed {
  codec: string;
  /** Decodes the first and last frames with VideoDecoder; absent where it cannot. */
  browserDecode?: (width: number, height: number) => Promise<DecodedEnds>;
}

async function decodeCheck(request: DecodeRequest): Promise<Omit<DecodeCheck, 'ms'>> {
  if (request.container === 'gif') return compare({ codec: 'gif' }, request);
  const input = new Input({ source: new BufferSource(request.bytes), formats: [MP4, WEBM] });
  try {
    return await compare(await demux(input), request);
  } finally {
    input.dispose?.();
  }
}

/** Reads the track, checks its codec configuration from the bytes, offers VideoDecoder where it can decode it. */
async function demux(input: Input): Promise<Demuxed> {
  const track = await input.getPrimaryVideoTrack();
  if (!track) throw new Error('the output holds no video stream');
  const codec = track.codec;
  if (codec === null) return { codec: 'unknown' }; // MPEG-4 Part 2: the fallback decoder reads it
  const size = { width: track.codedWidth, height: track.codedHeight };
  const packets = new EncodedPacketSink(track);
  const first = await packets.getFirstPacket();
  const last = await packets.getPacket(Infinity);
  if (!first || !last) throw new Error('the output holds no frames');
  if (codec === 'avc') {
    const config = await track.getDecoderConfig();
    if (!config?.description) throw new Error('the H.264 stream has no decoder configuration (avcC)');
    checkAvcC(descriptionBytes(config.description));
  }
  if (codec === 'vp8') checkVp8KeyFrame(first.data, size);
  if (codec === 'vp9') checkVp9KeyFrame(first.data, size);
  if (typeof VideoDecoder === 'undefined' || !(await track.canDecode())) return { codec };
  const browserDecode = async (width: number, height: number): Promise<DecodedEnds> => {
    if (width !== size.width || height !== size.height) {
      throw new Error(`the video is ${size.width}x${size.height}, the frames were rendered at ${width}x${height}`);
    }
    const decoded: Uint8ClampedArray[] = [];
    const wanted = [first.timestamp, last.timestamp];
    for await (const sample of new VideoSampleSink(track).samplesAtTimestamps(wanted)) {
      if (!sample) throw new Error(`no frame decodes at ${wanted[decoded.length]} s`);
      try {
        decoded.push(toRgba(sample, width, height));
      } finally {
        sample.close();
      }
    }
    return { first: decoded[0]!, last: decoded[1]! };
  };
  return { codec, browserDecode };
}

async function compare(demuxed: Demuxed, request: DecodeRequest): Promise<Omit<DecodeCheck, 'ms'>> {
  const { encoderId, quality, rendered, fallbackDecoder } = request;
  const bound = PSNR_BOUNDS[encoderId]?.[quality];
  const codec = demuxed.codec === 'unknown' ? encoderId : demuxed.codec;
  const decode = demuxed.browserDecode ?? fallbackDecoder;
  if (bound === undefined || !decode) return { codec };
  const reference = await rendered();
  if (!reference) return { codec };
  const decoded = await decode(reference.width, reference.height);
  const psnr = {
    first: blockPsnr(reference.first, decoded.first, reference.width),
    last: blockPsnr(reference.last, decoded.last, reference.width),
  };
  for (const which of ['first', 'last'] as const) {
    if (psnr[which] < bound) {
      throw new Error(
        `the decoded ${which} frame differs from the rendered one: PSNR ${psnr[which].toFixed(1)} dB, below the ${bound} dB bound for ${encoderId} at quality ${quality}`,
      );
    }
  }
  return { codec, decoder: demuxed.browserDecode ? 'VideoDecoder' : 'ffmpeg.wasm', psnr };
}
