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

export const FFMPEG_ENGINE = 'ffmpeg.wasm';

/** What to do about a core that will not load, said once in every load error. */
const LOAD_HINT =
  'serve ffmpeg-core.js, ffmpeg-core.wasm and cloudreel-worker-*.js from the folder of cloudreel.mjs, ' +
  'or point ffmpegHost.configure({ core, wasm }) at your own copies';

export class FFmpegLoadError extends Error {
  override name = 'FFmpegLoadError';
  /** Every ffmpeg.wasm encoder would fail the same way: the chain skips them. */
  readonly engine = FFMPEG_ENGINE;
  constructor(detail: string) {
    super(`ffmpeg.wasm could not be loaded: ${detail}; ${LOAD_HINT}`);
  }
}

/** "could not fetch URL: HTTP 404" when `url` answers with an error; null if it is fine or cannot be asked. */
async function unreachable(url: string, signal?: AbortSignal): Promise<string | null> {
  try {
    const response = await fetch(url, { method: 'HEAD', cache: 'no-store', ...(signal ? { signal } : {}) });
    return response.ok ? null : `could not fetch ${url}: HTTP ${response.status}`;
  } catch {
    return null; // a CSP or CORS refusal: the load error and its hint say more
  }
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
  // terminate() rejects a pending load: a cancel does not wait for the core to compile.
  const onAbort = () => ffmpeg.terminate();
  signal?.addEventListener('abort', onAbort, { once: true });
  let started: StartedWorker<Promise<boolean>> | undefined;
  try {
    const outcome = await recordingViolations(() => {
      started = withPageOriginWorker(() => ffmpeg.load(config));
      return Promise.race([started.result, started.failed]);
    });
    if ('result' in outcome) return ffmpeg;
    ffmpeg.terminate();
    if (signal?.aborted) throw signal.reason;
    const reason = String((outcome.error as Error)?.message ?? outcome.error);
    // Emscripten compiles whatever the wasm URL answered (a 404 page gives "expected
    // magic word"): ask the URLs themselves, only now that the load failed.
    const missing = (await unreachable(config.wasmURL, signal)) ?? (await unreachable(config.coreURL, signal));
    throw new FFmpegLoadError(missing ?? `${config.coreURL}: ${reason}${loadHint(reason, config.wasmURL, outcome.violations)}`);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    started?.release();
  }
}

export interface HostStats {
  /** Milliseconds the most recent load took (fetch + compile + start). */
  lastLoadMs: number | null;
  loads: number;
}

/**
 * Jobs one instance runs before it is replaced. Every ffmpeg run leaves some of
 * the wasm stack behind (ffmpegwasm/ffmpeg.wasm#563, #820); measured here, an
 * instance traps ("memory access out of bounds") after about 150 encodes, 80
 * "-version" runs, or 8 to 26 failed runs: hence also retire() after a failure.
 */
const JOBS_PER_INSTANCE = 48;

export class FFmpegHost {
  #urls: CoreURLs;
  #instance: Promise<FFmpeg> | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #jobsOnInstance = 0;
  #retiring = false;
  readonly stats: HostStats = { lastLoadMs: null, loads: 0 };

  constructor(urls: CoreURLs) {
    this.#urls = urls;
  }

  /** Where ffmpeg-core.js and ffmpeg-core.wasm are loaded from. */
  get urls(): CoreURLs {
    return { ...this.#urls };
  }

  /**
   * Loads the ffmpeg.wasm core from your own copies (same @ffmpeg/core version)
   * instead of the files shipped next to the module. Takes effect at the next
   * load: an instance already loaded is dropped once the jobs queued on it ran.
   */
  configure(urls: Partial<CoreURLs>): void {
    this.#urls = { ...this.#urls, ...urls };
    this.#queue = this.#queue.then(() => this.discard());
  }

  #get(signal?: AbortSignal): Promise<FFmpeg> {
    if (!this.#instance) {
      const t0 = performance.now();
      const loading = loadFFmpeg(this.#urls, signal).then((ff) => {
        this.stats.lastLoadMs = performance.now() - t0;
        this.stats.loads++;
        return ff;
      });
      this.#instance = loading;
      loading.catch(() => {
        if (this.#instance === loading) this.#instance = null;
      });
    }
    return this.#instance;
  }

  /** Terminates the instance (worker and its memory); the next job loads anew. */
  discard(): void {
    const instance = this.#instance;
    this.#instance = null;
    this.#jobsOnInstance = 0;
    this.#retiring = false;
    instance?.then((ff) => ff.terminate()).catch(() => {});
  }

  /** Replaces the instance once the current job ends: call it after an ffmpeg run failed (see JOBS_PER_INSTANCE). */
  retire(): void {
    this.#retiring = true;
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
      let ffmpeg: FFmpeg | null = null;
      try {
        ffmpeg = await this.#get(signal);
        return await job(ffmpeg);
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        if (isCrash(e)) this.discard();
        throw e;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        if (ffmpeg && (++this.#jobsOnInstance >= JOBS_PER_INSTANCE || this.#retiring)) this.discard();
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
