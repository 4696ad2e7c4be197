// Faults in headless Chromium and Firefox ESR: each codec of the default chain failing
// in turn (real failing runs), outputs that fail verification by decoding, ffmpeg.wasm
// that cannot load, and (Chromium: WebGL) a WebGL context lost mid-export. Each ends in a
// file ffprobe accepts or a clear "Export failed". Firefox runs a representative subset.
// (Cancelling, and what it leaves behind: cancel-leaks.test.mjs.)
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { exportInPage, openExamplePage } from '../../examples/headless.mjs';
import { startBrowser } from './browser.mjs';
import { decodeFrames, litFraction, meanDifference, probe, writeTemp } from './media.mjs';
import { leaksSince, openCountedPage, resources } from './resources.mjs';

const SMALL = { width: 640, height: 360 };

async function checkedFile(run, codec, frames) {
  assert.equal(run.error, undefined, `export failed: ${JSON.stringify(run.error)}`);
  const info = probe(writeTemp(run.bytes, `out.${run.meta.extension}`));
  assert.equal(info.codec, codec);
  assert.equal(info.frames, frames);
  return info;
}

/** The default chain, in order, with what ffprobe calls each codec's output. */
const CHAIN = [
  { id: 'webcodecs-h264', description: 'H.264 MP4 (WebCodecs)', probed: 'h264' },
  { id: 'webcodecs-vp9', description: 'VP9 WebM (WebCodecs)', probed: 'vp9' },
  { id: 'webcodecs-vp8', description: 'VP8 WebM (WebCodecs)', probed: 'vp8' },
  { id: 'ffmpeg-h264', description: 'H.264 MP4 (libx264)', probed: 'h264' },
  { id: 'ffmpeg-vp8', description: 'VP8 WebM (libvpx)', probed: 'vp8' },
  { id: 'ffmpeg-mpeg4', description: 'MPEG-4 Part 2 MP4 (desktop players)', probed: 'mpeg4' },
  { id: 'ffmpeg-gif', description: 'animated GIF', probed: 'gif' },
];
const failing = (codecs) => Object.fromEntries(codecs.map((c) => [c.id, 'fail']));

