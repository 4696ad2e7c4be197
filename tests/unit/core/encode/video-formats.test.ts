// The codec -> container -> MIME table of tests/cases/video-formats.json, which the
// kernel's allow-list (python/cloudreel/video_receiver.py) must equal, checked here
// against the real encoders, so the two sides cannot drift apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FFmpegHost } from '../../../../src/core/encode/ffmpeg-host';
import { DEFAULT_CODECS } from '../../../../src/core/settings';

// The real host would load the 32 MB wasm core; only the encoders' fields are read here.
jest.mock('../../../../src/core/encode/ffmpeg-host', () => ({ ffmpegHost: null }));
import { createFFmpegEncoders } from '../../../../src/core/encode/ffmpeg';
import { createWebCodecsEncoders } from '../../../../src/core/encode/webcodecs';

const table = JSON.parse(readFileSync(join(__dirname, '../../../cases/video-formats.json'), 'utf8')) as {
  codecs: Record<string, string>;
  containers: Record<string, string>;
};

const encoders = [...createWebCodecsEncoders(), ...createFFmpegEncoders(null as unknown as FFmpegHost)];

test('the table names every encoder the page has, and every default codec', () => {
  expect(Object.keys(table.codecs).sort()).toEqual(encoders.map((e) => e.id).sort());
  expect(Object.keys(table.codecs).sort()).toEqual([...DEFAULT_CODECS].sort());
});

test.each(encoders.map((e) => [e.id, e] as const))('%s: container, extension and MIME type as the table says', (id, encoder) => {
  const container = table.codecs[id]!;
  expect({ container: encoder.container, extension: encoder.extension, mimeType: encoder.mimeType }).toEqual({
    container,
    extension: container,
    mimeType: table.containers[container],
  });
});
