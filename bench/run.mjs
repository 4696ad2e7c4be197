#!/usr/bin/env node
// `npm run bench`: cloudreel's export against the original matplotlib + OpenCV
// pipeline, native ffmpeg and raw WebCodecs, on the same frames, in one run, and
// cloudreel.export() from Python (cold, warm, and its frames' way into the runner page), and the batch forms
// (bench/batch.mjs: a loop over export(), export_many's pool and Dask; --batch runs only those).
// Prints a table and writes bench/results.json. See bench/README.md.
//
//   node bench/run.mjs [--quick] [--cases 48x100k,600x100k] [--skip-original] [--skip-transfer]
//                      [--skip-jupyter-transfer] [--skip-headless] [--skip-batch] [--out FILE]
//   node bench/run.mjs --long-sequence [--long-frames 2000] [--keep-long-sequence] [--out FILE]
//   node bench/run.mjs --batch [--quick] [--out FILE]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium, openExamplePage, serveStatic, CHROMIUM_PATH } from '../examples/headless.mjs';
import { BENCH_DIR, CACHE_DIR, ROOT, ensureFrames } from './frames.mjs';
import { measureHeadlessExport, measureRunnerTransfer } from './headless.mjs';
import { BATCH, BATCH_FORMS, BATCH_ORDER, QUICK_BATCH, describeBatch, measureBatch } from './batch.mjs';
import { LONG_SEQUENCE, describeLongSequence, measureLongSequence } from './long-sequence.mjs';
import { decodeToRGBA, ffmpegVersion, litFractionOfMiddleFrame, probe, timeNativeX264 } from './native.mjs';
import * as inPage from './page-bench.mjs';
import { RssSampler, sampleChromiumTree } from './rss.mjs';
import { installedCloudreel, measureTransfers } from './transfer.mjs';

// ---------------------------------------------------------------- settings

const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 5;
const CASES = {
  '48x10k': { frames: 48, points: 10_000 },
  '48x100k': { frames: 48, points: 100_000 },
  '48x1M': { frames: 48, points: 1_000_000 },
  '600x100k': { frames: 600, points: 100_000 },
};
const QUICK_CASES = ['48x10k', '48x100k'];
const TRANSFER_CASES = { '48x100k': CASES['48x100k'], '48x1M': CASES['48x1M'] };
const QUICK_TRANSFER_CASES = ['48x100k'];
/** cloudreel.export() from Python, cold and warm, on these cases when they run (against their original). */
const HEADLESS_EXPORT_CASES = ['48x100k'];
/** Frames Python -> runner page: bare fetch loop vs ours, each RUNNER_TRANSFER_RUNS times, alternating. */
const RUNNER_TRANSFER_CASE = '48x1M';
const QUICK_RUNNER_TRANSFER_CASE = '48x100k';
const RUNNER_TRANSFER_RUNS = 2;
/** The original pipeline on long cases: render a few frames, or borrow another case's per-frame time. */
const ORIGINAL_PLAN = {
  '48x1M': { renderFrames: 6 },
  '600x100k': { perFrameFrom: '48x100k' },
};
/** Native/WebCodecs encode-only comparisons use at most this many raw frames (120 x 3.7 MB = 442 MB). */
const RAW_MAX_FRAMES = 120;
const NATIVE_RUNS = 2;
const WEBCODECS_RUNS = 2;
const WEBCODECS_BITRATE = 8_000_000;
const EXPORT_OPTIONS = { fps: FPS, width: WIDTH, height: HEIGHT };
const TARGETS = {
  e2e48x100k: 10,
  e2e48x1M: 5,
  webcodecsVsNative: 0.8,
  transferMBps: 100,
  memoryRatio600vs48: 1.5,
  firstStatusMs: 200,
  exportColdVsOriginal: 15,
  exportWarmVsOriginal: 30,
  runnerTransferShare: 0.8,
};

/** Why an encoder is not run on a case, or null to run it. */
function skipReason(id, c) {
  const big = c.points >= 1_000_000 || c.frames > 48;
  if (/gif/.test(id) && big) return 'GIF skipped for the 1M-point and 600-frame cases (run time)';
  if (id.startsWith('ffmpeg-') && id !== 'ffmpeg-h264' && c.frames > 48) return 'only ffmpeg-h264 of the ffmpeg encoders runs on the 600-frame case (run time)';
  return null;
}

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const args = { quick: false, cases: null, skipOriginal: false, skipTransfer: false, skipJupyterTransfer: false, skipHeadless: false, out: null,
    longSequence: false, longFrames: LONG_SEQUENCE.frames, keepLongSequence: false, batch: false, skipBatch: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') args.quick = true;
    else if (a === '--skip-original') args.skipOriginal = true;
    else if (a === '--skip-transfer') args.skipTransfer = true;
    else if (a === '--skip-jupyter-transfer') args.skipJupyterTransfer = true;
    else if (a === '--skip-headless') args.skipHeadless = true;
    else if (a === '--cases' || a.startsWith('--cases=')) args.cases = (a.includes('=') ? a.split('=')[1] : argv[++i]).split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--out' || a.startsWith('--out=')) args.out = path.resolve(a.includes('=') ? a.split('=')[1] : argv[++i]);
    else if (a === '--long-sequence') args.longSequence = true;
    else if (a === '--keep-long-sequence') args.keepLongSequence = true;
    else if (a === '--batch') args.batch = true;
    else if (a === '--skip-batch') args.skipBatch = true;
    else if (a === '--long-frames' || a.startsWith('--long-frames=')) args.longFrames = Number(a.includes('=') ? a.split('=')[1] : argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log('node bench/run.mjs [--quick] [--cases 48x10k,48x100k,48x1M,600x100k] [--skip-original] [--skip-transfer] [--skip-jupyter-transfer] [--skip-headless] [--skip-batch] [--out FILE]');
      console.log('node bench/run.mjs --long-sequence [--long-frames 2000] [--keep-long-sequence] [--out FILE]   (writes 3.8 GB of scans, removed after)');
      console.log('node bench/run.mjs --batch [--quick] [--out FILE]   (24 jobs of 48 x 100k: loop over export(), export_many(workers=2), export_many on a LocalCluster, each twice in mirrored order; --quick: 4 jobs of 6 x 10k, each once)');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(Number.isInteger(args.longFrames) && args.longFrames >= 200)) throw new Error(`--long-frames must be a whole number >= 200, got ${args.longFrames}`);
  args.out ??= path.join(BENCH_DIR, args.longSequence ? 'results-long-sequence.json' : args.batch ? `results-batch${args.quick ? '-quick' : ''}.json` : 'results.json');
  const names = args.cases ?? (args.quick ? QUICK_CASES : Object.keys(CASES));
  for (const n of names) if (!CASES[n]) throw new Error(`unknown case ${n}: choose from ${Object.keys(CASES).join(', ')}`);
  args.caseNames = names;
  args.transferNames = args.skipTransfer || args.skipJupyterTransfer ? [] : args.quick ? QUICK_TRANSFER_CASES : Object.keys(TRANSFER_CASES);
  args.headlessExportNames = args.skipHeadless ? [] : names.filter((n) => HEADLESS_EXPORT_CASES.includes(n));
  args.runnerTransferName = args.skipHeadless || args.skipTransfer ? null : args.quick ? QUICK_RUNNER_TRANSFER_CASE : RUNNER_TRANSFER_CASE;
  return args;
}

