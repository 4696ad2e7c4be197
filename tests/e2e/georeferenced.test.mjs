// Geo-referenced coordinates: the same 10 m, 60k-point cloud at (0, 0, 0) and at
// offsets 1e4, 1e6 and a UTM point must render alike with both renderers (WebGL,
// CPU) through both entry points: the JS module given float64 (a Float64Array and
// plain numbers) and the kernel's route (Python float64 -> pack_frames -> bytes ->
// the page's wire decoder). Videos are decoded with ffmpeg and compared in 16x16
// blocks; the bound is the renderers' own difference at the origin plus MARGIN.
// A negative control skips the re-centring (float32 world coordinates, origin
// (0, 0, 0), as before the fix) and must fail the same comparison at the UTM point.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, startBrowser } from './browser.mjs';
import { decodeFrames, writeTemp } from './media.mjs';

const W = 320;
const H = 240;
const POINTS = 60_000;
const BLOCK = 16;
/** Allowed mean block difference (0..255) beyond the renderers' own difference at the origin. */
const MARGIN = 1;
const OFFSETS = {
  origin: [0, 0, 0],
  '1e4': [1e4, 1e4, 1e4],
  '1e6': [1e6, 1e6, 1e6],
  utm: [500000, 5400000, 300],
};
const RENDERERS = ['webgl', 'cpu'];
const OPTIONS = { width: W, height: H, title: false, pointSize: 2, codecs: ['webcodecs-h264'] };
/** A camera in the cloud's own coordinates (added to each offset: a view in world coordinates). */
const VIEW = { position: [-9, -13, 8], target: [0, 0, 1.5], up: [0, 0, 1], fovDeg: 40 };

/** A 10 x 10 m terrain patch, 0.2..2.8 m high, as float64 x y z (a low-discrepancy fill). */
function makeCloud(n) {
  const out = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const x = ((0.5 + i * 0.7548776662466927) % 1) * 10 - 5;
    const y = ((0.5 + i * 0.5698402909980532) % 1) * 10 - 5;
    out[i * 3] = x;
    out[i * 3 + 1] = y;
    out[i * 3 + 2] = 1.5 + 0.9 * Math.sin(1.1 * x) * Math.cos(0.7 * y) + 0.35 * Math.sin(3.1 * y + x);
  }
  return out;
}

/** Mean of each 16x16 block, per channel, of an RGB frame. */
function blockMeans(frame) {
  const bw = W / BLOCK;
  const out = new Float64Array(bw * (H / BLOCK) * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const b = (Math.floor(y / BLOCK) * bw + Math.floor(x / BLOCK)) * 3;
      for (let c = 0; c < 3; c++) out[b + c] += frame[(y * W + x) * 3 + c] / (BLOCK * BLOCK);
    }
  }
  return out;
}

/** Mean and largest absolute difference between the block means of two videos' frames (worst frame). */
function blockDifference(a, b) {
  let mean = 0;
  let max = 0;
  a.forEach((frame, i) => {
    const pa = blockMeans(frame);
    const pb = blockMeans(b[i]);
    let sum = 0;
    for (let k = 0; k < pa.length; k++) {
      const d = Math.abs(pa[k] - pb[k]);
      sum += d;
      max = Math.max(max, d);
    }
    mean = Math.max(mean, sum / pa.length);
  });
  return { mean, max };
}

let browser;
let page;
let dir;
const wire = {};

before(async () => {
  const cloud = makeCloud(POINTS);
  const cloudFile = writeTemp(Buffer.from(cloud.buffer), 'cloud.f64');
  dir = path.dirname(cloudFile);
  // The kernel side: float64 frames through normalize_frames and pack_frames (the
  // in-tree package), and the control packed as before the fix.
  const script = `
import json, sys
import numpy as np
from cloudreel.frames import Frame, normalize_frames
from cloudreel.wire import pack_frames
cloud = np.fromfile(sys.argv[1], "<f8").reshape(-1, 3)
for name, offset in json.loads(sys.argv[2]).items():
    world = [cloud + offset, cloud + offset + [0.5, 0, 0]]
    for kind, frames in [("fixed", normalize_frames(world)), ("control", [Frame(np.ascontiguousarray(w, "<f4")) for w in world])]:
        header, payload = pack_frames(frames)
        json.dump(header, open(f"{sys.argv[3]}/{name}-{kind}.json", "w"))
        open(f"{sys.argv[3]}/{name}-{kind}.bin", "wb").write(payload)
`;
  execFileSync(path.join(ROOT, '.venv/bin/python'), ['-c', script, cloudFile, JSON.stringify(OFFSETS), dir], {
    env: { ...process.env, PYTHONPATH: path.join(ROOT, 'python') },
  });
  for (const name of Object.keys(OFFSETS)) {
    for (const kind of ['fixed', 'control']) {
      wire[`${name}-${kind}`] = {
        header: JSON.parse(fs.readFileSync(path.join(dir, `${name}-${kind}.json`), 'utf8')),
        payload: fs.readFileSync(path.join(dir, `${name}-${kind}.bin`)).toString('base64'),
      };
    }
  }
  browser = await startBrowser();
  page = await browser.openPage();
  await page.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    window.testCloud = new Float64Array(bytes.buffer);
  }, Buffer.from(cloud.buffer).toString('base64'));
});
after(async () => browser?.close());

