// A frame holding a single red point, between frames of 100k points, keeps its
// colour through H.264's 4:2:0 chroma on both H.264 paths (decoded by Debian's ffmpeg),
// in headless Chromium and Firefox ESR (no WebGL there: drawn by the CPU rasteriser only).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBrowser } from './browser.mjs';
import { decodeFrames, probe, writeTemp } from './media.mjs';

const W = 640;
const H = 360;
// One at the bounds' centre (the middle of the frame, on a pixel corner), one off it.
const LONE = [
  [0, 0, 0],
  [0.0071, 0.0043, 0.002],
];

/**
 * Exports [100k points, the lone points one per frame, 100k points] in the page
 * and returns the video with each lone frame's footprint (the pixels the point
 * covers, as drawn by each of `renderers` ('cpu', 'webgl') before encoding).
 */
async function exportLonePoints(page, codec, renderers) {
  const out = await page.evaluate(
    async ({ W, H, codec, lone, renderers }) => {
      const { cloudreel, exportFrames } = window.cloudreelExample;
      let seed = 1;
      const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
      const dense = () => ({ points: Float32Array.from({ length: 300_000 }, random) });
      const frames = [dense(), ...lone.map((p) => ({ points: new Float32Array(p), colors: new Uint8Array([255, 0, 0]) })), dense()];
      const options = { width: W, height: H, title: false, quality: 'standard', codecs: [codec] };
      const set = cloudreel.toFrameSet(frames);
      const footprints = {};
      for (const renderer of renderers) {
        const r = cloudreel.createFrameRenderer(set, { ...options, renderer });
        footprints[renderer] = lone.map((_, i) => {
          const data = r.pixels(i + 1).data;
          const lit = [];
          for (let k = 0; k < data.length; k += 4) if (data[k] + data[k + 1] + data[k + 2] > 0) lit.push(k / 4);
          return lit;
        });
        r.dispose();
      }
      const { result } = await exportFrames(frames, options);
      const bytes = new Uint8Array(await result.blob.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return { base64: btoa(binary), codec: result.codec, footprints };
    },
    { W, H, codec, lone: LONE, renderers },
  );
  return { ...out, file: writeTemp(Buffer.from(out.base64, 'base64'), `lone-${codec}.mp4`) };
}

for (const name of ['chromium', 'firefox']) describe(name, () => {
  // Headless Firefox ESR has no WebGL here: there the CPU rasteriser alone draws the footprint.
  const renderers = name === 'chromium' ? ['cpu', 'webgl'] : ['cpu'];
  let browser;
  before(async () => (browser = await startBrowser(name)));
  after(async () => browser?.close());

  for (const codec of ['webcodecs-h264', 'ffmpeg-h264']) {
    test(`${codec}: a lone red point among 100k-point frames decodes red over its footprint`, async () => {
      const page = await browser.openPage();
      const { file, codec: used, footprints } = await exportLonePoints(page, codec, renderers);
      assert.equal(used, codec);
      const info = probe(file);
      assert.equal(info.pixFmt, 'yuv420p');
      const decoded = decodeFrames(file, W, H);
      assert.equal(decoded.length, LONE.length + 2);
      LONE.forEach((position, i) => {
        const footprint = footprints.cpu[i];
        assert.ok(footprint.length > 0, `lone point ${JSON.stringify(position)} was not drawn`);
        // Where there is WebGL, both renderers give a frame's points its own size.
        if (renderers.includes('webgl')) assert.deepEqual(footprints.webgl[i], footprint, `WebGL draws lone point ${JSON.stringify(position)} differently from the CPU rasteriser`);
        const frame = decoded[i + 1];
        const sum = [0, 0, 0];
        for (const p of footprint) for (let c = 0; c < 3; c++) sum[c] += frame[p * 3 + c];
        const [r, g, b] = sum.map((v) => Math.round(v / footprint.length));
        assert.ok(
          r >= 200 && g <= 60 && b <= 60,
          `lone point ${JSON.stringify(position)} decodes as (${r}, ${g}, ${b}) over its ${footprint.length}-pixel footprint: want R >= 200, G and B <= 60`,
        );
      });
    });
  }
});