// ---------------------------------------------------------------- helpers

const log = (...a) => console.log(...a);
const round = (x, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d);
const MB = (bytes) => bytes / (1024 * 1024);

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts }).toString().trim();
}

function ensurePrerequisites(args) {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cloudreel.mjs'))) {
    log('dist/cloudreel.mjs is missing: npm run build');
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  const py = path.join(ROOT, '.venv', 'bin', 'python');
  if (!args.skipOriginal) {
    const ok = spawnSync(py, ['-c', 'import matplotlib, cv2'], { stdio: 'ignore' }).status === 0;
    if (!ok) {
      log('Installing bench/requirements.txt into .venv');
      execFileSync(path.join(ROOT, '.venv', 'bin', 'pip'), ['install', '-q', '-r', path.join(BENCH_DIR, 'requirements.txt')], { stdio: 'inherit' });
    }
  }
  if (args.transferNames.length && !installedCloudreel()) {
    log('cloudreel is not installed in .venv: npm run build:wheel');
    execFileSync('npm', ['run', 'build:wheel'], { cwd: ROOT, stdio: 'inherit' });
  }
}

function machineInfo() {
  const cpus = os.cpus();
  let chromium = null;
  try {
    chromium = sh(CHROMIUM_PATH, ['--version']);
  } catch (e) {
    chromium = String(e.stdout ?? '').trim() || null;
  }
  let git = null;
  try {
    git = { commit: sh('git', ['rev-parse', 'HEAD'], { cwd: ROOT }), dirtyFiles: sh('git', ['status', '--porcelain'], { cwd: ROOT }).split('\n').filter(Boolean).length };
  } catch {}
  const dist = fs.statSync(path.join(ROOT, 'dist', 'cloudreel.mjs'));
  return {
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    memoryGB: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    chromium,
    ffmpeg: ffmpegVersion(),
    git,
    distModule: { bytes: dist.size, modified: dist.mtime.toISOString() },
    loadAverageAtStart: os.loadavg().map((x) => round(x, 2)),
  };
}

