// The runner page's script: fetches one export's options and frames from the Python server that
// served it (python/cloudreel/headless/runner_server.py; every URL is relative, so each carries the
// export's token and stays on that loopback server), runs the same core as every other page
// (./cloudreel.mjs), reports each status and streams the video back in chunks.
const CHUNK_BYTES = 2 * 1024 * 1024;
const controller = new AbortController();
const base = new URL('./', location.href);
// Python's engine calls abort() when the user presses Ctrl-C. `timings`: performance.now() marks of
// the frames' way in (read by `npm run bench`; nothing in the export depends on them).
const timings = {};
window.cloudreelRunner = { abort: () => controller.abort(), timings };

async function send(method, path, body, type = 'application/json') {
  const response = await fetch(new URL(path, base), { method, body, headers: { 'Content-Type': type }, cache: 'no-store' });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
}

async function get(path) {
  const response = await fetch(new URL(path, base), { cache: 'no-store', signal: controller.signal });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return response;
}

// Statuses go one after another, so Python sees them in order.
let statuses = Promise.resolve();
function report(status) {
  document.getElementById('status').textContent = status.message;
  statuses = statuses.then(() => send('POST', 'status', JSON.stringify(status))).catch(() => {});
}

async function sendVideo(result) {
  controller.signal.throwIfAborted();
  const { blob } = result;
  const chunks = Math.ceil(blob.size / CHUNK_BYTES);
  const begin = { codec: result.codec, mime_type: result.mimeType, extension: result.extension, total_bytes: blob.size, chunks };
  await send('POST', 'video', JSON.stringify(begin));
  // One slice of the Blob at a time: the whole video is never copied into one buffer.
  for (let index = 0, offset = 0; index < chunks; index++, offset += CHUNK_BYTES) {
    controller.signal.throwIfAborted();
    await send('PUT', `video/${index}?offset=${offset}`, blob.slice(offset, offset + CHUNK_BYTES), 'application/octet-stream');
  }
}

/**
 * The frames, read chunk by chunk into one buffer of the size the header announces, each frame
 * checked as soon as it has arrived (the same checks as decodePayload(), overlapping the download).
 * Response.arrayBuffer() then decodePayload() took 1.5-2.5x a bare read of the body for 720 MB: it grows
 * and copies its buffer, and the checks came after.
 */
async function readFrames(cloudreel, header) {
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
  const response = await get('frames');
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

async function run() {
  const cloudreel = await import('./cloudreel.mjs');
  timings.jobRequested = performance.now();
  const job = await (await get('job')).json();
  const frames = await readFrames(cloudreel, job.header);
  timings.framesChecked = performance.now();
  const result = await cloudreel.exportAnimation(frames, { ...job.options, signal: controller.signal, onStatus: report });
  await statuses;
  await sendVideo(result);
  const { blob, ...meta } = result;
  await send('POST', 'result', JSON.stringify(meta));
}

run().catch(async (e) => {
  await statuses;
  const aborted = controller.signal.aborted || e?.name === 'AbortError';
  await send('POST', 'failed', JSON.stringify({ name: aborted ? 'AbortError' : String(e?.name ?? 'Error'), message: String(e?.message ?? e) })).catch(() => {});
});
