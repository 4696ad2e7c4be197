// The video does not depend on the route (issue 14): in JupyterLab the user changes the point size,
// background and quality in the panel and orbits the camera with the mouse; the kernel reads them
// back as traits; the page's video (anim.save) and a headless one made in the kernel from those
// traits (anim.save(via="headless")) decode to the same pixels. Both draw with the CPU rasteriser: the same
// Debian chromium with SwiftShader's software WebGL, for which the export's 'auto' picks it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from '../../examples/headless.mjs';
import { KERNEL_WITH_BROWSER, runInKernel, startJupyter } from './jupyter.mjs';
import { decodeFrames, probe } from './media.mjs';

const WIDTH = 320;
const HEIGHT = 180;
// 3 frames x 2k points far from 0 (as UTM), so the camera goes through world <-> re-centred coordinates.
const CELLS = [
  `import json, numpy as np, cloudreel
rng = np.random.default_rng(3)
base = rng.normal(size=(2000, 3)) * [2.0, 1.0, 0.5]
frames = [base * (1 + 0.2 * i) + [500000.0, 5400000.0, 300.0] for i in range(3)]
anim = cloudreel.Animation(frames, width=${WIDTH}, height=${HEIGHT}, file_stem="look")
anim`,
];
const TRAITS = ['point_size', 'background', 'quality', 'colormap', 'point_shape', 'view'];

let server;
let browser;
let page;

before(async () => {
  server = await startJupyter();
  fs.writeFileSync(path.join(server.rootDir, 'look.ipynb'), JSON.stringify({
    cells: CELLS.map((source, i) => ({ cell_type: 'code', execution_count: null, id: `cell-${i}`, metadata: {}, outputs: [], source })),
    // The kernel finds Debian's chromium for the headless export (no playwright install here).
    metadata: { kernelspec: { display_name: 'Python 3 (with a browser)', language: 'python', name: KERNEL_WITH_BROWSER } },
    nbformat: 4,
    nbformat_minor: 5,
  }));
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 1200 });
  await page.goto(server.url('lab/tree/look.ipynb'));
  await page.waitForFunction(() => window.jupyterapp?.shell?.currentWidget?.sessionContext, null, { timeout: 120_000 });
  await page.evaluate(() => window.jupyterapp.shell.currentWidget.sessionContext.ready);
  await page.evaluate(() => window.jupyterapp.commands.execute('notebook:run-all-cells'));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Runs code in the notebook's kernel as a later cell would; returns what it printed (and any error). */
const py = (code) => runInKernel(page, code);

/** Polls `expression` in the kernel (printed as JSON) until `done(value)`. */
async function kernelValue(expression, done, what) {
  for (let i = 0; i < 240; i++) {
    const text = (await py(`print(json.dumps(${expression}))`)).trim();
    let value;
    try {
      value = JSON.parse(text);
    } catch {
      assert.fail(`the kernel printed ${text} for ${expression}`);
    }
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`the kernel never had ${what}`);
}

test('the look set in the panel and the camera orbited with the mouse become traits; the page\'s video equals the headless one made from them', async () => {
  const panel = page.locator('cloudreel-export-panel').first();
  const exportButton = panel.getByRole('button', { name: 'Export video' });
  await exportButton.waitFor({ state: 'visible', timeout: 120_000 });
  await page.waitForFunction((el) => !el.disabled, await exportButton.elementHandle(), { timeout: 120_000 });
  // The page's WebGL is software (SwiftShader), as in the headless engine's browser: the export's 'auto' draws on the CPU in both.
  const gpu = await page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    return gl.getParameter(gl.getExtension('WEBGL_debug_renderer_info').UNMASKED_RENDERER_WEBGL);
  });
  assert.match(gpu, /swiftshader/i);

  // The user's choices in the panel.
  const size = panel.locator('input.point-size');
  await size.fill('3');
  await size.blur();
  await panel.locator('input.background').fill('#203040');
  await panel.locator('select.quality').selectOption('high');
  // An orbit: drag across the player's canvas.
  const box = await panel.locator('cloudreel-player canvas').boundingBox();
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 60, y + 15, { steps: 6 });
  await page.mouse.up();

  // The kernel has them as traits (the camera once the move has rested).
  await kernelValue('anim.view', (v) => v !== null, 'the orbited camera in anim.view');
  const traits = await kernelValue(`{k: getattr(anim, k) for k in ${JSON.stringify(TRAITS)}}`, () => true, 'its traits');
  assert.deepEqual({ ...traits, view: undefined }, { point_size: 3, background: '#203040', quality: 'high', colormap: 'viridis', point_shape: 'square', view: undefined });
  assert.deepEqual(Object.keys(traits.view).sort(), ['fov_deg', 'position', 'target', 'up']);
  // World coordinates: around the points' UTM position, not the page's re-centred ones.
  assert.ok(Math.abs(traits.view.target[0] - 500000) < 50 && Math.abs(traits.view.target[1] - 5400000) < 50, `target ${traits.view.target}`);

  // The page's video: a later cell, and this page has spoken to the kernel, so via="auto" is the page route.
  assert.equal(await panel.locator('[role="status"]').count(), 0, 'no export ran in the page before the save');
  assert.equal(await py('anim.save("page.mp4")'), '');
  await panel.locator('[role="status"]').filter({ hasText: /Video ready!/ }).waitFor({ timeout: 60_000 }); // the page made it
  const saved = await kernelValue('anim.save_status', (s) => /^(Saved|Export failed)/.test(s), 'a save_status saying how the save ended');
  assert.match(saved, /^Saved .*page\.mp4/);
  assert.doesNotMatch(saved, /headless/);

  // The same Animation by the other route: a headless browser in the kernel, from the same traits.
  assert.match(await py('print(anim.save("headless.mp4", via="headless").codec)\nprint(anim.save_status)'), /^webcodecs-h264\nSaved .*headless\.mp4.*headless browser\)$/m); // after the progress lines
  // A control: the same traits with the fitted camera (view=None).
  assert.match(await py('anim.view = None\nprint(anim.save("fitted.mp4", via="headless").codec)'), /^webcodecs-h264$/m);

  const file = (name) => path.join(server.rootDir, name);
  for (const name of ['page.mp4', 'headless.mp4']) {
    const info = probe(file(name));
    assert.deepEqual([info.codec, info.frames, info.width, info.height], ['h264', 3, WIDTH, HEIGHT], name);
  }
  const [ours, theirs, fitted] = ['page.mp4', 'headless.mp4', 'fitted.mp4'].map((name) => decodeFrames(file(name), WIDTH, HEIGHT));
  // Same renderer, same encoder, same input: the decoded frames are the same bytes.
  ours.forEach((frame, i) => assert.ok(frame.equals(theirs[i]), `frame ${i + 1}: the page's and the headless video differ`));
  // The background the user chose fills the corner (below the title), in both (within what YUV 4:2:0 and its rounding move a colour).
  const corner = (frame) => Array.from(frame.subarray((HEIGHT - 2) * WIDTH * 3, (HEIGHT - 2) * WIDTH * 3 + 3));
  for (const c of [corner(ours[0]), corner(theirs[0])]) c.forEach((v, k) => assert.ok(Math.abs(v - [0x20, 0x30, 0x40][k]) <= 8, `corner ${c}`));
  // The comparison can fail: the same traits with the fitted camera give other pictures.
  assert.ok(ours.some((frame, i) => !frame.equals(fitted[i])), 'the orbited camera changes the picture');
});
