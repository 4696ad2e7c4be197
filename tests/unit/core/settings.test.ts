// src/core/settings.ts against tests/cases/settings.json (which Python is checked against too), and each limit
// enforced at exactly its value by resolveOptions and by ffmpeg's arguments.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeArgs } from '../../../src/core/encode/ffmpeg-args';
import { resolveOptions } from '../../../src/core/options';
import * as settings from '../../../src/core/settings';

const table = JSON.parse(readFileSync(join(__dirname, '../../cases/settings.json'), 'utf8')) as {
  settings: Record<string, unknown>;
};

test('settings.ts exports exactly the values of tests/cases/settings.json', () => {
  expect({ ...settings }).toEqual(table.settings);
});

test('the defaults are what resolveOptions gives for no options', () => {
  const { scale, view, pointSize, ...resolved } = resolveOptions({});
  expect({ scale, view, pointSize }).toEqual({ scale: {}, view: undefined, pointSize: undefined });
  expect(resolved).toEqual(settings.DEFAULTS);
});

test('resolveOptions takes each limit itself and refuses just past it', () => {
  const { MIN_FPS, MAX_FPS, MAX_SIDE, MAX_POINT_SIZE } = settings;
  for (const options of [{ fps: MIN_FPS }, { fps: MAX_FPS }, { width: MAX_SIDE, height: MAX_SIDE }, { pointSize: MAX_POINT_SIZE }]) {
    expect(() => resolveOptions(options)).not.toThrow();
  }
  const fps = `fps must be a number from ${MIN_FPS} to ${MAX_FPS} (frames per second)`;
  expect(() => resolveOptions({ fps: MIN_FPS * 0.99 })).toThrow(fps);
  expect(() => resolveOptions({ fps: MAX_FPS * 1.01 })).toThrow(fps);
  expect(() => resolveOptions({ width: MAX_SIDE + 2 })).toThrow(`width ${MAX_SIDE + 2} is larger than ${MAX_SIDE} pixels`);
  expect(() => resolveOptions({ pointSize: MAX_POINT_SIZE + 0.5 })).toThrow(`pointSize must be between 0 and ${MAX_POINT_SIZE} pixels`);
});

test('every choice list is what resolveOptions accepts, and its message names them', () => {
  for (const quality of settings.QUALITIES) expect(resolveOptions({ quality }).quality).toBe(quality);
  for (const colormap of settings.COLORMAPS) expect(resolveOptions({ colormap }).colormap).toBe(colormap);
  for (const pointShape of settings.POINT_SHAPES) expect(resolveOptions({ pointShape }).pointShape).toBe(pointShape);
  for (const renderer of settings.RENDERER_KINDS) expect(resolveOptions({ renderer }).renderer).toBe(renderer);
  for (const frameImage of settings.FRAME_IMAGE_FORMATS) expect(resolveOptions({ frameImage }).frameImage).toBe(frameImage);
  expect(() => resolveOptions({ quality: 'best' as never })).toThrow(`quality must be one of ${settings.QUALITIES.join(', ')}`);
  expect(() => resolveOptions({ renderer: 'gpu' as never })).toThrow('renderer must be "auto", "webgl" or "cpu"');
  expect(() => resolveOptions({ pointShape: 'circle' as never })).toThrow('pointShape must be "square" or "round"');
  expect(() => resolveOptions({ frameImage: 'webp' as never })).toThrow('frameImage must be "jpeg", "png" or "rgba"');
});

test('ffmpeg gets a keyframe every KEYFRAME_SECONDS and the limits as resolveOptions has them', () => {
  const job = { imageFormat: 'png' as const, width: 64, height: 64, fps: 10 };
  const args = encodeArgs('ffmpeg-h264', job, '/cloudreel-1');
  expect(args[args.indexOf('-g') + 1]).toBe(String(10 * settings.KEYFRAME_SECONDS));
  expect(() => encodeArgs('ffmpeg-h264', { ...job, fps: settings.MAX_FPS }, '/cloudreel-1')).not.toThrow();
  expect(() => encodeArgs('ffmpeg-h264', { ...job, fps: settings.MAX_FPS + 1 }, '/cloudreel-1')).toThrow(`at most ${settings.MAX_FPS}`);
  expect(() => encodeArgs('ffmpeg-h264', { ...job, width: settings.MAX_SIDE + 2 }, '/cloudreel-1')).toThrow(`at most ${settings.MAX_SIDE} pixels`);
});
