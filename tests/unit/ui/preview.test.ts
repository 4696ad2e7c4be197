/** @jest-environment jsdom */
import { cannotPlayNote, CloudreelPreview } from '../../../src/ui/preview';

let nextUrl = 0;
const createObjectURL = jest.fn((_blob: Blob) => `blob:url-${++nextUrl}`);
const revokeObjectURL = jest.fn((_url: string) => undefined);
Object.assign(URL, { createObjectURL, revokeObjectURL });

beforeEach(() => {
  nextUrl = 0;
  createObjectURL.mockClear();
  revokeObjectURL.mockClear();
  // This "browser" plays MP4 (H.264) but neither WebM nor MPEG-4 Part 2.
  jest
    .spyOn(HTMLMediaElement.prototype, 'canPlayType')
    .mockImplementation((type: string) => (type === 'video/mp4' ? 'maybe' : ''));
});

afterEach(() => {
  jest.restoreAllMocks();
  document.body.replaceChildren();
});

async function mount(blob: Blob | null, mimeType: string): Promise<CloudreelPreview> {
  const el = document.createElement('cloudreel-preview');
  el.blob = blob;
  el.mimeType = mimeType;
  document.body.append(el);
  await el.updateComplete;
  return el;
}

test('a playable video shows a muted, looping <video> with controls', async () => {
  const el = await mount(new Blob(['v'], { type: 'video/mp4' }), 'video/mp4');
  const video = el.shadowRoot!.querySelector('video')!;
  expect(video).not.toBeNull();
  expect(video.getAttribute('src')).toBe('blob:url-1');
  for (const attr of ['controls', 'muted', 'loop', 'playsinline']) expect(video.hasAttribute(attr)).toBe(true);
  expect(el.shadowRoot!.querySelector('img')).toBeNull();
  expect(el.shadowRoot!.querySelector('.note')).toBeNull();
});

test('a GIF shows an <img>', async () => {
  const el = await mount(new Blob(['g'], { type: 'image/gif' }), 'image/gif');
  const img = el.shadowRoot!.querySelector('img')!;
  expect(img.getAttribute('src')).toBe('blob:url-1');
  expect(img.getAttribute('alt')).toBeTruthy();
  expect(el.shadowRoot!.querySelector('video')).toBeNull();
});

test('a video the browser cannot play shows the note instead', async () => {
  const type = 'video/mp4; codecs="mp4v.20.9"';
  const el = await mount(new Blob(['m']), type);
  expect(el.shadowRoot!.querySelector('video')).toBeNull();
  const note = el.shadowRoot!.querySelector('.note')!;
  expect(note.textContent!.trim()).toBe(
    'This browser cannot play video/mp4; codecs="mp4v.20.9" (MPEG-4 Part 2 plays in desktop players such as VLC or QuickTime): download it instead.',
  );
  expect(cannotPlayNote('video/webm')).toContain('cannot play video/webm');

  const webm = await mount(new Blob(['w']), 'video/webm');
  expect(webm.shadowRoot!.querySelector('.note')).not.toBeNull();
});

test('the mime type falls back to the blob type', async () => {
  const el = await mount(new Blob(['g'], { type: 'image/gif' }), '');
  expect(el.shadowRoot!.querySelector('img')).not.toBeNull();
});

test('a video that fails to decode falls back to the note', async () => {
  const el = await mount(new Blob(['v']), 'video/mp4');
  el.shadowRoot!.querySelector('video')!.dispatchEvent(new Event('error'));
  await el.updateComplete;
  expect(el.shadowRoot!.querySelector('video')).toBeNull();
  expect(el.shadowRoot!.querySelector('.note')).not.toBeNull();
});

test('owns its object URL: revokes the old one on a new blob and on disconnect', async () => {
  const first = new Blob(['1']);
  const el = await mount(first, 'video/mp4');
  expect(createObjectURL).toHaveBeenCalledWith(first);
  expect(el.objectUrl).toBe('blob:url-1');

  const second = new Blob(['2']);
  el.blob = second;
  await el.updateComplete;
  expect(revokeObjectURL).toHaveBeenCalledWith('blob:url-1');
  expect(createObjectURL).toHaveBeenLastCalledWith(second);
  expect(el.shadowRoot!.querySelector('video')!.getAttribute('src')).toBe('blob:url-2');

  // Same blob again: no new URL.
  el.requestUpdate();
  await el.updateComplete;
  expect(createObjectURL).toHaveBeenCalledTimes(2);

  el.remove();
  expect(revokeObjectURL).toHaveBeenLastCalledWith('blob:url-2');
  expect(revokeObjectURL).toHaveBeenCalledTimes(2);
  expect(el.objectUrl).toBeNull();

  // Back in the page: a fresh URL.
  document.body.append(el);
  await el.updateComplete;
  expect(el.shadowRoot!.querySelector('video')!.getAttribute('src')).toBe('blob:url-3');

  el.blob = null;
  await el.updateComplete;
  expect(revokeObjectURL).toHaveBeenLastCalledWith('blob:url-3');
  expect(el.shadowRoot!.querySelector('video')).toBeNull();
});
