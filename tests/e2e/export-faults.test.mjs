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
  test('when libx264 fails, the default chain goes on to VP8 WebM', async () => {
    const run = await exportInPage(page, 'sphere', { ...SMALL, testFaults: { 'ffmpeg-h264': 'fail' } });
    await checkedFile(run, 'vp8', 6);
    assert.equal(run.meta.codec, 'ffmpeg-vp8');
    assert.equal(run.meta.mimeType, 'video/webm');
    assert.match(run.meta.attempts[0].error, /^ffmpeg exited with code \d+: /);
    const tries = run.statuses.map((s) => s.message).filter((m) => m.startsWith('Trying'));
    assert.deepEqual([...new Set(tries)], ['Trying H.264 MP4 (libx264)...', 'Trying VP8 WebM (libvpx)...']);
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
    const faults = { 'ffmpeg-h264': 'fail', 'ffmpeg-vp8': 'fail', 'ffmpeg-mpeg4': 'fail', 'ffmpeg-gif': 'fail' };
    const run = await exportInPage(page, 'sphere', { ...SMALL, testFaults: faults });
    assert.equal(run.error.name, 'EncodeChainError');
    for (const d of ['H.264 MP4 (libx264)', 'VP8 WebM (libvpx)', 'MPEG-4 Part 2 MP4', 'animated GIF']) {
      assert.ok(run.error.message.includes(d), `${d} missing from: ${run.error.message}`);
    }
    const last = run.statuses.at(-1);
    assert.equal(last.phase, 'error');
    assert.match(last.message, /^Export failed: every codec failed: H\.264 MP4 \(libx264\) \[ffmpeg-h264\]: ffmpeg exited/);
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
    assert.match(run.error.message, /^Unknown codec "ffmpeg-vp9": choose from ffmpeg-h264, ffmpeg-vp8, ffmpeg-mpeg4, ffmpeg-gif$/);
  });
});

describe('cancelling', () => {
  async function cancelWhen(statusPattern, shape) {
    const pending = exportInPage(page, shape);
    await page.waitForFunction((re) => new RegExp(re).test(document.getElementById('status').textContent), statusPattern.source, {
      timeout: 120_000,
      polling: 20,
    });
    await page.click('#cancel');
    return pending;
  }

  test('Cancel while rendering rejects with an AbortError, promptly', async () => {
    const t0 = Date.now();
    const run = await cancelWhen(/Rendering frame 10\/48/, 'torus');
    assert.equal(run.error?.name, 'AbortError');
    assert.ok(Date.now() - t0 < 60_000);
    assert.equal(run.statuses.at(-1).message, 'Export cancelled');
    assert.ok(!run.statuses.some((s) => s.message.startsWith('Trying')), 'no encoding after a cancel while rendering');
  });

  test('Cancel while encoding stops ffmpeg.wasm, and the next export still works', async () => {
    const loadsBefore = await page.evaluate(() => window.cloudreelExample.cloudreel.ffmpegHost.stats.loads);
    const run = await cancelWhen(/^Trying H\.264/, 'helix');
    assert.equal(run.error?.name, 'AbortError');
    assert.equal(run.statuses.at(-1).message, 'Export cancelled');

    const next = await exportInPage(page, 'sphere', SMALL);
    await checkedFile(next, 'h264', 6);
    // The cancelled encode terminated its ffmpeg.wasm worker; the next export loaded a fresh one.
    const loadsAfter = await page.evaluate(() => window.cloudreelExample.cloudreel.ffmpegHost.stats.loads);
    assert.ok(loadsAfter > loadsBefore, `expected a fresh ffmpeg.wasm load after the cancel (${loadsBefore} -> ${loadsAfter})`);
  });
});
