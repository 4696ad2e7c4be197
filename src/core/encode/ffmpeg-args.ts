// ffmpeg command lines, built only from the fixed tables below and from numbers
// checked here (fps, size): never from strings a caller or a kernel passes.
// Pure, so a unit test can prove it for every option value.
import { DEFAULTS, KEYFRAME_SECONDS, MAX_FPS, MAX_SIDE, QUALITIES, type FrameImageFormat, type Quality } from '../settings.js';
import type { Container } from './encoder.js';

export interface CodecSpec {
  id: string;
  description: string;
  mimeType: string;
  extension: string;
  container: Container;
  /** Codec arguments; `gop` is the keyframe interval in frames. */
  args(gop: number, quality: Quality): string[];
}

// Limited-range BT.709, tagged, so players show the colours we rendered.
const YUV420P_BT709 = [
  '-vf', 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p',
  '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
];

export const FFMPEG_CODECS: readonly CodecSpec[] = [
  {
    id: 'ffmpeg-h264',
    description: 'H.264 MP4 (libx264)',
    mimeType: 'video/mp4',
    extension: 'mp4',
    container: 'mp4',
    // ultrafast: Constrained Baseline, which QuickTime, browsers and phones play.
    args: (gop, q) => ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', `${{ high: 18, standard: 23, small: 28 }[q]}`, ...YUV420P_BT709, '-g', `${gop}`, '-movflags', '+faststart'],
  },
  {
    id: 'ffmpeg-vp8',
    description: 'VP8 WebM (libvpx)',
    mimeType: 'video/webm',
    extension: 'webm',
    container: 'webm',
    args: (gop, q) => ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', ...{ high: ['-b:v', '8M', '-crf', '6'], standard: ['-b:v', '4M', '-crf', '10'], small: ['-b:v', '1M', '-crf', '20'] }[q], ...YUV420P_BT709, '-g', `${gop}`, '-auto-alt-ref', '0'],
  },
  {
    id: 'ffmpeg-mpeg4',
    description: 'MPEG-4 Part 2 MP4 (desktop players)',
    mimeType: 'video/mp4',
    extension: 'mp4',
    container: 'mp4',
    args: (gop, q) => ['-c:v', 'mpeg4', '-q:v', `${{ high: 2, standard: 4, small: 8 }[q]}`, '-tag:v', 'mp4v', ...YUV420P_BT709, '-g', `${gop}`, '-movflags', '+faststart'],
  },
  {
    id: 'ffmpeg-gif',
    description: 'animated GIF',
    mimeType: 'image/gif',
    extension: 'gif',
    container: 'gif',
    // Narrow (640 px at standard): GIF is the last resort, and a palette pass at full size is slow.
    args: (_gop, q) => [
      '-vf', `scale='min(${{ high: 960, standard: 640, small: 480 }[q]},iw)':-2:flags=lanczos,split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse`,
      '-loop', '0',
    ],
  },
];

const IMAGE_EXTENSIONS: Readonly<Record<Exclude<FrameImageFormat, 'rgba'>, string>> = { jpeg: 'jpg', png: 'png' };
/** Makes ffmpeg's real run fail, for tests of the fallback chain. */
const INJECTED_FAILURE = ['-bsf:v', 'cloudreel_injected_failure'];
/** The private folders of the virtual file system that jobs run in. */
const SCRATCH_DIR = /^\/cloudreel-[1-9][0-9]*$/;

export interface ArgsJob {
  imageFormat: FrameImageFormat;
  width: number;
  height: number;
  fps: number;
  quality?: Quality | undefined;
  fault?: 'fail' | undefined;
}

/**
 * Checked again here, though resolveOptions checked them: these values become
 * ffmpeg arguments, and a table lookup with "__proto__" or "constructor" must
 * never turn into one.
 */
