// Debian's ffmpeg/ffprobe: the judge of every output, and the native libx264
// encoder that WebCodecs is compared with.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** Codec, decoded frame count, size and duration of the first video stream (null fields if unreadable). */
export function probe(file) {
  try {
    const out = execFileSync('ffprobe', [
      '-v', 'error', '-select_streams', 'v:0', '-count_frames',
      '-show_entries', 'stream=codec_name,profile,width,height,nb_read_frames,pix_fmt:format=duration,format_name',
      '-of', 'json', file,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const { streams, format } = JSON.parse(out.toString());
    const s = streams?.[0] ?? {};
    return {
      codec: s.codec_name ?? null,
      profile: s.profile ?? null,
      frames: s.nb_read_frames === undefined ? null : Number(s.nb_read_frames),
      width: s.width ?? null,
      height: s.height ?? null,
      pixFmt: s.pix_fmt ?? null,
      duration: format?.duration === undefined ? null : Number(format.duration),
      format: format?.format_name ?? null,
    };
  } catch (e) {
    return { error: String(e.stderr || e.message).trim().slice(0, 300) };
  }
}

export function ffmpegVersion() {
  return execFileSync('ffmpeg', ['-version']).toString().split('\n')[0];
}

/** Decodes a video to raw RGBA (at most `maxFrames` frames). Returns the number of frames written. */
export function decodeToRGBA(video, out, { width, height, maxFrames }) {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', video, '-frames:v', String(maxFrames), '-f', 'rawvideo', '-pix_fmt', 'rgba', out]);
  const bytes = fs.statSync(out).size;
  const frames = bytes / (width * height * 4);
  if (!Number.isInteger(frames)) throw new Error(`${out}: ${bytes} bytes is not a whole number of ${width}x${height} RGBA frames`);
  return frames;
}

/**
 * Wall time of a native libx264 encode of raw RGBA frames (encode only: the
 * input file is read once beforehand so it sits in the page cache). Runs
 * `runs` times and reports each and the best.
 */
export function timeNativeX264(rgba, out, { width, height, fps, frames, preset, runs = 2 }) {
  fs.readFileSync(rgba); // warm the page cache
  const args = [
    '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${width}x${height}`, '-r', String(fps), '-i', rgba,
    '-c:v', 'libx264', '-preset', preset, '-pix_fmt', 'yuv420p', out,
  ];
  const seconds = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    seconds.push((performance.now() - t0) / 1000);
    if (r.status !== 0) throw new Error(`ffmpeg ${preset} failed: ${r.stderr}`);
  }
  const best = Math.min(...seconds);
  const info = probe(out);
  return {
    preset,
    command: `ffmpeg ${args.join(' ')}`,
    seconds,
    bestSeconds: best,
    fps: frames / best,
    bytes: fs.statSync(out).size,
    outputFrames: info.frames,
    profile: info.profile,
  };
}

/**
 * Share of lit pixels (r+g+b above 24) in the middle decoded frame: a cheap
 * check that a video shows the points and is not black.
 */
export function litFractionOfMiddleFrame(file, frames) {
  try {
    const middle = Math.floor(frames / 2);
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', `select=eq(n\\,${middle})`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 28 });
    let lit = 0;
    for (let i = 0; i < raw.length; i += 3) if (raw[i] + raw[i + 1] + raw[i + 2] > 24) lit++;
    return raw.length ? Math.round((lit / (raw.length / 3)) * 1e4) / 1e4 : null;
  } catch {
    return null;
  }
}
