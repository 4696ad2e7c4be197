// cloudreel.export() from Python, measured from Node: (h) cold and warm exports of a case
// and (i) the frames' way from Python into the runner page, a bare fetch loop against ours.
// Each runs bench/headless_bench.py in a fresh .venv Python on this checkout's python/ and
// dist/ (PYTHONPATH), driving $CLOUDREEL_BROWSER if set, else the browser cloudreel finds itself
// (find_browser(): Debian's chromium-headless-shell where installed), as a user's export() would.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { BENCH_DIR, CACHE_DIR, ROOT } from './frames.mjs';
import { probe } from './native.mjs';

const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const SCRIPT = path.join(BENCH_DIR, 'headless_bench.py');
const TIMEOUT_MS = 15 * 60_000;
const round = (x, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);

/** Runs headless_bench.py (or `script`); resolves with its JSON and the epoch milliseconds just before the spawn. */
export function runPython(args, log, { script = SCRIPT, timeoutMs = TIMEOUT_MS } = {}) {
  const env = { ...process.env, PYTHONPATH: path.join(ROOT, 'python') };
  delete env.CLOUDREEL_DIST; // the checkout's dist/ (runner_dist.py finds it beside python/)
  return new Promise((resolve, reject) => {
    const spawnedAt = Date.now();
    const child = spawn(PYTHON, [script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => {
      err += d;
      for (const line of String(d).split('\n').filter(Boolean)) log(line);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${path.relative(ROOT, script)} ${args[0]} exited with ${code ?? signal}: ${err.slice(-2000)}`));
      resolve({ spawnedAt, result: JSON.parse(Buffer.concat(out).toString()) });
    });
  });
}

const frameArgs = (c, files) => ['--positions', files.positions, '--colors', files.colors, '--frames', String(c.frames), '--points', String(c.points)];

/**
 * (h) cloudreel.export() on a case's frames: cold = from spawning a new Python process (imports,
 * frames read from the cache, Playwright and the browser started) to its first file written;
 * warm = a second export in the same process, timed around export(). Both files checked with ffprobe.
 */
export async function measureHeadlessExport(name, c, files, { log }) {
  const outCold = path.join(CACHE_DIR, `export-${name}-cold.mp4`);
  const outWarm = path.join(CACHE_DIR, `export-${name}-warm.mp4`);
  try {
    const { spawnedAt, result } = await runPython(['export', ...frameArgs(c, files), '--out-cold', outCold, '--out-warm', outWarm], log);
    const m = result.marks;
    const since = (epochSeconds) => round(epochSeconds - spawnedAt / 1000);
    const check = (r) => {
      const ffprobe = probe(r.path);
      return { ...r, path: path.relative(ROOT, r.path), ffprobe, framesOk: ffprobe.frames === c.frames };
    };
    const cold = check(result.cold);
    const warm = check(result.warm);
    return {
      status: cold.framesOk && warm.framesOk ? 'ok' : 'wrong-frame-count',
      coldSeconds: since(m.coldWritten),
      warmSeconds: round(result.warmSeconds),
      // Where the cold run's time went, from the spawn: Python up, cloudreel imported, frames read.
      coldBreakdown: { processStarted: since(m.process), imported: since(m.imported), framesRead: since(m.framesRead), exportSeconds: round(m.coldWritten - m.framesRead) },
      cold,
      warm,
      cloudreel: result.cloudreel,
      browser: result.browser,
    };
  } catch (e) {
    return { status: 'failed', error: String(e.message ?? e).slice(-2000) };
  }
}

/**
 * (i) The frames of a case from Python into the runner page over its loopback server, `runs`
 * times each, alternating: a bare fetch loop in the runner page (its script not served: every
 * chunk read and dropped) and the runner page itself (from its job request to the last frame
 * checked, its own performance.now() marks). MB/s in 10^6 bytes, as the widget's log.
 */
export async function measureRunnerTransfer(name, c, files, { log, runs = 2 }) {
  try {
    const { result } = await runPython(['transfer', ...frameArgs(c, files), '--runs', String(runs)], log);
    const MBps = (ms) => round(result.bytes / 1e6 / (ms / 1000), 1);
    const rows = result.runs.map((r) => ({ ...r, seconds: round(r.ms / 1000), MBps: MBps(r.ms) }));
    const best = (kind) => Math.max(...rows.filter((r) => r.kind === kind).map((r) => r.MBps));
    const bare = best('bare');
    const ours = best('ours');
    return { status: 'ok', case: name, bytes: result.bytes, MB: round(result.bytes / 1e6, 1), runs: rows, bareMBps: bare, oursMBps: ours, share: round(ours / bare, 3) };
  } catch (e) {
    return { status: 'failed', case: name, error: String(e.message ?? e).slice(-2000) };
  }
}
