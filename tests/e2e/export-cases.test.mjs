// The original tool's three test cases, exported in headless Chromium with real
// three.js and ffmpeg.wasm and judged by Debian's ffprobe; then checks that the
// video shows what the frames hold.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBrowser } from './browser.mjs';
import { decodeFrames, litFraction, meanColor, meanDifference, probe, writeTemp } from './media.mjs';

let browser;
before(async () => (browser = await startBrowser()));
after(async () => browser?.close());

async function exportChecked(page, what, options, expected) {
  const run = await (await import('../../examples/headless.mjs')).exportInPage(page, what, options);
  assert.equal(run.error, undefined, `export failed: ${JSON.stringify(run.error)}`);
  const file = writeTemp(run.bytes, `${typeof what === 'string' ? what : 'frames'}.${run.meta.extension}`);
  const info = probe(file);
  const fps = options.fps ?? 5;
  assert.equal(info.codec, expected.codec);
  assert.equal(info.frames, expected.frames, 'every input frame is in the video');
  assert.ok(Math.abs(info.duration - expected.frames / fps) <= 1 / fps + 1e-6, `duration ${info.duration} s, expected ${expected.frames / fps} s`);
  assert.equal(info.width, options.width ?? 1280);
  assert.equal(info.height, options.height ?? 720);
  assert.equal(run.meta.frames, expected.frames);
  assert.equal(run.meta.bytes, run.bytes.length);
  return { run, file, info };
}

describe('the three example animations', () => {
  const cases = [
    // The first two load the module from another origin, as Observable does.
    { name: 'sphere', frames: 6, crossOrigin: true },
    { name: 'helix', frames: 36, crossOrigin: true },
    { name: 'torus', frames: 48, crossOrigin: false },
  ];
  const pages = {};
  for (const c of cases) {
    test(`${c.name}: ${c.frames} frames of H.264 MP4, at 1280x720, with content`, async () => {
      const key = c.crossOrigin ? 'cross' : 'same';
      pages[key] ??= await browser.openPage({ crossOrigin: c.crossOrigin });
      const { run, file, info } = await exportChecked(pages[key], c.name, {}, { codec: 'h264', frames: c.frames });
      assert.equal(run.meta.codec, 'ffmpeg-h264');
      assert.equal(info.pixFmt, 'yuv420p');
      assert.equal(info.colorRange, 'tv');
      // +faststart: the index (moov) comes before the media data (mdat), so playback starts at once.
      assert.ok(run.bytes.indexOf('moov') < run.bytes.indexOf('mdat'), 'moov box must precede mdat');
      const [first] = decodeFrames(file, 1280, 720);
      assert.ok(litFraction(first) > 0.01, `first frame is (nearly) all black: ${litFraction(first)}`);
      const messages = run.statuses.map((s) => s.message);
      assert.equal(messages[0], 'Initializing export...');
      assert.ok(messages.includes(`Rendering frame ${c.frames}/${c.frames} (100%)`));
      assert.match(messages.at(-1), /^Video ready! \(\d+\.\d MB\)$/);
    });
  }
});

describe('the video shows the frames', () => {
  // Every frame: one dense cluster at the origin, plus dim markers at the
  // corners of a cube so the bounds (and so the camera) are the same for all.
  // The camera looks at the bounds' centre, so the cluster lands mid-frame.
  const W = 640;
  const H = 360;
  function frame(rgb, { shift = 0 } = {}) {
    const points = [];
    const colors = [];
    for (const x of [-1, 1]) for (const y of [-1, 1]) for (const z of [-1, 1]) {
      points.push(x, y, z);
      colors.push(40, 40, 40);
    }
    for (let i = 0; i < 3000; i++) {
      const a = i * 2.399963;
      const r = 0.06 * Math.sqrt(i / 3000);
      points.push(r * Math.cos(a) + shift, r * Math.sin(a), ((i % 7) - 3) * 0.01);
      colors.push(...rgb);
    }
    return { points, colors: new Uint8Array(colors) };
  }
  const ORANGE = [230, 120, 30];
  const TEAL = [30, 160, 170];

  test('identical frames decode alike, changed frames differ, and the cluster keeps its colour', async () => {
    const page = await browser.openPage();
    const frames = [frame(ORANGE), frame(ORANGE), frame(TEAL), frame(TEAL, { shift: 0.6 })];
    // Colors travel as plain arrays through page.evaluate; the page gets Uint8Array-like data.
    const payload = frames.map((f) => ({ points: f.points, colors: Array.from(f.colors).map((c) => c / 255) }));
    const { file } = await exportChecked(page, payload, { title: false, width: W, height: H }, { codec: 'h264', frames: 4 });
    const decoded = decodeFrames(file, W, H);
    assert.equal(decoded.length, 4);

    assert.ok(meanDifference(decoded[0], decoded[1]) < 0.5, 'identical input frames must decode alike');
    assert.ok(meanDifference(decoded[1], decoded[2]) > 0.05, 'a recoloured cluster must change the frame');
    assert.ok(meanDifference(decoded[2], decoded[3]) > 0.05, 'a moved cluster must change the frame');

    const near = (got, want, tol = 24) => got.every((v, i) => Math.abs(v - want[i]) <= tol);
    const centre0 = meanColor(decoded[0], W, W / 2, H / 2);
    const centre2 = meanColor(decoded[2], W, W / 2, H / 2);
    assert.ok(near(centre0, ORANGE), `frame 0 centre ${centre0.map(Math.round)} should be ${ORANGE}`);
    assert.ok(near(centre2, TEAL), `frame 2 centre ${centre2.map(Math.round)} should be ${TEAL}`);
    // In frame 3 the cluster moved away: the centre is background again.
    const centre3 = meanColor(decoded[3], W, W / 2, H / 2);
    assert.ok(centre3.every((v) => v < 20), `frame 3 centre ${centre3.map(Math.round)} should be black`);
    // Background far from the points is black.
    assert.ok(meanColor(decoded[0], W, 20, H - 20).every((v) => v < 12));
  });
});
