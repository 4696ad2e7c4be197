// The long-sequence bench (issue 15, `node bench/run.mjs --long-sequence`): FRAMES KITTI-style scans of POINTS
// points (2000 x 120k: 3.8 GB on disk) exported at FPS by cloudreel.export() reading them lazily, in a fresh
// Python (bench/long_sequence.py); the Chromium tree's peak RSS sampled here, Python's from getrusage. The scans
// are written under bench/.cache/ and removed at the end (--keep-long-sequence keeps them for another run).
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, CACHE_DIR } from './frames.mjs';
import { runPython } from './headless.mjs';

export const LONG_SEQUENCE = { frames: 2000, points: 120_000, fps: 10 };
export const LONG_TARGETS = { peakRssMB: 1024, lastVsFirst100: 0.1 };
const SCRIPT = path.join(BENCH_DIR, 'long_sequence.py');
const TIMEOUT_MS = 60 * 60_000;
const round = (x, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);

/** Bytes of the folder's files (scans from an earlier, kept run count as already written). */
function folderBytes(folder) {
  if (!fs.existsSync(folder)) return 0;
  return fs.readdirSync(folder).reduce((sum, name) => sum + fs.statSync(path.join(folder, name)).size, 0);
}

export async function measureLongSequence({ frames, points, fps }, { sampler, log, keep = false }) {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const folder = path.join(CACHE_DIR, `long-${frames}x${points}`);
  const out = path.join(CACHE_DIR, `long-${frames}x${points}.mp4`);
  const bytes = frames * points * 16;
  const { bavail, bsize } = fs.statfsSync(CACHE_DIR);
  const free = bavail * bsize;
  const needed = bytes - folderBytes(folder) + 2e9; // the scans, and room for the video and everything else
  if (free < needed) {
    return { status: 'skipped', error: `the scans need ${(needed / 1e9).toFixed(1)} GB free in ${CACHE_DIR}, ${(free / 1e9).toFixed(1)} GB are` };
  }
  const args = ['--folder', folder, '--frames', String(frames), '--points', String(points)];
  try {
    log(`writing ${frames} scans of ${points} points (${(bytes / 1e9).toFixed(2)} GB) to ${path.relative(process.cwd(), folder)}`);
    const generated = (await runPython(['generate', ...args], log, { script: SCRIPT, timeoutMs: TIMEOUT_MS })).result;
    log(`  ${generated.written} written in ${generated.seconds.toFixed(1)} s; exporting (bounds pass, then the frames as the page renders them)`);
    const window = sampler.open('long-sequence');
    let result;
    let rss;
    try {
      result = (await runPython(['export', ...args, '--fps', String(fps), '--out', out], log, { script: SCRIPT, timeoutMs: TIMEOUT_MS })).result;
    } finally {
      rss = window.close();
    }
    const drift = result.perFrameLast100ms / result.perFrameFirst100ms - 1;
    const checks = {
      // PSS: summed VmRSS counts the pages Chromium's processes share once per process (an idle tree sums ~1.1 GB here).
      browserPeakUnder1GB: rss.peakPssMB < LONG_TARGETS.peakRssMB,
      pythonPeakUnder1GB: result.pythonPeakRssMB < LONG_TARGETS.peakRssMB,
      last100Within10PercentOfFirst100: Math.abs(drift) <= LONG_TARGETS.lastVsFirst100,
      everyFrameInTheVideo: result.ffprobe.packets === frames,
    };
    return {
      status: Object.values(checks).every(Boolean) ? 'ok' : 'missed-target',
      frames, points, fps, inputBytes: bytes, generated, checks,
      totalSeconds: round(result.totalSeconds, 2), boundsPassSeconds: round(result.boundsPassSeconds, 2),
      exportSeconds: round(result.exportSeconds, 2), framesPerSecond: round(result.framesPerSecond, 2),
      perFrameFirst100ms: round(result.perFrameFirst100ms, 1), perFrameLast100ms: round(result.perFrameLast100ms, 1), drift: round(drift, 3),
      browserPeakPssMB: rss.peakPssMB, browserPeakRssMB: rss.peakRssMB, browserRss: rss, pythonPeakRssMB: round(result.pythonPeakRssMB, 1),
      pythonPeakRssAfterBoundsMB: round(result.pythonPeakRssAfterBoundsMB, 1), python: result,
    };
  } catch (e) {
    return { status: 'failed', error: String(e.message ?? e).slice(-2000) };
  } finally {
    fs.rmSync(out, { force: true });
    if (!keep) fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** One line per figure the issue asks for. */
export function describeLongSequence(r) {
  if (r.status === 'failed' || r.status === 'skipped') return [`long sequence: ${r.status.toUpperCase()} ${r.error}`];
  return [
    `long sequence ${r.frames} x ${r.points} points (${(r.inputBytes / 1e9).toFixed(2)} GB of .bin) at ${r.fps} fps: ${r.status}`,
    `  total ${r.totalSeconds} s (bounds pass ${r.boundsPassSeconds} s, export ${r.exportSeconds} s = ${r.framesPerSecond} frames/s)`,
    `  peak memory: Chromium ${r.browserPeakPssMB} MB PSS (${r.browserPeakRssMB} MB VmRSS summed over its processes, ${r.browserRss.peakAnonMB} MB RssAnon),`,
    `    Python ${r.pythonPeakRssMB} MB RSS (${r.pythonPeakRssAfterBoundsMB} MB after the bounds pass); target < 1024 MB each`,
    `  per frame: first 100 ${r.perFrameFirst100ms} ms, last 100 ${r.perFrameLast100ms} ms (${(r.drift * 100).toFixed(1)}%; target within 10%)`,
  ];
}
