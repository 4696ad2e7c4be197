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
  /** Revoke the blob URL once the worker has started (after load resolves). */
  release(): void;
}

export function withPageOriginWorker<T>(start: () => T): StartedWorker<T> {
  const NativeWorker = globalThis.Worker;
  const blobUrls: string[] = [];
  class PageOriginWorker extends NativeWorker {
    constructor(url: string | URL) {
      const absolute = new URL(url, globalThis.location?.href).href;
      const source = `importScripts(${JSON.stringify(absolute)});`;
      const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      blobUrls.push(blobUrl);
      // Classic, not module: the UMD ffmpeg core is loaded with importScripts.
      super(blobUrl);
    }
  }
  globalThis.Worker = PageOriginWorker;
  try {
    return { result: start(), release: () => blobUrls.forEach((u) => URL.revokeObjectURL(u)) };
  } finally {
    globalThis.Worker = NativeWorker;
  }
}
