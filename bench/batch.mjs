// The batch bench (issue 16, `node bench/run.mjs --batch`): JOBS jobs of FRAMES x POINTS torus frames (one .npy
// under bench/.cache/, read on the worker by every job) exported by a loop over cloudreel.export() in one process,
// export_many(workers=W) and export_many(client=Client(LocalCluster(n_workers=W, threads_per_worker=1))), one after
// the other and each twice (BATCH_ORDER), each run by bench/batch_bench.py in a fresh Python that reaps its whole
// process tree (CPU time of all of it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, CACHE_DIR } from './frames.mjs';
import { runPython } from './headless.mjs';

export const BATCH = { jobs: 24, frames: 48, points: 100_000, workers: 2, fps: 5 };
export const QUICK_BATCH = { jobs: 4, frames: 6, points: 10_000, workers: 2, fps: 5 };
export const BATCH_FORMS = ['loop', 'pool', 'dask'];
const SCRIPT = path.join(BENCH_DIR, 'batch_bench.py');
const TIMEOUT_MS = 60 * 60_000;
const round = (x, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);

/** Busy CPU seconds of the whole machine since boot (every core, all but idle and iowait). */
function machineCpuSeconds() {
  return os.cpus().reduce((sum, c) => sum + (c.times.user + c.times.nice + c.times.sys + c.times.irq) / 1000, 0);
}

/** The issue's target ratio (parallel jobs per minute / the loop's) for a loop that keeps `cores` cores busy. */
export function batchTarget(cores, workers) {
  return cores <= 1.1 ? 1.6 : 0.8 * (workers / cores);
}

/**
 * The order the forms run in: each twice, the second time mirrored (loop pool dask dask pool loop). This host's speed
 * drifts by 10-20% over minutes (the same loop took 33.7 s and 40.7 s in two runs of one stop), and forms run one
 * after another: mirrored, a drift that is linear over the run weighs on every form alike.
 */
export const BATCH_ORDER = [...BATCH_FORMS, ...[...BATCH_FORMS].reverse()];

const sum = (xs) => xs.reduce((a, b) => a + b, 0);

/** One run's start-up end: when the form's last browser process appeared (the workers-th; the loop's one). */
function launchedBy(r, c) {
  return r.browsersSeenAt[Math.min(r.form === 'loop' ? 0 : c.workers - 1, r.browsersSeenAt.length - 1)] ?? r.marks.imported;
}

/** One form's figures over its runs (batch_bench.py run's JSON each): times, jobs and CPU summed over the runs. */
export function figures(runs, c) {
  const form = runs[0].form;
  const walls = runs.map((r) => r.marks.done - r.marks.imported);
  const startups = runs.map((r) => launchedBy(r, c) - r.marks.imported);
  const wall = sum(walls);
  const wallAfterStartup = wall - sum(startups);
  const jobs = c.jobs * runs.length;
  const workers = form === 'loop' ? 1 : c.workers;
  const cpuSeconds = sum(runs.map((r) => r.cpuSeconds));
  const processSeconds = sum(runs.map((r) => r.processSeconds));
  const byKind = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.sampledCpuSecondsByKind)) byKind[k] = round((byKind[k] ?? 0) + v, 2);
  const clusterStarts = runs.filter((r) => r.marks.clusterUp).map((r) => r.marks.clusterUp - r.marks.imported);
  return {
    form,
    runs: runs.length,
    ok: runs.every((r) => r.failed.length === 0 && r.frames.length === c.jobs && r.frames.every((f) => f === c.frames)),
    failed: runs.flatMap((r) => r.failed),
    wallSeconds: round(wall, 2),
    wallSecondsPerRun: walls.map((w) => round(w, 2)),
    startupSeconds: round(sum(startups) / runs.length, 2),
    clusterStartSeconds: clusterStarts.length ? round(sum(clusterStarts) / clusterStarts.length, 2) : null,
    wallAfterStartupSeconds: round(wallAfterStartup, 2),
    jobsPerMinute: round((jobs / wall) * 60, 2),
    jobsPerMinutePerRun: walls.map((w) => round((c.jobs / w) * 60, 2)),
    jobsPerMinuteAfterStartup: round((jobs / wallAfterStartup) * 60, 2),
    processSeconds: round(processSeconds, 2),
    cpuSeconds: round(cpuSeconds, 2),
    coresBusy: round(cpuSeconds / processSeconds, 2),
    coresBusyPerRun: runs.map((r) => round(r.cpuSeconds / r.processSeconds, 2)),
    machineBusyCores: round(sum(runs.map((r) => r.machineBusyCores * r.processSeconds)) / processSeconds, 2),
    loadAverageBefore: runs.map((r) => r.loadAverageBefore),
    sampledCpuSecondsByKind: byKind,
    cpuSecondsPerJob: round(cpuSeconds / jobs, 2),
    workerSecondsPerJob: round((wall * workers) / jobs, 2),
    workerSecondsPerJobAfterStartup: round((wallAfterStartup * workers) / jobs, 2),
    browserLaunches: Math.max(...runs.map((r) => r.browserLaunches)),
    browserLaunchesPerRun: runs.map((r) => r.browserLaunches),
    browser: runs[0].browser,
    peakWorkerPssMB: round(Math.max(...runs.map((r) => r.peakWorkerPssMB)), 0),
    peakTreePssMB: round(Math.max(...runs.map((r) => r.peakTreePssMB)), 0),
    leftoversKilled: sum(runs.map((r) => r.leftoversKilled)),
    // The measuring process (its sampler, chiefly): not in cpuSeconds, but taken from the same 2 cores.
    measuringCpuSeconds: round(sum(runs.map((r) => r.measuringCpuSeconds ?? 0)), 2),
  };
}

