// The standalone module under a strict Content-Security-Policy (in headless
// Chromium and Firefox ESR), and with every request to another origin blocked
// and recorded (Chromium); outputs judged by ffprobe. Each claim has a negative control.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportInPage, launchChromium, launchFirefox, openExamplePage, serveStatic } from '../../examples/headless.mjs';
import { ROOT } from './browser.mjs';
import { probe, writeTemp } from './media.mjs';

const SMALL = { width: 640, height: 360 };
/** A host no test serves: requests to it must never be made (or are refused). */
const FOREIGN = 'http://127.0.0.2:9';

let browser;
const servers = [];
/** Every request the browser made, as URLs; those to origins not started here were aborted. */
let requests = [];
const ownOrigins = new Set();

async function serve(root, options) {
  const server = await serveStatic(root, options);
  servers.push(server);
  ownOrigins.add(server.url);
  return server;
}

before(async () => {
  browser = await launchChromium();
  // Also sees what workers fetch (the ffmpeg core): the test below checks it does.
  await browser.context.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    return ownOrigins.has(new URL(url).origin) ? route.continue() : route.abort('blockedbyclient');
  });
});
after(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
});

async function checkedVideo(run, frames = 6) {
  assert.equal(run.error, undefined, `export failed: ${JSON.stringify(run.error)}`);
  const info = probe(writeTemp(run.bytes, `out.${run.meta.extension}`));
  assert.equal(info.codec, 'h264');
  assert.equal(info.frames, frames);
  assert.equal(info.width, SMALL.width);
  return info;
}