function checkJob(job: ArgsJob, dir: string): void {
  const side = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0 && v % 2 === 0 && v <= MAX_SIDE;
  if (!side(job.width) || !side(job.height)) throw new RangeError(`ffmpeg needs an even size of at most ${MAX_SIDE} pixels, got ${String(job.width)}x${String(job.height)}`);
  if (!(typeof job.fps === 'number' && Number.isFinite(job.fps) && job.fps > 0 && job.fps <= MAX_FPS)) throw new RangeError(`ffmpeg needs fps above 0 and at most ${MAX_FPS}, got ${String(job.fps)}`);
  if (job.quality !== undefined && !(QUALITIES as readonly unknown[]).includes(job.quality)) throw new RangeError(`unknown quality ${JSON.stringify(job.quality)}`);
  if (job.imageFormat !== 'rgba' && !Object.hasOwn(IMAGE_EXTENSIONS, job.imageFormat)) throw new RangeError(`unknown frame image format ${JSON.stringify(job.imageFormat)}`);
  if (!SCRATCH_DIR.test(dir)) throw new RangeError(`not a scratch folder: ${JSON.stringify(dir)}`);
}

/** Where frame i goes in the virtual file system, for the image formats. */
export function frameImagePath(dir: string, index: number, format: Exclude<FrameImageFormat, 'rgba'>): string {
  return `${dir}/f${String(index).padStart(5, '0')}.${IMAGE_EXTENSIONS[format]}`;
}

export const rawFramesPath = (dir: string) => `${dir}/frames.rgba`;
export const outputPath = (dir: string, spec: CodecSpec) => `${dir}/out.${spec.extension}`;

/** Finds a codec by id in the table; an id that is not there is an error. */
export function codecSpec(id: string): CodecSpec {
  const spec = FFMPEG_CODECS.find((s) => s.id === id);
  if (!spec) throw new RangeError(`unknown ffmpeg.wasm codec ${JSON.stringify(id)}`);
  return spec;
}

/** The whole ffmpeg command line (less ffmpeg.wasm's own "-nostdin -y") for one encode. */
export function encodeArgs(codecId: string, job: ArgsJob, dir: string): string[] {
  const spec = codecSpec(codecId);
  checkJob(job, dir);
  const rate = ['-framerate', `${job.fps}`];
  const input =
    job.imageFormat === 'rgba'
      ? ['-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${job.width}x${job.height}`, ...rate, '-i', rawFramesPath(dir)]
      : ['-f', 'image2', ...rate, '-i', `${dir}/f%05d.${IMAGE_EXTENSIONS[job.imageFormat]}`];
  const gop = Math.max(1, Math.round(job.fps * KEYFRAME_SECONDS));
  return [
    ...input,
    ...spec.args(gop, job.quality ?? DEFAULTS.quality),
    ...(job.fault === 'fail' ? INJECTED_FAILURE : []),
    outputPath(dir, spec),
  ];
}

/**
 * Decodes the first and last (`lastIndex`) frames of `input` into `output` as raw
 * RGBA at `width` x `height`, for verification by decoding: scaled back to the
 * rendered size (GIF is narrower), read as BT.709 limited range where the stream
 * is YUV (as our encoders tag it).
 */
export function decodeEndsArgs(input: string, output: string, lastIndex: number, width: number, height: number): string[] {
  for (const [name, n] of [['lastIndex', lastIndex], ['width', width], ['height', height]] as const) {
    if (!Number.isInteger(n) || n < 0 || n > 1_000_000) throw new RangeError(`${name} must be a whole number, not ${n}`);
  }
  return [
    '-v', 'error', '-i', input,
    '-vf', `select='eq(n,0)+eq(n,${lastIndex})',scale=${width}:${height}:flags=bicubic:in_color_matrix=bt709:in_range=tv,format=rgba`,
    '-vsync', 'passthrough', '-f', 'rawvideo', output,
  ];
}

/** ffprobe's command line: reads `input` back and writes a JSON report. */
export function probeArgs(input: string, report: string): string[] {
  return [
    '-v', 'error', '-select_streams', 'v:0', '-count_packets',
    '-show_entries', 'stream=codec_name,width,height,nb_read_packets',
    '-of', 'json', input, '-o', report,
  ];
}
