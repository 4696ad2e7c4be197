import { selectEncoders } from '../../../../src/core/encode/registry';
import { DEFAULT_CODECS } from '../../../../src/core/settings';
import { fakeEncoder } from '../../fakes';

const all = ['ffmpeg-gif', 'ffmpeg-mpeg4', 'ffmpeg-vp8', 'ffmpeg-h264'].map((id) => fakeEncoder(id));

test('default order: WebCodecs H.264, VP9, VP8, then ffmpeg.wasm H.264, VP8, MPEG-4, GIF', () => {
  expect(DEFAULT_CODECS).toEqual(['webcodecs-h264', 'webcodecs-vp9', 'webcodecs-vp8', 'ffmpeg-h264', 'ffmpeg-vp8', 'ffmpeg-mpeg4', 'ffmpeg-gif']);
  const withWebCodecs = [...DEFAULT_CODECS].reverse().map((id) => fakeEncoder(id));
  expect(selectEncoders(withWebCodecs, undefined).map((e) => e.id)).toEqual([...DEFAULT_CODECS]);
  // Encoders a build does not have are left out of the default chain.
  expect(selectEncoders(all, undefined).map((e) => e.id)).toEqual(['ffmpeg-h264', 'ffmpeg-vp8', 'ffmpeg-mpeg4', 'ffmpeg-gif']);
});

test('a caller can choose and reorder', () => {
  expect(selectEncoders(all, ['ffmpeg-gif', 'ffmpeg-h264']).map((e) => e.id)).toEqual(['ffmpeg-gif', 'ffmpeg-h264']);
});

test('an unknown id is an error naming the choices, not a skip', () => {
  expect(() => selectEncoders(all, ['ffmpeg-h264', 'ffmpeg-vp9'])).toThrow(
    'Unknown codec "ffmpeg-vp9": choose from ffmpeg-gif, ffmpeg-mpeg4, ffmpeg-vp8, ffmpeg-h264',
  );
  expect(() => selectEncoders(all, ['ffmpeg-h264', 'ffmpeg-h264'])).toThrow(/listed twice/);
});
