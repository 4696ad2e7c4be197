// One Chromium and two localhost origins for a test file: the example page is
// served from one, and (for the cross-origin case) the module from another.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, openExamplePage, serveStatic } from '../../examples/headless.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function startBrowser() {
  const site = await serveStatic(ROOT);
  // Another origin with CORS, standing in for a CDN or Observable's file host.
  const moduleHost = await serveStatic(path.join(ROOT, 'dist'), { cors: true });
  const browser = await launchChromium();
  return {
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
