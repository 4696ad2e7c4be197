// One ffmpeg.wasm instance per page, loaded on first use and reused. Jobs run
// one at a time (they share the instance's file system); a job that is aborted
// or that crashes the instance terminates it, and the next job loads a fresh one.
import { FFmpeg } from '@ffmpeg/ffmpeg';
import coreScriptURL from 'cloudreel-ffmpeg-core.js';
import coreWasmURL from 'cloudreel-ffmpeg-core.wasm';
import { loadHint, recordingViolations } from './csp.js';
import { withPageOriginWorker, type StartedWorker } from './page-origin-worker.js';

export interface CoreURLs {
  core: string;
  wasm: string;
}

/**
 * The worker loads the core by its own URL (importScripts, then fetch for the
 * wasm), not through blob URLs: so a page's Content-Security-Policy needs no
 * `blob:` in script-src or connect-src. A core on another origin needs CORS for
 * the wasm fetch, as the README says for hosting the module.
 */
async function loadFFmpeg(urls: CoreURLs, signal?: AbortSignal): Promise<FFmpeg> {
  const absolute = (url: string) => new URL(url, globalThis.location?.href).href;
  const config = { coreURL: absolute(urls.core), wasmURL: absolute(urls.wasm) };
  const ffmpeg = new FFmpeg();
  let started: StartedWorker<Promise<boolean>> | undefined;
  const outcome = await recordingViolations(() => {
    started = withPageOriginWorker(() => ffmpeg.load(config, signal ? { signal } : {}));
    return Promise.race([started.result, started.failed]);
  });
  started?.release();
  if ('result' in outcome) return ffmpeg;
  ffmpeg.terminate();
  if (signal?.aborted) throw signal.reason;
  const reason = String((outcome.error as Error)?.message ?? outcome.error);
  throw new Error(`ffmpeg.wasm failed to load from ${config.coreURL}: ${reason}${loadHint(reason, config.wasmURL, outcome.violations)}`);
}

export interface HostStats {
  /** Milliseconds the most recent load took (fetch + compile + start). */
  lastLoadMs: number | null;
  loads: number;
}

export class FFmpegHost {
  #urls: CoreURLs;
  #instance: Promise<FFmpeg> | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  readonly stats: HostStats = { lastLoadMs: null, loads: 0 };

  constructor(urls: CoreURLs) {
    this.#urls = urls;
  }

  #get(signal?: AbortSignal): Promise<FFmpeg> {
    if (!this.#instance) {
      const t0 = performance.now();
      this.#instance = loadFFmpeg(this.#urls, signal).then((ff) => {
        this.stats.lastLoadMs = performance.now() - t0;
        this.stats.loads++;
        return ff;
      });
      this.#instance.catch(() => (this.#instance = null));
    }
    return this.#instance;
  }

  /** Terminates the instance (worker and its memory); the next job loads anew. */
  discard(): void {
    const instance = this.#instance;
    this.#instance = null;
    instance?.then((ff) => ff.terminate()).catch(() => {});
  }

  /**
   * Runs `job` with exclusive use of the instance. On abort the instance is
   * terminated at once (that is what stops a running exec) and the job rejects
   * with the signal's reason. `crashed(error)` says whether a failure left the
   * instance unusable (wasm traps do: "memory access out of bounds").
   */
  run<T>(job: (ffmpeg: FFmpeg) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const turn = this.#queue.then(async () => {
      signal?.throwIfAborted();
      const onAbort = () => this.discard();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const ffmpeg = await this.#get(signal);
        return await job(ffmpeg);
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        if (isCrash(e)) this.discard();
        throw e;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    });
    this.#queue = turn.catch(() => {});
    return turn;
  }
}

/** Errors thrown by the worker itself (not a non-zero exit) mean the instance may be broken. */
function isCrash(e: unknown): boolean {
  const text = String((e as Error)?.message ?? e);
  return /RuntimeError|out of bounds|unreachable|ErrnoError|FS error|terminate/i.test(text);
}

export const ffmpegHost = new FFmpegHost({ core: coreScriptURL, wasm: coreWasmURL });
