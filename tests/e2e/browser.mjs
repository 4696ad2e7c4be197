// One browser (Chromium unless named: 'chromium' or 'firefox') and two localhost
// origins for a test file: the example page is served from one, and (for the
// cross-origin case) the module from another.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, openExamplePage, serveStatic } from '../../examples/headless.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function startBrowser(name = 'chromium') {
  const site = await serveStatic(ROOT);
  // Another origin with CORS, standing in for a CDN or Observable's file host.
  const moduleHost = await serveStatic(path.join(ROOT, 'dist'), { cors: true });
  let browser;
  try {
    browser = await launchBrowser(name);
  } catch (e) {
    await site.close();
    await moduleHost.close();
    throw e;
  }
  return {
    name,
    site,
    moduleHost,
    context: browser.context,
    openPage: (opts = {}) =>
      openExamplePage(browser.context, site.url, opts.crossOrigin ? { moduleURL: `${moduleHost.url}/cloudreel.mjs` } : {}),
    async close() {
      await browser.close();
      await site.close();
      await moduleHost.close();
    },
  };
}
