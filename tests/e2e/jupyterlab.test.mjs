// End to end through a real Jupyter server: the quickstart notebook in
// JupyterLab 4 (run all, widgets render, Export, download, anim.save(),
// anim.embed() + nbconvert; the kernels have no browser, so these take the page)
// and once in Notebook 7; the route of save() with via="auto" in the first cell of
// a fresh kernel that has a browser (headless) and in a later cell (the page).
// Every request that leaves the server's origin fails the test: the ffmpeg core
// must come from the wheel.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from '../../examples/headless.mjs';
import { ROOT } from './browser.mjs';
import { KERNEL_WITH_BROWSER, startJupyter } from './jupyter.mjs';
import { probe, writeTemp } from './media.mjs';

const ARTIFACTS = path.join(ROOT, 'test-results');
let server;
let browser;
const foreign = [];

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startJupyter({ notebooks: ['quickstart.ipynb'] });
  fs.copyFileSync(path.join(server.rootDir, 'quickstart.ipynb'), path.join(server.rootDir, 'quickstart-nb7.ipynb'));
  browser = await launchChromium();
  await browser.context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === server.origin) return route.continue();
    foreign.push(url);
    return route.abort('blockedbyclient');
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens a notebook and waits for its kernel. */
async function openNotebook(page, urlPath) {
  await page.goto(server.url(urlPath));
  await page.waitForFunction(() => window.jupyterapp?.shell?.currentWidget?.sessionContext, null, { timeout: 120_000 });
  await page.evaluate(async () => {
    const panel = window.jupyterapp.shell.currentWidget;
    await panel.sessionContext.ready;
    await panel.content.widgets.length; // cells are there once the context is ready
  });
}

/** Opens a notebook, waits for its kernel, and runs every cell. */
async function openAndRunAll(page, urlPath) {
  await openNotebook(page, urlPath);
  await page.evaluate(() => window.jupyterapp.commands.execute('notebook:run-all-cells'));
}

/** Runs cell ``index`` of the open notebook (JupyterLab's own command) and returns its output area. */
async function runCell(page, index) {
  const id = await page.evaluate((i) => {
    const panel = window.jupyterapp.shell.currentWidget;
    panel.content.activeCellIndex = i;
    void window.jupyterapp.commands.execute('notebook:run-cell');
    return panel.id;
  }, index);
  return page.locator(`[id="${id}"] .jp-Cell`).nth(index).locator('.jp-OutputArea');
}

const statusOf = (panel) => panel.locator('[role="status"]').first();

async function waitForReady(panel, timeout = 240_000) {
  await statusOf(panel).filter({ hasText: /Video ready!/ }).waitFor({ timeout });
}

async function downloadAndProbe(page, panel, name) {
  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: /Download/ }).click()]);
  const file = writeTemp(fs.readFileSync(await download.path()), download.suggestedFilename());
  return { info: probe(file), fileName: download.suggestedFilename(), file };
}

async function newPage() {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 1600 });
  page.cloudreelLines = [];
  page.on('console', (m) => {
    if (!m.text().startsWith('cloudreel:')) return;
    page.cloudreelLines.push(m.text());
    if (m.text().startsWith('cloudreel: received')) console.log(`# ${m.text()}`);
  });
  return page;
}

const receivedLines = (page) => page.cloudreelLines.filter((l) => l.startsWith('cloudreel: received'));

/** The server extension's private folder for frames, from its log line. */
function spoolDir() {
  const m = /cloudreel: serving kernel frames over HTTP from (\S+)/.exec(fs.readFileSync(path.join(server.rootDir, 'server.log'), 'utf8'));
  assert.ok(m, 'the cloudreel server extension is loaded');
  return m[1];
}

/** The frames files in it (beside them: the server's lock file, server.lock). */
function spoolFiles() {
  return fs.readdirSync(spoolDir()).filter((name) => name.endsWith('.bin'));
}

async function screenshot(page, panel, name) {
  await page.locator('.jp-toast-close, .jp-Notification-Toast-Close').first().click({ timeout: 1000 }).catch(() => {});
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: path.join(ARTIFACTS, name) });
}

