/** @jest-environment jsdom */
import { toFrameSet, type FrameSet } from '../../../src/core/frames';
import { sampleResult, settle } from './lit-helpers';
import type { ExportStatus } from '../../../src/core/status';
import type { CloudreelExportPanel, ExportRequest } from '../../../src/ui/export-panel';
import '../../../src/ui/index';

Object.assign(URL, { createObjectURL: jest.fn(() => 'blob:panel'), revokeObjectURL: jest.fn() });

beforeEach(() => {
  jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null); // no WebGL in jsdom
  jest.spyOn(HTMLMediaElement.prototype, 'canPlayType').mockImplementation((t: string) => (t === 'video/mp4' ? 'maybe' : ''));
});

afterEach(() => {
  jest.restoreAllMocks();
  document.body.replaceChildren();
});

function frames(n = 4): FrameSet {
  return toFrameSet(Array.from({ length: n }, (_, i) => ({ points: [0, 0, i, 1, 1, 1] })));
}

async function mount(props: Partial<CloudreelExportPanel> = {}): Promise<CloudreelExportPanel> {
  const el = document.createElement('cloudreel-export-panel');
  Object.assign(el, props);
  document.body.append(el);
  await settle(el);
  return el;
}

async function update(el: CloudreelExportPanel, props: Partial<CloudreelExportPanel>) {
  Object.assign(el, props);
  await settle(el);
}

const inPanel = <T extends Element>(el: CloudreelExportPanel, selector: string) => el.shadowRoot!.querySelector<T>(selector);
const exportButton = (el: CloudreelExportPanel) => inPanel<HTMLButtonElement>(el, 'button.export')!;
const progressText = (el: CloudreelExportPanel) =>
  inPanel(el, 'cloudreel-progress-bar')!.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim();

function change(input: HTMLInputElement | HTMLSelectElement, value: string, type = 'change') {
  input.value = value;
  input.dispatchEvent(new Event(type, { bubbles: true }));
}

test('while frames arrive it shows "Receiving frames done/total"', async () => {
  const el = await mount({ receiving: { done: 3, total: 10 } });
  expect(progressText(el)).toBe('Receiving frames 3/10');
  const bar = inPanel(el, 'cloudreel-progress-bar')!.shadowRoot!.querySelector('[role="progressbar"]')!;
  expect(bar.getAttribute('aria-valuenow')).toBe('30');

  await update(el, { receiving: null, frameSet: frames() });
  expect(inPanel(el, 'cloudreel-progress-bar')).toBeNull();
});

test('Export is disabled without frames and while exporting; Cancel shows only while exporting', async () => {
  const el = await mount();
  expect(exportButton(el).textContent!.trim()).toBe('Export video');
  expect(exportButton(el).disabled).toBe(true);
  expect(inPanel(el, 'button.cancel')).toBeNull();

  await update(el, { frameSet: frames() });
  expect(exportButton(el).disabled).toBe(false);

  await update(el, { exporting: true });
  expect(exportButton(el).disabled).toBe(true);
  expect(inPanel(el, 'button.cancel')).not.toBeNull();
  expect(progressText(el)).toBe('Initializing export...');

  const status: ExportStatus = { phase: 'render', fraction: 0.3, message: 'Rendering frame 2/4 (50%)' };
  await update(el, { status });
  expect(progressText(el)).toBe('Rendering frame 2/4 (50%)');

  const onExport = jest.fn();
  el.addEventListener('cloudreel-export', onExport);
  exportButton(el).click();
  expect(onExport).not.toHaveBeenCalled();

  await update(el, { exporting: false, status: { phase: 'error', fraction: 0.3, message: 'Export cancelled' } });
  expect(inPanel(el, 'button.cancel')).toBeNull();
  expect(inPanel(el, 'cloudreel-progress-bar')!.getAttribute('phase')).toBe('error');
});

test('Cancel fires cloudreel-cancel', async () => {
  const el = await mount({ frameSet: frames(), exporting: true });
  const cancels: Event[] = [];
  document.addEventListener('cloudreel-cancel', (e) => cancels.push(e), { once: true });
  inPanel<HTMLButtonElement>(el, 'button.cancel')!.click();
  expect(cancels).toHaveLength(1);
  expect(cancels[0]!.composed).toBe(true);
});

