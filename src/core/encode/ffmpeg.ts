// ffmpeg.wasm encoders: frames into ffmpeg.wasm's file system, one command
// (built by ffmpeg-args.ts from fixed tables only), the file read back.
import type { FFmpeg } from '@ffmpeg/ffmpeg';
import { verifyByDecoding, type DecodedEnds } from './decode-check.js';
import type { Container, EncodeJob, Encoder, ProbeResult, VerifyJob } from './encoder.js';
import { decodeEndsArgs, encodeArgs, FFMPEG_CODECS, frameImagePath, outputPath, probeArgs, rawFramesPath, type CodecSpec } from './ffmpeg-args.js';
import { FFMPEG_ENGINE, ffmpegHost, type FFmpegHost } from './ffmpeg-host.js';

export { FFMPEG_CODECS };

let jobCounter = 0;

async function writeInputs(ffmpeg: FFmpeg, job: EncodeJob, dir: string): Promise<string[]> {
  // ffmpeg.wasm needs its whole input in its file system before it runs: frames
  // go there one by one as they render (compressed, unless 'rgba' was asked for).
  if (job.imageFormat === 'rgba') {
    const raw: Blob[] = [];
    for (let i = 0; i < job.frames.count; i++) {
      job.signal?.throwIfAborted();
      raw.push(await job.frames.image(i, 'rgba'));
    }
    const name = rawFramesPath(dir);
    await ffmpeg.writeFile(name, new Uint8Array(await new Blob(raw).arrayBuffer()));
    return [name];
  }
  const names: string[] = [];
  for (let i = 0; i < job.frames.count; i++) {
    job.signal?.throwIfAborted();
    const name = frameImagePath(dir, i, job.imageFormat);
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
          // Built first: a job that cannot make a valid command renders no frames.
          const args = encodeArgs(this.id, job, dir);
          created.push(...(await writeInputs(ffmpeg, job, dir)));
          const output = outputPath(dir, this.#spec);
          created.push(output);
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

  verifyDecoded(bytes: Uint8Array, { rendered, quality, frames, signal }: VerifyJob) {
    const fallbackDecoder = (width: number, height: number) => this.#decodeEnds(bytes, frames, width, height, signal);
    return verifyByDecoding({ bytes, container: this.container, encoderId: this.id, quality, rendered, fallbackDecoder });
  }

  /** The first and last frames decoded by ffmpeg.wasm, RGBA at width x height. */
  #decodeEnds(bytes: Uint8Array, frames: number, width: number, height: number, signal?: AbortSignal): Promise<DecodedEnds> {
    return this.#withFile(bytes, 'decode', 'ends.rgba', signal, async (ffmpeg, input, output, log) => {
      const code = await ffmpeg.exec(decodeEndsArgs(input, output, frames - 1, width, height));
      if (code !== 0) throw new Error(`ffmpeg.wasm cannot decode the output: ${log.reason()}`);
      const rgba = (await ffmpeg.readFile(output)) as Uint8Array;
      const size = width * height * 4;
      const decoded = frames === 1 ? 1 : 2;
      if (rgba.length !== size * decoded) {
        throw new Error(`ffmpeg.wasm decoded ${rgba.length / size} of the first and last frames, expected ${decoded}`);
      }
      return { first: rgba.subarray(0, size), last: rgba.subarray(size * (decoded - 1)) };
    });
  }

  probe(bytes: Uint8Array, signal?: AbortSignal): Promise<ProbeResult> {
    return this.#withFile(bytes, 'probe', 'probe.json', signal, async (ffmpeg, input, report, log) => {
      let text: string;
      try {
        // ffmpeg.wasm's ffprobe returns -1 even when it succeeds: judge by its report.
        await ffmpeg.ffprobe(probeArgs(input, report));
        text = new TextDecoder().decode((await ffmpeg.readFile(report)) as Uint8Array);
      } catch {
        this.#host.retire();
        throw new Error(`the output cannot be read back: ${log.reason()}`);
      }
      const stream = JSON.parse(text).streams?.[0];
      if (!stream) throw new Error('the output holds no video stream');
      return {
        codec: String(stream.codec_name),
        frames: Number(stream.nb_read_packets),
        width: Number(stream.width),
        height: Number(stream.height),
      };
    });
  }

  /**
   * Writes `bytes` (this encoder's output) into a scratch folder and runs `work` on it
   * with ffmpeg's log watched; `output` is the path of `outputName` beside it. Both are removed after.
   */
  #withFile<T>(
    bytes: Uint8Array,
    name: string,
    outputName: string,
    signal: AbortSignal | undefined,
    work: (ffmpeg: FFmpeg, input: string, output: string, log: ReturnType<typeof watchLog>) => Promise<T>,
  ): Promise<T> {
    return this.#host.run(
      (ffmpeg) =>
        inScratchDir(ffmpeg, async (dir, created) => {
          const input = `${dir}/${name}.${this.extension}`;
          const output = `${dir}/${outputName}`;
          created.push(input, output);
          await ffmpeg.writeFile(input, bytes.slice());
          const log = watchLog(ffmpeg, 1);
          try {
            return await work(ffmpeg, input, output, log);
          } finally {
            log.stop();
          }
        }),
      signal,
    );
  }
}

export function createFFmpegEncoders(host: FFmpegHost = ffmpegHost): Encoder[] {
  return FFMPEG_CODECS.map((spec) => new FFmpegEncoder(spec, host));
}