test('JupyterLab 4: run all, export in the cell, download, save from Python, embed and nbconvert', async () => {
  const page = await newPage();
  const t0 = Date.now();
  await openAndRunAll(page, 'lab/tree/quickstart.ipynb');

  const panels = page.locator('cloudreel-export-panel');
  await panels.nth(2).waitFor({ timeout: 120_000 });
  assert.equal(await panels.count(), 3, 'three widgets render');
  const sphere = panels.first();

  // sphere.save() and sphere.embed() started an export from Python.
  await waitForReady(sphere);
  const runAllToReady = (Date.now() - t0) / 1000;

  // The user's own export from the button, then the download button.
  const exportButton = sphere.getByRole('button', { name: 'Export video' });
  await exportButton.waitFor({ state: 'visible' });
  await page.waitForFunction((el) => !el.disabled, await exportButton.elementHandle());
  await exportButton.click();
  await statusOf(sphere).filter({ hasNotText: /Video ready!/ }).waitFor({ timeout: 30_000 });
  await waitForReady(sphere);
  const { info, fileName } = await downloadAndProbe(page, sphere, 'sphere');
  assert.equal(fileName, 'sphere.mp4');
  assert.equal(info.codec, 'h264');
  assert.equal(info.frames, 6);
  assert.ok(Math.abs(info.duration - 6 / 5) < 0.2 + 1e-6, `duration ${info.duration}`);

  // anim.save("sphere.mp4") wrote the file in the kernel's folder once the cells had run.
  const saved = path.join(server.rootDir, 'sphere.mp4');
  for (let i = 0; i < 120 && !fs.existsSync(saved); i++) await new Promise((r) => setTimeout(r, 500));
  const savedInfo = probe(saved);
  assert.equal(savedInfo.codec, 'h264');
  assert.equal(savedInfo.frames, 6);

  // anim.embed() filled its output with an inline video; save and convert to HTML.
  // The embed's own output (an HTML output), not the widget's preview video.
  await page.locator('.jp-RenderedHTMLCommon.jp-OutputArea-output > video').first().waitFor({ timeout: 60_000 });
  await screenshot(page, sphere, 'jupyterlab-quickstart-cell.png');
  await page.evaluate(() => window.jupyterapp.commands.execute('docmanager:save'));
  await page.waitForFunction(() => !window.jupyterapp.shell.currentWidget.context.model.dirty, null, { timeout: 30_000 });
  server.nbconvert(['--to', 'html', 'quickstart.ipynb', '--output', 'quickstart-export']);
  const html = fs.readFileSync(path.join(server.rootDir, 'quickstart-export.html'), 'utf8');
  const m = /<video[^>]*>[\s\S]*?src="data:video\/mp4;base64,([A-Za-z0-9+/=\s]+)"/.exec(html);
  assert.ok(m, 'the HTML export holds an inline <video> with MP4 data');
  const embedded = probe(writeTemp(Buffer.from(m[1].replace(/\s/g, ''), 'base64'), 'embedded.mp4'));
  assert.equal(embedded.frames, 6);
  // Frames never enter the saved notebook: it stays small although the torus alone is 72 MB of points.
  const nbBytes = fs.statSync(path.join(server.rootDir, 'quickstart.ipynb')).size;
  assert.ok(nbBytes < 5e6, `saved notebook is ${nbBytes} bytes`);

  // A reload makes new views: they ask the (now idle) kernel for the frames again.
  await page.reload();
  const reloaded = page.locator('cloudreel-export-panel');
  await reloaded.nth(2).waitFor({ timeout: 120_000 });
  const torusExport = reloaded.nth(2).getByRole('button', { name: 'Export video' });
  await page.waitForFunction((el) => !el.disabled, await torusExport.elementHandle(), { timeout: 120_000 });

  // Every widget's frames came over HTTP from the server extension, which has
  // none left once the pages said they had them.
  const lines = receivedLines(page);
  assert.ok(lines.length >= 6, `frames arrived for 3 widgets, twice: ${lines.join(' | ')}`);
  for (const l of lines) assert.match(l, / over HTTP \(/);
  for (let i = 0; i < 20 && spoolFiles().length; i++) await new Promise((r) => setTimeout(r, 250));
  assert.deepEqual(spoolFiles(), [], 'spool files are removed once fetched');

  assert.deepEqual(foreign, [], 'no request may leave the Jupyter server');
  console.log(`# JupyterLab: Run all -> "Video ready!" in ${runAllToReady.toFixed(1)} s`);
  await page.close();
});

test('JupyterLab 4, via="auto": the first cell of a fresh kernel with a browser renders headlessly, a later cell takes the page', async () => {
  const code = (lines) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: lines.join('\n') });
  const notebook = {
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: KERNEL_WITH_BROWSER, display_name: 'Python 3 (with a browser)', language: 'python' } },
    cells: [
      code([
        'import numpy as np, cloudreel',
        'from IPython.display import display',
        'rng = np.random.default_rng(3)',
        "frames = [{'points': rng.normal(size=(2000, 3)), 'colors': None} for _ in range(3)]",
        'anim = cloudreel.Animation(frames, width=160, height=120)',
        'display(anim)',
        "anim.save('first.mp4')",
        'print(anim.save_status)',
      ]),
      code(["anim.save('later.mp4')", 'print(anim.save_status)']),
      code(['print(anim.save_status)']),
    ],
  };
  fs.writeFileSync(path.join(server.rootDir, 'routes.ipynb'), JSON.stringify(notebook));
  const page = await newPage();
  await openNotebook(page, 'lab/tree/routes.ipynb?reset'); // ?reset: not the quickstart the last test left open

  // The first cell of a fresh kernel: no page has spoken yet and the kernel finds a browser, so
  // the file is written in the cell, by the headless route, before the player has its frames.
  const first = await runCell(page, 0);
  await first.filter({ hasText: /Saved \S+\/first\.mp4 \(\d+ bytes, webcodecs-h264, headless browser\)/ }).waitFor({ timeout: 180_000 })
    .catch(async (e) => assert.fail(`${e.message}\nthe cell shows: ${await first.innerText().catch(() => '(nothing)')}`));
  const firstInfo = probe(path.join(server.rootDir, 'first.mp4'));
  assert.equal(firstInfo.codec, 'h264');
  assert.equal(firstInfo.frames, 3);

  // Once the player has loaded its frames the page has spoken: a later cell takes the page route.
  const panel = page.locator('cloudreel-export-panel').first();
  const exportButton = panel.getByRole('button', { name: 'Export video' });
  await exportButton.waitFor({ state: 'visible', timeout: 120_000 });
  await page.waitForFunction((el) => !el.disabled, await exportButton.elementHandle(), { timeout: 120_000 });
  const later = await runCell(page, 1);
  await later.filter({ hasText: 'Waiting for the page to export later.mp4...' }).waitFor({ timeout: 60_000 });
  await waitForReady(panel); // the page's own progress, in the player's panel
  const saved = path.join(server.rootDir, 'later.mp4');
  for (let i = 0; i < 120 && !fs.existsSync(saved); i++) await new Promise((r) => setTimeout(r, 500));
  const laterInfo = probe(saved);
  assert.equal(laterInfo.codec, 'h264');
  assert.equal(laterInfo.frames, 3);
  const status = await runCell(page, 2);
  await status.filter({ hasText: /Saved \S+\/later\.mp4 \(\d+ bytes, [\w-]+\)/ }).waitFor({ timeout: 60_000 });
  assert.doesNotMatch(await status.innerText(), /headless/);
  assert.deepEqual(foreign, [], 'no request may leave the Jupyter server');
  await page.close();
});