for (const name of ['chromium', 'firefox']) describe(name, () => {
  const webgl = name === 'chromium';
  // Firefox (no WebGL headless here) runs the cases where the browser's own encoders,
  // decoders, fetch and workers take part; the rest is the same JavaScript in any
  // browser and runs in Chromium only, to keep CI short (see README).
  const everything = name === 'chromium';
  let browser;
  let page;
  before(async () => {
    browser = await startBrowser(name);
    ({ page } = await openCountedPage(browser));
  });
  after(async () => browser?.close());

  describe('codec fallback', () => {
    test('the chain above is the module\'s default chain', async () => {
      assert.deepEqual(await page.evaluate(() => window.cloudreelExample.cloudreel.DEFAULT_CODECS), CHAIN.map((c) => c.id));
    });

    // Each codec of the default chain fails in turn (with every one before it): the next one makes the file.
    // Firefox: its three WebCodecs encoders failing in turn, up to ffmpeg.wasm taking over.
    for (let k = 1; k < (everything ? CHAIN.length : 4); k++) {
      const [failed, next] = [CHAIN.slice(0, k), CHAIN[k]];
      test(`when ${failed.map((c) => c.id).join(', ')} fail${k === 1 ? 's' : ''}, ${next.id} makes the file`, async () => {
        const run = await exportInPage(page, 'sphere', { ...SMALL, testFaults: failing(failed) });
        await checkedFile(run, next.probed, 6);
        assert.equal(run.meta.codec, next.id);
        const tries = run.statuses.map((s) => s.message).filter((m) => m.startsWith('Trying'));
        assert.deepEqual(tries, CHAIN.slice(0, k + 1).map((c) => `Trying ${c.description}...`));
        assert.deepEqual(run.meta.attempts.map((a) => a.codec), CHAIN.slice(0, k + 1).map((c) => c.id));
        for (const [i, a] of run.meta.attempts.slice(0, k).entries()) {
          // A real failing run: ffmpeg's own exit code, or the VideoEncoder refusing its configuration.
          assert.match(a.error, CHAIN[i].id.startsWith('ffmpeg') ? /^ffmpeg exited with code \d+: / : /./, `${a.codec}: ${a.error}`);
        }
        if (k < 3) assert.equal(run.loadMs, null, 'ffmpeg.wasm is loaded only once the WebCodecs encoders failed');
      });
    }

    test('output that is not a video is caught by verification and the next codec is used', async () => {
      const run = await exportInPage(page, 'sphere', { ...SMALL, codecs: ['ffmpeg-h264', 'ffmpeg-gif'], testFaults: { 'ffmpeg-h264': 'garbage' } });
      await checkedFile(run, 'gif', 6);
      assert.match(run.meta.attempts[0].error, /not a valid MP4 file/);
    });

    // Verification by decoding: a malformed avcC (doubled SPS/PPS header bytes, as Firefox 153
    // writes them) and a valid video of the wrong content (red and blue swapped) are failed attempts too.
    const wrongContent = (id) => new RegExp(`^the decoded first frame differs from the rendered one: PSNR \\d+\\.\\d dB, below the \\d+ dB bound for ${id} at quality standard$`);
    const faulty = [
      { fault: 'bad-avcc', reason: () => /^the H\.264 decoder configuration \(avcC [0-9a-f ]+\.\.\.\) is malformed: SPS 1 \(67 67 [0-9a-f ]+\) begins with a doubled NAL header byte 67: / },
      { fault: 'wrong-content', reason: wrongContent },
    ];
    for (const { fault, reason } of faulty) {
      test(`'${fault}' from WebCodecs H.264 fails verification and VP9 makes the file`, async () => {
        const run = await exportInPage(page, 'sphere', { ...SMALL, testFaults: { 'webcodecs-h264': fault } });
        await checkedFile(run, 'vp9', 6);
        const tries = run.statuses.map((s) => s.message).filter((m) => m.startsWith('Trying'));
        assert.deepEqual(tries, CHAIN.slice(0, 2).map((c) => `Trying ${c.description}...`));
        assert.deepEqual(run.meta.attempts.map((a) => a.codec), ['webcodecs-h264', 'webcodecs-vp9']);
        assert.match(run.meta.attempts[0].error, reason('webcodecs-h264'));
      });
      test(`'${fault}' from ffmpeg.wasm H.264 fails verification and VP8 makes the file`, async () => {
        const run = await exportInPage(page, 'sphere', { ...SMALL, codecs: ['ffmpeg-h264', 'ffmpeg-vp8'], testFaults: { 'ffmpeg-h264': fault } });
        await checkedFile(run, 'vp8', 6);
        const tries = run.statuses.map((s) => s.message).filter((m) => m.startsWith('Trying'));
        assert.deepEqual(tries, ['Trying H.264 MP4 (libx264)...', 'Trying VP8 WebM (libvpx)...']);
        assert.match(run.meta.attempts[0].error, reason('ffmpeg-h264'));
      });
    }
    test("'wrong-content' in the codecs VideoDecoder cannot read (MPEG-4 Part 2, GIF) is caught by ffmpeg.wasm's decoder", async () => {
      const run = await exportInPage(page, 'sphere', { ...SMALL, codecs: ['ffmpeg-mpeg4', 'ffmpeg-gif', 'ffmpeg-vp8'], testFaults: { 'ffmpeg-mpeg4': 'wrong-content', 'ffmpeg-gif': 'wrong-content' } });
      await checkedFile(run, 'vp8', 6);
      assert.deepEqual(run.meta.attempts.map((a) => a.codec), ['ffmpeg-mpeg4', 'ffmpeg-gif', 'ffmpeg-vp8']);
      assert.match(run.meta.attempts[0].error, wrongContent('ffmpeg-mpeg4'));
      assert.match(run.meta.attempts[1].error, wrongContent('ffmpeg-gif'));
    });

    const bounds = () => page.evaluate(() => window.cloudreelExample.cloudreel.PSNR_BOUNDS);
    const ENCODERS = [
      ['webcodecs-h264', 'avc', 'VideoDecoder'],
      ['webcodecs-vp9', 'vp9', 'VideoDecoder'],
      ['webcodecs-vp8', 'vp8', 'VideoDecoder'],
      ['ffmpeg-h264', 'avc', 'VideoDecoder'],
      ['ffmpeg-vp8', 'vp8', 'VideoDecoder'],
      ['ffmpeg-mpeg4', 'ffmpeg-mpeg4', 'ffmpeg.wasm'],
      ['ffmpeg-gif', 'gif', 'ffmpeg.wasm'],
    ];
    // Firefox: the encoders whose output the browser's VideoDecoder checks (MPEG-4 Part 2
    // and GIF are encoded and decoded by ffmpeg.wasm alike in any browser).
    const encoders = everything ? ENCODERS : ENCODERS.filter(([, , decoder]) => decoder === 'VideoDecoder');
    test(`normal exports pass verification by decoding with ${everything ? 'every encoder' : encoders.map(([c]) => c).join(', ')}, each frame above its PSNR bound`, async (t) => {
      const bound = await bounds();
      for (const [codec, named, decoder] of encoders) {
        const run = await exportInPage(page, 'helix', { ...SMALL, codecs: [codec] });
        assert.equal(run.error, undefined, `${codec}: ${JSON.stringify(run.error)}`);
        const { verified } = run.meta.attempts.at(-1);
        t.diagnostic(`${codec}: PSNR first ${verified?.psnr?.first?.toFixed(2)}, last ${verified?.psnr?.last?.toFixed(2)} dB (bound ${bound[codec].standard})`);
        assert.equal(verified?.codec, named, `${codec}: ${JSON.stringify(verified)}`);
        assert.equal(verified.decoder, decoder, codec);
        for (const which of ['first', 'last']) {
          assert.ok(verified.psnr[which] >= bound[codec].standard, `${codec} ${which} frame: PSNR ${verified.psnr[which]}`);
        }
      }
    });

    if (everything) test("without VideoDecoder (a browser with no WebCodecs) ffmpeg.wasm's decoder verifies, and still catches 'wrong-content'", async () => {
      const noWebCodecs = await openExamplePage(browser.context, browser.site.url, {
        initScripts: [() => { delete window.VideoEncoder; delete window.VideoDecoder; }],
      });
      try {
        const good = await exportInPage(noWebCodecs, 'sphere', SMALL);
        await checkedFile(good, 'h264', 6);
        assert.equal(good.meta.codec, 'ffmpeg-h264');
        assert.equal(good.meta.attempts.at(-1).verified.decoder, 'ffmpeg.wasm');
        const bad = await exportInPage(noWebCodecs, 'sphere', { ...SMALL, testFaults: { 'ffmpeg-h264': 'wrong-content' } });
        await checkedFile(bad, 'vp8', 6);
        assert.match(bad.meta.attempts.find((a) => a.codec === 'ffmpeg-h264').error, wrongContent('ffmpeg-h264'));
      } finally {
        await noWebCodecs.close();
      }
    });

    if (everything) test('when every codec fails, the export fails listing each attempt', async () => {
      const run = await exportInPage(page, 'sphere', { ...SMALL, testFaults: failing(CHAIN) });
      assert.equal(run.error.name, 'EncodeChainError');
      for (const { description } of CHAIN) assert.ok(run.error.message.includes(description), `${description} missing from: ${run.error.message}`);
      const last = run.statuses.at(-1);
      assert.equal(last.phase, 'error');
      assert.match(last.message, /^Export failed: every codec failed: H\.264 MP4 \(WebCodecs\) \[webcodecs-h264\]: .+; .*H\.264 MP4 \(libx264\) \[ffmpeg-h264\]: ffmpeg exited/);
      assert.equal(await page.textContent('#status'), last.message);
    });

    test('no file is left in ffmpeg.wasm\'s virtual file system after the attempts above', async () => {
      const entries = await page.evaluate(() =>
        window.cloudreelExample.cloudreel.ffmpegHost.run(async (ff) => (await ff.listDir('/')).map((n) => n.name)),
      );
      assert.ok(entries.includes('tmp'), `listing looks wrong: ${entries}`);
      assert.deepEqual(entries.filter((n) => n.startsWith('cloudreel-')), []);
    });

    test('an unknown codec id is an error, not a skip', async () => {
      const run = await exportInPage(page, 'sphere', { ...SMALL, codecs: ['ffmpeg-h264', 'ffmpeg-vp9'] });
      assert.match(run.error.message, /^Unknown codec "ffmpeg-vp9": choose from webcodecs-h264, webcodecs-vp9, webcodecs-vp8, ffmpeg-h264, ffmpeg-vp8, ffmpeg-mpeg4, ffmpeg-gif$/);
    });
  });

  describe('ffmpeg.wasm that cannot load', () => {
    const configure = (urls) => page.evaluate((u) => window.cloudreelExample.cloudreel.ffmpegHost.configure(u), urls);
    let bundled;
    before(async () => {
      bundled = await page.evaluate(() => window.cloudreelExample.cloudreel.ffmpegHost.urls);
    });
    afterEach(async () => {
      await allowAll();
      await configure(bundled);
    });
    /**
     * Answers 404 to the requests whose URL matches `pattern` until allowAll(): playwright's
     * route in Chromium, puppeteer's request interception over BiDi in Firefox (both see what workers fetch).
     */
    async function refuse(pattern) {
      if (name === 'chromium') return page.route(pattern, (route) => route.fulfill({ status: 404, body: 'not found' }));
      await page.puppeteer.setRequestInterception(true);
      page.puppeteer.on('request', (request) => (pattern.test(request.url()) ? request.respond({ status: 404, body: 'not found' }) : request.continue()));
    }
    async function allowAll() {
      if (name === 'chromium') return page.unrouteAll();
      page.puppeteer.removeAllListeners('request');
      await page.puppeteer.setRequestInterception(false);
    }
    const missingWasm = () => configure({ wasm: `${browser.site.url}/missing/ffmpeg-core.wasm` });
    const HINT = 'serve ffmpeg-core.js, ffmpeg-core.wasm and cloudreel-worker-*.js from the folder of cloudreel.mjs, or point ffmpegHost.configure({ core, wasm }) at your own copies';
    // A hang fails by this timeout: every case must end with a status.
    const NO_HANG = { timeout: 90_000 };

    test('a missing wasm file: "Export failed" names its URL and what to do, and leaves no object URL', NO_HANG, async () => {
      const before = await resources(page);
      await missingWasm();
      const run = await exportInPage(page, 'sphere', { ...SMALL, codecs: ['ffmpeg-h264'] });
      const last = run.statuses.at(-1);
      assert.equal(last.phase, 'error');
      assert.equal(
        last.message,
        `Export failed: every codec failed: H.264 MP4 (libx264) [ffmpeg-h264]: ffmpeg.wasm could not be loaded: could not fetch ${browser.site.url}/missing/ffmpeg-core.wasm: HTTP 404; ${HINT}`,
      );
      assert.equal(await page.textContent('#status'), last.message);
      // The core script did arrive: its blob URL must be revoked all the same.
      assert.deepEqual(leaksSince(before, await resources(page)), []);
    });

    test('in the default chain, the other ffmpeg.wasm codecs are skipped, not retried, and the export fails clearly', NO_HANG, async () => {
      await missingWasm();
      const run = await exportInPage(page, 'sphere', { ...SMALL, testFaults: failing(CHAIN.slice(0, 3)) });
      const tries = run.statuses.map((s) => s.message).filter((m) => m.startsWith('Trying'));
      assert.deepEqual(tries, CHAIN.slice(0, 4).map((c) => `Trying ${c.description}...`));
      const last = run.statuses.at(-1);
      assert.equal(last.phase, 'error');
      assert.match(last.message, /^Export failed: every codec failed: .*\[ffmpeg-h264\]: ffmpeg\.wasm could not be loaded: could not fetch .*HTTP 404; serve /);
      for (const id of ['ffmpeg-vp8', 'ffmpeg-mpeg4', 'ffmpeg-gif']) assert.ok(last.message.includes(`[${id}]: skipped: ffmpeg.wasm could not be loaded`), last.message);
    });

    test('a chain that goes on to a WebCodecs codec ends with its file', NO_HANG, async () => {
      await missingWasm();
      const run = await exportInPage(page, 'sphere', { ...SMALL, codecs: ['ffmpeg-h264', 'webcodecs-vp8'] });
      await checkedFile(run, 'vp8', 6);
      assert.match(run.meta.attempts[0].error, /^ffmpeg\.wasm could not be loaded: could not fetch .*HTTP 404/);
    });

    test('a missing worker script fails the export instead of leaving it waiting forever', NO_HANG, async () => {
      await refuse(/\/cloudreel-worker-[^/]*\.js$/);
      await configure(bundled); // drops the loaded instance: the next job starts a worker
      const run = await exportInPage(page, 'sphere', { ...SMALL, codecs: ['ffmpeg-h264'] });
      const last = run.statuses.at(-1);
      assert.equal(last.phase, 'error');
      assert.match(last.message, /^Export failed: every codec failed: H\.264 MP4 \(libx264\) \[ffmpeg-h264\]: ffmpeg\.wasm could not be loaded: .*the ffmpeg\.wasm worker \(http:\/\/127\.0\.0\.1:\d+\/dist\/cloudreel-worker-ffmpeg\.js\) failed to start.*; serve /);
    });

    test('once the files are back, ffmpeg.wasm loads and exports again', NO_HANG, async () => {
      await checkedFile(await exportInPage(page, 'sphere', { ...SMALL, codecs: ['ffmpeg-h264'] }), 'h264', 6);
    });
  });

  if (webgl) describe('WebGL context lost mid-export', () => {
    test('the CPU rasteriser draws the rest, the status says so, and the video has every frame drawn', async () => {
      const before = await resources(page);
      const options = { ...SMALL, renderer: 'webgl', codecs: ['webcodecs-h264'] };
      const run = await exportInPage(page, 'sphere', { ...options, testFaults: { webgl: 'lose-context' } });
      await checkedFile(run, 'h264', 6);
      const messages = run.statuses.map((s) => s.message);
      const notice = 'WebGL context lost at frame 4/6: drawing the rest with the CPU rasteriser';
      assert.deepEqual(messages.filter((m) => m.startsWith('WebGL')), [notice]);
      assert.equal(messages[messages.indexOf(notice) + 1], 'Rendering frame 4/6 (67%)');
      assert.match(messages.at(-1), /^Video ready!/);
      const { webglContexts } = await resources(page);
      assert.deepEqual(leaksSince({ webglContexts: before.webglContexts }, { webglContexts }), [], 'no context is left live');

      // Every frame is the one asked for: not blank, not the last picture WebGL drew
      // (a lost canvas goes on showing it: 4 to 6 levels off here), but close to
      // WebGL's drawing of it (the CPU rasteriser is about 1 level off).
      const reference = await exportInPage(page, 'sphere', options);
      const [lost, drawn] = [run, reference].map((r) => decodeFrames(writeTemp(r.bytes, 'out.mp4'), 640, 360));
      for (let i = 0; i < 6; i++) {
        assert.ok(litFraction(lost[i]) > 0.01, `frame ${i + 1} is blank`);
        const off = meanDifference(lost[i], drawn[i]);
        assert.ok(off < 2, `frame ${i + 1} differs from WebGL's by ${off.toFixed(2)} levels`);
      }
    });
  });
});
