/** @jest-environment jsdom */
import { formatDuration, formatSize } from '../../../src/ui/metrics-row';
import '../../../src/ui/metrics-row';

afterEach(() => document.body.replaceChildren());

const metricTexts = (root: ShadowRoot) =>
  Array.from(root.querySelectorAll('.metric')).map((m) => m.textContent!.replace(/\s+/g, ' ').trim());

test('shows Frames, Size, Duration and Codec as the original tool did', async () => {
  const el = document.createElement('cloudreel-metrics-row');
  Object.assign(el, { frames: 48, bytes: 2_621_440, durationSeconds: 48 / 5, codec: 'ffmpeg-h264' });
  document.body.append(el);
  await el.updateComplete;
  expect(metricTexts(el.shadowRoot!)).toEqual(['Frames 48', 'Size 2.5 MB', 'Duration 9.6 s', 'Codec ffmpeg-h264']);
  expect(el.shadowRoot!.querySelectorAll('dt')).toHaveLength(4);
});

test('renders nothing until there are frames', async () => {
  const el = document.createElement('cloudreel-metrics-row');
  document.body.append(el);
  await el.updateComplete;
  expect(el.shadowRoot!.querySelector('.metric')).toBeNull();
  expect(el.shadowRoot!.querySelector('dl')).toBeNull();

  el.frames = 3;
  await el.updateComplete;
  expect(metricTexts(el.shadowRoot!)[0]).toBe('Frames 3');
});

test('size is MiB with one decimal; duration seconds with one decimal', () => {
  expect(formatSize(1_048_576)).toBe('1.0 MB');
  expect(formatSize(2_600_000)).toBe('2.5 MB');
  expect(formatSize(0)).toBe('0.0 MB');
  expect(formatDuration(9.6)).toBe('9.6 s');
  expect(formatDuration(0.25)).toBe('0.3 s');
  expect(formatSize(undefined)).toBe('–');
});
