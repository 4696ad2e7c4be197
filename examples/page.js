// The example page: the module used as any web page would use it. `?module=URL`
// loads cloudreel from another origin (as Observable does) instead of ../dist.
import { SHAPES } from './shapes.js';

const moduleURL = new URLSearchParams(location.search).get('module') ?? '../dist/cloudreel.mjs';
const cloudreel = await import(moduleURL);
const $ = (id) => document.getElementById(id);
let objectURL = null;

function showResult(result, fileStem) {
  if (objectURL) URL.revokeObjectURL(objectURL);
  objectURL = URL.createObjectURL(result.blob);
  $('metrics').innerHTML = '';
  for (const [label, value] of [
    ['Frames', `${result.frames}`],
    ['Size', `${(result.bytes / (1024 * 1024)).toFixed(1)} MB`],
    ['Duration', `${result.durationSeconds.toFixed(1)} s`],
    ['Codec', result.codec],
  ]) {
    const cell = document.createElement('div');
    cell.append(label, Object.assign(document.createElement('b'), { textContent: value }));
    $('metrics').append(cell);
  }
  Object.assign($('download'), {
    href: objectURL,
    download: `${fileStem}.${result.extension}`,
    textContent: `Download ${result.extension.toUpperCase()} video`,
    hidden: false,
  });
  Object.assign($('preview'), { src: objectURL, hidden: !result.mimeType.startsWith('video/') });
}

/**
 * Exports frames and shows the result in the page, with the Cancel button
 * wired to an AbortController. Used by the buttons and, through
 * window.cloudreelExample, by the headless exporter and the tests.
 */
async function exportFrames(frames, options = {}, fileStem = 'animation') {
  const controller = new AbortController();
  $('cancel').disabled = false;
  $('cancel').onclick = () => controller.abort();
  const statuses = [];
  try {
    const result = await cloudreel.exportAnimation(frames, {
      signal: controller.signal,
      ...options,
      onStatus: (s) => {
        statuses.push(s);
        $('bar').value = s.fraction;
        $('status').textContent = s.message;
      },
    });
    showResult(result, fileStem);
    return { result, statuses };
  } catch (error) {
    error.statuses = statuses;
    throw error;
  } finally {
    $('cancel').disabled = true;
  }
}

const exportShape = (name, options) => exportFrames(SHAPES[name](), options, name);

$('export').addEventListener('click', () => exportShape($('shape').value).catch((e) => console.error(e)));
window.cloudreelExample = { exportShape, exportFrames, cloudreel, shapes: SHAPES };
document.documentElement.dataset.ready = 'true';