test('Export fires cloudreel-export with the chosen options and the camera the user left the player at', async () => {
  const el = await mount({ frameSet: frames(), fps: 5 });
  // The options row has labelled controls with the defaults.
  const labels = Array.from(el.shadowRoot!.querySelectorAll('.options label')).map((l) =>
    l.firstChild!.textContent!.trim(),
  );
  expect(labels).toEqual(['Point size (px)', 'Point shape', 'Colormap', 'Background', 'Quality']);
  const pointSize = inPanel<HTMLInputElement>(el, 'input.point-size')!;
  const colormap = inPanel<HTMLSelectElement>(el, 'select.colormap')!;
  const background = inPanel<HTMLInputElement>(el, 'input.background')!;
  const quality = inPanel<HTMLSelectElement>(el, 'select.quality')!;
  expect([pointSize.value, colormap.value, background.value, quality.value]).toEqual(['', 'viridis', '#000000', 'standard']);
  expect(Array.from(colormap.options).map((o) => o.value)).toEqual(expect.arrayContaining(['viridis', 'plasma', 'inferno', 'magma']));

  const requests: ExportRequest[] = [];
  const listening = new AbortController();
  document.addEventListener('cloudreel-export', (e) => requests.push((e as CustomEvent<ExportRequest>).detail), {
    signal: listening.signal,
  });

  // Defaults: automatic point size is left out.
  exportButton(el).click();
  // An un-moved player: no camera, the export fits its own (the player's fitted one).
  expect(requests[0]).toEqual({ pointShape: 'square', colormap: 'viridis', background: '#000000', quality: 'standard', fps: 5, view: undefined });
  expect('pointSize' in requests[0]!).toBe(false);

  change(pointSize, '3', 'input');
  change(pointSize, '3');
  change(colormap, 'plasma');
  change(background, '#336699', 'input');
  change(quality, 'high');
  const fps = inPanel(el, 'cloudreel-player')!.shadowRoot!.querySelector<HTMLInputElement>('input[type="number"]')!;
  change(fps, '12');
  // The user moved the camera: the player reports it, the panel keeps it for its requests and hands it back.
  const moved = { position: [5, 6, 7], target: [0, 0, 1], up: [0, 0, 1], fovDeg: 35 };
  el.player!.dispatchEvent(new CustomEvent('cloudreel-view-change', { detail: { view: moved }, bubbles: true, composed: true }));
  await settle(el);
  expect(el.player!.view).toEqual(moved);
  exportButton(el).click();

  const request = requests[1]!;
  expect({ ...request, view: undefined }).toEqual({
    pointSize: 3,
    pointShape: 'square',
    colormap: 'plasma',
    background: '#336699',
    quality: 'high',
    fps: 12,
    view: undefined,
  });
  expect(request.view).toEqual(moved);
  expect(el.player!.getView().target).toEqual(moved.target);
  // The player follows the options.
  expect(el.player!.colormap).toBe('plasma');
  expect(el.player!.background).toBe('#336699');
  expect(el.player!.pointSize).toBe(3);

  // Too large a point size is clamped to what the exporter accepts; clearing it means automatic again.
  change(pointSize, '100', 'input');
  change(pointSize, '100');
  await settle(el);
  expect(pointSize.value).toBe('64');
  exportButton(el).click();
  expect(requests[2]!.pointSize).toBe(64);
  change(pointSize, '', 'input');
  change(pointSize, '');
  exportButton(el).click();
  expect('pointSize' in requests[3]!).toBe(false);
  // Reset view: fitted again, and no camera in the request.
  el.player!.shadowRoot!.querySelector<HTMLButtonElement>('button.reset-view')!.click();
  await settle(el);
  exportButton(el).click();
  expect([el.view, requests[4]!.view]).toEqual([null, undefined]);
  listening.abort();
});