/**
 * Exports in the page and decodes the video. `entry`: 'js' (frame 0 a Float64Array,
 * frame 1 plain numbers, through exportAnimation) or 'wire' (the kernel's header and
 * bytes through lib/widget/frame-transfer.js, its FrameSet through exportAnimation).
 * `control`: the same points without re-centring (float32 world coordinates at origin 0).
 */
async function render({ entry, offset, renderer, control = false, view }) {
  const name = Object.keys(OFFSETS).find((k) => OFFSETS[k] === offset);
  const packed = entry === 'wire' ? wire[`${name}-${control ? 'control' : 'fixed'}`] : null;
  const b64 = await page.evaluate(
    async ({ entry, offset, renderer, control, view, packed, options }) => {
      const { cloudreel } = window.cloudreelExample;
      let frames;
      if (entry === 'wire') {
        const { decodePayload } = await import('/lib/widget/frame-transfer.js');
        frames = decodePayload(packed.header, Uint8Array.from(atob(packed.payload), (c) => c.charCodeAt(0)));
      } else {
        const world0 = window.testCloud.map((v, i) => v + offset[i % 3]);
        const world1 = Array.from(world0, (v, i) => (i % 3 === 0 ? v + 0.5 : v));
        frames = [{ points: world0 }, { points: world1 }];
        if (control) {
          // As before the fix: cast to float32 in world coordinates, nothing re-centred.
          const positions = frames.map((f) => Float32Array.from(f.points));
          const min = [0, 1, 2].map((k) => Math.min(...positions.map((p) => p.filter((_, i) => i % 3 === k).reduce((m, v) => Math.min(m, v), Infinity))));
          const max = [0, 1, 2].map((k) => Math.max(...positions.map((p) => p.filter((_, i) => i % 3 === k).reduce((m, v) => Math.max(m, v), -Infinity))));
          frames = { frames: positions.map((p) => ({ positions: p, colors: null, count: p.length / 3 })), bounds: { min, max }, origin: [0, 0, 0] };
        }
      }
      const result = await cloudreel.exportAnimation(frames, { ...options, renderer, ...(view ? { view } : {}) });
      const bytes = new Uint8Array(await result.blob.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    },
    { entry, offset, renderer, control, view, packed, options: OPTIONS },
  );
  const file = writeTemp(Buffer.from(b64, 'base64'), `${entry}-${name}-${renderer}${control ? '-control' : ''}.mp4`);
  const decoded = decodeFrames(file, W, H);
  assert.equal(decoded.length, 2, `${file}: two frames`);
  return decoded;
}

const worldView = (offset) => ({ ...VIEW, position: VIEW.position.map((v, k) => v + offset[k]), target: VIEW.target.map((v, k) => v + offset[k]) });
const fmt = ({ mean, max }) => `mean ${mean.toFixed(2)}, max ${max.toFixed(1)}`;

test('the same cloud renders alike at (0, 0, 0), 1e4, 1e6 and a UTM point: both renderers, both entry points', async (t) => {
  const reference = {};
  for (const renderer of RENDERERS) reference[renderer] = await render({ entry: 'js', offset: OFFSETS.origin, renderer });
  const own = blockDifference(reference.webgl, reference.cpu);
  const bound = own.mean + MARGIN;
  t.diagnostic(`webgl vs cpu at the origin: ${fmt(own)}; bound: mean <= ${bound.toFixed(2)}`);

  const failures = [];
  const check = (label, diff, mustFail = false) => {
    const passed = diff.mean <= bound;
    t.diagnostic(`${label}: ${fmt(diff)} ${passed ? 'alike' : 'DIFFERENT'}`);
    if (passed === mustFail) failures.push(`${label}: ${fmt(diff)} (bound ${bound.toFixed(2)}${mustFail ? ', the control must exceed it' : ''})`);
  };
  for (const entry of ['js', 'wire']) {
    for (const [name, offset] of Object.entries(OFFSETS)) {
      for (const renderer of RENDERERS) {
        if (entry === 'js' && name === 'origin') continue; // the reference itself
        check(`${entry} ${name} ${renderer}`, blockDifference(await render({ entry, offset, renderer }), reference[renderer]));
      }
    }
  }
  // A view passed in world coordinates means the same camera wherever the cloud lies.
  for (const renderer of RENDERERS) {
    const here = await render({ entry: 'js', offset: OFFSETS.origin, renderer, view: worldView(OFFSETS.origin) });
    check(`js utm ${renderer}, view in world coordinates`, blockDifference(await render({ entry: 'js', offset: OFFSETS.utm, renderer, view: worldView(OFFSETS.utm) }), here));
  }
  // The negative control: without re-centring, the UTM point bands (CPU) or
  // collapses to a lattice (WebGL); WebGL bands already at 1e6. (The CPU
  // rasteriser at 1e6, 0.0625 m steps for 2 px points, is reported, not judged.)
  for (const entry of ['js', 'wire']) {
    for (const name of ['1e6', 'utm']) {
      for (const renderer of RENDERERS) {
        const diff = blockDifference(await render({ entry, offset: OFFSETS[name], renderer, control: true }), reference[renderer]);
        const label = `control (no re-centring) ${entry} ${name} ${renderer}`;
        if (name === 'utm' || renderer === 'webgl') check(label, diff, true);
        else t.diagnostic(`${label}: ${fmt(diff)}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});
