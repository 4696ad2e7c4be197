// Many exports in one page, in headless Chromium: two in a row and two at once
// make valid files, and after 20 exports the JS heap, the workers and the live
// WebGL contexts are back near where they were after a warm-up. The negative
// control runs the same 20 in a page that keeps something of each export and
// never frees WebGL contexts (resources.mjs), and must break the same bounds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportInPage } from '../../examples/headless.mjs';
import { startBrowser } from './browser.mjs';
import { probe, writeTemp } from './media.mjs';
import { heapAfterGC, leaksSince, openCountedPage, resources } from './resources.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => browser?.close());

const SMALL = { width: 640, height: 360 };
const VIA = {
  webcodecs: { ...SMALL, codecs: ['webcodecs-h264'] },
  ffmpeg: { ...SMALL, codecs: ['ffmpeg-h264'] },
  webgl: { ...SMALL, renderer: 'webgl', codecs: ['webcodecs-h264'] },
};

function assertValid(run, codec = 'h264') {
  assert.equal(run.error, undefined, `export failed: ${JSON.stringify(run.error)}`);
  const info = probe(writeTemp(run.bytes, `out.${run.meta.extension}`));
  assert.equal(info.codec, codec);
  assert.equal(info.frames, 6);
}

describe('exports one after another and at the same time', () => {
  let page;
  before(async () => {
    ({ page } = await openCountedPage(browser));
  });

  test('two in a row through ffmpeg.wasm: both files valid, one instance serving both', async () => {
    const first = await exportInPage(page, 'sphere', VIA.ffmpeg);
    const loads = await page.evaluate(() => window.cloudreelExample.cloudreel.ffmpegHost.stats.loads);
    const second = await exportInPage(page, 'sphere', VIA.ffmpeg);
    assertValid(first);
    assertValid(second);
    assert.equal(await page.evaluate(() => window.cloudreelExample.cloudreel.ffmpegHost.stats.loads), loads);
  });

  test('two at once through ffmpeg.wasm: both files valid (its jobs take turns)', async () => {
    const runs = await Promise.all([exportInPage(page, 'sphere', VIA.ffmpeg), exportInPage(page, 'helix', { ...VIA.ffmpeg, fps: 10 })]);
    assertValid(runs[0]);
    assert.equal(runs[1].error, undefined);
    assert.equal(probe(writeTemp(runs[1].bytes, 'helix.mp4')).frames, 36);
  });

  test('two at once, WebCodecs and ffmpeg.wasm: both files valid', async () => {
    const runs = await Promise.all([exportInPage(page, 'sphere', VIA.webcodecs), exportInPage(page, 'sphere', VIA.ffmpeg)]);
    runs.forEach((run) => assertValid(run));
    assert.deepEqual(runs.map((r) => r.meta.codec), ['webcodecs-h264', 'ffmpeg-h264']);
  });
});

describe('20 exports in one page', () => {
  /** 14 through WebCodecs drawn on the CPU, 3 drawn with WebGL, 3 through ffmpeg.wasm. */
  const PLAN = Array.from({ length: 20 }, (_, i) => (i % 7 === 3 ? VIA.webgl : i % 7 === 6 ? VIA.ffmpeg : VIA.webcodecs));
  /** The bound: generous against the heap's noise, well under what the negative control keeps. */
  const HEAP_BOUND = 4 * 1024 * 1024;

  /** Runs the plan in the page; with `keep`, a page script keeps each result and its input frames. */
  function exportMany(page, keep) {
    return page.evaluate(
      async ({ plan, keep }) => {
        const example = window.cloudreelExample;
        const kept = (window.keptByTheNegativeControl = []);
        const made = [];
        for (const options of plan) {
          const frames = example.shapes.sphere();
          const { result } = await example.exportFrames(frames, options);
          made.push({ codec: result.codec, frames: result.frames, bytes: result.bytes });
          if (keep) kept.push({ frames, result, bytes: await result.blob.arrayBuffer() });
        }
        return made;
      },
      { plan: PLAN, keep },
    );
  }

  /** Heap, workers and WebGL contexts after a warm-up, then after the 20 exports. */
  async function measure({ leaky }, t) {
    const keep = leaky;
    const { page, cdp } = await openCountedPage(browser, { leaky });
    try {
      for (const options of Object.values(VIA)) assertValid(await exportInPage(page, 'sphere', options));
      const baseline = { ...(await resources(page)), heap: await heapAfterGC(cdp) };
      const made = await exportMany(page, keep);
      const now = { ...(await resources(page)), heap: await heapAfterGC(cdp) };
      const mb = (b) => (b / 1024 / 1024).toFixed(2);
      t.diagnostic(`${leaky ? 'negative control' : 'cloudreel'}: heap ${mb(baseline.heap)} MB -> ${mb(now.heap)} MB (${mb(now.heap - baseline.heap)} MB); ` +
        `counts ${JSON.stringify({ ...baseline, heap: undefined })} -> ${JSON.stringify({ ...now, heap: undefined })}`);
      return { made, baseline, now };
    } finally {
      await page.close();
    }
  }

  /** The workers and live WebGL contexts above the baseline, with the heap's growth. */
  const verdict = ({ baseline, now }) => ({
    leaks: leaksSince({ workers: baseline.workers, webglContexts: baseline.webglContexts }, { workers: now.workers, webglContexts: now.webglContexts }),
    heapGrowth: now.heap - baseline.heap,
  });

  test('the heap, the workers and the WebGL contexts come back to the warm-up baseline', async (t) => {
    const measured = await measure({ leaky: false }, t);
    const { made } = measured;
    assert.equal(made.length, 20);
    assert.deepEqual(made.map((m) => m.codec), PLAN.map((o) => o.codecs[0]));
    assert.ok(made.every((m) => m.frames === 6 && m.bytes > 1000), JSON.stringify(made));
    const { leaks, heapGrowth } = verdict(measured);
    assert.deepEqual(leaks, []);
    assert.ok(heapGrowth < HEAP_BOUND, `the heap grew by ${heapGrowth} bytes`);
  });

  test('negative control: a page that keeps each result and its frames, and never frees a WebGL context, fails both checks', async (t) => {
    const { leaks, heapGrowth } = verdict(await measure({ leaky: true }, t));
    assert.ok(heapGrowth >= HEAP_BOUND, `the heap grew by only ${heapGrowth} bytes`);
    // Three of the 20 exports draw with WebGL: each leaves its context live.
    assert.equal(leaks.length, 1, JSON.stringify(leaks));
    assert.match(leaks[0], /^webglContexts: /);
  });
});
