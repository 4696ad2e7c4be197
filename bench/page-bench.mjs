// Functions that run inside the example page (examples/index.html), handed to
// playwright's page.evaluate: each must be self-contained (no closures over
// this module). State lives in window.__cloudreelBench.

/** Fetches a case's float32 files and builds the frames as views into them. */
export async function loadFrames({ positionsURL, colorsURL, frames, points }) {
  const t0 = performance.now();
  const [pos, col] = await Promise.all(
    [positionsURL, colorsURL].map(async (url) => {
      const r = await fetch(url);
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return new Float32Array(await r.arrayBuffer());
    }),
  );
  const per = points * 3;
  if (pos.length !== frames * per || col.length !== frames * per) throw new Error(`frame files hold ${pos.length} / ${col.length} floats, expected ${frames * per}`);
  const list = Array.from({ length: frames }, (_, f) => ({
    points: pos.subarray(f * per, (f + 1) * per),
    colors: col.subarray(f * per, (f + 1) * per),
  }));
  window.__cloudreelBench = { frames: list, pos, col, blob: null };
  return { ms: performance.now() - t0, bytes: pos.byteLength + col.byteLength };
}

/** The module's DEFAULT_CODECS and what the browser says it has. */
export function moduleInfo() {
  const { cloudreel } = window.cloudreelExample;
  return {
    defaultCodecs: [...cloudreel.DEFAULT_CODECS],
    exports: Object.keys(cloudreel).sort(),
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    videoEncoder: typeof VideoEncoder !== 'undefined',
  };
}

/**
 * One timed export of the loaded frames (or of `tiny` frames, for a warm-up)
 * with a single codec. Never throws: a rejection comes back as { ok: false }.
 */
export async function timedExport({ codec, options, tiny }) {
  const bench = window.__cloudreelBench ?? {};
  const { cloudreel } = window.cloudreelExample;
  const frames = tiny
    ? Array.from({ length: 2 }, (_, f) => ({ points: new Float32Array([0, 0, 0, 1, f, 1, -1, 1, 0]), colors: null }))
    : bench.frames;
  let firstStatusMs = null;
  const phases = {};
  let statusCount = 0;
  let lastStatus = null;
  const onStatus = (s) => {
    const ms = performance.now() - t0;
    if (firstStatusMs === null) firstStatusMs = ms;
    if (!(s.phase in phases)) phases[s.phase] = { firstMs: ms, message: s.message };
    statusCount++;
    lastStatus = s.message;
  };
  const t0 = performance.now();
  try {
    const result = await cloudreel.exportAnimation(frames, { ...options, codecs: [codec], onStatus });
    const ms = performance.now() - t0;
    if (!tiny) bench.blob = result.blob;
    const { blob, ...meta } = result;
    const intact = tiny || (bench.frames[0].points.length > 0 && bench.pos.byteLength > 0);
    return { ok: true, ms, meta: JSON.parse(JSON.stringify(meta)), firstStatusMs, phases, statusCount, lastStatus, inputIntact: intact, ffmpegLoadMs: cloudreel.ffmpegHost?.stats?.lastLoadMs ?? null };
  } catch (e) {
    const ms = performance.now() - t0;
    return {
      ok: false,
      ms,
      error: { name: e?.name, message: String(e?.message ?? e), attempts: e?.attempts ? JSON.parse(JSON.stringify(e.attempts)) : null },
      firstStatusMs,
      phases,
      statusCount,
      lastStatus,
    };
  }
}

/** Base64 of bytes [start, end) of the last export's blob (read in slices to keep messages small). */
export async function blobSlice({ start, end }) {
  const blob = window.__cloudreelBench.blob;
  const url = await new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob.slice(start, end));
  });
  return url.slice(url.indexOf(',') + 1);
}

/** Drops the frames and the last blob, so the next case starts clean. */
export function release() {
  window.__cloudreelBench = null;
}

/**
 * WebCodecs H.264 encode-only throughput: raw RGBA frames (fetched first, not
 * timed) -> VideoFrame -> VideoEncoder -> flush. Runs `runs` times and keeps
 * every timing; the last run's Annex B stream comes back for ffprobe.
 */
export async function webcodecsEncode({ rgbaURL, width, height, frames, fps, bitrate, runs }) {
  if (typeof VideoEncoder === 'undefined') return { supported: false, reason: 'VideoEncoder is not defined' };
  const r = await fetch(rgbaURL);
  if (!r.ok) throw new Error(`${rgbaURL}: HTTP ${r.status}`);
  const raw = new Uint8Array(await r.arrayBuffer());
  const frameBytes = width * height * 4;
  if (raw.length !== frames * frameBytes) throw new Error(`raw file holds ${raw.length} bytes, expected ${frames * frameBytes}`);
  const base = { width, height, bitrate, framerate: fps, latencyMode: 'quality', avc: { format: 'annexb' } };
  const candidates = [
    { codec: 'avc1.640028', profile: 'High 4.0' },
    { codec: 'avc1.4d0028', profile: 'Main 4.0' },
    { codec: 'avc1.42001f', profile: 'Constrained Baseline 3.1' },
  ];
  const checked = [];
  let chosen = null;
  for (const c of candidates) {
    const support = await VideoEncoder.isConfigSupported({ ...base, codec: c.codec }).catch((e) => ({ supported: false, error: String(e) }));
    checked.push({ ...c, supported: Boolean(support.supported) });
    if (support.supported && !chosen) chosen = { ...c, config: support.config };
  }
  if (!chosen) return { supported: false, reason: 'no avc1 configuration is supported', checked };

  const results = [];
  let stream = null;
  for (let run = 0; run < runs; run++) {
    const chunks = [];
    let error = null;
    let keyFrames = 0;
    const encoder = new VideoEncoder({
      output: (chunk) => {
        const data = new Uint8Array(chunk.byteLength);
        chunk.copyTo(data);
        chunks.push(data);
        if (chunk.type === 'key') keyFrames++;
      },
      error: (e) => (error = e),
    });
    const t0 = performance.now();
    encoder.configure({ ...base, codec: chosen.codec });
    const duration = Math.round(1e6 / fps);
    for (let i = 0; i < frames; i++) {
      // Back-pressure: keep a few frames queued, as a real pipeline would.
      while (encoder.encodeQueueSize > 4) await new Promise((res) => encoder.addEventListener('dequeue', res, { once: true }));
      const frame = new VideoFrame(raw.subarray(i * frameBytes, (i + 1) * frameBytes), {
        format: 'RGBA', codedWidth: width, codedHeight: height, timestamp: i * duration, duration,
      });
      encoder.encode(frame, { keyFrame: i === 0 });
      frame.close();
    }
    await encoder.flush();
    const ms = performance.now() - t0;
    encoder.close();
    if (error) throw error;
    const bytes = chunks.reduce((n, c) => n + c.length, 0);
    results.push({ ms, bytes, chunks: chunks.length, keyFrames });
    if (run === runs - 1) {
      stream = new Uint8Array(bytes);
      let o = 0;
      for (const c of chunks) {
        stream.set(c, o);
        o += c.length;
      }
    }
  }
  window.__cloudreelBench = { ...(window.__cloudreelBench ?? {}), blob: new Blob([stream]) };
  return { supported: true, codec: chosen.codec, profile: chosen.profile, checked, config: { ...base, codec: chosen.codec }, runs: results, streamBytes: stream.length };
}
