// Frames from the kernel to the page through a real JupyterLab: one notebook
// per point count, whose single cell shows cloudreel.Animation(frames) made
// from the benchmark's cached torus. The widget logs, with console.debug,
// `cloudreel: received 48 frames (76.8 MB) in 0.8 s, 90 MB/s over HTTP (...)` once
// they arrive. Each case runs twice: over the HTTP route (the default) and over
// the widget comm (the fallback, forced by blocking the route in the browser).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launchChromium } from '../examples/headless.mjs';
import { startJupyter, VENV_BIN } from '../tests/e2e/jupyter.mjs';

const RECEIVED = /cloudreel: received (\d+) frames \(([\d.]+) MB\) in ([\d.]+) s, ([\d.]+) MB\/s/;

function notebook(source) {
  return {
    cells: [{ cell_type: 'code', execution_count: null, id: 'bench', metadata: {}, outputs: [], source }],
    metadata: { kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

function cellSource({ files, frames, points }) {
  return [
    'import time, numpy as np, cloudreel\n',
    `F, N = ${frames}, ${points}\n`,
    `pos = np.fromfile(${JSON.stringify(files.positions)}, dtype="<f4").reshape(F, N, 3)\n`,
    `col = np.fromfile(${JSON.stringify(files.colors)}, dtype="<f4").reshape(F, N, 3)\n`,
    't0 = time.perf_counter()\n',
    'anim = cloudreel.Animation(pos, colors=col, fps=5, width=1280, height=720)\n',
    'print(f"Animation() took {time.perf_counter() - t0:.2f} s")\n',
    'anim\n',
  ];
}

/** Installed wheel present? Returns its version, or null. */
export function installedCloudreel() {
  try {
    return execFileSync(path.join(VENV_BIN, 'python'), ['-c', 'import cloudreel; print(cloudreel.__version__)']).toString().trim();
  } catch {
    return null;
  }
}

/**
 * Measures each case `{ name, frames, points, files }` in turn, in one server
 * and one browser, sampling Chromium's memory with `sampler`.
 */
async function deleteSessions(server) {
  const r = await fetch(`${server.base}api/sessions?token=${server.token}`);
  if (!r.ok) return;
  for (const session of await r.json()) {
    await fetch(`${server.base}api/sessions/${session.id}?token=${server.token}`, { method: 'DELETE' });
  }
}

/**
 * Measures each case `{ name, frames, points, files }` in turn: one server, a
 * fresh browser per case, JupyterLab's workspace reset (so no earlier notebook
 * is restored beside it) and every kernel shut down in between. Only a line
 * whose size fits the case's points is taken (12 to 20 bytes a point).
 */
export async function measureTransfers(cases, { sampler, log = console.log, timeoutMs = 600_000, routes = ['HTTP', 'the comm'] }) {
  const server = await startJupyter({ notebooks: [] });
  const results = [];
  try {
    for (const c of cases.flatMap((c) => routes.map((route) => ({ ...c, route })))) {
      const nbName = `transfer-${c.frames}x${c.points}.ipynb`;
      fs.writeFileSync(path.join(server.rootDir, nbName), JSON.stringify(notebook(cellSource(c)), null, 1));
      const browser = await launchChromium();
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1280, height: 1000 });
      if (c.route === 'the comm') await page.route('**/cloudreel/frames/**', (r) => r.abort('blockedbyclient'));
      const consoleLines = [];
      let received = null;
      let resolveReceived;
      const arrived = new Promise((r) => (resolveReceived = r));
      page.on('console', (m) => {
        const text = m.text();
        if (text.startsWith('cloudreel:')) consoleLines.push(text);
        const match = RECEIVED.exec(text);
        if (!match || received) return;
        const bytesPerPoint = (Number(match[2]) * 1e6) / (c.frames * c.points);
        if (Number(match[1]) !== c.frames || bytesPerPoint < 12 || bytesPerPoint > 20 || !text.includes(` over ${c.route}`)) return;
        received = { atMs: performance.now(), frames: Number(match[1]), MB: Number(match[2]), seconds: Number(match[3]), MBps: Number(match[4]), line: text, bytesPerPoint };
        resolveReceived();
      });
      const win = sampler.open(`transfer ${c.name} over ${c.route}`);
      let result = { case: c.name, route: c.route, frames: c.frames, points: c.points, notebook: nbName };
      try {
        await page.goto(server.url(`lab/tree/${nbName}?reset`));
        await page.waitForFunction(() => window.jupyterapp?.shell?.currentWidget?.sessionContext, null, { timeout: 120_000 });
        await page.evaluate(async () => {
          await window.jupyterapp.shell.currentWidget.sessionContext.ready;
        });
        const t0 = performance.now();
        await page.evaluate(() => window.jupyterapp.commands.execute('notebook:run-all-cells'));
        let timer;
        const timeout = new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no matching "cloudreel: received" line within ${timeoutMs / 1000} s`)), timeoutMs);
        });
        await Promise.race([arrived, timeout]).finally(() => clearTimeout(timer));
        const cellText = await page.locator('.jp-OutputArea-output pre').first().textContent({ timeout: 5000 }).catch(() => null);
        result = {
          ...result,
          ok: true,
          reportedSeconds: received.seconds,
          MB: received.MB,
          bytesPerPoint: Math.round(received.bytesPerPoint * 100) / 100,
          MBps: received.MBps,
          // The widget's own figures are rounded; recompute from its MB and seconds.
          MBpsExact: received.MB / received.seconds,
          runAllToReceivedSeconds: (received.atMs - t0) / 1000,
          cellOutput: cellText?.trim() ?? null,
          consoleLine: received.line,
          otherConsoleLines: consoleLines.filter((l) => l !== received.line),
        };
      } catch (e) {
        result = { ...result, ok: false, error: e.message, consoleLines };
      } finally {
        result.chromiumRss = win.close();
        await browser.close().catch(() => {});
        await deleteSessions(server).catch(() => {});
      }
      log(`  transfer ${c.name} over ${c.route}: ${result.ok ? `${result.MB} MB in ${result.reportedSeconds} s = ${result.MBpsExact.toFixed(1)} MB/s (run-all -> received ${result.runAllToReceivedSeconds.toFixed(1)} s)` : `FAILED: ${result.error}`}`);
      results.push(result);
    }
  } finally {
    await server.close();
    fs.rmSync(server.rootDir, { recursive: true, force: true });
  }
  return results;
}
