// The runner page's script: runs exports for the Python server that served it
// (python/cloudreel/headless/runner_server.py), each from the job, frames and routes under that export's
// own token, with the same core as every other page (./cloudreel.mjs, imported once), reporting each
// status and streaming the video back in chunks. Opened at <export token>/runner.html it runs that
// export at once; opened at <page token>/runner.html#wait it stays open and Python's engine starts each
// export with window.cloudreelRunner.start(<the export's folder URL>), one at a time.
const CHUNK_BYTES = 2 * 1024 * 1024;
const core = import('./cloudreel.mjs');
core.catch(() => {}); // a module that fails to load fails each job that needs it, in its own words

async function send(base, method, path, body, type = 'application/json') {
  const response = await fetch(new URL(path, base), { method, body, headers: { 'Content-Type': type }, cache: 'no-store' });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
}

async function get(base, path, signal) {
  const response = await fetch(new URL(path, base), { cache: 'no-store', signal });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return response;
}

async function sendVideo(base, result, signal) {
  signal.throwIfAborted();
  const { blob } = result;
  const chunks = Math.ceil(blob.size / CHUNK_BYTES);
  const begin = { codec: result.codec, mime_type: result.mimeType, extension: result.extension, total_bytes: blob.size, chunks };
  await send(base, 'POST', 'video', JSON.stringify(begin));
  // One slice of the Blob at a time: the whole video is never copied into one buffer.
  for (let index = 0, offset = 0; index < chunks; index++, offset += CHUNK_BYTES) {
    signal.throwIfAborted();
    await send(base, 'PUT', `video/${index}?offset=${offset}`, blob.slice(offset, offset + CHUNK_BYTES), 'application/octet-stream');
  }
}

/**
 * The frames, read chunk by chunk into one buffer of the size the header announces, each frame
 * checked as soon as it has arrived (the same checks as decodePayload(), overlapping the download).
 * Response.arrayBuffer() then decodePayload() took 1.5-2.5x a bare read of the body for 720 MB: it grows
 * and copies its buffer, and the checks came after.
 */
async function readFrames(cloudreel, header, base, signal, timings) {
  // A total_bytes that is no byte count leaves an empty buffer, which the decoder then refuses in its own words.
  const size = Number.isSafeInteger(header?.total_bytes) && header.total_bytes > 0 ? header.total_bytes : 0;
  let payload;
  try {
    payload = new Uint8Array(size);
  } catch {
    throw new Error(`the frames need ${(size / 1e9).toFixed(1)} GB, more memory than this page can have`);
  }
  const decoder = new cloudreel.PayloadDecoder(header, payload); // checks the header before anything is fetched
  timings.framesRequested = performance.now();
  const response = await get(base, 'frames', signal);
  timings.framesResponse = performance.now();
  const reader = response.body.getReader();
  let at = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > size) throw new Error(`GET frames sent more than the ${size} bytes the header announces`);
    payload.set(value, at);
    at += value.length;
    decoder.advance(at);
  }
  if (at !== size) throw new Error(`GET frames sent ${at} of the ${size} bytes the header announces`);
  timings.framesReceived = performance.now();
  return decoder.finish();
}

/**
 * A lazy export's frames (python/cloudreel/lazy_frames.py): fetched one at a time as the renderer
 * asks, a few ahead, each checked as it arrives (fetchedFrames); a frame Python cannot read or
 * refuses fails the export with Python's words. The requests are made by a worker (runner-fetch.js),
 * in order and up to READ_AHEAD frames beyond the one asked for, without waiting on the main thread.
 * Returns the frames and close(), which ends the worker.
 */
