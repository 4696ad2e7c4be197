// Measures what the bounds of verification by decoding (PSNR_BOUNDS in
// src/core/encode/decode-check.ts) are taken from: the block PSNR of each
// encoder's decoded first and last frames against the rendered ones, at each
// quality, on the example shapes (sphere, helix, torus) and on dense random
// clouds, plus the same exports with red and blue swapped (what the bounds must
// reject), at 640x360 unless a case says otherwise. Run: node bench/psnr-bounds.mjs [chromium|firefox] (after npm run build).
// The bounds are switched off in the page for the run, so every value is seen.
import { exportInPage } from '../examples/headless.mjs';
import { startBrowser } from '../tests/e2e/browser.mjs';

const browserName = process.argv[2] ?? 'chromium';
const SIZE = { width: 640, height: 360 };
const CASES = [
  { name: 'sphere', what: 'sphere' },
  { name: 'helix', what: 'helix' },
  { name: 'torus', what: 'torus' },
  { name: 'random 20k x 6', dense: { points: 20000, frames: 6 } },
  { name: 'random 4k x 24', dense: { points: 4000, frames: 24 } },
  // Uniform noise in a cube coloured by z (lone-point.test.mjs's 100k-point frames): the encoders' worst case.
  { name: 'noise 100k x 4', noise: { points: 100000, frames: 4 } },
  { name: 'noise 1M x 2 at 1280x720', noise: { points: 1000000, frames: 2 }, size: { width: 1280, height: 720 } },
];

const browser = await startBrowser(browserName);
const page = await browser.openPage();
try {
  const [encoders, QUALITIES] = await page.evaluate(() => {
    const { PSNR_BOUNDS: bounds, QUALITIES } = window.cloudreelExample.cloudreel;
    for (const q of Object.values(bounds)) for (const k of Object.keys(q)) q[k] = -Infinity;
    return [Object.keys(bounds), [...QUALITIES]];
  });
  const rows = [];
  for (const c of CASES) {
    if (c.noise) {
      await page.evaluate(({ points, frames }) => {
        let seed = 1;
        const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
        window.denseFrames = Array.from({ length: frames }, () => ({ points: Float32Array.from({ length: points * 3 }, random) }));
      }, c.noise);
    } else if (c.dense) {
      // A coloured sphere of random points, as the JupyterLab tests draw: one-pixel points, dense.
      await page.evaluate(({ points, frames }) => {
        let seed = 1;
        const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
        const base = new Float32Array(points * 3);
        for (let i = 0; i < points * 3; i++) base[i] = rand() * 2 - 1;
        window.denseFrames = Array.from({ length: frames }, (_, f) => {
          const a = (2 * Math.PI * f) / frames;
          const xyz = new Float32Array(points * 3);
          const rgb = new Float32Array(points * 3);
          for (let i = 0; i < points; i++) {
            const [x, y, z] = base.subarray(i * 3, i * 3 + 3);
            const n = Math.hypot(x, y, z) || 1;
            xyz.set([(x / n) * Math.cos(a) - (y / n) * Math.sin(a), (x / n) * Math.sin(a) + (y / n) * Math.cos(a), z / n], i * 3);
            rgb.set([(x / n + 1) / 2, (y / n + 1) / 2, (z / n + 1) / 2], i * 3);
          }
          return { points: xyz, colors: rgb };
        });
      }, c.dense);
    }
    for (const encoder of encoders) {
      for (const quality of QUALITIES) {
        for (const swapped of [false, true]) {
          const options = { ...(c.size ?? SIZE), quality, codecs: [encoder], ...(swapped ? { testFaults: { [encoder]: 'wrong-content' } } : {}) };
          const run = c.dense || c.noise
            ? await page.evaluate(async (options) => {
                const r = await window.cloudreelExample.exportFrames(window.denseFrames, options).catch((e) => ({ error: e.message }));
                return r.error ? r : { meta: { attempts: r.result.attempts } };
              }, options)
            : await exportInPage(page, c.what, options);
          const verified = run.meta?.attempts?.at(-1)?.verified;
          const row = { case: c.name, encoder, quality, swapped, ...(run.error ? { error: String(run.error.message ?? run.error) } : {}), decoder: verified?.decoder, first: verified?.psnr?.first, last: verified?.psnr?.last, ms: verified?.ms };
          rows.push(row);
          console.log(JSON.stringify(row));
        }
      }
    }
  }
  console.log('\nminimum over cases (normal / swapped), dB:');
  for (const encoder of encoders) {
    const line = QUALITIES.map((quality) => {
      const min = (swapped) => Math.min(...rows.filter((r) => r.encoder === encoder && r.quality === quality && r.swapped === swapped && r.first !== undefined).flatMap((r) => [r.first, r.last]));
      const max = (swapped) => Math.max(...rows.filter((r) => r.encoder === encoder && r.quality === quality && r.swapped === swapped && r.first !== undefined).flatMap((r) => [Math.min(r.first, r.last)]));
      return `${quality} ${min(false).toFixed(2)} / ${max(true).toFixed(2)}`;
    });
    console.log(`  ${encoder}: ${line.join(', ')}`);
  }
} finally {
  await browser.close();
}
