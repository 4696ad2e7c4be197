// A browser only starts a worker from a script of the page's own origin. When
// this module is served from elsewhere (a CDN-like host, Observable), the
// ffmpeg.wasm worker that webpack emitted next to it is cross-origin, so we
// start a classic worker from a page-origin blob that importScripts() it
// (importScripts may load cross-origin scripts). A same-origin worker starts
// from its own URL: then a Content-Security-Policy needs no `worker-src blob:`.
//
// @ffmpeg/ffmpeg constructs its worker itself, synchronously inside load(),
// with `new Worker(url, { type: "module" })`. We swap the global constructor
// for the length of that synchronous call only.

export interface StartedWorker<T> {
  result: T;
  /**
   * Rejects when a worker started here reports an error before release(): a
   * worker the page's Content-Security-Policy blocks only says so with an
   * error event, and @ffmpeg/ffmpeg does not listen for one (its load() would
   * wait for ever).
   */
  failed: Promise<never>;
  /** Revoke the blob URL once the worker has started (after load resolves). */
  release(): void;
}

/** The script to start: the worker's own URL on the page's origin, else a blob that imports it. */
function startableURL(script: URL, blobUrls: string[]): string {
  // An opaque origin ("null": file:, sandboxed frames) equals nothing, not even itself.
  if (script.origin !== 'null' && script.origin === globalThis.location?.origin) return script.href;
  const source = `importScripts(${JSON.stringify(script.href)});`;
  const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  blobUrls.push(blobUrl);
  return blobUrl;
}

function startError(script: URL, started: string, event: Event): Error {
  const detail = (event as ErrorEvent).message ? `: ${(event as ErrorEvent).message}` : '';
  const from = started === script.href ? script.href : `a page-origin blob importing ${script.href}`;
  return new Error(
    `the ffmpeg.wasm worker (${from}) failed to start${detail}. ` +
      `If the page has a Content-Security-Policy, it must allow this worker ` +
      `(worker-src ${started === script.href ? `'self'` : 'blob:'}) and its script (script-src)`,
  );
}

export function withPageOriginWorker<T>(start: () => T): StartedWorker<T> {
  const NativeWorker = globalThis.Worker;
  const blobUrls: string[] = [];
  let released = false;
  const watched: Array<() => void> = [];
  let fail: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {}); // a caller that never races it must not see an unhandled rejection
  class PageOriginWorker extends NativeWorker {
    constructor(url: string | URL) {
      const script = new URL(url, globalThis.location?.href);
      const started = startableURL(script, blobUrls);
      // Classic, not module: the UMD ffmpeg core is loaded with importScripts.
      super(started);
      const onError = (event: Event) => {
        if (!released) fail(startError(script, started, event));
      };
      this.addEventListener('error', onError);
      watched.push(() => this.removeEventListener('error', onError));
    }
  }
  globalThis.Worker = PageOriginWorker;
  try {
    return {
      result: start(),
      failed,
      release: () => {
        released = true;
        blobUrls.forEach((u) => URL.revokeObjectURL(u));
        watched.forEach((stop) => stop());
      },
    };
  } finally {
    globalThis.Worker = NativeWorker;
  }
}