function lazyFrames(cloudreel, header, base, signal) {
  const worker = new Worker(new URL('./runner-fetch.js', import.meta.url));
  signal.addEventListener('abort', () => worker.terminate(), { once: true });
  let generation = 0;
  let from = 0; // where the worker's current pass started
  let handedOut = -1; // the highest frame of this pass handed to the renderer
  const arrived = new Map(); // index -> { bytes } or { error }, not yet asked for
  const waiting = new Map(); // index -> { resolve, reject }
  worker.onmessage = ({ data }) => {
    if (data.generation !== generation) return; // from a pass given up
    const outcome = data.bytes ? { bytes: new Uint8Array(data.bytes) } : { error: new Error(data.error) };
    const waiter = waiting.get(data.index);
    if (!waiter) return void arrived.set(data.index, outcome);
    waiting.delete(data.index);
    if (outcome.bytes) waiter.resolve(outcome.bytes);
    else waiter.reject(outcome.error);
  };
  const start = (index) => {
    generation++;
    from = index;
    handedOut = index - 1;
    arrived.clear();
    for (const w of waiting.values()) w.reject(new Error('the frames were asked for again from an earlier one'));
    waiting.clear();
    worker.postMessage({ base: base.href, from: index, generation });
  };
  start(0);
  const fetchFrame = (index) => {
    // The worker goes forward only: a frame before this pass's start, or one handed out already
    // (a fallback codec drawing again from frame 0), starts a new pass there.
    if (index < from || index <= handedOut) start(index);
    handedOut = index;
    for (const i of arrived.keys()) if (i < index) arrived.delete(i);
    worker.postMessage({ upTo: Math.min(index + READ_AHEAD, header.count - 1) });
    const got = arrived.get(index);
    if (got) {
      arrived.delete(index);
      return got.bytes ? Promise.resolve(got.bytes) : Promise.reject(got.error);
    }
    return new Promise((resolve, reject) => waiting.set(index, { resolve, reject }));
  };
  return { frames: cloudreel.fetchedFrames(header, fetchFrame), close: () => worker.terminate() };
}

/** Frames the fetch worker may bring beyond the one the renderer asked for (each about 1.2 MB at 100k points). */
const READ_AHEAD = 6;

/**
 * One export, everything it holds its own (abort controller, statuses, timings, routes under `base`).
 * `done` resolves once its result or failure has been sent.
 */
function runJob(base) {
  const controller = new AbortController();
  const { signal } = controller;
  // performance.now() marks of the frames' way in (read by `npm run bench`; nothing in the export depends on them).
  const timings = {};
  // Statuses go one after another, so Python sees them in order.
  let statuses = Promise.resolve();
  const report = (status) => {
    document.getElementById('status').textContent = status.message;
    statuses = statuses.then(() => send(base, 'POST', 'status', JSON.stringify(status))).catch(() => {});
  };
  const run = async () => {
    const cloudreel = await core;
    timings.jobRequested = performance.now();
    const job = await (await get(base, 'job', signal)).json();
    const lazy = job.lazy ? lazyFrames(cloudreel, job.header, base, signal) : null;
    let result;
    try {
      const frames = lazy ? lazy.frames : await readFrames(cloudreel, job.header, base, signal, timings);
      timings.framesChecked = performance.now();
      result = await cloudreel.exportAnimation(frames, { ...job.options, signal, onStatus: report });
    } finally {
      lazy?.close();
    }
    await statuses;
    await sendVideo(base, result, signal);
    const { blob, ...meta } = result;
    await send(base, 'POST', 'result', JSON.stringify(meta));
  };
  const done = run().catch(async (e) => {
    await statuses;
    const aborted = signal.aborted || e?.name === 'AbortError';
    await send(base, 'POST', 'failed', JSON.stringify({ name: aborted ? 'AbortError' : String(e?.name ?? 'Error'), message: String(e?.message ?? e) })).catch(() => {});
  });
  return { abort: () => controller.abort(), timings, done };
}

let current = null;
window.cloudreelRunner = {
  /** True once the module has loaded (or failed to: each job then says why). */
  loaded: false,
  /** False while an export runs: from start() until its result or failure has been sent. */
  idle: true,
  /** Starts the export whose routes are under `base`; refused while another one runs. */
  start(base) {
    if (!this.idle) throw new Error('the runner page is still running an export');
    this.idle = false;
    current = runJob(new URL(base, location.href));
    this.timings = current.timings;
    current.done.finally(() => { this.idle = true; });
  },
  /** Python's engine calls abort() when the user presses Ctrl-C. */
  abort: () => current?.abort(),
  timings: {},
};
core.finally(() => { window.cloudreelRunner.loaded = true; }).catch(() => {});
if (location.hash !== '#wait') window.cloudreelRunner.start(new URL('./', location.href));