/** Installed before any page script runs: violations the page itself sees. */
function recordViolations() {
  window.cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`));
}

// Firefox ESR is driven over WebDriver BiDi, without the request recorder above:
// the tests that read `requests` run in Chromium only.
for (const browserName of ['chromium', 'firefox']) describe(`${browserName}: a page with a strict Content-Security-Policy`, () => {
  let context;
  let firefox;
  before(async () => {
    if (browserName === 'firefox') firefox = await launchFirefox();
    context = browserName === 'firefox' ? firefox.context : browser.context;
  });
  after(async () => firefox?.close());

  // What the module needs; the example page adds style-src 'self' (its CSS file)
  // and media-src blob: (its <video> preview).
  const MODULE = "script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'";
  const PAGE = "default-src 'none'; style-src 'self'; media-src blob:";

  /**
   * Serves the repository with `policy` on every response (workers started from
   * a URL take the policy of their own response) and a report-uri that records
   * violations anywhere, workers included, which the page's listener cannot see.
   */
  async function cspSite(policy) {
    const reports = [];
    const site = await serve(ROOT, {
      headers: { 'Content-Security-Policy': `${policy}; report-uri /csp-report` },
      onPost: (_path, body) => {
        const r = JSON.parse(body)['csp-report'];
        reports.push(`${r['effective-directive']} ${r['blocked-uri']}`);
      },
    });
    return { site, reports };
  }

  /**
   * Every violation so far, from the page's listener and from reports. Reports
   * arrive asynchronously: a deliberately blocked sentinel request is made last
   * and waited for, so earlier reports have had their chance to arrive.
   */
  async function violations(page, reports) {
    const sentinel = `${FOREIGN}/csp-sentinel`;
    await page.evaluate((url) => fetch(url).catch(() => {}), sentinel);
    const deadline = Date.now() + 30_000;
    while (!reports.some((r) => r.includes('csp-sentinel')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(reports.some((r) => r.includes('csp-sentinel')), 'the sentinel violation was reported: the report recorder works');
    const inPage = await page.evaluate(() => window.cspViolations);
    return [...inPage, ...reports].filter((v) => !v.includes('csp-sentinel'));
  }

  async function openUnder(policy, opts) {
    const { site, reports } = await cspSite(policy);
    const page = await openExamplePage(context, site.url, { ...opts?.(site), initScripts: [recordViolations] });
    return { page, reports, site };
  }

  test(`WebCodecs and ffmpeg.wasm exports succeed under "${MODULE}; ${PAGE}" with no violation`, async () => {
    const { page, reports } = await openUnder(`${MODULE}; ${PAGE}`);
    try {
      const fast = await exportInPage(page, 'sphere', { ...SMALL, codecs: ['webcodecs-h264'] });
      await checkedVideo(fast);
      assert.equal(fast.meta.codec, 'webcodecs-h264');
      const wasm = await exportInPage(page, 'sphere', { ...SMALL, codecs: ['ffmpeg-h264'] });
      await checkedVideo(wasm);
      assert.equal(wasm.meta.codec, 'ffmpeg-h264');
      assert.ok(wasm.loadMs > 0, 'ffmpeg.wasm was loaded');
      assert.deepEqual(await violations(page, reports), []);
    } finally {
      await page.close();
    }
  });

  if (browserName === 'chromium') test('with the module on another origin, an ffmpeg.wasm export needs only that host in script-src and connect-src, and worker-src blob:', async () => {
    const moduleHost = await serve(path.join(ROOT, 'dist'), { cors: true });
    const host = moduleHost.url;
    const policy = `script-src 'self' ${host} 'wasm-unsafe-eval'; worker-src blob:; connect-src ${host}; ${PAGE}`;
    const { page, reports } = await openUnder(policy, () => ({ moduleURL: `${host}/cloudreel.mjs` }));
    try {
      const run = await exportInPage(page, 'sphere', { ...SMALL, codecs: ['ffmpeg-h264'] });
      await checkedVideo(run);
      assert.deepEqual(await violations(page, reports), []);
      assert.ok(requests.includes(`${host}/ffmpeg-core.wasm`), 'the core came from the module host');
    } finally {
      await page.close();
    }
  });

  // Negative controls: each directive the module needs, taken away, fails the
  // ffmpeg.wasm export with a message that says what to add, and is recorded.
  const missing = [
    {
      drop: "'wasm-unsafe-eval'",
      policy: "script-src 'self'; connect-src 'self'",
      message: /must allow WebAssembly: add 'wasm-unsafe-eval' to script-src/,
      violation: /^script-src wasm-eval$/,
    },
    {
      drop: "connect-src 'self'",
      policy: "script-src 'self' 'wasm-unsafe-eval'",
      message: /ffmpeg-core\.wasm is served and, if the page has a Content-Security-Policy, that connect-src allows it/,
      // No violation to check: the worker reports it, and is terminated (as a
      // failed load must be) before its report is reliably sent.
    },
    {
      // Before the fix this hung for ever: @ffmpeg/ffmpeg ignores the worker's error event.
      drop: "the worker (worker-src 'none')",
      policy: "script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; worker-src 'none'",
      message: /the ffmpeg\.wasm worker \(.*cloudreel-worker-ffmpeg\.js\) failed to start.*the page's Content-Security-Policy blocked worker-src/,
      violation: /^worker-src http:\/\/127\.0\.0\.1:\d+\/dist\/cloudreel-worker-ffmpeg\.js$/,
    },
  ];
  for (const m of missing) {
    test(`without ${m.drop} the ffmpeg.wasm export fails saying what to add${m.violation ? ', and the violation is recorded' : ''}`, async () => {
      const { page, reports } = await openUnder(`${m.policy}; ${PAGE}`);
      try {
        const run = await exportInPage(page, 'sphere', { ...SMALL, codecs: ['ffmpeg-h264'] });
        assert.equal(run.error?.name, 'EncodeChainError', `the export should fail: ${JSON.stringify(run.error ?? run.meta)}`);
        assert.match(run.error.message, /ffmpeg\.wasm could not be loaded: /);
        assert.match(run.error.message, m.message);
        assert.match(run.statuses.at(-1).message, /^Export failed: /);
        if (m.violation) {
          const seen = await violations(page, reports);
          assert.ok(seen.some((v) => m.violation.test(v)), `no ${m.violation} among ${JSON.stringify(seen)}`);
        }
      } finally {
        await page.close();
      }
    });
  }
});

describe('no request leaves the page’s origin', () => {
  let site;
  let page;
  before(async () => {
    site = await serve(ROOT);
    page = await openExamplePage(browser.context, site.url);
  });
  after(async () => page?.close());
  const foreignOnes = () => requests.filter((u) => new URL(u).origin !== site.url);

  for (const codec of ['webcodecs-h264', 'ffmpeg-h264']) {
    test(`an export with ${codec} makes requests to the page's origin only`, async () => {
      requests = [];
      const run = await exportInPage(page, 'sphere', { ...SMALL, codecs: [codec] });
      await checkedVideo(run);
      assert.deepEqual(foreignOnes(), []);
      if (codec === 'ffmpeg-h264') {
        // The recorder sees the worker's own requests too, or this test would prove nothing.
        assert.ok(requests.includes(`${site.url}/dist/ffmpeg-core.wasm`), `the core's fetch was not seen: ${requests.join(', ')}`);
      }
    });
  }

  test('negative control: requests to another origin, from the page and from a worker, are caught', async () => {
    requests = [];
    const outcome = await page.evaluate(async (foreign) => {
      const fromPage = await fetch(`${foreign}/from-page`).then(() => 'fetched', (e) => e.name);
      const worker = new Worker(URL.createObjectURL(new Blob([`fetch('${foreign}/from-worker').then(() => postMessage('fetched'), (e) => postMessage(e.name));`])));
      const fromWorker = await new Promise((resolve) => (worker.onmessage = (e) => resolve(e.data)));
      worker.terminate();
      return { fromPage, fromWorker };
    }, FOREIGN);
    assert.deepEqual(outcome, { fromPage: 'TypeError', fromWorker: 'TypeError' });
    assert.deepEqual(foreignOnes(), [`${FOREIGN}/from-page`, `${FOREIGN}/from-worker`]);
  });
});