export async function measureBatch(c, { log, order = BATCH_ORDER }) {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const input = path.join(CACHE_DIR, `batch-torus-${c.frames}x${c.points}.npy`);
  const outdir = path.join(CACHE_DIR, 'batch-out');
  const results = { settings: c, order, input: path.relative(BENCH_DIR, input), loadAverageBefore: os.loadavg().map((x) => round(x, 2)) };
  try {
    if (!fs.existsSync(input)) {
      results.generated = (await runPython(['generate', '--out', input, '--frames', String(c.frames), '--points', String(c.points)], log, { script: SCRIPT })).result;
    }
    results.runs = [];
    for (const [i, form] of order.entries()) {
      fs.rmSync(outdir, { recursive: true, force: true });
      fs.mkdirSync(outdir, { recursive: true });
      log(`${form} (${i + 1} of ${order.length}): ${c.jobs} jobs of ${c.frames} x ${c.points} points${form === 'loop' ? '' : ` on ${c.workers} workers`}`);
      const args = ['run', form, '--input', input, '--outdir', outdir, '--jobs', String(c.jobs), '--workers', String(c.workers), '--fps', String(c.fps)];
      const loadBefore = os.loadavg().map((x) => round(x, 2));
      const cpuBefore = machineCpuSeconds();
      const { result } = await runPython(args, log, { script: SCRIPT, timeoutMs: TIMEOUT_MS });
      // The machine's busy cores over the form's life, all processes (ours and anything else running).
      result.machineBusyCores = round((machineCpuSeconds() - cpuBefore) / result.processSeconds, 2);
      result.loadAverageBefore = loadBefore;
      results.runs.push(result);
      const one = figures([result], c);
      log(`  ${one.wallSeconds} s, ${one.coresBusy} cores busy (machine: ${one.machineBusyCores}), ${result.browserLaunches} browser launches (${result.browser}); CPU s by process kind (sampled): ${JSON.stringify(one.sampledCpuSecondsByKind)}`);
    }
    results.loadAverageAfter = os.loadavg().map((x) => round(x, 2));
    results.forms = {};
    for (const form of BATCH_FORMS) results.forms[form] = figures(results.runs.filter((r) => r.form === form), c);
    const loop = results.forms.loop;
    results.target = { loopCoresBusy: loop.coresBusy, ratio: round(batchTarget(loop.coresBusy, c.workers), 2) };
    for (const form of BATCH_FORMS) {
      const f = results.forms[form];
      f.ratio = round(f.jobsPerMinute / loop.jobsPerMinute, 2);
      f.ratioAfterStartup = round(f.jobsPerMinuteAfterStartup / loop.jobsPerMinuteAfterStartup, 2);
      f.overheadSecondsPerJob = round(f.workerSecondsPerJob - loop.workerSecondsPerJob, 2);
      f.overheadSecondsPerJobAfterStartup = round(f.workerSecondsPerJobAfterStartup - loop.workerSecondsPerJobAfterStartup, 2);
      f.extraCpuSecondsPerJob = round(f.cpuSecondsPerJob - loop.cpuSecondsPerJob, 2);
      f.browsersEqualWorkers = f.browserLaunchesPerRun.every((n) => n === (form === 'loop' ? 1 : c.workers));
    }
    const parallel = BATCH_FORMS.filter((f) => f !== 'loop').map((f) => results.forms[f]);
    results.projection = projectBatch(results);
    results.status = parallel.every((f) => f.ok && f.ratio >= results.target.ratio && f.browsersEqualWorkers) && loop.ok ? 'ok' : 'missed-target';
  } catch (e) {
    results.status = 'failed';
    results.error = String(e.message ?? e).slice(-2000);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  return results;
}

/** Setups the README's throughput table projects to: machines x cores. */
export const PROJECTED_SETUPS = [
  { name: '1 machine, 8 cores', machines: 1, cores: 8 },
  { name: '1 machine, 32 cores', machines: 1, cores: 32 },
  { name: '10 nodes x 32 cores', machines: 10, cores: 32 },
];

/**
 * Jobs per minute projected from the measured per-job CPU cost (every process of the pool form's tree, start-up
 * included): CPU-bound, a core gives 60 / cpuSecondsPerJob jobs a minute; one worker (one browser) per
 * loop-cores-busy cores, each holding the measured peak worker PSS.
 */
export function projectBatch(r) {
  const pool = r.forms.pool;
  const coresPerWorker = Math.max(1, r.forms.loop.coresBusy);
  return PROJECTED_SETUPS.map((s) => {
    const workers = Math.max(1, Math.floor(s.cores / coresPerWorker));
    const jobsPerMinute = (60 * s.cores * s.machines) / pool.cpuSecondsPerJob;
    return { ...s, workersPerMachine: workers, jobsPerMinute: round(jobsPerMinute, 0), jobsPerHour: round(jobsPerMinute * 60, -2),
      memoryPerMachineGB: round((workers * pool.peakWorkerPssMB) / 1024, 1), thousandJobsMinutes: round(1000 / jobsPerMinute, 1) };
  });
}

/** The row group and the target line, as the other figures. */
export function describeBatch(r) {
  if (r.status === 'failed') return [`batch: FAILED ${r.error}`];
  const c = r.settings;
  const lines = [
    `batch: ${c.jobs} jobs of ${c.frames} x ${c.points} points, ${c.workers} workers, forms in the order ${r.order.join(' ')} (load average before ${r.loadAverageBefore.join(' ')}, after ${r.loadAverageAfter.join(' ')})`,
    '  form   wall s (runs summed)  jobs/min (per run)  cores busy  ratio  browsers  start-up s  per-job overhead s (incl. / excl. start-up)  extra CPU s/job  worker PSS MB',
  ];
  for (const form of BATCH_FORMS) {
    const f = r.forms[form];
    lines.push(`  ${form.padEnd(5)} ${String(f.wallSeconds).padStart(21)} ${`${f.jobsPerMinute} (${f.jobsPerMinutePerRun.join(', ')})`.padStart(19)} ${String(f.coresBusy).padStart(11)} ${String(f.ratio).padStart(6)}`
      + ` ${String(f.browserLaunches).padStart(9)} ${String(f.startupSeconds).padStart(11)} ${`${f.overheadSecondsPerJob} / ${f.overheadSecondsPerJobAfterStartup}`.padStart(20)}`
      + ` ${String(f.extraCpuSecondsPerJob).padStart(38)} ${String(f.peakWorkerPssMB).padStart(14)}${f.ok ? '' : `  NOT OK: ${f.failed.length} failed`}`);
  }
  const t = r.target;
  for (const form of BATCH_FORMS.filter((x) => x !== 'loop')) {
    const f = r.forms[form];
    const met = f.ratio >= t.ratio;
    lines.push(`  batch ${form} vs loop (loop keeps ${t.loopCoresBusy} cores busy): ${f.ratio}x jobs per minute (${f.ratioAfterStartup}x after start-up), browsers launched ${f.browserLaunches} for ${c.workers} workers  target >= ${t.ratio}x and browsers = workers: ${met && f.browsersEqualWorkers ? 'met' : 'NOT met'}`);
  }
  lines.push(`  projected from the pool's ${r.forms.pool.cpuSecondsPerJob} CPU s/job and ${r.forms.pool.peakWorkerPssMB} MB PSS per worker:`);
  for (const p of r.projection) lines.push(`    ${p.name}: ${p.workersPerMachine} workers per machine, ~${p.jobsPerMinute} jobs/min (1000 jobs in ~${p.thousandJobsMinutes} min), ~${p.memoryPerMachineGB} GB per machine`);
  return lines;
}
