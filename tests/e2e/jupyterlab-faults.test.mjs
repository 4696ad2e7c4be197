// Widget-level faults and cancellation in a real JupyterLab 4: two widgets
// exporting at once, one widget shown in two cells, the cell output cleared
// mid-export, anim.cancel() and the Cancel button, and the kernel restarting
// while frames are in flight or an export runs. Each ends in a clear status
// read from the cell, and every file is judged by ffprobe.
// The tests share one page and run in order: each picks up where the last left off.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from '../../examples/headless.mjs';
import { runInKernel, startJupyter } from './jupyter.mjs';
import { probe, writeTemp } from './media.mjs';

const LONG = { timeout: 600_000 };
const SMALL = 'fps=6, width=640, height=360';
// Many small frames: an export long enough to act on while it renders.
const SLOW_FRAMES = 240;
const SLOW = 'fps=30, width=640, height=360';

const HELPERS = `import numpy as np

def make(frames, points, seed=0):
    """A coloured sphere of random points turning about z."""
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((points, 3)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    out = []
    for f in range(frames):
        a = 2 * np.pi * f / frames
        c, s = np.cos(a), np.sin(a)
        turn = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], dtype=np.float32)
        out.append({"points": base @ turn.T, "colors": (base + 1) / 2})
    return out
`;

const CELLS = [
  'import cloudreel\nfrom faults_helpers import make',
  `a = cloudreel.Animation(make(12, 20000), ${SMALL}, file_stem="a")\na`,
  `b = cloudreel.Animation(make(12, 20000, seed=1), ${SMALL}, file_stem="b")\nb`,
  'a  # the same widget, shown again',
  `slow = cloudreel.Animation(make(${SLOW_FRAMES}, 4000, seed=2), ${SLOW}, file_stem="slow")\nslow`,
];

