// A browser only starts a worker from a script of the page's own origin. When
// this module is served from elsewhere (a CDN-like host, Observable), the
// ffmpeg.wasm worker that webpack emitted next to it is cross-origin, so we
// start a classic worker from a page-origin blob that importScripts() it
// (importScripts may load cross-origin scripts).
//
// @ffmpeg/ffmpeg constructs its worker itself, synchronously inside load(),
// with `new Worker(url, { type: "module" })`. We swap the global constructor
// for the length of that synchronous call only.

export interface StartedWorker<T> {
  result: T;
  /**
   * Rejects when a worker started by `start` reports an error before release()
   * (its script is missing or broken): @ffmpeg/ffmpeg would wait for it forever.
   */
  failed: Promise<never>;
  /** Revoke the blob URL and stop watching for errors once the worker has started (after load resolves). */
  release(): void;
}

export function withPageOriginWorker<T>(start: () => T): StartedWorker<T> {
  const NativeWorker = globalThis.Worker;
  const blobUrls: string[] = [];
  const watched: Array<() => void> = [];
  let reject: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, r) => (reject = r));
  failed.catch(() => {}); // a caller that does not race it must not see an unhandled rejection
  class PageOriginWorker extends NativeWorker {
    constructor(url: string | URL) {
      const absolute = new URL(url, globalThis.location?.href).href;
      const source = `importScripts(${JSON.stringify(absolute)});`;
      const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      blobUrls.push(blobUrl);
      // Classic, not module: the UMD ffmpeg core is loaded with importScripts.
      super(blobUrl);
      const onError = (e: Event) => {
        const why = (e as ErrorEvent).message || 'the script is missing or blocked';
        reject(new Error(`its worker script ${absolute} did not start (${why})`));
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
        blobUrls.forEach((u) => URL.revokeObjectURL(u));
        watched.forEach((stop) => stop());
      },
    };
  } finally {
    globalThis.Worker = NativeWorker;
  }
}
