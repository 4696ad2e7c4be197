// Cancel while rendering, while WebCodecs encodes and while ffmpeg.wasm encodes,
// in headless Chromium and Firefox ESR: the export stops promptly, the next one works, and the
// page holds no more workers, object URLs, WebGL contexts, video encoders,
// video decoders and decoded frames (verification decodes every file),
// 'abort' listeners or ffmpeg.wasm files than before. The negative control
// runs the same check on a page where freeing those things is made a no-op.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportInPage } from '../../examples/headless.mjs';
import { startBrowser } from './browser.mjs';
import { probe, writeTemp } from './media.mjs';
import { leaksSince, openCountedPage, resources } from './resources.mjs';

const SMALL = { width: 640, height: 360 };

// Firefox ESR has no WebGL headless here: there the exports draw with the CPU
// rasteriser ('auto'), and the tests that need WebGL run in Chromium only.
for (const browserName of ['chromium', 'firefox']) describe(browserName, () => {
  const webgl = browserName === 'chromium';
  let browser;
  before(async () => {
    browser = await startBrowser(browserName);
  });
  after(async () => browser?.close());

  /** The exports after a cancel: one through ffmpeg.wasm (drawn with WebGL where there is WebGL), one through WebCodecs. */
  const NEXT_EXPORTS = [
    { ...SMALL, renderer: webgl ? 'webgl' : 'auto', codecs: ['ffmpeg-h264'] },
    { ...SMALL, codecs: ['webcodecs-h264'] },
  ];

  function assertValid(run, frames = 6) {
    assert.equal(run.error, undefined, `export failed: ${JSON.stringify(run.error)}`);
    const info = probe(writeTemp(run.bytes, `out.${run.meta.extension}`));
    assert.equal(info.codec, 'h264');
    assert.equal(info.frames, frames);
  }

  /** A page with counters, warmed up by the exports a cancel is followed by, and its baseline. */
  async function warmPage({ leaky = false } = {}) {
    const { page } = await openCountedPage(browser, { leaky });
    for (const options of NEXT_EXPORTS) assertValid(await exportInPage(page, 'sphere', options));
    return { page, baseline: await resources(page, { ffmpegFiles: true }) };
  }

  /** Starts an export and clicks Cancel once the status matches `statusPattern`. */
  async function cancelWhen(page, statusPattern, shape, options) {
    const pending = exportInPage(page, shape, options);
    const seen = page.waitForFunction((re) => new RegExp(re).test(document.getElementById('status').textContent), statusPattern.source, {
      timeout: 120_000,
      polling: 20,
    });
    // An export that ends before the status appears fails the test with its own result.
    const first = await Promise.race([seen.then(() => null), pending]);
    if (first) assert.fail(`the export ended before "${statusPattern.source}": ${JSON.stringify(first.error ?? first.statuses?.at(-1))}`);
    const statusAtCancel = await page.textContent('#status');
    // force: skip Playwright's animation-frame checks; the click itself is real input.
    await page.click('#cancel', { force: true });
    return { ...(await pending), statusAtCancel };
  }

  /**
   * The leak check: what the page holds right after the cancel, and after the
   * next exports (which must work) with ffmpeg.wasm's file system listed too.
   */
  async function leaksAfterCancel(page, baseline, statusPattern, shape, options) {
    const run = await cancelWhen(page, statusPattern, shape, options);
    assert.equal(run.error?.name, 'AbortError', `expected a cancel, got ${JSON.stringify(run.error ?? run.meta)}`);
    assert.equal(run.statuses.at(-1).message, 'Export cancelled');
    const rightAfter = leaksSince(baseline, await resources(page));
    for (const options of NEXT_EXPORTS) assertValid(await exportInPage(page, 'sphere', options));
    const now = await resources(page, { ffmpegFiles: true });
    return { run, rightAfter, afterNext: leaksSince(baseline, now), now };
  }

  describe('cancelling', () => {
    let page;
    let baseline;
    before(async () => {
      ({ page, baseline } = await warmPage());
    });

    if (webgl) test('while rendering with WebGL into ffmpeg.wasm: stops promptly, and leaves nothing behind', async (t) => {
      const t0 = Date.now();
      // The WebGL rasteriser under SwiftShader is slow enough to cancel mid-way.
      const { run, rightAfter, afterNext, now } = await leaksAfterCancel(page, baseline, /Rendering frame (1\d|2\d)\/48/, 'torus', {
        renderer: 'webgl',
        codecs: ['ffmpeg-h264'],
      });
      t.diagnostic(`baseline ${JSON.stringify(baseline)}, after the next exports ${JSON.stringify(now)}`);
      const frameOf = (m) => Number(/Rendering frame (\d+)\//.exec(m)?.[1] ?? 0);
      const last = Math.max(...run.statuses.map((s) => frameOf(s.message)));
      // The click travels through CDP while SwiftShader keeps both cores busy: allow a
      // few frames for it to arrive, but not the rest of the 48.
      assert.ok(last <= Math.min(frameOf(run.statusAtCancel) + 10, 40), `rendering went on to frame ${last} after a cancel at "${run.statusAtCancel}"`);
      assert.ok(!run.statuses.some((s) => s.message === 'Encoding video...'), 'no encoding after a cancel while rendering');
      assert.ok(Date.now() - t0 < 120_000);
      assert.deepEqual(rightAfter, [], 'right after the cancel');
      assert.deepEqual(afterNext, [], 'after the next exports');
    });

    // Chromium only: Firefox's CPU rasteriser draws all 36 frames (0.6 s) before a click
    // sent over BiDi lands, so the cancel cannot be placed mid-export there (see README).
    if (webgl) test('while WebCodecs encodes: the video encoder is closed, and nothing is left behind', async () => {
      // The 48-frame torus: the helix's 36 small frames can be encoded before a click lands on a busy machine.
      const { rightAfter, afterNext } = await leaksAfterCancel(page, baseline, /Rendering frame (1\d|2\d)\/48/, 'torus', { ...SMALL, codecs: ['webcodecs-h264'] });
      assert.deepEqual(rightAfter, [], 'right after the cancel');
      assert.deepEqual(afterNext, [], 'after the next exports');
    });

    // What is cancelled mid-ffmpeg: Firefox encodes the small helix in about 0.35 s, less
    // than a click over BiDi takes to land, so there it is the full-size torus.
    const [ffmpegShape, ffmpegOptions] = webgl ? ['helix', { ...SMALL, codecs: ['ffmpeg-h264'] }] : ['torus', { codecs: ['ffmpeg-h264'] }];

    test('while ffmpeg.wasm encodes: its worker is terminated, a fresh one serves the next export, nothing is left behind', async () => {
      const loads = () => page.evaluate(() => window.cloudreelExample.cloudreel.ffmpegHost.stats.loads);
      const loadsBefore = await loads();
      const { rightAfter, afterNext } = await leaksAfterCancel(page, baseline, /^Encoding video/, ffmpegShape, ffmpegOptions);
      assert.deepEqual(rightAfter, [], 'right after the cancel');
      assert.deepEqual(afterNext, [], 'after the next exports');
      assert.ok((await loads()) > loadsBefore, 'a fresh ffmpeg.wasm load after the cancel');
    });

    test('negative control: the same check on a page that never frees anything reports every kind of leak', async (t) => {
      const leaky = await warmPage({ leaky: true });
      try {
        const { afterNext, now } = await leaksAfterCancel(leaky.page, leaky.baseline, /^Encoding video/, ffmpegShape, ffmpegOptions);
        t.diagnostic(`leaky page: baseline ${JSON.stringify(leaky.baseline)}, after ${JSON.stringify(now)}`);
        const kinds = afterNext.map((line) => line.split(':')[0]);
        for (const kind of ['workers', 'objectURLs', ...(webgl ? ['webglContexts'] : []), 'videoEncoders', 'videoDecoders', 'decodedFrames', 'abortListeners', 'ffmpegFiles']) {
          assert.ok(kinds.includes(kind), `the checker missed the ${kind} leak: ${JSON.stringify(afterNext)}`);
        }
      } finally {
        await leaky.page.close();
      }
    });
  });
});