/** Pulls the last export's blob out of the page into `file`, in slices. */
async function saveBlob(page, bytes, file) {
  const SLICE = 6 * 1024 * 1024;
  const fd = fs.openSync(file, 'w');
  try {
    for (let start = 0; start < bytes; start += SLICE) {
      const b64 = await page.evaluate(inPage.blobSlice, { start, end: Math.min(bytes, start + SLICE) });
      fs.writeSync(fd, Buffer.from(b64, 'base64'));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function isUnsupported(error) {
  const reasons = [error?.message ?? '', ...(error?.attempts ?? []).map((a) => a.error ?? '')];
  return (error?.attempts?.length ? error.attempts.every((a) => /not supported|unsupported/i.test(a.error ?? '')) : /not supported|unsupported/i.test(reasons[0]));
}

// ---------------------------------------------------------------- (a) our export, (d) WebCodecs

async function measureInBrowser(name, c, files, { site, sampler, state }) {
  // Others may rebuild dist/ while the bench runs: note which build each case loaded.
  const dist = fs.statSync(path.join(ROOT, 'dist', 'cloudreel.mjs'));
  const out = { exports: [], notes: [], distModule: { bytes: dist.size, modified: dist.mtime.toISOString() } };
  const browser = await launchChromium();
  const pageErrors = [];
  try {
    const page = await openExamplePage(browser.context, site.url);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const info = await page.evaluate(inPage.moduleInfo);
    state.moduleInfo ??= info;
    out.defaultCodecs = info.defaultCodecs;
    out.baselineRss = sampleChromiumTree();
    delete out.baselineRss.parts;
    log(`  Chromium tree before loading frames: ${out.baselineRss.rssMB.toFixed(0)} MB RSS (${out.baselineRss.processes} processes); encoders ${info.defaultCodecs.join(', ')}`);

    const caseWindow = sampler.open(`case ${name}`);
    const load = await page.evaluate(inPage.loadFrames, {
      positionsURL: `${site.url}${files.positionsURLPath}`, colorsURL: `${site.url}${files.colorsURLPath}`, frames: c.frames, points: c.points,
    });
    out.pageLoad = { seconds: round(load.ms / 1000, 3), bytes: load.bytes };
    // Steady state with the frames in the page, before any export.
    await new Promise((r) => setTimeout(r, 1000));
    out.afterLoadRss = sampleChromiumTree();
    delete out.afterLoadRss.parts;
    log(`  frames in the page (${MB(load.bytes).toFixed(0)} MB) in ${(load.ms / 1000).toFixed(1)} s; Chromium tree then ${out.afterLoadRss.rssMB.toFixed(0)} MB RSS`);

    for (const id of info.defaultCodecs) {
      const row = { codec: id, settings: { ...EXPORT_OPTIONS, codecs: [id] } };
      out.exports.push(row);
      const skip = skipReason(id, c);
      if (skip) {
        Object.assign(row, { status: 'skipped', reason: skip });
        continue;
      }
      // Warm-up on a 2-frame animation: loads ffmpeg.wasm (or the WebCodecs
      // encoder) once, so each timing is a warm page's; it also finds out
      // whether the encoder works here at all.
      const warm = await page.evaluate(inPage.timedExport, { codec: id, options: EXPORT_OPTIONS, tiny: true });
      row.warmup = { ok: warm.ok, seconds: round(warm.ms / 1000, 3), ffmpegLoadMs: warm.ffmpegLoadMs ?? null, error: warm.error?.message ?? null };
      if (!warm.ok && isUnsupported(warm.error)) {
        Object.assign(row, { status: 'unsupported', reason: warm.error.attempts?.[0]?.error ?? warm.error.message });
        log(`  ${id}: unsupported here (${row.reason})`);
        continue;
      }
      const win = sampler.open(`${name} ${id}`);
      const r = await page.evaluate(inPage.timedExport, { codec: id, options: EXPORT_OPTIONS });
      row.chromiumRss = win.close();
      row.seconds = round(r.ms / 1000, 3);
      row.firstStatusMs = round(r.firstStatusMs, 1);
      row.firstStatusByPhaseMs = Object.fromEntries(Object.entries(r.phases).map(([k, v]) => [k, { ms: round(v.firstMs, 1), message: v.message }]));
      row.statusCount = r.statusCount;
      row.lastStatus = r.lastStatus;
      if (!r.ok) {
        Object.assign(row, { status: isUnsupported(r.error) ? 'unsupported' : 'failed', error: r.error });
        log(`  ${id}: ${row.status} after ${row.seconds} s: ${r.error.message}`);
        continue;
      }
      const file = path.join(CACHE_DIR, `out-${name}-${id}.${r.meta.extension}`);
      await saveBlob(page, r.meta.bytes, file);
      const probed = probe(file);
      Object.assign(row, {
        status: probed.frames === c.frames ? 'ok' : 'wrong-frame-count',
        fps: round(c.frames / (r.ms / 1000), 2),
        timings: r.meta.timings,
        bytes: r.meta.bytes,
        mimeType: r.meta.mimeType,
        attempts: r.meta.attempts,
        inputIntact: r.inputIntact,
        file: path.relative(ROOT, file),
        ffprobe: probed,
        litFractionMiddleFrame: litFractionOfMiddleFrame(file, c.frames),
      });
      const t = r.meta.timings ?? {};
      const tStr = Object.entries(t).map(([k, v]) => `${k.replace(/Ms$/, '')} ${(v / 1000).toFixed(1)} s`).join(', ');
      const verifyMs = r.meta.attempts.at(-1)?.verified?.ms;
      if (verifyMs !== undefined) row.verifyShare = round(verifyMs / r.meta.timings.totalMs, 3);
      const psnr = r.meta.attempts.at(-1)?.verified?.psnr;
      if (psnr) row.verifyPsnr = { first: round(psnr.first, 2), last: round(psnr.last, 2) };
      const vStr = verifyMs === undefined ? '' : `, verify ${(verifyMs / 1000).toFixed(2)} s = ${(row.verifyShare * 100).toFixed(1)}%${psnr ? ` (PSNR ${psnr.first.toFixed(1)}/${psnr.last.toFixed(1)} dB)` : ''}`;
      log(`  ${id}: ${row.seconds.toFixed(1)} s (${row.fps} fps) [${tStr}${vStr}] ${MB(row.bytes).toFixed(2)} MB, ffprobe ${probed.frames}/${c.frames} frames ${probed.codec ?? probed.error}, ${(row.litFractionMiddleFrame * 100).toFixed(1)}% lit; first status ${row.firstStatusMs} ms; peak RSS ${row.chromiumRss.peakRssMB} MB`);
    }
    out.chromiumRss = caseWindow.close();
    await page.evaluate(inPage.release);

    // (c) raw frames for the encode-only comparisons: Debian ffmpeg decodes our H.264 output.
    const source = out.exports.find((e) => e.status === 'ok' && e.codec === 'ffmpeg-h264') ?? out.exports.find((e) => e.status === 'ok' && /mp4|webm/.test(e.mimeType ?? ''));
    if (source) {
      const rgba = path.join(CACHE_DIR, `raw-${name}.rgba`);
      const rawFrames = decodeToRGBA(path.join(ROOT, source.file), rgba, { width: WIDTH, height: HEIGHT, maxFrames: RAW_MAX_FRAMES });
      out.raw = { file: rgba, from: source.file, frames: rawFrames, bytes: fs.statSync(rgba).size, limitedTo: c.frames > RAW_MAX_FRAMES ? RAW_MAX_FRAMES : null };

      // (d) WebCodecs H.264, encode only, in the same (now idle) page.
      const win = sampler.open(`${name} webcodecs-raw`);
      const wc = await page.evaluate(inPage.webcodecsEncode, {
        rgbaURL: `${site.url}/bench/.cache/raw-${name}.rgba`, width: WIDTH, height: HEIGHT, frames: rawFrames, fps: FPS, bitrate: WEBCODECS_BITRATE, runs: WEBCODECS_RUNS,
      }).catch((e) => ({ supported: null, error: e.message }));
      const rss = win.close();
      if (wc.supported) {
        const h264 = path.join(CACHE_DIR, `webcodecs-${name}.h264`);
        await saveBlob(page, wc.streamBytes, h264);
        const best = Math.min(...wc.runs.map((x) => x.ms)) / 1000;
        out.webcodecs = {
          supported: true, codec: wc.codec, profile: wc.profile, checked: wc.checked, config: wc.config,
          frames: rawFrames, seconds: wc.runs.map((x) => round(x.ms / 1000, 3)), bestSeconds: round(best, 3), fps: round(rawFrames / best, 1),
          bytes: wc.runs.at(-1).bytes, keyFrames: wc.runs.at(-1).keyFrames, ffprobe: probe(h264), chromiumRss: rss,
        };
        log(`  WebCodecs ${wc.codec} encode only: ${rawFrames} frames in ${best.toFixed(2)} s = ${out.webcodecs.fps} fps, ${MB(out.webcodecs.bytes).toFixed(2)} MB`);
      } else {
        out.webcodecs = { supported: false, reason: wc.reason ?? wc.error, checked: wc.checked ?? null };
        log(`  WebCodecs: not measured (${out.webcodecs.reason})`);
      }
      await page.evaluate(inPage.release);
    } else {
      out.notes.push('no H.264/VP8 output from (a): native and WebCodecs encode-only comparisons not run');
    }
  } finally {
    out.pageErrors = pageErrors;
    await browser.close();
  }

  // (c) native libx264, with Chromium closed.
  if (out.raw) {
    out.native = ['veryfast', 'ultrafast'].map((preset) =>
      timeNativeX264(out.raw.file, path.join(CACHE_DIR, `native-${name}-${preset}.mp4`), { width: WIDTH, height: HEIGHT, fps: FPS, frames: out.raw.frames, preset, runs: NATIVE_RUNS }),
    );
    for (const n of out.native) log(`  native libx264 ${n.preset}: ${out.raw.frames} frames in ${n.bestSeconds.toFixed(2)} s = ${n.fps.toFixed(1)} fps, ${MB(n.bytes).toFixed(2)} MB`);
    fs.rmSync(out.raw.file, { force: true });
    out.raw.file = path.relative(ROOT, out.raw.file) + ' (deleted after use)';
  }
  return out;
}

// ---------------------------------------------------------------- (b) the original pipeline

function runOriginal(name, c, files, renderFrames) {
  const video = path.join(CACHE_DIR, `original-${name}${renderFrames ? `-first${renderFrames}` : ''}.mp4`);
  const args = [
    path.join(BENCH_DIR, 'original_pipeline.py'), '--positions', files.positions, '--colors', files.colors,
    '--frames', String(c.frames), '--points', String(c.points), '--fps', String(FPS), '--out', video,
    ...(renderFrames ? ['--render-frames', String(renderFrames)] : []),
  ];
  const t0 = performance.now();
  const r = spawnSync(path.join(ROOT, '.venv', 'bin', 'python'), args, { maxBuffer: 1 << 26, env: { ...process.env, MPLBACKEND: 'Agg' } });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) return { status: 'failed', error: String(r.stderr).slice(-2000) };
  const out = JSON.parse(String(r.stdout));
  const k = out.rendered_frames;
  const info = probe(video);
  const renderPerFrame = out.render_seconds / k;
  const encodePerFrame = out.encode_seconds / k;
  const perFrame = out.total_seconds / k;
  const res = {
    status: 'ok',
    command: `.venv/bin/python ${args.map((a) => path.relative(ROOT, a) || a).join(' ')}`,
    renderedFrames: k,
    measuredSeconds: round(out.total_seconds, 3),
    processWallSeconds: round(wall, 2),
    renderSeconds: round(out.render_seconds, 3),
    encodeSeconds: round(out.encode_seconds, 3),
    renderSecondsPerFrame: round(renderPerFrame, 3),
    renderSecondsPerFrameMedian: round(out.render_seconds_per_frame.slice().sort((a, b) => a - b)[Math.floor(k / 2)], 3),
    seconds: round(k === c.frames ? out.total_seconds : perFrame * c.frames, 3),
    extrapolated: k !== c.frames,
    videoSize: `${out.width}x${out.height}`,
    pngSizes: out.png_sizes,
    framesInVideo: info.frames,
    framesRendered: k,
    bytes: fs.statSync(video).size,
    file: path.relative(ROOT, video),
    ffprobe: info,
    litFractionMiddleFrame: litFractionOfMiddleFrame(video, info.frames ?? 0),
    attempts: out.attempts,
    versions: out.versions,
  };
  if (res.extrapolated) res.extrapolation = `(render ${renderPerFrame.toFixed(3)} + encode ${encodePerFrame.toFixed(3)}) s/frame x ${c.frames} frames, from the first ${k} frames`;
  return res;
}

// ---------------------------------------------------------------- table and summary

function pad(s, n, right = false) {
  s = String(s ?? '');
  return right ? s.padStart(n) : s.padEnd(n);
}

function buildRows(results) {
  const rows = [];
  for (const cs of results.cases) {
    const orig = cs.original?.status === 'ok' ? cs.original.seconds : null;
    const vs = (sec) => (orig && sec ? `${(orig / sec).toFixed(1)}x` : '');
    for (const e of cs.exports ?? []) {
      if (e.status === 'ok' || e.status === 'wrong-frame-count') {
        rows.push([cs.name, `cloudreel ${e.codec}`, e.seconds.toFixed(1), e.fps.toFixed(1), vs(e.seconds), `${e.ffprobe.frames}/${cs.frames}`, MB(e.bytes).toFixed(2), e.chromiumRss?.peakRssMB?.toFixed(0)]);
      } else {
        rows.push([cs.name, `cloudreel ${e.codec}`, e.status, '', '', '', '', e.reason ? '' : '']);
      }
    }
    if (cs.original) {
      const o = cs.original;
      if (o.status === 'ok') {
        const label = o.extrapolated ? `original (extrapolated from ${o.renderedFrames} fr)` : 'original matplotlib+cv2';
        const framesOut = o.extrapolated ? `${o.framesInVideo}/${o.framesRendered}*` : `${o.framesInVideo}/${cs.frames}`;
        rows.push([cs.name, label, o.seconds.toFixed(1), (cs.frames / o.seconds).toFixed(2), '1.0x', framesOut, MB(o.bytes).toFixed(2), '']);
      } else rows.push([cs.name, 'original matplotlib+cv2', o.status, '', '', '', '', '']);
    }
    for (const n of cs.native ?? []) {
      rows.push([cs.name, `native x264 ${n.preset} (encode only)`, n.bestSeconds.toFixed(2), n.fps.toFixed(1), '', `${n.outputFrames}/${cs.raw.frames}`, MB(n.bytes).toFixed(2), '']);
    }
    if (cs.webcodecs?.supported) {
      const w = cs.webcodecs;
      rows.push([cs.name, `WebCodecs ${w.codec} (encode only)`, w.bestSeconds.toFixed(2), w.fps.toFixed(1), '', `${w.ffprobe.frames}/${w.frames}`, MB(w.bytes).toFixed(2), w.chromiumRss?.peakRssMB?.toFixed(0)]);
    } else if (cs.webcodecs) rows.push([cs.name, 'WebCodecs (encode only)', 'unsupported', '', '', '', '', '']);
    const h = cs.headlessExport;
    if (h?.status === 'failed') rows.push([cs.name, 'export() from Python', 'failed', '', '', '', '', '']);
    else if (h) {
      rows.push([cs.name, `export() from Python, cold (new process) ${h.cold.codec}`, h.coldSeconds.toFixed(2), (cs.frames / h.coldSeconds).toFixed(1), vs(h.coldSeconds), `${h.cold.ffprobe.frames}/${cs.frames}`, MB(h.cold.bytes).toFixed(2), '']);
      rows.push([cs.name, `export() from Python, warm ${h.warm.codec}`, h.warmSeconds.toFixed(2), (cs.frames / h.warmSeconds).toFixed(1), vs(h.warmSeconds), `${h.warm.ffprobe.frames}/${cs.frames}`, MB(h.warm.bytes).toFixed(2), '']);
    }
  }
  const rt = results.runnerTransfer;
  if (rt?.status === 'ok') {
    for (const kind of ['bare', 'ours']) {
      const best = rt.runs.filter((r) => r.kind === kind).sort((a, b) => b.MBps - a.MBps)[0];
      rows.push([rt.case, kind === 'bare' ? 'Python -> runner page, bare fetch loop' : 'Python -> runner page, ours (checked)', best.seconds.toFixed(2), `${best.MBps.toFixed(1)} MB/s`, '', '', `${rt.MB}`, '']);
    }
  } else if (rt) rows.push([rt.case, 'Python -> runner page', 'failed', '', '', '', '', '']);
  for (const t of results.transfer ?? []) {
    rows.push([t.case, `kernel -> page over ${t.route}`, t.ok ? t.reportedSeconds.toFixed(2) : 'failed', t.ok ? `${t.MBpsExact.toFixed(1)} MB/s` : '', '', `${t.frames}`, t.ok ? `${t.MB}` : '', t.chromiumRss?.peakRssMB?.toFixed(0)]);
  }
  return rows;
}

function printTable(rows) {
  const head = ['case', 'contender', 'seconds', 'fps', 'vs orig', 'frames out', 'size MB', 'peak RSS MB'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const right = [false, false, true, true, true, true, true, true];
  const line = (r) => r.map((c, i) => pad(c, widths[i], right[i])).join('  ');
  log(line(head));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) log(line(r));
}

function summarize(results) {
  const byName = Object.fromEntries(results.cases.map((c) => [c.name, c]));
  const defaultExport = (cs) => cs?.exports?.find((e) => e.status === 'ok');
  const s = {};
  const verdict = (value, target, higherIsBetter = true) => (value === null || value === undefined ? 'not measured' : (higherIsBetter ? value >= target : value <= target) ? 'met' : 'NOT met');

  for (const [key, name] of [['e2e48x100k', '48x100k'], ['e2e48x1M', '48x1M']]) {
    const cs = byName[name];
    const e = defaultExport(cs);
    const o = cs?.original;
    const best = cs?.exports?.filter((x) => x.status === 'ok').sort((a, b) => a.seconds - b.seconds)[0];
    const ratio = e && o?.status === 'ok' ? o.seconds / e.seconds : null;
    s[key] = {
      target: `>= ${TARGETS[key]}x`, encoder: e?.codec ?? null, ours: e?.seconds ?? null, original: o?.seconds ?? null,
      originalExtrapolated: o?.extrapolated ?? null, ratio: round(ratio, 2), bestEncoder: best?.codec ?? null,
      bestRatio: best && o?.status === 'ok' ? round(o.seconds / best.seconds, 2) : null, verdict: verdict(ratio, TARGETS[key]),
    };
  }
  s.webcodecsVsNative = {
    target: `>= ${TARGETS.webcodecsVsNative}x`,
    perCase: Object.fromEntries(results.cases.filter((c) => c.webcodecs?.supported && c.native).map((c) => {
      const nat = Object.fromEntries(c.native.map((n) => [n.preset, n.fps]));
      return [c.name, { webcodecsFps: c.webcodecs.fps, x264VeryfastFps: round(nat.veryfast, 1), x264UltrafastFps: round(nat.ultrafast, 1), vsVeryfast: round(c.webcodecs.fps / nat.veryfast, 2), vsUltrafast: round(c.webcodecs.fps / nat.ultrafast, 2) }];
    })),
  };
  const vv = Object.values(s.webcodecsVsNative.perCase).map((x) => x.vsVeryfast);
  s.webcodecsVsNative.worstVsVeryfast = vv.length ? Math.min(...vv) : null;
  s.webcodecsVsNative.verdict = verdict(s.webcodecsVsNative.worstVsVeryfast, TARGETS.webcodecsVsNative);

  s.transferMBps = {
    target: `>= ${TARGETS.transferMBps} MB/s`,
    // The target is judged on the default route (HTTP); the comm fallback is reported beside it.
    perCase: Object.fromEntries((results.transfer ?? []).filter((t) => t.route === 'HTTP').map((t) => [t.case, t.ok ? round(t.MBpsExact, 1) : null])),
    commFallbackPerCase: Object.fromEntries((results.transfer ?? []).filter((t) => t.route === 'the comm').map((t) => [t.case, t.ok ? round(t.MBpsExact, 1) : null])),
  };
  const tv = Object.values(s.transferMBps.perCase).filter((x) => x !== null);
  s.transferMBps.worst = tv.length ? Math.min(...tv) : null;
  s.transferMBps.verdict = verdict(s.transferMBps.worst, TARGETS.transferMBps);

  // Memory: the first (default) encoder's export window, less the input points the page holds.
  const mem = (cs) => {
    const e = defaultExport(cs);
    if (!e?.chromiumRss) return null;
    return {
      encoder: e.codec, peakRssMB: e.chromiumRss.peakRssMB, inputMB: round(MB(cs.inputBytes), 1), lessInputMB: round(e.chromiumRss.peakRssMB - MB(cs.inputBytes), 1),
      beforeLoadRssMB: round(cs.baselineRss?.rssMB, 1), afterLoadRssMB: round(cs.afterLoadRss?.rssMB, 1),
      exportOverAfterLoadMB: cs.afterLoadRss ? round(e.chromiumRss.peakRssMB - cs.afterLoadRss.rssMB, 1) : null,
    };
  };
  const m600 = mem(byName['600x100k']);
  const m48 = mem(byName['48x100k']);
  const memRatio = m600 && m48 && m600.encoder === m48.encoder ? m600.lessInputMB / m48.lessInputMB : null;
  s.memoryRatio600vs48 = {
    target: `<= ${TARGETS.memoryRatio600vs48}x`, '600x100k': m600, '48x100k': m48, ratio: round(memRatio, 2), verdict: verdict(memRatio, TARGETS.memoryRatio600vs48, false),
    // For context: what the export adds above the page holding its frames, 600 vs 48 frames.
    exportOverAfterLoadRatio: m600?.exportOverAfterLoadMB && m48?.exportOverAfterLoadMB ? round(m600.exportOverAfterLoadMB / m48.exportOverAfterLoadMB, 2) : null,
  };

  s.firstStatusMs = {
    target: `<= ${TARGETS.firstStatusMs} ms`,
    perCase: Object.fromEntries(results.cases.map((c) => {
      const e = (c.exports ?? []).find((x) => x.firstStatusMs !== undefined && x.firstStatusMs !== null);
      return [c.name, e ? { encoder: e.codec, firstStatusMs: e.firstStatusMs, firstRenderStatusMs: e.firstStatusByPhaseMs?.render?.ms ?? null } : null];
    })),
  };
  const fv = Object.values(s.firstStatusMs.perCase).filter(Boolean).map((x) => x.firstStatusMs);
  s.firstStatusMs.worst = fv.length ? Math.max(...fv) : null;
  s.firstStatusMs.verdict = verdict(s.firstStatusMs.worst, TARGETS.firstStatusMs, false);

  for (const [key, which] of [['exportColdVsOriginal', 'cold'], ['exportWarmVsOriginal', 'warm']]) {
    s[key] = {
      target: `>= ${TARGETS[key]}x`,
      perCase: Object.fromEntries(results.cases.filter((c) => c.headlessExport).map((c) => {
        const h = c.headlessExport;
        const ours = h.status === 'ok' ? h[`${which}Seconds`] : null;
        const o = c.original?.status === 'ok' ? c.original.seconds : null;
        return [c.name, { ours, original: o, ratio: ours && o ? round(o / ours, 2) : null, codec: h[which]?.codec ?? null }];
      })),
    };
    const rv = Object.values(s[key].perCase).map((x) => x.ratio);
    s[key].worst = rv.length && rv.every((x) => x !== null) ? Math.min(...rv) : null;
    s[key].verdict = verdict(s[key].worst, TARGETS[key]);
  }
  const rt = results.runnerTransfer;
  s.runnerTransferShare = {
    target: `>= ${TARGETS.runnerTransferShare * 100}% of the bare fetch loop`,
    case: rt?.case ?? null, bareMBps: rt?.bareMBps ?? null, oursMBps: rt?.oursMBps ?? null, share: rt?.share ?? null,
    verdict: verdict(rt?.share, TARGETS.runnerTransferShare),
  };
  return s;
}

function printSummary(s) {
  log('\nTargets');
  const f = (x, d = 1) => (x === null || x === undefined ? 'n/a' : Number(x).toFixed(d));
  for (const [label, key] of [['end-to-end 48x100k vs original', 'e2e48x100k'], ['end-to-end 48x1M vs original', 'e2e48x1M']]) {
    const x = s[key];
    const detail = x.ratio === null ? 'n/a' : `${f(x.ratio)}x with ${x.encoder} (${f(x.ours)} s vs ${f(x.original)} s${x.originalExtrapolated ? ', original extrapolated' : ''}; best ${x.bestEncoder} ${f(x.bestRatio)}x)`;
    log(`  ${label}: ${detail}  target ${x.target}: ${x.verdict}`);
  }
  const w = s.webcodecsVsNative;
  log(`  WebCodecs H.264 encode vs native libx264: ${Object.entries(w.perCase).map(([k, v]) => `${k} ${f(v.vsVeryfast, 2)}x veryfast (${f(v.webcodecsFps)} vs ${f(v.x264VeryfastFps)} fps), ${f(v.vsUltrafast, 2)}x ultrafast`).join('; ') || 'n/a'}  target ${w.target}: ${w.verdict}`);
  const t = s.transferMBps;
  log(`  transfer kernel -> page over HTTP: ${Object.entries(t.perCase).map(([k, v]) => `${k} ${f(v)} MB/s`).join(', ') || 'n/a'}  target ${t.target}: ${t.verdict} (comm fallback: ${Object.entries(t.commFallbackPerCase).map(([k, v]) => `${k} ${f(v)} MB/s`).join(', ') || 'n/a'})`);
  const m = s.memoryRatio600vs48;
  log(`  memory 600x100k / 48x100k (peak RSS less input): ${m.ratio === null ? 'n/a' : `${f(m.ratio, 2)}x (${f(m['600x100k'].lessInputMB, 0)} MB / ${f(m['48x100k'].lessInputMB, 0)} MB, ${m['48x100k'].encoder}; peak above the page holding its frames: ${f(m['600x100k'].exportOverAfterLoadMB, 0)} / ${f(m['48x100k'].exportOverAfterLoadMB, 0)} MB = ${f(m.exportOverAfterLoadRatio, 2)}x)`}  target ${m.target}: ${m.verdict}`);
  const fs_ = s.firstStatusMs;
  for (const [label, key] of [['export() from Python, cold (new process) vs original', 'exportColdVsOriginal'], ['export() from Python, warm vs original', 'exportWarmVsOriginal']]) {
    const x = s[key];
    log(`  ${label}: ${Object.entries(x.perCase).map(([k, v]) => `${k} ${f(v.ratio)}x (${f(v.ours, 2)} s vs ${f(v.original)} s)`).join(', ') || 'n/a'}  target ${x.target}: ${x.verdict}`);
  }
  const rt = s.runnerTransferShare;
  log(`  frames Python -> runner page${rt.case ? ` ${rt.case}` : ''}: ours ${f(rt.oursMBps)} MB/s vs bare fetch ${f(rt.bareMBps)} MB/s = ${rt.share === null ? 'n/a' : `${(rt.share * 100).toFixed(0)}%`}  target ${rt.target}: ${rt.verdict}`);
  log(`  first status after exportAnimation(): ${Object.entries(fs_.perCase).filter(([, v]) => v).map(([k, v]) => `${k} ${f(v.firstStatusMs)} ms (first "Rendering frame" ${f(v.firstRenderStatusMs, 0)} ms)`).join(', ') || 'n/a'}  target ${fs_.target}: ${fs_.verdict}`);
}

// ---------------------------------------------------------------- main

/** `--long-sequence`: only the long-sequence bench (issue 15), its figures to results-long-sequence.json. */
async function mainLongSequence(args) {
  const started = new Date();
  const sampler = new RssSampler(100).start();
  const c = { ...LONG_SEQUENCE, frames: args.longFrames };
  log(`cloudreel bench: long sequence, ${c.frames} x ${c.points} points at ${c.fps} fps`);
  const results = { startedAt: started.toISOString(), argv: process.argv.slice(2), machine: machineInfo(), loadAverageBefore: os.loadavg().map((x) => round(x, 2)) };
  try {
    results.longSequence = await measureLongSequence(c, { sampler, log: (l) => log(`  ${l}`), keep: args.keepLongSequence });
  } finally {
    sampler.stop();
    results.finishedAt = new Date().toISOString();
    fs.writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
  }
  for (const line of describeLongSequence(results.longSequence)) log(line);
  log(`\nRaw numbers: ${path.relative(process.cwd(), args.out)}`);
}

const batchSettings = (args) => (args.quick ? QUICK_BATCH : BATCH);

/** The batch forms with these settings: each twice in mirrored order, or once each with --quick (checks the machinery). */
function runBatch(args, c) {
  return measureBatch(c, { log: (l) => log(`  ${l}`), order: args.quick ? BATCH_FORMS : BATCH_ORDER });
}

/** `--batch`: only the batch bench (issue 16), its figures to results-batch.json (results-batch-quick.json with --quick). */
async function mainBatch(args) {
  const started = new Date();
  const c = batchSettings(args);
  log(`cloudreel bench: batch, ${c.jobs} jobs of ${c.frames} x ${c.points} points${args.quick ? ' (quick)' : ''}`);
  const results = { startedAt: started.toISOString(), argv: process.argv.slice(2), machine: machineInfo() };
  try {
    results.batch = await runBatch(args, c);
  } finally {
    results.finishedAt = new Date().toISOString();
    fs.writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
  }
  log('\nTargets');
  for (const line of describeBatch(results.batch)) log(line);
  log(`\nRaw numbers: ${path.relative(process.cwd(), args.out)}`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.batch) {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cloudreel.mjs'))) sh('npm', ['run', 'build']);
    return mainBatch(args);
  }
  if (args.longSequence) {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cloudreel.mjs'))) sh('npm', ['run', 'build']);
    return mainLongSequence(args);
  }
  const started = new Date();
  const t0 = performance.now();
  ensurePrerequisites(args);
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const results = {
    startedAt: started.toISOString(),
    argv: process.argv.slice(2),
    settings: {
      width: WIDTH, height: HEIGHT, fps: FPS, shape: 'torus() from examples/shapes.js, coloured',
      exportOptions: EXPORT_OPTIONS, cases: args.caseNames.map((n) => ({ name: n, ...CASES[n] })),
      transferCases: args.transferNames, originalPlan: ORIGINAL_PLAN, rawMaxFrames: RAW_MAX_FRAMES, nativeRuns: NATIVE_RUNS,
      webcodecsRuns: WEBCODECS_RUNS, webcodecsBitrate: WEBCODECS_BITRATE, rssSampleMs: 100, targets: TARGETS,
      headlessExportCases: args.headlessExportNames, runnerTransferCase: args.runnerTransferName, runnerTransferRuns: RUNNER_TRANSFER_RUNS,
      skipped: { original: args.skipOriginal, transfer: args.skipTransfer, jupyterTransfer: args.skipJupyterTransfer, headless: args.skipHeadless },
      method: {
        ours: 'fresh headless Chromium per case; frames fetched into the page (not timed); each encoder warmed up on a 2-frame export, then performance.now() around exportAnimation(frames, { codecs: [id], fps, width, height }); output checked with Debian ffprobe',
        original: 'bench/original_pipeline.py, frames read from the same float32 files before timing; time from start to the video bytes read back',
        native: 'Debian ffmpeg libx264 on raw RGBA decoded from our ffmpeg-h264 output, best of runs, wall time',
        webcodecs: 'VideoEncoder on the same raw RGBA frames (VideoFrame format RGBA), best of runs, encode + flush',
        rss: 'VmRSS summed over the Chromium process tree, sampled every 100 ms',
        headlessExport: 'bench/headless_bench.py export in a new .venv Python (PYTHONPATH=python, the checkout\'s dist/): cold = from spawning it to its first cloudreel.export() returning (file written), warm = a second export() in the same process; default options, progress=False; files checked with ffprobe',
        runnerTransfer: 'bench/headless_bench.py transfer: the packed frames served by the runner page\'s RunnerServer; bare = a fetch reader loop in runner.html without runner.js, fetch() to the last chunk; ours = the runner page, window.cloudreelRunner.timings jobRequested to framesChecked; alternating, MB = 10^6 bytes, best of runs',
      },
    },
    machine: machineInfo(),
    cases: [],
    transfer: [],
    runnerTransfer: null,
  };
  const save = () => fs.writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
  log(`cloudreel bench: cases ${args.caseNames.join(', ')}${args.transferNames.length ? `; transfer ${args.transferNames.join(', ')}` : ''}${args.skipOriginal ? '; original skipped' : ''}`);
  log(`machine: ${results.machine.cpuCount} x ${results.machine.cpuModel}, ${results.machine.chromium}, ${results.machine.ffmpeg}`);

  const site = await serveStatic(ROOT);
  const sampler = new RssSampler(100).start();
  const state = {};
  try {
    for (const name of args.caseNames) {
      const c = CASES[name];
      log(`\n== ${name}: ${c.frames} frames x ${c.points} points, ${WIDTH}x${HEIGHT} @ ${FPS} fps`);
      const files = ensureFrames(c.frames, c.points);
      log(`  frames ${files.cached ? 'from the cache' : `generated in ${files.generatedSeconds.toFixed(1)} s`} (${MB(files.bytes).toFixed(0)} MB float32)`);
      const cs = { name, ...c, loadAverageBefore: os.loadavg().map((x) => round(x, 2)), inputBytes: files.bytes, inputMB: round(MB(files.bytes), 1), framesGeneratedSeconds: round(files.generatedSeconds, 2) };
      results.cases.push(cs);
      Object.assign(cs, await measureInBrowser(name, c, files, { site, sampler, state }));
      save();

      if (!args.skipOriginal) {
        const plan = ORIGINAL_PLAN[name] ?? {};
        if (plan.perFrameFrom) {
          let src = results.cases.find((x) => x.name === plan.perFrameFrom)?.original;
          let from = plan.perFrameFrom;
          if (src?.status !== 'ok') {
            log(`  original: ${plan.perFrameFrom} not run here, rendering the first 48 frames of ${name}`);
            src = runOriginal(name, c, files, 48);
            from = `the first 48 frames of ${name}`;
          }
          cs.original = src.status === 'ok'
            ? { ...src, seconds: round((src.measuredSeconds / src.renderedFrames) * c.frames, 3), extrapolated: true, extrapolation: `${(src.measuredSeconds / src.renderedFrames).toFixed(3)} s/frame (from ${from}) x ${c.frames} frames` }
            : src;
        } else {
          cs.original = runOriginal(name, c, files, plan.renderFrames);
        }
        const o = cs.original;
        log(o.status === 'ok'
          ? `  original: ${o.seconds.toFixed(1)} s${o.extrapolated ? ` (extrapolated: ${o.extrapolation})` : ''}; ${o.framesInVideo} of ${o.framesRendered} rendered frames in its ${o.videoSize} ${o.ffprobe.codec} video`
          : `  original: FAILED ${o.error}`);
        save();
      }

      if (args.headlessExportNames.includes(name)) {
        log(`  cloudreel.export() from Python (cold: a new process; warm: its second export)`);
        cs.loadAverageBeforeHeadless = os.loadavg().map((x) => round(x, 2));
        const h = (cs.headlessExport = await measureHeadlessExport(name, c, files, { log: (l) => log(`    ${l}`) }));
        const o = cs.original?.status === 'ok' ? cs.original.seconds : null;
        const vs = (sec) => (o ? ` = ${(o / sec).toFixed(1)}x the original` : '');
        log(h.status === 'failed'
          ? `  export(): FAILED ${h.error}`
          : `  export(): cold ${h.coldSeconds.toFixed(2)} s${vs(h.coldSeconds)} (Python up ${h.coldBreakdown.processStarted.toFixed(2)} s, cloudreel imported ${h.coldBreakdown.imported.toFixed(2)} s, frames read ${h.coldBreakdown.framesRead.toFixed(2)} s, export ${h.coldBreakdown.exportSeconds.toFixed(2)} s), warm ${h.warmSeconds.toFixed(2)} s${vs(h.warmSeconds)}; ${h.browser}, ${h.cold.codec}, ffprobe ${h.cold.ffprobe.frames}/${h.warm.ffprobe.frames} of ${c.frames} frames`);
        save();
      }
    }

    if (args.runnerTransferName) {
      const name = args.runnerTransferName;
      const c = CASES[name];
      log(`\n== frames Python -> runner page, ${name} (bare fetch loop vs ours, ${RUNNER_TRANSFER_RUNS} runs each, alternating)`);
      const files = ensureFrames(c.frames, c.points);
      const loadAverageBefore = os.loadavg().map((x) => round(x, 2));
      results.runnerTransfer = { ...(await measureRunnerTransfer(name, c, files, { log: (l) => log(`  ${l}`), runs: RUNNER_TRANSFER_RUNS })), loadAverageBefore };
      const r = results.runnerTransfer;
      log(r.status === 'ok' ? `  best: bare ${r.bareMBps} MB/s, ours ${r.oursMBps} MB/s = ${(r.share * 100).toFixed(0)}% (${r.MB} MB)` : `  FAILED ${r.error}`);
      save();
    }

    if (args.transferNames.length) {
      log('\n== transfer from the kernel through JupyterLab');
      const tcases = args.transferNames.map((n) => {
        const c = TRANSFER_CASES[n];
        return { name: n, ...c, files: ensureFrames(c.frames, c.points) };
      });
      results.transfer = await measureTransfers(tcases, { sampler, log });
      for (const t of results.transfer) t.inputMB = round(MB(tcases.find((c) => c.name === t.case).files.bytes), 1);
    }
  } finally {
    sampler.stop();
    await site.close();
    results.finishedAt = new Date().toISOString();
    results.durationSeconds = round((performance.now() - t0) / 1000, 1);
    results.moduleInfo = state.moduleInfo ?? null;
    results.summary = summarize(results);
    save();
  }
  if (!args.skipBatch) {
    // Last, with the page-side RSS sampler stopped: it would take CPU from the forms it does not measure.
    const c = batchSettings(args);
    log(`\n== batch (issue 16): ${c.jobs} jobs of ${c.frames} x ${c.points} points, loop / pool / Dask${args.quick ? ' (quick)' : ''}`);
    results.batch = await runBatch(args, c);
    results.durationSeconds = round((performance.now() - t0) / 1000, 1);
    save();
  }

  log('');
  printTable(buildRows(results));
  log('  * extrapolated: frames in the video / frames actually rendered. fps = frames / seconds. vs orig = original seconds / seconds.');
  printSummary(results.summary);
  if (results.batch) for (const line of describeBatch(results.batch)) log(line);
  log(`\nRaw numbers: ${path.relative(process.cwd(), args.out)} (run took ${(results.durationSeconds / 60).toFixed(1)} min)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
