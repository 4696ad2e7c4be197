// Reads videos with Debian's ffprobe/ffmpeg: the independent judge of what the browser made.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const tempDirs = [];
// Each test file runs in its own process: its videos go when it ends.
process.on('exit', () => tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Writes `bytes` to a new temporary folder (removed when the test process exits); returns the file's path. */
export function writeTemp(bytes, name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudreel-test-'));
  tempDirs.push(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Codec, decoded frame count, duration and size of the first video stream. */
export function probe(file) {
  const out = execFileSync('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-count_frames',
    '-show_entries', 'stream=codec_name,width,height,nb_read_frames,pix_fmt,color_range:format=duration,format_name',
    '-of', 'json', file,
  ]);
  const { streams, format } = JSON.parse(out.toString());
  const s = streams[0];
  return {
    codec: s.codec_name,
    frames: Number(s.nb_read_frames),
    width: s.width,
    height: s.height,
    pixFmt: s.pix_fmt,
    colorRange: s.color_range,
    duration: Number(format.duration),
    format: format.format_name,
  };
}

/** What `ffmpeg -v error` prints while decoding the whole file ('' for a clean file). */
export function decodeErrors(file) {
  const run = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
  if (run.error) throw run.error;
  return `${run.stderr}${run.status === 0 ? '' : `(ffmpeg exited with ${run.status})`}`.trim();
}

/** Every frame decoded to RGB bytes (honouring the stream's colour tags). */
export function decodeFrames(file, width, height) {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: 1 << 30,
  });
  const size = width * height * 3;
  return Array.from({ length: raw.length / size }, (_, i) => raw.subarray(i * size, (i + 1) * size));
}

/** Mean absolute difference per channel between two RGB frames. */
export function meanDifference(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** Mean [r, g, b] over a square of side 2*half+1 around (x, y). */
export function meanColor(frame, width, x, y, half = 4) {
  const sum = [0, 0, 0];
  let n = 0;
  for (let j = y - half; j <= y + half; j++) {
    for (let i = x - half; i <= x + half; i++) {
      const k = (j * width + i) * 3;
      sum[0] += frame[k];
      sum[1] += frame[k + 1];
      sum[2] += frame[k + 2];
      n++;
    }
  }
  return sum.map((v) => v / n);
}

/** Share of pixels brighter than a threshold: 0 for an all-black frame. */
export function litFraction(frame, threshold = 24) {
  let lit = 0;
  for (let i = 0; i < frame.length; i += 3) {
    if (frame[i] + frame[i + 1] + frame[i + 2] > threshold) lit++;
  }
  return lit / (frame.length / 3);
}
