// The runner page's script: fetches one export's options and frames from the Python server that
// served it (python/cloudreel/headless/runner_server.py; every URL is relative, so each carries the
// export's token and stays on that loopback server), runs the same core as every other page
// (./cloudreel.mjs), reports each status and streams the video back in chunks.
const CHUNK_BYTES = 2 * 1024 * 1024;
const controller = new AbortController();
const base = new URL('./', location.href);
// Python's engine calls abort() when the user presses Ctrl-C.
window.cloudreelRunner = { abort: () => controller.abort() };

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

async function run() {
  const cloudreel = await import('./cloudreel.mjs');
  const job = await (await get('job')).json();
  const payload = new Uint8Array(await (await get('frames')).arrayBuffer());
  const frames = cloudreel.decodePayload(job.header, payload);
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
