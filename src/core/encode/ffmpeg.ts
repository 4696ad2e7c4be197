// ffmpeg.wasm encoders. Arguments come only from the fixed tables below and
// from numbers we validated (fps, size): never from strings a caller passes.
import type { FFmpeg } from '@ffmpeg/ffmpeg';
import type { Container, EncodeJob, Encoder, ProbeResult, Quality } from './encoder.js';
import { FFMPEG_ENGINE, ffmpegHost, type FFmpegHost } from './ffmpeg-host.js';

interface CodecSpec {
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

const IMAGE_EXTENSIONS = { jpeg: 'jpg', png: 'png' } as const;
/** Makes ffmpeg's real run fail, for tests of the fallback chain. */
const INJECTED_FAILURE = ['-bsf:v', 'cloudreel_injected_failure'];
const KEYFRAME_SECONDS = 2;

let jobCounter = 0;

function inputArgs(job: EncodeJob, dir: string): string[] {
  const rate = ['-framerate', `${job.fps}`];
  if (job.imageFormat === 'rgba') {
    return ['-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${job.width}x${job.height}`, ...rate, '-i', `${dir}/frames.rgba`];
  }
  return ['-f', 'image2', ...rate, '-i', `${dir}/f%05d.${IMAGE_EXTENSIONS[job.imageFormat]}`];
}

async function writeInputs(ffmpeg: FFmpeg, job: EncodeJob, dir: string): Promise<string[]> {
  // ffmpeg.wasm needs its whole input in its file system before it runs: frames
  // go there one by one as they render (compressed, unless 'rgba' was asked for).
  if (job.imageFormat === 'rgba') {
    const raw: Blob[] = [];
    for (let i = 0; i < job.frames.count; i++) {
      job.signal?.throwIfAborted();
      raw.push(await job.frames.image(i, 'rgba'));
    }
    const name = `${dir}/frames.rgba`;
    await ffmpeg.writeFile(name, new Uint8Array(await new Blob(raw).arrayBuffer()));
    return [name];
  }
  const names: string[] = [];
  for (let i = 0; i < job.frames.count; i++) {
    job.signal?.throwIfAborted();
    const name = `${dir}/f${String(i).padStart(5, '0')}.${IMAGE_EXTENSIONS[job.imageFormat]}`;
    const image = await job.frames.image(i, job.imageFormat);
    // writeFile transfers (detaches) the buffer it is given.
    await ffmpeg.writeFile(name, new Uint8Array(await image.arrayBuffer()));
    names.push(name);
  }
  return names;
}

/** Runs one ffmpeg command in a private folder of the virtual FS and removes every file afterwards. */
async function inScratchDir<T>(ffmpeg: FFmpeg, work: (dir: string, created: string[]) => Promise<T>): Promise<T> {
  const dir = `/cloudreel-${++jobCounter}`;
  await ffmpeg.createDir(dir);
  const created: string[] = [];
  try {
    return await work(dir, created);
  } finally {
    for (const name of created) await ffmpeg.deleteFile(name).catch(() => {});
    await ffmpeg.deleteDir(dir).catch(() => {});
  }
}

/** Keeps ffmpeg's last log lines, for error messages, and reports frame progress. */
function watchLog(ffmpeg: FFmpeg, frames: number, onProgress?: (f: number) => void) {
  const tail: string[] = [];
  const listener = ({ message }: { message: string }) => {
    tail.push(message);
    if (tail.length > 12) tail.shift();
    const m = /frame=\s*(\d+)/.exec(message);
    if (m && onProgress) onProgress(Math.min(1, Number(m[1]) / frames));
  };
  ffmpeg.on('log', listener);
  return {
    stop: () => ffmpeg.off('log', listener),
    /** The most telling recent line: an error if there is one. */
    reason: () =>
      [...tail].reverse().find((l) => /error|invalid|unknown|not found|failed|unrecognized/i.test(l))?.trim() ??
      tail[tail.length - 1]?.trim() ??
      'no output',
  };
}

class FFmpegEncoder implements Encoder {
  readonly id: string;
  readonly description: string;
  readonly mimeType: string;
  readonly extension: string;
  readonly container: Container;
  readonly engine = FFMPEG_ENGINE;
  readonly #spec: CodecSpec;
  readonly #host: FFmpegHost;

  constructor(spec: CodecSpec, host: FFmpegHost) {
    this.#spec = spec;
    this.#host = host;
    this.id = spec.id;
    this.description = spec.description;
    this.mimeType = spec.mimeType;
    this.extension = spec.extension;
    this.container = spec.container;
  }

  async isSupported(): Promise<boolean> {
    return typeof WebAssembly === 'object' && typeof Worker === 'function';
  }

  encode(job: EncodeJob): Promise<Uint8Array> {
    return this.#host.run(
      (ffmpeg) =>
        inScratchDir(ffmpeg, async (dir, created) => {
          created.push(...(await writeInputs(ffmpeg, job, dir)));
          const output = `${dir}/out.${this.extension}`;
          created.push(output);
          const gop = Math.max(1, Math.round(job.fps * KEYFRAME_SECONDS));
          const args = [
            ...inputArgs(job, dir),
            ...this.#spec.args(gop, job.quality ?? 'standard'),
            ...(job.fault === 'fail' ? INJECTED_FAILURE : []),
            output,
          ];
          const log = watchLog(ffmpeg, job.frames.count, job.onProgress);
          let code: number;
          try {
            code = await ffmpeg.exec(args);
          } finally {
            log.stop();
          }
          if (code !== 0) {
            this.#host.retire();
            throw new Error(`ffmpeg exited with code ${code}: ${log.reason()}`);
          }
          return (await ffmpeg.readFile(output)) as Uint8Array;
        }),
      job.signal,
    );
  }

  probe(bytes: Uint8Array, signal?: AbortSignal): Promise<ProbeResult> {
    return this.#host.run(
      (ffmpeg) =>
        inScratchDir(ffmpeg, async (dir, created) => {
          const input = `${dir}/probe.${this.extension}`;
          const report = `${dir}/probe.json`;
          created.push(input, report);
          await ffmpeg.writeFile(input, bytes.slice());
          const log = watchLog(ffmpeg, 1);
          let text: string;
          try {
            // ffmpeg.wasm's ffprobe returns -1 even when it succeeds: judge by its report.
            await ffmpeg.ffprobe([
              '-v', 'error', '-select_streams', 'v:0', '-count_packets',
              '-show_entries', 'stream=codec_name,width,height,nb_read_packets',
              '-of', 'json', input, '-o', report,
            ]);
            text = new TextDecoder().decode((await ffmpeg.readFile(report)) as Uint8Array);
          } catch {
            this.#host.retire();
            throw new Error(`the output cannot be read back: ${log.reason()}`);
          } finally {
            log.stop();
          }
          const stream = JSON.parse(text).streams?.[0];
          if (!stream) throw new Error('the output holds no video stream');
          return {
            codec: String(stream.codec_name),
            frames: Number(stream.nb_read_packets),
            width: Number(stream.width),
            height: Number(stream.height),
          };
        }),
      signal,
    );
  }
}

export function createFFmpegEncoders(host: FFmpegHost = ffmpegHost): Encoder[] {
  return FFMPEG_CODECS.map((spec) => new FFmpegEncoder(spec, host));
}