function notebook(cells) {
  return {
    cells: cells.map((source, i) => ({ cell_type: 'code', execution_count: null, id: `cell-${i}`, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

let server;
let browser;
let page;
const panels = () => page.locator('cloudreel-export-panel');
const statusOf = (panel) => panel.locator('[role="status"]').first();
const exportButton = (panel) => panel.getByRole('button', { name: 'Export video' });
const TERMINAL = /Video ready!|Export failed|Export cancelled|Receiving frames failed/;

before(async () => {
  server = await startJupyter();
  fs.writeFileSync(path.join(server.rootDir, 'faults_helpers.py'), HELPERS);
  fs.writeFileSync(path.join(server.rootDir, 'faults.ipynb'), JSON.stringify(notebook(CELLS)));
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 3200 });
  await page.goto(server.url('lab/tree/faults.ipynb'));
  await page.waitForFunction(() => window.jupyterapp?.shell?.currentWidget?.sessionContext, null, { timeout: 120_000 });
  await page.evaluate(() => window.jupyterapp.shell.currentWidget.sessionContext.ready);
  await page.evaluate(() => window.jupyterapp.commands.execute('notebook:run-all-cells'));
  await panels().nth(3).waitFor({ timeout: 180_000 });
  for (let i = 0; i < 4; i++) await exportEnabled(panels().nth(i));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function exportEnabled(panel) {
  const button = exportButton(panel);
  await button.waitFor({ state: 'visible', timeout: 120_000 });
  await page.waitForFunction((el) => !el.disabled, await button.elementHandle(), { timeout: 180_000 });
}

/** Runs code in the notebook's kernel (no cell); returns what it printed. */
const py = (code) => runInKernel(page, code);

/** anim.save_status once the save has ended (the file is written after the cell). */
async function finalSaveStatus(anim) {
  for (let i = 0; i < 480; i++) {
    const status = (await py(`print(${anim}.save_status)`)).trim();
    if (/^(Saved|Export failed)/.test(status)) return status;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`${anim}.save_status never said how the save ended`);
}

/** Waits for the status line to show `pattern` (every export shows "Rendering frame" for a while). */
async function waitForStatus(panel, pattern) {
  await statusOf(panel).filter({ hasText: pattern }).waitFor({ timeout: 180_000 });
}

/** Waits until the panel runs no export (one running now has ended); returns the status line. */
async function finalStatus(panel) {
  await page.waitForFunction((el) => !el.exporting, await panel.elementHandle(), { timeout: 300_000, polling: 100 });
  await panel.evaluate(async (el) => {
    await el.updateComplete;
    await el.shadowRoot.querySelector('cloudreel-progress-bar')?.updateComplete;
  });
  return (await statusOf(panel).textContent()).trim();
}

/**
 * Clicks Export in the given panels in one task, so their exports run at once;
 * says which of the `watched` panels show an export running right after.
 */
function clickExportTogether(indices, watched = indices) {
  return page.evaluate(
    ([indices, watched]) => {
      const all = [...document.querySelectorAll('cloudreel-export-panel')];
      for (const i of indices) all[i].shadowRoot.querySelector('button.export').click();
      return watched.map((i) => all[i].exporting);
    },
    [indices, watched],
  );
}

/** Clicks Export in one panel; true if its export started. */
function clickExport(panel) {
  return panel.evaluate((el) => {
    el.shadowRoot.querySelector('button.export').click();
    return el.exporting;
  });
}

async function download(panel) {
  const [file] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: /Download/ }).click()]);
  const saved = writeTemp(fs.readFileSync(await file.path()), file.suggestedFilename());
  return { info: probe(saved), name: file.suggestedFilename(), bytes: fs.readFileSync(saved) };
}

function assertVideo(info, frames) {
  assert.equal(info.codec, 'h264');
  assert.equal(info.frames, frames);
}

/** Appends a code cell to the notebook and runs it; returns the panel it shows for `fileStem`. */
async function runNewCell(source, fileStem) {
  await page.evaluate(async (source) => {
    const panel = window.jupyterapp.shell.currentWidget;
    const nb = panel.content;
    const index = nb.model.cells.length;
    nb.model.sharedModel.insertCell(index, { cell_type: 'code', source });
    nb.activeCellIndex = index;
    await window.jupyterapp.commands.execute('notebook:run-cell');
  }, source);
  const panel = page.locator('.jp-CodeCell', { hasText: `file_stem="${fileStem}"` }).locator('cloudreel-export-panel');
  await panel.waitFor({ timeout: 120_000 });
  return panel;
}

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

function restartKernel() {
  return page.evaluate(() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart());
}

test('two widgets export at once: both files are valid; then one exports again, also valid', LONG, async () => {
  const [a, b] = [panels().nth(0), panels().nth(1)];
  assert.deepEqual(await clickExportTogether([0, 1]), [true, true], 'both exports run at the same time');
  assert.match(await finalStatus(a), /^Video ready!/);
  assert.match(await finalStatus(b), /^Video ready!/);
  const [fa, fb] = [await download(a), await download(b)];
  assert.equal(fa.name, 'a.mp4');
  assert.equal(fb.name, 'b.mp4');
  assertVideo(fa.info, 12);
  assertVideo(fb.info, 12);
  assert.ok(!fa.bytes.equals(fb.bytes), 'each widget encoded its own frames');

  assert.equal(await clickExport(a), true);
  assert.match(await finalStatus(a), /^Video ready!/);
  assertVideo((await download(a)).info, 12);
});

test('a widget shown in two cells: both views follow one export, and the second view exports too', LONG, async () => {
  const [first, second] = [panels().nth(0), panels().nth(2)];
  // The second view already shows the export the first one ran.
  assert.match(await finalStatus(second), /^Video ready!/);
  assert.deepEqual(await clickExportTogether([2], [2, 0]), [true, true], 'the first view shows the export the second one started');
  assert.match(await finalStatus(second), /^Video ready!/);
  assert.match(await finalStatus(first), /^Video ready!/);
  const fromSecond = await download(second);
  assertVideo(fromSecond.info, 12);
  assert.ok((await download(first)).bytes.equals(fromSecond.bytes), 'both views offer the same file');
});

test('anim.cancel() from Python mid-export: "Export cancelled", then anim.save() writes a valid file', LONG, async () => {
  const slow = panels().nth(3);
  assert.equal((await py('slow.export()')).trim(), '');
  await waitForStatus(slow, /Rendering frame/);
  await py('slow.cancel()');
  assert.equal(await finalStatus(slow), 'Export cancelled');
  assert.equal(await slow.getByRole('button', { name: /Download/ }).count(), 0, 'nothing of the cancelled export is offered');
  // export() asks for no file: the kernel stops tracking it once the page answers, and the
  // page's status reaches the kernel through export_status.
  assert.equal((await py('print(slow.export_status)')).trim(), 'Export cancelled');
  assert.equal((await py('print(len(slow._pending))')).trim(), '0', 'the kernel waits for nothing more');

  await py('slow.save("after-cancel.mp4")');
  assert.match(await finalSaveStatus('slow'), /^Saved \/\S+\/after-cancel\.mp4 /);
  assertVideo(probe(path.join(server.rootDir, 'after-cancel.mp4')), SLOW_FRAMES);
  assert.match(await finalStatus(slow), /^Video ready!/);
});

test('the Cancel button mid-export: "Export cancelled", then Export gives a valid download', LONG, async () => {
  const slow = panels().nth(3);
  await exportButton(slow).click();
  await waitForStatus(slow, /Rendering frame/);
  // force: skip Playwright's animation-frame checks; the click itself is real input.
  await slow.getByRole('button', { name: 'Cancel' }).click({ force: true });
  assert.equal(await finalStatus(slow), 'Export cancelled');
  assert.equal(await slow.getByRole('button', { name: /Download/ }).count(), 0, 'the earlier video is gone with the cancelled export');

  await exportEnabled(slow);
  assert.equal(await clickExport(slow), true);
  assert.match(await finalStatus(slow), /^Video ready!/);
  assertVideo((await download(slow)).info, SLOW_FRAMES);
});

test('the cell output cleared mid-export: the export is not lost, anim.save() then writes a valid file', LONG, async () => {
  const slow = panels().nth(3);
  await exportButton(slow).click();
  await waitForStatus(slow, /Rendering frame/);
  await page.evaluate(async () => {
    const nb = window.jupyterapp.shell.currentWidget.content;
    nb.activeCellIndex = 4;
    await window.jupyterapp.commands.execute('notebook:clear-cell-output');
  });
  await page.waitForFunction(() => document.querySelectorAll('cloudreel-export-panel').length === 3, null, { timeout: 30_000 });

  await py('slow.save("cleared.mp4")');
  assert.match(await finalSaveStatus('slow'), /^Saved \/\S+\/cleared\.mp4 /);
  assertVideo(probe(path.join(server.rootDir, 'cleared.mp4')), SLOW_FRAMES);
});

test('the kernel restarts while frames are in flight: the cell says so, never "Receiving frames" forever', LONG, async () => {
  // Hold the frames request, so the transfer is in flight when the kernel restarts.
  const held = [];
  let requested;
  const asked = new Promise((resolve) => (requested = resolve));
  await page.route('**/cloudreel/frames/**', (route) => {
    held.push(route);
    requested();
  });
  const late = await runNewCell(`late = cloudreel.Animation(make(12, 20000, seed=3), ${SMALL}, file_stem="late")\nlate`, 'late');
  await asked;
  await statusOf(late).filter({ hasText: /^Receiving frames 0\/12$/ }).waitFor({ timeout: 60_000 });

  await restartKernel();
  for (const route of held) await route.continue().catch(() => {}); // the page may have dropped it
  await page.unroute('**/cloudreel/frames/**');
  // Either ipywidgets removed the view, or the cell says what happened and what to do.
  const gone = late.waitFor({ state: 'detached', timeout: 120_000 }).then(() => 'removed', () => 'timeout');
  const said = statusOf(late).filter({ hasText: TERMINAL }).waitFor({ timeout: 120_000 }).then(() => statusOf(late).textContent(), () => 'timeout');
  const text = await Promise.race([gone, said]);
  assert.notEqual(text, 'timeout', 'the cell still shows "Receiving frames" two minutes after the restart');
  console.log(`# after the restart the cell ${text === 'removed' ? 'lost its view' : `says: ${text}`}`);
  if (text !== 'removed') assert.match(text, /^Receiving frames failed: the kernel restarted .*Run the cell again/);
  // No cell is left showing frames progress.
  assert.equal(await page.locator('cloudreel-export-panel [role="status"]', { hasText: /^Receiving frames \d/ }).count(), 0);
  // The restarted kernel removed the spool file no page fetched when it exited.
  for (let i = 0; i < 120 && spoolFiles().length; i++) await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(spoolFiles(), [], 'no frames are left in the spool folder');
});

test('the kernel restarts while an export runs: the export ends clearly in the page', LONG, async () => {
  const IMPORTS = 'import cloudreel\nfrom faults_helpers import make\n';
  const r = await runNewCell(`${IMPORTS}r = cloudreel.Animation(make(${SLOW_FRAMES}, 4000, seed=4), ${SLOW}, file_stem="r")\nr`, 'r');
  await exportEnabled(r);
  await exportButton(r).click();
  await waitForStatus(r, /Rendering frame/);
  await restartKernel();
  const text = await finalStatus(r);
  console.log(`# an export running at the restart ended with: ${text}`);
  if (/^Video ready!/.test(text)) {
    // The page finished on its own: its Download button still delivers the video.
    assertVideo((await download(r)).info, SLOW_FRAMES);
  } else {
    assert.match(text, /^Export failed: .+|^Export cancelled$/);
  }
  // The restarted kernel serves new widgets as before.
  const again = await runNewCell(`${IMPORTS}again = cloudreel.Animation(make(12, 20000, seed=5), ${SMALL}, file_stem="again")\nagain`, 'again');
  await exportEnabled(again);
  assert.equal(await clickExport(again), true);
  assert.match(await finalStatus(again), /^Video ready!/);
  assertVideo((await download(again)).info, 12);
});