test('each change of the look the user makes is announced once, as its one setting, when committed', async () => {
  const el = await mount({ frameSet: frames() });
  const changes: unknown[] = [];
  el.addEventListener('cloudreel-look-change', (e) => changes.push((e as CustomEvent).detail));
  const pointSize = inPanel<HTMLInputElement>(el, 'input.point-size')!;
  const background = inPanel<HTMLInputElement>(el, 'input.background')!;
  change(pointSize, '2.5', 'input'); // typing: not yet
  change(pointSize, '2.5');
  change(background, '#202020', 'input'); // the picker moving: the player follows, nothing announced
  expect(changes).toEqual([{ pointSize: 2.5 }]);
  await settle(el);
  expect(el.player!.background).toBe('#202020');
  change(background, '#202020');
  change(inPanel<HTMLSelectElement>(el, 'select.quality')!, 'small');
  change(inPanel<HTMLSelectElement>(el, 'select.colormap')!, 'jet');
  change(inPanel<HTMLSelectElement>(el, 'select.point-shape')!, 'round');
  change(pointSize, '');
  expect(changes).toEqual([
    { pointSize: 2.5 }, { background: '#202020' }, { quality: 'small' }, { colormap: 'jet' }, { pointShape: 'round' }, { pointSize: null },
  ]);
  // A value the selects do not offer changes nothing and says nothing.
  change(inPanel<HTMLSelectElement>(el, 'select.quality')!, 'ultra');
  expect(changes).toHaveLength(6);
});

test('the Point shape select: square by default, round on choice, in the request and the player, and keyboard-usable', async () => {
  const el = await mount({ frameSet: frames() });
  const select = inPanel<HTMLSelectElement>(el, 'select.point-shape')!;
  // A native select inside a label: reachable with Tab, named by its label, changed with the arrow keys.
  expect(select.tabIndex).toBe(0);
  expect(select.closest('label')!.firstChild!.textContent!.trim()).toBe('Point shape');
  expect(Array.from(select.options).map((o) => [o.value, o.textContent!.trim()])).toEqual([['square', 'Square'], ['round', 'Round']]);
  expect([select.value, el.pointShape, el.player!.pointShape]).toEqual(['square', 'square', 'square']);

  change(select, 'round');
  await settle(el);
  expect([el.pointShape, el.player!.pointShape, el.exportRequest().pointShape]).toEqual(['round', 'round', 'round']);
  // A value core does not know changes nothing.
  const stray = new Option('star', 'star');
  select.append(stray);
  change(select, 'star');
  await settle(el);
  expect(el.pointShape).toBe('round');
  stray.remove();

  // Set from outside (the widget does so from the kernel's point_shape), the select shows it; locked while exporting.
  await update(el, { pointShape: 'square' });
  expect(select.value).toBe('square');
  await update(el, { exporting: true });
  expect(select.matches(':disabled')).toBe(true);
});

test('with a result it shows the preview, the metrics and a download button with a sanitised name', async () => {
  const el = await mount({ frameSet: frames(), fileStem: '../clips/my:clip', result: sampleResult(), status: { phase: 'done', fraction: 1, message: 'Video ready! (2.5 MB)' } });
  const metrics = inPanel(el, 'cloudreel-metrics-row')!.shadowRoot!;
  expect(Array.from(metrics.querySelectorAll('.metric')).map((m) => m.textContent!.replace(/\s+/g, ' ').trim())).toEqual([
    'Frames 48',
    'Size 2.5 MB',
    'Duration 9.6 s',
    'Codec ffmpeg-h264',
  ]);
  const download = el.shadowRoot!.querySelector('cloudreel-download-button')!;
  expect(download.fileName).toBe('clips_my_clip.mp4');
  expect(download.blob).toBe(el.result!.blob);
  expect(download.shadowRoot!.querySelector('button')!.textContent!.trim()).toBe('Download MP4 video');
  expect(inPanel(el, 'cloudreel-preview')!.shadowRoot!.querySelector('video')).not.toBeNull();
  expect(inPanel(el, 'cloudreel-progress-bar')!.getAttribute('phase')).toBe('done');

  await update(el, { fileStem: 'CON', result: { ...sampleResult(), extension: 'GIF', mimeType: 'image/gif' } });
  expect(el.shadowRoot!.querySelector('cloudreel-download-button')!.fileName).toBe('CON_.gif');
  expect(inPanel(el, 'cloudreel-preview')!.shadowRoot!.querySelector('img')).not.toBeNull();

  await update(el, { result: null });
  expect(inPanel(el, 'cloudreel-download-button')).toBeNull();
  expect(inPanel(el, 'cloudreel-metrics-row')).toBeNull();
});
