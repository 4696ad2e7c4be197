// Counts what an export may leave behind in the page: live workers, object URLs,
// WebGL contexts, WebCodecs encoders and decoders (and the frames decoders output,
// as verification decodes the file), 'abort' listeners, ffmpeg.wasm files, and
// the JS heap. The counters are installed before any page script runs
// (addInitScript); LEAKS is the negative control, a page where the calls that
// free those things are dropped, so a checker that misses a leak is caught.
import { openExamplePage } from '../../examples/headless.mjs';

/** Runs in the page before its scripts: wraps the constructors and the calls that free. */
function installCounters() {
  const live = { workers: new Set(), objectURLs: new Set(), contexts: new Set(), encoders: new Set(), decoders: new Set(), frames: new Set(), listeners: new Map() };

  const NativeWorker = window.Worker;
  const nativeTerminate = NativeWorker.prototype.terminate;
  window.Worker = class CountingWorker extends NativeWorker {
    constructor(...args) {
      super(...args);
      live.workers.add(this);
    }
  };
  NativeWorker.prototype.terminate = function terminate() {
    live.workers.delete(this);
    return nativeTerminate.call(this);
  };

  const { createObjectURL, revokeObjectURL } = URL;
  URL.createObjectURL = (object) => {
    const url = createObjectURL(object);
    live.objectURLs.add(url);
    return url;
  };
  URL.revokeObjectURL = (url) => {
    live.objectURLs.delete(url);
    revokeObjectURL(url);
  };

  for (const Canvas of [HTMLCanvasElement, OffscreenCanvas]) {
    const getContext = Canvas.prototype.getContext;
    Canvas.prototype.getContext = function (type, ...rest) {
      const context = getContext.call(this, type, ...rest);
      if (context && String(type).startsWith('webgl')) live.contexts.add(context);
      return context;
    };
  }

  const NativeEncoder = window.VideoEncoder;
  if (NativeEncoder) {
    window.VideoEncoder = class CountingVideoEncoder extends NativeEncoder {
      constructor(...args) {
        super(...args);
        live.encoders.add(this);
      }
    };
  }

  const NativeDecoder = window.VideoDecoder;
  if (NativeDecoder) {
    window.VideoDecoder = class CountingVideoDecoder extends NativeDecoder {
      constructor(init) {
        super({
          ...init,
          output: (frame) => {
            live.frames.add(frame);
            init.output(frame);
          },
        });
        live.decoders.add(this);
      }
    };
  }

  // 'abort' listeners on AbortSignals, keyed as the DOM keys them (listener, capture).
  // A `once` listener is wrapped so that firing it also counts as removing it.
  // Entries go as soon as they are removed: holding a listener would hold all it closes over.
  const { addEventListener, removeEventListener } = EventTarget.prototype;
  const captureOf = (options) => (typeof options === 'boolean' ? options : Boolean(options?.capture));
  const forget = (signal, listener, capture) => {
    const byListener = live.listeners.get(signal);
    byListener?.get(listener)?.delete(capture);
    if (byListener?.get(listener)?.size === 0) byListener.delete(listener);
    if (byListener?.size === 0) live.listeners.delete(signal);
  };
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (!(this instanceof AbortSignal) || type !== 'abort' || !listener) return addEventListener.call(this, type, listener, options);
    const capture = captureOf(options);
    if (live.listeners.get(this)?.get(listener)?.has(capture)) return undefined;
    const signal = this;
    let registered = listener;
    if (typeof options === 'object' && options?.once) {
      registered = function (event) {
        forget(signal, listener, capture);
        return typeof listener === 'function' ? listener.call(this, event) : listener.handleEvent(event);
      };
    }
    const byListener = live.listeners.get(this) ?? live.listeners.set(this, new Map()).get(this);
    const perCapture = byListener.get(listener) ?? byListener.set(listener, new Map()).get(listener);
    perCapture.set(capture, registered);
    return addEventListener.call(this, type, registered, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    const capture = captureOf(options);
    const registered = this instanceof AbortSignal && type === 'abort' ? live.listeners.get(this)?.get(listener)?.get(capture) : undefined;
    if (!registered) return removeEventListener.call(this, type, listener, options);
    forget(this, listener, capture);
    return removeEventListener.call(this, type, registered, options);
  };

  window.__resources = {
    counts() {
      for (const c of live.contexts) if (c.isContextLost()) live.contexts.delete(c);
      for (const e of live.encoders) if (e.state === 'closed') live.encoders.delete(e);
      for (const d of live.decoders) if (d.state === 'closed') live.decoders.delete(d);
      // A closed VideoFrame has no format.
      for (const f of live.frames) if (f.format === null) live.frames.delete(f);
      let listeners = 0;
      for (const byListener of live.listeners.values()) for (const perCapture of byListener.values()) listeners += perCapture.size;
      return {
        workers: live.workers.size,
        objectURLs: live.objectURLs.size,
        webglContexts: live.contexts.size,
        videoEncoders: live.encoders.size,
        videoDecoders: live.decoders.size,
        decodedFrames: live.frames.size,
        abortListeners: listeners,
      };
    },
  };
}

