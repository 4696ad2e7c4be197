// Fixed framing and colour scales (issue 11, part 2): two animations with
// different data but the same `bounds`, `vmin`/`vmax` and `palette` frame a
// shared probe cluster alike and give it the same colour, judged on the
// decoded video. One is drawn by WebGL, the other by the CPU rasteriser; in headless
// Firefox ESR, which has no WebGL here, the first is drawn with 'auto' (the CPU rasteriser).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { exportInPage } from '../../examples/headless.mjs';
import { startBrowser } from './browser.mjs';
import { decodeFrames, meanColor, probe, writeTemp } from './media.mjs';

const W = 320;
const H = 240;
const BOUNDS = { min: [-1, -1, -1], max: [1, 1, 1] };
const colormap = createRequire(import.meta.url)('colormap');
const VIRIDIS = colormap({ colormap: 'viridis', nshades: 256, format: 'rgba', alpha: 1 });
/** The colour the module gives a value at `t` of the colormap's range. */
const viridis = (t) => VIRIDIS[Math.min(255, Math.floor(t * 256))].slice(0, 3);

/** A ball of radius 0.15 at the world origin: the centre of BOUNDS, so mid-frame when the camera fits them. */
function probeBall() {
  const points = [];
  for (let i = 0; i < 3000; i++) {
    const a = i * 2.399963;
    const r = 0.15 * Math.cbrt((i + 0.5) / 3000);
    const z = 1 - (2 * ((i * 7919) % 3000) + 1) / 3000;
    const s = Math.sqrt(1 - z * z);
    points.push([r * s * Math.cos(a), r * s * Math.sin(a), r * z]);
  }
  return points;
}

/** 800 points spread over the box [lo, hi]^3: the data that differs between the two animations. */
function others(lo, hi, zlo = lo, zhi = hi) {
  return Array.from({ length: 800 }, (_, i) => [lo + ((i * 37) % 800) / 800 * (hi - lo), lo + ((i * 91) % 800) / 800 * (hi - lo), zlo + ((i * 53) % 800) / 800 * (zhi - zlo)]);
}

/**
 * Three frames: the probe by value (0.25 of vmin..vmax), by z (z = 0, mid of the
 * bounds' z range) and by class (9, recoloured by the palette); the others hold
 * values, z and classes of their own that would move any data-derived scale.
 */
function animation(other, otherValue, otherClass) {
  const ball = probeBall();
  const points = [...ball, ...other];
  return [
    { points, values: [...ball.map(() => 0.25), ...other.map(() => otherValue)] },
    { points },
    { points, categories: [...ball.map(() => 9), ...other.map(() => otherClass)] },
  ];
}

const A = animation(others(0.5, 0.9), 0, 2);
const B = animation(others(-0.9, -0.5, -0.9, -0.6), 7, 17);
const SCALE = { bounds: BOUNDS, vmin: 0, vmax: 1, palette: { 9: '#00ff00' } };
const EXPECTED = [viridis(0.25), viridis(0.5), [0, 255, 0]];

/** Bounding box and centroid of the pixels within `tol` of `rgb`, within 30 px of the centre (the others lie farther out). */
function footprint(frame, rgb, tol = 40) {
  let [x0, y0, x1, y1, sx, sy, n] = [W, H, -1, -1, 0, 0, 0];
  for (let y = H / 2 - 30; y <= H / 2 + 30; y++) for (let x = W / 2 - 30; x <= W / 2 + 30; x++) {
    const k = (y * W + x) * 3;
    if (Math.abs(frame[k] - rgb[0]) > tol || Math.abs(frame[k + 1] - rgb[1]) > tol || Math.abs(frame[k + 2] - rgb[2]) > tol) continue;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
    sx += x;
    sy += y;
    n++;
  }
  return { box: [x0, y0, x1, y1], centre: [sx / n, sy / n], n };
}

for (const name of ['chromium', 'firefox']) describe(name, () => {
  const firstRenderer = name === 'chromium' ? 'webgl' : 'auto';
  let browser;
  before(async () => (browser = await startBrowser(name)));
  after(async () => browser?.close());

  test('the same bounds, vmin/vmax and palette frame and colour two different animations alike', async () => {
    const page = await browser.openPage();
    const decoded = [];
    for (const [frames, renderer] of [[A, firstRenderer], [B, 'cpu']]) {
      const run = await exportInPage(page, frames, { ...SCALE, width: W, height: H, title: false, pointSize: 3, renderer, codecs: ['webcodecs-h264'] });
      assert.equal(run.error, undefined, `export failed: ${JSON.stringify(run.error)}`);
      const file = writeTemp(run.bytes, `${renderer}.mp4`);
      assert.equal(probe(file).frames, 3);
      decoded.push(decodeFrames(file, W, H));
    }
    const near = (got, want, tol) => got.every((v, i) => Math.abs(v - want[i]) <= tol);
    EXPECTED.forEach((want, i) => {
      const [a, b] = [decoded[0][i], decoded[1][i]];
      const what = ['value 0.25', 'z at the bounds\' middle', 'class 9 recoloured'][i];
      // The probe is mid-frame in both (the camera fits the bounds, whose centre it is) ...
      const ca = meanColor(a, W, W / 2, H / 2, 3);
      const cb = meanColor(b, W, W / 2, H / 2, 3);
      assert.ok(near(ca, want, 24), `frame ${i} (${what}): centre of A ${ca.map(Math.round)} should be ${want}`);
      assert.ok(near(cb, want, 24), `frame ${i} (${what}): centre of B ${cb.map(Math.round)} should be ${want}`);
      assert.ok(near(ca, cb, 12), `frame ${i} (${what}): A ${ca.map(Math.round)} and B ${cb.map(Math.round)} differ`);
      // ... and the same size and place: the same camera.
      const fa = footprint(a, want);
      const fb = footprint(b, want);
      assert.ok(fa.n > 100 && fb.n > 100, `frame ${i}: the probe covers ${fa.n} and ${fb.n} pixels`);
      fa.box.forEach((v, k) => assert.ok(Math.abs(v - fb.box[k]) <= 2, `frame ${i}: probe box ${fa.box} in A, ${fb.box} in B`));
      fa.centre.forEach((v, k) => assert.ok(Math.abs(v - [W / 2, H / 2][k]) <= 1.5, `frame ${i}: probe centred at ${fa.centre} in A`));
    });
  });
});
