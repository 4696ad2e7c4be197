// The rejected rows of tests/cases/bad-inputs.json through the real module in
// headless Chromium and Firefox ESR: each export must end in `Export failed:
// <message naming the frame>` before anything renders. One accepted row (empty
// frames among others, at the lowest fps) must export, with ffprobe counting every frame.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportInPage } from '../../examples/headless.mjs';
import { ROOT, startBrowser } from './browser.mjs';
import { probe, writeTemp } from './media.mjs';

const table = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/cases/bad-inputs.json'), 'utf8'));
const cases = createRequire(import.meta.url)('../cases/build-inputs.cjs');
const casesSource = fs.readFileSync(path.join(ROOT, 'tests/cases/build-inputs.cjs'), 'utf8');
const SMALL = { width: 640, height: 360 };

for (const name of ['chromium', 'firefox']) describe(name, () => {
  let browser;
  let page;
  before(async () => {
    browser = await startBrowser(name);
    page = await browser.openPage();
    // build-inputs.cjs, run as a classic script: window.cloudreelCases.
    await page.evaluate(casesSource);
  });
  after(async () => browser?.close());

  /**
   * Builds a row's frames in the page (WebDriver BiDi, unlike Playwright, cannot
   * carry typed arrays into it) and exports them there, as a named shape.
   */
  async function exportRecipe(frames, options) {
    await page.evaluate((recipe) => {
      window.cloudreelExample.shapes.recipe = () => window.cloudreelCases.buildFrames(recipe);
    }, frames);
    return exportInPage(page, 'recipe', options);
  }

  /** The export's last status must be the failure, shown in the page, and nothing may have rendered. */
  async function expectFailure(run, fragment) {
    assert.ok(run.error, 'the export should have failed');
    const last = run.statuses.at(-1);
    assert.equal(last.phase, 'error');
    assert.equal(last.message, `Export failed: ${run.error.message}`);
    assert.ok(run.error.message.includes(fragment), `"${run.error.message}" lacks "${fragment}"`);
    assert.deepEqual(run.statuses.filter((s) => s.phase === 'render'), []);
    assert.equal(await page.textContent('#status'), last.message);
  }

  describe('rejected frames, in the browser', () => {
    const rows = table.frames.filter((row) => cases.expectation(row, 'js').reject);
    for (const row of rows) {
      test(row.id, async () => {
        const { reject } = cases.expectation(row, 'js');
        const run = await exportRecipe(row.frames, SMALL);
        await expectFailure(run, reject.message);
        assert.equal(run.error.name, 'FrameError');
        if (reject.frame !== null) assert.ok(run.error.message.startsWith(`frames[${reject.frame}]: `), run.error.message);
      });
    }
  });

  describe('rejected options, in the browser', () => {
    for (const row of table.options.filter((r) => cases.expectation(r, 'js').reject)) {
      test(row.id, async () => {
        const run = await exportRecipe([{ n: 3 }], { ...SMALL, ...cases.buildOptions(row.options) });
        await expectFailure(run, cases.expectation(row, 'js').reject);
        assert.equal(run.error.name, 'RangeError');
      });
    }
  });

  test('empty frames among others export at the lowest fps, every frame in the video', async () => {
    const row = table.frames.find((r) => r.id === 'empty-frames-among-others');
    const lowest = table.options.find((r) => r.id === 'fps-lowest').options.fps;
    const run = await exportRecipe(row.frames, { ...SMALL, fps: lowest });
    assert.equal(run.error, undefined, `export failed: ${JSON.stringify(run.error)}`);
    const info = probe(writeTemp(run.bytes, `empty.${run.meta.extension}`));
    assert.equal(info.frames, row.accept.counts.length);
    assert.ok(Math.abs(info.duration - row.accept.counts.length / lowest) < 1, `duration ${info.duration} s`);
    assert.match(run.statuses.at(-1).message, /^Video ready!/);
  });
});
