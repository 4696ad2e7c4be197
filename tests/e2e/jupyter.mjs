// A real Jupyter server (JupyterLab 4 + Notebook 7) from the project's .venv,
// on localhost with token auth and a non-root base_url, serving a scratch
// folder that holds copies of the example notebooks. Its kernels have no browser
// for headless exports ($CLOUDREEL_BROWSER names none), so save() and embed() take
// the page route under "Run all", except in notebooks whose kernel is
// KERNEL_WITH_BROWSER (Debian's chromium, as a machine with a browser has).
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './browser.mjs';

export const VENV_BIN = path.join(ROOT, '.venv', 'bin');
export const KERNEL_WITH_BROWSER = 'python3-with-browser';
export const BROWSER = process.env.CLOUDREEL_BROWSER || '/usr/bin/chromium';

/** A kernel spec on the .venv's Python whose kernels find a browser for headless exports. */
function writeKernelWithBrowser(dataDir) {
  const spec = path.join(dataDir, 'kernels', KERNEL_WITH_BROWSER);
  fs.mkdirSync(spec, { recursive: true });
  fs.writeFileSync(path.join(spec, 'kernel.json'), JSON.stringify({
    argv: [path.join(VENV_BIN, 'python'), '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
    display_name: 'Python 3 (with a browser)', language: 'python', env: { CLOUDREEL_BROWSER: BROWSER },
  }));
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startJupyter({ notebooks = [] } = {}) {
  const rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudreel-jupyter-'));
  for (const nb of notebooks) fs.copyFileSync(path.join(ROOT, 'examples', nb), path.join(rootDir, nb));
  const port = await freePort();
  const token = crypto.randomBytes(16).toString('hex');
  const baseUrl = '/cloudreel-e2e/';
  const log = fs.openSync(path.join(rootDir, 'server.log'), 'w');
  const dataDir = path.join(rootDir, '.jupyter-data');
  writeKernelWithBrowser(dataDir);
  const env = {
    ...process.env, JUPYTER_PLATFORM_DIRS: '1', JUPYTER_CONFIG_DIR: path.join(rootDir, '.jupyter-config'), JUPYTER_RUNTIME_DIR: path.join(rootDir, '.runtime'),
    JUPYTER_PATH: dataDir, CLOUDREEL_BROWSER: path.join(rootDir, 'no-browser-on-this-machine'),
  };
  const proc = spawn(
    path.join(VENV_BIN, 'jupyter'),
    [
      'lab', '--no-browser', `--port=${port}`, '--ServerApp.ip=127.0.0.1',
      `--IdentityProvider.token=${token}`, `--ServerApp.base_url=${baseUrl}`, `--ServerApp.root_dir=${rootDir}`,
      '--LabApp.expose_app_in_browser=True', '--JupyterNotebookApp.expose_app_in_browser=True',
      '--LabApp.news_url=', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
      '--LabApp.extension_manager=readonly', '--ServerApp.allow_root=True',
    ],
    { cwd: rootDir, env, stdio: ['ignore', log, log] },
  );
  const origin = `http://127.0.0.1:${port}`;
  const base = `${origin}${baseUrl}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`jupyter lab exited: ${fs.readFileSync(path.join(rootDir, 'server.log'), 'utf8')}`);
    try {
      const r = await fetch(`${base}api/status?token=${token}`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error('jupyter lab did not start in 120 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    rootDir,
    origin,
    base,
    token,
    url: (p) => `${base}${p}${p.includes('?') ? '&' : '?'}token=${token}`,
    nbconvert: (args) => execFileSync(path.join(VENV_BIN, 'jupyter'), ['nbconvert', ...args], { cwd: rootDir, env, stdio: 'pipe' }),
    async close() {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
      fs.closeSync(log);
      fs.rmSync(rootDir, { recursive: true, force: true });
    },
  };
}

/** Runs `code` in the kernel of the notebook shown in `page` (as a cell would, but no cell); returns what it printed, errors included. */
export function runInKernel(page, code) {
  return page.evaluate(async (code) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({ code, store_history: false });
    let out = '';
    future.onIOPub = (msg) => {
      if (msg.header.msg_type === 'stream') out += msg.content.text;
      if (msg.header.msg_type === 'error') out += `${msg.content.ename}: ${msg.content.evalue}`;
    };
    await future.done;
    return out;
  }, code);
}
