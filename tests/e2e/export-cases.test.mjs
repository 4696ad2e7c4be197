// The original tool's three test cases, exported in headless Chromium and
// Firefox ESR with real three.js and ffmpeg.wasm and judged by Debian's ffprobe
// and ffmpeg; then checks that the video shows what the frames hold.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBrowser } from './browser.mjs';
import { decodeErrors, decodeFrames, litFraction, meanColor, meanDifference, probe, writeTemp } from './media.mjs';

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
  // A strict decoder's view: no complaint at all (Firefox's avcC once gave `sps_id 1 out of range`).
  assert.equal(decodeErrors(file), '', 'ffmpeg -v error decodes the file without a message');
  return { run, file, info };
}

// The same tests and assertions in each browser; Firefox ESR runs headless with
// no WebGL here, so its exports take the CPU rasteriser ('auto').
for (const name of ['chromium', 'firefox']) describe(name, () => {
  let browser;
  before(async () => (browser = await startBrowser(name)));
  after(async () => browser?.close());

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
        // The fast path: WebCodecs, and ffmpeg.wasm's 32 MB core never loaded.
        assert.equal(run.meta.codec, 'webcodecs-h264');
        assert.equal(run.loadMs, null);
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

    for (const codec of ['webcodecs-h264', 'ffmpeg-h264']) test(`${codec}: identical frames decode alike, changed frames differ, and the cluster keeps its colour`, async () => {
      const page = await browser.openPage();
      const frames = [frame(ORANGE), frame(ORANGE), frame(TEAL), frame(TEAL, { shift: 0.6 })];
      // Colors travel as plain arrays through page.evaluate; the page gets Uint8Array-like data.
      const payload = frames.map((f) => ({ points: f.points, colors: Array.from(f.colors).map((c) => c / 255) }));
      const { file, run } = await exportChecked(page, payload, { title: false, width: W, height: H, codecs: [codec] }, { codec: 'h264', frames: 4 });
      assert.equal(run.meta.codec, codec);
      assert.equal(probe(file).colorRange, 'tv', 'limited range, tagged');
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

  // Needs WebGL, which headless Firefox ESR lacks here (see README).
  if (name === 'chromium') {
    test('the CPU rasteriser draws what WebGL draws', async () => {
      const page = await browser.openPage();
      const result = await page.evaluate(async () => {
        const { cloudreel, shapes } = window.cloudreelExample;
        const set = cloudreel.toFrameSet(shapes.helix({ frames: 12, points: 10000 }).concat(shapes.torus({ frames: 4, points: 20000 })));
        const options = { width: 640, height: 360, title: true };
        const cpu = cloudreel.createFrameRenderer(set, { ...options, renderer: 'cpu' });
        const gl = cloudreel.createFrameRenderer(set, { ...options, renderer: 'webgl' });
        const out = [];
        for (const i of [0, 7, 13]) {
          // pixels(): what the WebCodecs path encodes (the CPU backend patches in only the title's rows).
          const a = new Uint8Array(cpu.pixels(i).data.slice().buffer);
          const b = new Uint8Array(await (await gl.render(i, 'rgba')).arrayBuffer());
          let differ = 0;
          let lit = 0;
          let sum = 0;
          for (let k = 0; k < a.length; k += 4) {
            if (Math.abs(a[k] - b[k]) > 8 || Math.abs(a[k + 1] - b[k + 1]) > 8 || Math.abs(a[k + 2] - b[k + 2]) > 8) differ++;
            if (a[k] + a[k + 1] + a[k + 2] > 30) lit++;
            sum += Math.abs(a[k] - b[k]) + Math.abs(a[k + 1] - b[k + 1]) + Math.abs(a[k + 2] - b[k + 2]);
          }
          const pixels = a.length / 4;
          // The title's white text in the top rows (black background there otherwise).
          let white = 0;
          for (let k = 0; k < 640 * 30 * 4; k += 4) if (a[k] > 200 && a[k + 1] > 200 && a[k + 2] > 200) white++;
          out.push({ i, differ: differ / pixels, lit: lit / pixels, mean: sum / (pixels * 3), white });
        }
        cpu.dispose();
        gl.dispose();
        return { kinds: [cpu.kind, gl.kind], out };
      });
      assert.deepEqual(result.kinds, ['cpu', 'webgl']);
      for (const { i, differ, lit, mean, white } of result.out) {
        assert.ok(lit > 0.01, `frame ${i} has content (${lit})`);
        assert.ok(white > 30, `frame ${i}: the title is missing from the CPU path's pixels (${white} white pixels)`);
        // Where points overlap at nearly equal depth, float32 on the GPU and float64
        // here may pick different winners: a fraction of a percent of pixels.
        assert.ok(differ < 0.01, `frame ${i}: ${(differ * 100).toFixed(3)}% of pixels differ between the CPU and WebGL paths`);
        assert.ok(mean < 1, `frame ${i}: mean difference ${mean.toFixed(2)} per channel`);
      }
    });

    test('round points: the CPU rasteriser draws the discs WebGL draws', async () => {
      const page = await browser.openPage();
      const result = await page.evaluate(async () => {
        const { cloudreel } = window.cloudreelExample;
        // A 5x5 grid, far enough apart on screen that its 9 px points never overlap.
        const points = Array.from({ length: 25 }, (_, i) => [i % 5, Math.floor(i / 5), (i % 3) * 0.1]);
        const set = cloudreel.toFrameSet([{ points }]);
        const options = { width: 320, height: 180, title: false, pointSize: 9 };
        const litPixels = (data) => {
          let n = 0;
          for (let k = 0; k < data.length; k += 4) if (data[k] + data[k + 1] + data[k + 2] > 30) n++;
          return n;
        };
        const draw = async (renderer, pointShape) => {
          const r = cloudreel.createFrameRenderer(set, { ...options, renderer, pointShape });
          const pixels = new Uint8Array(await (await r.render(0, 'rgba')).arrayBuffer());
          const kind = r.kind;
          r.dispose();
          return { pixels, kind };
        };
        const cpu = await draw('cpu', 'round');
        const gl = await draw('webgl', 'round');
        const square = await draw('cpu', 'square');
        let differ = 0;
        for (let k = 0; k < cpu.pixels.length; k += 4) {
          if ([0, 1, 2].some((c) => Math.abs(cpu.pixels[k + c] - gl.pixels[k + c]) > 8)) differ++;
        }
        return { kinds: [cpu.kind, gl.kind], differ, lit: [litPixels(cpu.pixels), litPixels(gl.pixels), litPixels(square.pixels)] };
      });
      assert.deepEqual(result.kinds, ['cpu', 'webgl']);
      const [cpuLit, glLit, squareLit] = result.lit;
      assert.equal(squareLit, 25 * 81, 'the 25 squares of 9x9 pixels stand apart');
      // A disc 9 px across covers about pi/4 of its square (69 of 81 pixels centred on a pixel): the corners are gone.
      assert.ok(cpuLit > 0.7 * squareLit && cpuLit < 0.9 * squareLit, `round points lit ${cpuLit} pixels, squares ${squareLit}`);
      assert.ok(Math.abs(glLit - cpuLit) <= 0.01 * cpuLit, `WebGL lit ${glLit} pixels, the CPU rasteriser ${cpuLit}`);
      // Sub-pixel snapping on the GPU can move a disc's rim by a pixel here and there.
      assert.ok(result.differ <= 0.02 * cpuLit, `${result.differ} pixels differ between the CPU and WebGL round points (of ${cpuLit} lit)`);
    });
  }
});