/** The negative control: what frees each resource does nothing, as if the code forgot to call it. */
function installLeaks() {
  window.Worker.prototype.terminate = function terminate() {};
  // ffmpeg.wasm's deletes become harmless listings: its files stay (and every call still answers).
  const postMessage = window.Worker.prototype.postMessage;
  window.Worker.prototype.postMessage = function (message, ...rest) {
    if (message?.type === 'DELETE_FILE' || message?.type === 'DELETE_DIR') message = { ...message, type: 'LIST_DIR', data: { path: '/' } };
    return postMessage.call(this, message, ...rest);
  };
  URL.revokeObjectURL = () => {};
  AbortSignal.prototype.removeEventListener = function removeEventListener() {};
  if (window.VideoEncoder) window.VideoEncoder.prototype.close = function close() {};
  if (window.VideoDecoder) window.VideoDecoder.prototype.close = function close() {};
  if (window.VideoFrame) window.VideoFrame.prototype.close = function close() {};
  for (const Context of [WebGLRenderingContext, WebGL2RenderingContext]) {
    const getExtension = Context.prototype.getExtension;
    Context.prototype.getExtension = function (name) {
      const extension = getExtension.call(this, name);
      if (name !== 'WEBGL_lose_context' || !extension) return extension;
      return { loseContext() {}, restoreContext: () => extension.restoreContext() };
    };
  }
}

/** The example page with counters installed (and, with `leaky`, the negative control's leaks). */
export async function openCountedPage(browser, { leaky = false } = {}) {
  const initScripts = [installCounters, ...(leaky ? [installLeaks] : [])];
  const page = await openExamplePage(browser.context, browser.site.url, { initScripts });
  // Chromium only: Firefox over WebDriver BiDi has no DevTools Protocol session.
  const cdp = browser.name === 'firefox' ? null : await page.context().newCDPSession(page);
  return { page, cdp };
}

/**
 * What the page holds now. `ffmpegFiles` lists cloudreel's folders in ffmpeg.wasm's
 * file system; asking loads ffmpeg.wasm if it is not loaded, so it is opt-in.
 */
export async function resources(page, { ffmpegFiles = false } = {}) {
  const counts = await page.evaluate(() => window.__resources.counts());
  if (ffmpegFiles) {
    const names = await page.evaluate(() =>
      window.cloudreelExample.cloudreel.ffmpegHost.run(async (ff) => (await ff.listDir('/')).map((n) => n.name)),
    );
    counts.ffmpegFiles = names.filter((n) => n.startsWith('cloudreel-')).length;
  }
  return counts;
}

/**
 * Each count above its baseline, as "workers: 2 live, 1 before"; empty when
 * nothing leaked. Between exports ffmpeg.wasm's file system holds none of ours,
 * whatever the baseline says (a cancel replaces the instance, and its files).
 */
export function leaksSince(baseline, now) {
  const allowed = (k) => (k === 'ffmpegFiles' ? 0 : baseline[k] ?? 0);
  return Object.keys(now)
    .filter((k) => now[k] > allowed(k))
    .map((k) => `${k}: ${now[k]} live, ${allowed(k)} before`);
}

/** JS heap in use after a full garbage collection, in bytes (V8 heap plus array buffers). */
export async function heapAfterGC(cdp) {
  // Twice: the first pass runs finalizers that free more on the second.
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = await cdp.send('Runtime.getHeapUsage');
  return usage.usedSize + (usage.backingStorageSize ?? 0);
}
