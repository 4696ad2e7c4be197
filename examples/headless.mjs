// Node helpers shared by the example exporter and the browser tests: a static
// file server on localhost, Debian's Chromium driven by playwright-core and
// Debian's Firefox ESR driven by puppeteer-core over WebDriver BiDi.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
  '.css': 'text/css; charset=utf-8',
};

/** Whether `file` is `root` or lies under it (both absolute and resolved). */
function isInside(root, file) {
  const rel = path.relative(root, file);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Serves `root` on 127.0.0.1. With `cors` every response allows any origin, as a
 * CDN or Observable's file hosting would; `headers` are added to every file served
 * (say a Content-Security-Policy). `onPost(pathname, body)` receives POSTed bodies
 * (say CSP violation reports) and answers 204. Resolves to { url, close }.
 * Only regular files under `root` are served: a path that leads outside it, by
 * `..` (encoded or not) or through a symbolic link, answers 403.
 */
export async function serveStatic(root, { cors = false, headers: extraHeaders = {}, onPost } = {}) {
  const top = await fs.promises.realpath(root);
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && onPost) {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        onPost(new URL(req.url, 'http://x').pathname, Buffer.concat(chunks).toString());
        res.writeHead(204).end();
      });
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    if (pathname.includes('\0')) {
      res.writeHead(400).end('bad request');
      return;
    }
    const file = path.join(top, pathname);
    if (!isInside(top, file)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    // The real path, so a link under root that points elsewhere is refused too.
    fs.realpath(file, (err, real) => {
      if (err) {
        res.writeHead(404).end('not found');
        return;
      }
      if (!isInside(top, real)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      fs.stat(real, (err, st) => {
        if (err || !st.isFile()) {
          res.writeHead(404).end('not found');
          return;
        }
        const headers = { ...extraHeaders, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': st.size };
        if (cors) headers['Access-Control-Allow-Origin'] = '*';
        res.writeHead(200, headers);
        // A file removed while it is read ends the response instead of crashing the server.
        fs.createReadStream(real).on('error', () => res.destroy()).pipe(res);
      });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Debian Chromium with software WebGL and a throwaway profile. */
export async function launchChromium() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudreel-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--disable-gpu-compositing',
    ],
  });
  const close = async () => {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, close };
}

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/**
 * The few page calls the tests make, on a puppeteer page, with playwright's
 * argument order, so openExamplePage and exportInPage drive either browser.
 */
function playwrightLikePage(page) {
  return {
    goto: (url) => page.goto(url),
    on: (event, handler) => page.on(event, handler),
    addInitScript: (script) => page.evaluateOnNewDocument(script),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    waitForFunction: (fn, arg, { timeout, polling } = {}) => page.waitForFunction(fn, { timeout, ...(polling ? { polling } : {}) }, arg),
    textContent: (selector) => page.$eval(selector, (element) => element.textContent),
    click: (selector) => page.click(selector),
    close: () => page.close(),
    puppeteer: page,
  };
}

/**
 * Headless Debian Firefox ESR over WebDriver BiDi with a throwaway profile.
 * Resolves to { context: { newPage }, close }, the shape launchChromium gives.
 */
export async function launchFirefox() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudreel-firefox-'));
  let browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX_PATH,
      headless: true,
      protocol: 'webDriverBiDi',
      userDataDir,
      // Nothing outside localhost: no update, telemetry or remote-settings traffic.
      // No automatic /favicon.ico request (the browser's, not the page's: under a CSP it is a violation).
      extraPrefsFirefox: {
        'network.proxy.type': 0,
        'app.update.enabled': false,
        'browser.safebrowsing.malware.enabled': false,
        'browser.safebrowsing.phishing.enabled': false,
        'browser.chrome.site_icons': false,
      },
    });
  } catch (e) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw new Error(`Firefox (${FIREFOX_PATH}) did not start: ${e.message}`);
  }
  const close = async () => {
    await browser.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context: { newPage: async () => playwrightLikePage(await browser.newPage()) }, close };
}

/** Launches `name` ('chromium' or 'firefox'). */
export function launchBrowser(name) {
  if (name === 'chromium') return launchChromium();
  if (name === 'firefox') return launchFirefox();
  throw new Error(`unknown browser "${name}" (expected chromium or firefox)`);
}

/**
 * Opens the example page (optionally loading the module from `moduleURL`) and
 * waits until it is ready. `initScripts` run in the page before its own scripts.
 */
export async function openExamplePage(context, siteURL, { moduleURL, initScripts = [] } = {}) {
  const page = await context.newPage();
  for (const script of initScripts) await page.addInitScript(script);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const query = moduleURL ? `?module=${encodeURIComponent(moduleURL)}` : '';
  await page.goto(`${siteURL}/examples/index.html${query}`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 30_000 }).catch((e) => {
    throw new Error(`example page did not start: ${errors.join('; ') || e.message}`);
  });
  return page;
}

/**
 * Exports in the page, through window.cloudreelExample: `what` is a shape name
 * (see shapes.js) or an array of frames. Brings the video back as a Buffer with
 * the result's metadata and every status reported; a failed export resolves
 * to { error: { name, message }, statuses } instead of throwing.
 */
export async function exportInPage(page, what, options = {}) {
  const out = await page.evaluate(
    async ({ what, options }) => {
      const example = window.cloudreelExample;
      const t0 = performance.now();
      let run;
      try {
        run = typeof what === 'string' ? await example.exportShape(what, options) : await example.exportFrames(what, options);
      } catch (e) {
        return { error: { name: e.name, message: e.message }, statuses: e.statuses ?? [] };
      }
      const ms = performance.now() - t0;
      const buffer = new Uint8Array(await run.result.blob.arrayBuffer());
      let binary = '';
      for (let i = 0; i < buffer.length; i += 0x8000) binary += String.fromCharCode(...buffer.subarray(i, i + 0x8000));
      const { blob, ...meta } = run.result;
      return { base64: btoa(binary), meta, statuses: run.statuses, ms, loadMs: example.cloudreel.ffmpegHost.stats.lastLoadMs };
    },
    { what, options },
  );
  if (out.error) return out;
  return { ...out, bytes: Buffer.from(out.base64, 'base64'), base64: undefined };
}
