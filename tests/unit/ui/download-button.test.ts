/** @jest-environment jsdom */
import { CloudreelDownloadButton, downloadLabel } from '../../../src/ui/download-button';

// jsdom has no object URLs, and following a link would be a navigation it does not implement.
const createObjectURL = jest.fn((_blob: Blob) => 'blob:fake-1');
const revokeObjectURL = jest.fn((_url: string) => undefined);
Object.assign(URL, { createObjectURL, revokeObjectURL });

interface Click {
  href: string;
  download: string;
  connected: boolean;
}
let clicks: Click[] = [];

beforeEach(() => {
  clicks = [];
  createObjectURL.mockClear();
  revokeObjectURL.mockClear();
  jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    clicks.push({ href: this.href, download: this.download, connected: this.isConnected });
  });
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
  document.body.replaceChildren();
});

async function mount(props: Partial<Pick<CloudreelDownloadButton, 'blob' | 'fileName' | 'label'>>) {
  const el = document.createElement('cloudreel-download-button');
  Object.assign(el, props);
  document.body.append(el);
  await el.updateComplete;
  return { el, button: el.shadowRoot!.querySelector('button')! };
}

test('a click saves the blob through a temporary <a download> and revokes the URL right after', async () => {
  const blob = new Blob([new Uint8Array([1, 2, 3])], { type: 'video/mp4' });
  const { el, button } = await mount({ blob, fileName: 'my_clip.mp4' });
  const events: CustomEvent[] = [];
  document.addEventListener('cloudreel-download', (e) => events.push(e as CustomEvent));

  expect(button.disabled).toBe(false);
  button.click();

  expect(createObjectURL).toHaveBeenCalledTimes(1);
  expect(createObjectURL).toHaveBeenCalledWith(blob);
  expect(clicks).toEqual([{ href: 'blob:fake-1', download: 'my_clip.mp4', connected: true }]);
  expect(el.shadowRoot!.querySelector('a')).toBeNull(); // the temporary link is gone again
  jest.runAllTimers();
  expect(revokeObjectURL).toHaveBeenCalledWith('blob:fake-1');

  expect(events).toHaveLength(1);
  expect(events[0]!.detail).toEqual({ fileName: 'my_clip.mp4' });
  expect(events[0]!.bubbles).toBe(true);
  expect(events[0]!.composed).toBe(true);
});

test('disabled without a blob: a click does nothing', async () => {
  const { el, button } = await mount({ fileName: 'animation.mp4' });
  const onDownload = jest.fn();
  el.addEventListener('cloudreel-download', onDownload);
  expect(button.disabled).toBe(true);
  button.click();
  expect(el.download()).toBe(false);
  jest.runAllTimers();
  expect(createObjectURL).not.toHaveBeenCalled();
  expect(clicks).toEqual([]);
  expect(onDownload).not.toHaveBeenCalled();

  el.blob = new Blob(['x']);
  await el.updateComplete;
  expect(button.disabled).toBe(false);
});

test('the label names the format: video for MP4 and WebM, image for GIF; a given label wins', async () => {
  expect(downloadLabel('a.mp4')).toBe('Download MP4 video');
  expect(downloadLabel('a.webm')).toBe('Download WEBM video');
  expect(downloadLabel('a.gif')).toBe('Download GIF image');
  expect(downloadLabel('animation')).toBe('Download video');

  const { el, button } = await mount({ blob: new Blob(['x']), fileName: 'clip.gif' });
  expect(button.textContent!.trim()).toBe('Download GIF image');
  el.label = 'Save it';
  await el.updateComplete;
  expect(button.textContent!.trim()).toBe('Save it');
});

// The name may come from a kernel (file_stem): the last step before the browser
// saves a file sanitises it again, whoever set it.
test.each([
  ['../../etc/passwd.mp4', 'etc_passwd.mp4'],
  ['C:\\Windows\\System32\\evil.mp4', 'C__Windows_System32_evil.mp4'],
  ['CON.mp4', 'CON_.mp4'],
  ['nul', 'nul_'],
  ['clip\u202Egnp.exe.mp4', 'clipgnp.exe.mp4'],
  ['a\u0000b\nc.MP4', 'a_b_c.mp4'],
  ['.bashrc', 'animation.bashrc'],
  ['.hidden.mp4', 'hidden.mp4'],
  ['', 'animation'],
  ['clips_my_clip.mp4', 'clips_my_clip.mp4'],
])('a click saves %j as %j, and the event says so', async (given, saved) => {
  const { el, button } = await mount({ blob: new Blob(['x']), fileName: given });
  const events: CustomEvent[] = [];
  el.addEventListener('cloudreel-download', (e) => events.push(e as CustomEvent));
  button.click();
  expect(clicks.map((c) => c.download)).toEqual([saved]);
  expect(events[0]!.detail).toEqual({ fileName: saved });
});
