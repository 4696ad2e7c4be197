// Codec fallbacks with real failing ffmpeg.wasm runs, every codec failing, and
// cancelling mid-export, in headless Chromium; outputs judged by ffprobe.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportInPage } from '../../examples/headless.mjs';
import { startBrowser } from './browser.mjs';
import { probe, writeTemp } from './media.mjs';

let browser;
let page;
before(async () => {
  browser = await startBrowser();
  page = await browser.openPage();
});
after(async () => browser?.close());

const SMALL = { width: 640, height: 360 };

async function checkedFile(run, codec, frames) {
  assert.equal(run.error, undefined, `export failed: ${JSON.stringify(run.error)}`);
  const info = probe(writeTemp(run.bytes, `out.${run.meta.extension}`));
  assert.equal(info.codec, codec);
  assert.equal(info.frames, frames);
  return info;
}

describe('codec fallback', () => {
  test('when WebCodecs H.264 fails, the default chain goes on to WebCodecs VP9, without loading ffmpeg.wasm', async () => {
    const run = await exportInPage(page, 'sphere', { ...SMALL, testFaults: { 'webcodecs-h264': 'fail' } });
    await checkedFile(run, 'vp9', 6);
    assert.equal(run.meta.codec, 'webcodecs-vp9');
    assert.equal(run.meta.mimeType, 'video/webm');
    assert.equal(run.loadMs, null);
    const tries = run.statuses.map((s) => s.message).filter((m) => m.startsWith('Trying'));
    assert.deepEqual(tries, ['Trying H.264 MP4 (WebCodecs)...', 'Trying VP9 WebM (WebCodecs)...']);
  });

  test('when every WebCodecs encoder fails, ffmpeg.wasm is loaded and its H.264 used', async () => {
    const faults = { 'webcodecs-h264': 'fail', 'webcodecs-vp9': 'fail', 'webcodecs-vp8': 'fail' };
    const run = await exportInPage(page, 'sphere', { ...SMALL, testFaults: faults });
    await checkedFile(run, 'h264', 6);
    assert.equal(run.meta.codec, 'ffmpeg-h264');
    assert.ok(run.loadMs > 0, 'ffmpeg.wasm was loaded for the fallback');
  });

  test('when libx264 fails, the ffmpeg.wasm chain goes on to VP8 WebM', async () => {
    const run = await exportInPage(page, 'sphere', { ...SMALL, codecs: ['ffmpeg-h264', 'ffmpeg-vp8'], testFaults: { 'ffmpeg-h264': 'fail' } });
    await checkedFile(run, 'vp8', 6);
    assert.equal(run.meta.codec, 'ffmpeg-vp8');
    assert.match(run.meta.attempts[0].error, /^ffmpeg exited with code \d+: /);
    const tries = run.statuses.map((s) => s.message).filter((m) => m.startsWith('Trying'));
    assert.deepEqual(tries, ['Trying H.264 MP4 (libx264)...', 'Trying VP8 WebM (libvpx)...']);
  });

  test('when libx264 fails, MPEG-4 is used where the caller chose it next', async () => {
    const run = await exportInPage(page, 'sphere', {
      ...SMALL,
      codecs: ['ffmpeg-h264', 'ffmpeg-mpeg4'],
      testFaults: { 'ffmpeg-h264': 'fail' },
    });
    const info = await checkedFile(run, 'mpeg4', 6);
    assert.equal(info.width, 640);
    assert.equal(run.meta.codec, 'ffmpeg-mpeg4');
    assert.equal(run.meta.extension, 'mp4');
  });

  test('output that is not a video is caught by verification and the next codec is used', async () => {
    const run = await exportInPage(page, 'sphere', { ...SMALL, codecs: ['ffmpeg-h264', 'ffmpeg-gif'], testFaults: { 'ffmpeg-h264': 'garbage' } });
    await checkedFile(run, 'gif', 6);
    assert.match(run.meta.attempts[0].error, /not a valid MP4 file/);
  });

  test('when every codec fails, the export fails listing each attempt', async () => {
    const ids = ['webcodecs-h264', 'webcodecs-vp9', 'webcodecs-vp8', 'ffmpeg-h264', 'ffmpeg-vp8', 'ffmpeg-mpeg4', 'ffmpeg-gif'];
    const run = await exportInPage(page, 'sphere', { ...SMALL, testFaults: Object.fromEntries(ids.map((id) => [id, 'fail'])) });
    assert.equal(run.error.name, 'EncodeChainError');
    for (const d of ['H.264 MP4 (WebCodecs)', 'VP9 WebM (WebCodecs)', 'VP8 WebM (WebCodecs)', 'H.264 MP4 (libx264)', 'VP8 WebM (libvpx)', 'MPEG-4 Part 2 MP4', 'animated GIF']) {
      assert.ok(run.error.message.includes(d), `${d} missing from: ${run.error.message}`);
    }
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

describe('cancelling', () => {
  async function cancelWhen(statusPattern, shape, options) {
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

  test('Cancel while rendering rejects with an AbortError, promptly', async () => {
    const t0 = Date.now();
    // The WebGL rasteriser under SwiftShader is slow enough to cancel mid-way.
    const run = await cancelWhen(/Rendering frame (1\d|2\d)\/48/, 'torus', { renderer: 'webgl' });
    assert.equal(run.error?.name, 'AbortError');
    assert.ok(Date.now() - t0 < 60_000);
    assert.equal(run.statuses.at(-1).message, 'Export cancelled');
    const frameOf = (m) => Number(/Rendering frame (\d+)\//.exec(m)?.[1] ?? 0);
    const last = Math.max(...run.statuses.map((s) => frameOf(s.message)));
    // The click travels through CDP while SwiftShader keeps both cores busy: allow a
    // few frames (about 100 ms each here) for it to arrive, but not the rest of the 48.
    assert.ok(last <= Math.min(frameOf(run.statusAtCancel) + 10, 40), `rendering went on to frame ${last} after a cancel at "${run.statusAtCancel}"`);
    assert.ok(!run.statuses.some((s) => s.message === 'Encoding video...'), 'no encoding after a cancel while rendering');
  });

  test('Cancel while encoding stops ffmpeg.wasm, and the next export still works', async () => {
    const loadsBefore = await page.evaluate(() => window.cloudreelExample.cloudreel.ffmpegHost.stats.loads);
    const run = await cancelWhen(/^Encoding video/, 'helix', { codecs: ['ffmpeg-h264'] });
    assert.equal(run.error?.name, 'AbortError');
    assert.equal(run.statuses.at(-1).message, 'Export cancelled');

    const next = await exportInPage(page, 'sphere', { ...SMALL, codecs: ['ffmpeg-h264'] });
    await checkedFile(next, 'h264', 6);
    // The cancelled encode terminated its ffmpeg.wasm worker; the next export loaded a fresh one.
    const loadsAfter = await page.evaluate(() => window.cloudreelExample.cloudreel.ffmpegHost.stats.loads);
    assert.ok(loadsAfter > loadsBefore, `expected a fresh ffmpeg.wasm load after the cancel (${loadsBefore} -> ${loadsAfter})`);
  });
});
