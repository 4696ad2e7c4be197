// The benchmark's frames: the torus of examples/shapes.js, generated once in
// Node and cached as raw little-endian float32 files under bench/.cache/, so
// that the browser, the original Python pipeline and the Jupyter kernel all use
// exactly the same numbers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { torus } from '../examples/shapes.js';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(BENCH_DIR, '..');
export const CACHE_DIR = path.join(BENCH_DIR, '.cache');

if (os.endianness() !== 'LE') throw new Error('the frame cache is written as little-endian float32: run on a little-endian machine');

/** Paths (absolute and relative to the repository root, for the static server) of a case's frame files. */
export function frameFiles(frames, points) {
  const stem = `torus-${frames}x${points}`;
  const abs = (kind) => path.join(CACHE_DIR, `${stem}.${kind}.f32`);
  return {
    positions: abs('positions'),
    colors: abs('colors'),
    positionsURLPath: `/bench/.cache/${stem}.positions.f32`,
    colorsURLPath: `/bench/.cache/${stem}.colors.f32`,
    // float32 xyz + float32 rgb per point, every frame
    bytes: frames * points * 3 * 4 * 2,
  };
}

function complete(file, bytes) {
  try {
    return fs.statSync(file).size === bytes;
  } catch {
    return false;
  }
}

/**
 * Makes sure the frame files of `frames` x `points` exist; generates them with
 * torus() when not. Returns the file info and how long generation took (0 when cached).
 */
export function ensureFrames(frames, points) {
  const files = frameFiles(frames, points);
  const half = files.bytes / 2;
  if (complete(files.positions, half) && complete(files.colors, half)) return { ...files, generatedSeconds: 0, cached: true };
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const t0 = performance.now();
  const data = torus({ frames, points });
  // Write through temporary names so an interrupted run never leaves a truncated cache file.
  for (const [key, file] of [['points', files.positions], ['colors', files.colors]]) {
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    for (const frame of data) fs.writeSync(fd, new Uint8Array(frame[key].buffer, frame[key].byteOffset, frame[key].byteLength));
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  }
  return { ...files, generatedSeconds: (performance.now() - t0) / 1000, cached: false };
}