test('the frames route serves only authenticated requests, only names of spool files', async () => {
  const url = `${server.base}cloudreel/frames/${'0'.repeat(32)}`;
  assert.equal((await fetch(url)).status, 403, 'no token: refused');
  assert.equal((await fetch(`${url}?token=${server.token}`)).status, 404, 'token, no such file: not found');
  assert.equal((await fetch(`${server.base}cloudreel/frames/..%2F..%2Fserver.log?token=${server.token}`)).status, 404, 'only token names match the route');
});

test('Notebook 7, WebCodecs unavailable and the frames route blocked: the comm carries the frames, the ffmpeg.wasm core from the wheel encodes', async () => {
  const page = await newPage();
  // As behind a proxy that drops the route: the page falls back to the widget comm.
  await page.route('**/cloudreel/frames/**', (route) => route.abort('blockedbyclient'));
  // As in a browser without WebCodecs: the export must fall back to ffmpeg.wasm.
  await page.addInitScript(() => {
    delete window.VideoEncoder;
  });
  await openAndRunAll(page, 'notebooks/quickstart-nb7.ipynb');
  const sphere = page.locator('cloudreel-export-panel').first();
  await waitForReady(sphere);
  const { info } = await downloadAndProbe(page, sphere, 'sphere');
  assert.equal(info.codec, 'h264');
  assert.equal(info.frames, 6);
  await sphere.getByText('ffmpeg-h264').waitFor({ timeout: 5000 });
  // The torus's 72 MB take a few seconds over the comm, and may still be on their way.
  for (let i = 0; i < 480 && receivedLines(page).length < 3; i++) await new Promise((r) => setTimeout(r, 250));
  const lines = receivedLines(page);
  assert.ok(lines.length >= 3 && lines.every((l) => l.endsWith('over the comm')), `frames over the comm: ${lines.join(' | ')}`);
  assert.ok(page.cloudreelLines.some((l) => /fetching frames over HTTP failed .*asking for them over the comm/.test(l)), 'the fallback is logged');
  await screenshot(page, sphere, 'notebook7-quickstart-cell.png');
  assert.deepEqual(foreign, [], 'no request may leave the Jupyter server');
  await page.close();
});
