// The main job, headless: exports the original tool's three test animations
// (sphere, helix, torus) from examples/index.html in Debian's Chromium, with
// the module from dist/, and writes the videos to a folder.
//
//   node examples/export-shapes.mjs [--out DIR] [--shapes sphere,helix,torus]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { exportInPage, launchChromium, openExamplePage, serveStatic } from './headless.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(root, 'examples', 'output') },
    shapes: { type: 'string', default: 'sphere,helix,torus' },
  },
});
const outDir = path.resolve(values.out);
fs.mkdirSync(outDir, { recursive: true });
if (!fs.existsSync(path.join(root, 'dist', 'cloudreel.mjs'))) {
  console.error('dist/cloudreel.mjs is missing: run `npm run build` first (npm run example does).');
  process.exit(1);
}

const site = await serveStatic(root);
const browser = await launchChromium();
try {
  const page = await openExamplePage(browser.context, site.url);
  console.log(`Exporting in headless Chromium from ${site.url}/examples/index.html`);
  for (const name of values.shapes.split(',')) {
    process.stdout.write(`  ${name}: `);
    const { bytes, meta, ms, loadMs, error } = await exportInPage(page, name);
    if (error) throw new Error(`${name}: ${error.name}: ${error.message}`);
    const file = path.join(outDir, `${name}.${meta.extension}`);
    fs.writeFileSync(file, bytes);
    console.log(
      `${meta.frames} frames -> ${path.relative(process.cwd(), file)} (${meta.codec}, ${(meta.bytes / 1e6).toFixed(2)} MB, ` +
        `${meta.durationSeconds} s of video) in ${(ms / 1000).toFixed(1)} s ` +
        `[render ${(meta.timings.renderMs / 1000).toFixed(1)} s, encode ${(meta.timings.encodeMs / 1000).toFixed(1)} s; ` +
        (loadMs === null ? 'ffmpeg.wasm not needed]' : `ffmpeg.wasm loaded in ${(loadMs / 1000).toFixed(1)} s]`),
    );
  }
  console.log(`Videos written to ${outDir}`);
  console.log('The widget is installed in .venv too: `npm run lab` opens examples/quickstart.ipynb in JupyterLab.');
} finally {
  await browser.close();
  await site.close();
}
