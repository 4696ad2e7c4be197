// ExportRunner on its own, with no widget base: the options an export gets,
// its status in the widget state, one export at a time, the kernel's export
// and save requests (ack, the traits' camera, file in chunks, reuse, failure, cancel),
// and the lifetime signal stopping an export.
const runs: Array<{ options: Record<string, unknown> & { signal: AbortSignal; onStatus(s: unknown): void }; resolve(r: unknown): void; reject(e: Error): void }> = [];
jest.mock('../../../src/core/export', () => ({
  exportAnimation: jest.fn(
    (_frames: unknown, options: (typeof runs)[number]['options']) =>
      new Promise((resolve, reject) => {
        runs.push({ options, resolve, reject });
        options.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      }),
  ),
}));

import { toFrameSet } from '../../../src/core/frames';
import type { ExportResult } from '../../../src/core/pipeline';
import { ExportRunner, type FrameSource, type RunnerHost } from '../../../src/widget/export-runner';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
/** The widget's traits, the look ones at their defaults. */
const DEFAULT_STATE: Record<string, unknown> = {
  fps: 5, width: 640, height: 480, title: false, colormap: 'magma', point_shape: 'square', codecs: [], bounds: null, vmin: 1, vmax: undefined, palette: null,
  point_size: null, background: '#000000', quality: 'standard', view: null,
};
const VIEW_TRAIT = { position: [1, 2, 3], target: [0, 0, 0], up: [0, 0, 1], fov_deg: 40 };

function result(bytes: number): ExportResult {
  return { blob: new Blob([new Uint8Array(bytes).fill(7)]), mimeType: 'video/mp4', extension: 'mp4', codec: 'ffmpeg-h264', bytes, durationSeconds: 2, frames: 10, attempts: [], timings: { renderMs: 1, encodeMs: 1, totalMs: 2 } };
}

function newRunner({ frames = true, traits = {} as Record<string, unknown> } = {}) {
  const state = { ...DEFAULT_STATE, ...traits };
  const sent: Array<{ content: Record<string, unknown>; buffers?: ArrayBufferView[] }> = [];
  const saved: unknown[] = [];
  let waiting: Array<(e?: Error) => void> = [];
  const source: FrameSource & { arrive(): void } = {
    frameSet: frames ? toFrameSet([{ points: [0, 0, 0] }]) : null,
    version: frames ? 1 : null,
    ready: () => (source.frameSet ? Promise.resolve() : new Promise<void>((resolve, reject) => waiting.push((e) => (e ? reject(e) : resolve())))),
    cancelWaiting: () => waiting.splice(0).forEach((wake) => wake(new DOMException('the export was cancelled', 'AbortError'))),
    arrive() {
      Object.assign(source, { frameSet: toFrameSet([{ points: [0, 0, 0] }]), version: 1 });
      waiting.splice(0).forEach((wake) => wake());
    },
  };
  const host: RunnerHost & { open: boolean; notified: number } = {
    status: null,
    open: true,
    notified: 0,
    sendToKernel(content, buffers) {
      if (!host.open) return false;
      sent.push({ content, ...(buffers ? { buffers } : {}) });
      return true;
    },
    notifyViews: () => void host.notified++,
    get: (name) => state[name],
    saveState: (values) => void saved.push(values),
  };
  const lifetime = new AbortController();
  return { runner: new ExportRunner(host, source, lifetime.signal), host, source, sent, saved, lifetime, messages: () => sent.map((m) => m.content) };
}

beforeEach(() => {
  runs.length = 0;
});

test('no frames yet: the export says so', async () => {
  await expect(newRunner({ frames: false }).runner.start()).rejects.toThrow('the frames have not arrived from the kernel yet');
});

test('an export gets the widget\'s traits, then the panel\'s fps; its status reaches the status line, the widget state and the views', async () => {
  const { runner, host, saved } = newRunner();
  const done = runner.start({ fps: 12 });
  expect(runner.exporting).toBe(true);
  expect(runner.start()).toBe(runner.start()); // one at a time: a second start joins the first
  const { options } = runs[0]!;
  expect(runs).toHaveLength(1);
  expect(options).toMatchObject({ fps: 12, width: 640, height: 480, title: false, colormap: 'magma', bounds: null, vmin: 1, palette: null });
  expect('vmax' in options || 'codecs' in options).toBe(false); // undefined and empty ones are left out
  // The look traits at their defaults too: the export asks what it asked before they existed (tests/cases/goldens.json).
  expect(['pointSize', 'pointShape', 'background', 'quality', 'view'].filter((k) => k in options)).toEqual([]);
  const status = { phase: 'done', fraction: 1, message: 'Video ready! (0.0 MB)' };
  options.onStatus(status);
  expect(host.status).toBe(status);
  expect(saved).toEqual([{ export_status: 'Video ready! (0.0 MB)', export_progress: 1, export_complete: true }]);
  runs[0]!.resolve(result(3));
  await expect(done).resolves.toMatchObject({ bytes: 3 });
  expect(runner.result?.bytes).toBe(3);
  expect(runner.exporting).toBe(false);
});

test('codecs: the request\'s go to the export', () => {
  const { runner } = newRunner();
  void runner.start({}, ['ffmpeg-vp8']);
  expect(runs[0]!.options.codecs).toEqual(['ffmpeg-vp8']);
});

test('the look traits away from their defaults reach the export as its options; the view trait is world coordinates with fovDeg', () => {
  const { runner } = newRunner({ traits: { point_size: 3, point_shape: 'round', background: '#202020', quality: 'high', view: VIEW_TRAIT } });
  void runner.start();
  const { pointSize, pointShape, background, quality, view, colormap } = runs[0]!.options;
  expect({ pointSize, pointShape, background, quality, view, colormap }).toEqual({
    pointSize: 3, pointShape: 'round', background: '#202020', quality: 'high', colormap: 'magma',
    view: { position: [1, 2, 3], target: [0, 0, 0], up: [0, 0, 1], fovDeg: 40 },
  });
});

test('a save request: acknowledged at once, rendered with the view trait, its file sent in chunks with their bytes', async () => {
  const { runner, sent, messages } = newRunner({ traits: { view: VIEW_TRAIT } });
  runner.serve('save', 4);
  expect(messages()).toEqual([{ type: 'ack', request: 4 }]);
  await settle();
  expect(runs[0]!.options.view).toEqual({ position: [1, 2, 3], target: [0, 0, 0], up: [0, 0, 1], fovDeg: 40 });
  runs[0]!.resolve(result(5));
  await settle();
  await settle();
  expect(messages().slice(1)).toEqual([
    { type: 'file-begin', request: 4, total_bytes: 5, chunks: 1, mime_type: 'video/mp4', extension: 'mp4', codec: 'ffmpeg-h264', frames: 10, duration: 2 },
    { type: 'file-chunk', request: 4, index: 0, offset: 0 },
  ]);
  expect(Array.from(sent[2]!.buffers![0] as Uint8Array)).toEqual([7, 7, 7, 7, 7]);

  // A second save of the same frames reuses the file; an export request always renders.
  runner.serve('save', 5);
  await settle();
  await settle();
  expect(runs).toHaveLength(1);
  expect(messages().filter((m) => m.type === 'file-begin').map((m) => m.request)).toEqual([4, 5]);
  runner.serve('export', 6);
  await settle();
  expect(runs).toHaveLength(2);
});

test('a failed export, a cancel and a cancel before the frames arrived each tell the kernel why', async () => {
  const { runner, messages } = newRunner();
  runner.serve('export', 1);
  await settle();
  runs[0]!.reject(new Error('no codec worked'));
  await settle();
  runner.serve('export', 2);
  await settle();
  runner.cancelAll();
  await settle();
  const waiting = newRunner({ frames: false });
  waiting.runner.serve('save', 3);
  waiting.runner.cancelAll();
  await settle();
  expect(messages().filter((m) => m.type === 'export-failed')).toEqual([
    { type: 'export-failed', request: 1, message: 'no codec worked' },
    { type: 'export-failed', request: 2, message: 'the export was cancelled' },
  ]);
  expect(waiting.messages()).toEqual([{ type: 'ack', request: 3 }, { type: 'export-failed', request: 3, message: 'the export was cancelled' }]);
  expect(runs).toHaveLength(2);
});

test('a request waits for the frames; a closed comm sends no chunks after a refused file-begin', async () => {
  const { runner, host, source, messages } = newRunner({ frames: false });
  runner.serve('save', 8);
  await settle();
  expect(runs).toHaveLength(0);
  source.arrive();
  await settle();
  host.open = false;
  runs[0]!.resolve(result(3));
  await settle();
  await settle();
  expect(messages()).toEqual([{ type: 'ack', request: 8 }]);
  expect(runner.result?.bytes).toBe(3); // kept for the Download button
});

test('the lifetime ending stops the running export', async () => {
  const { runner, lifetime } = newRunner();
  const done = runner.start();
  lifetime.abort();
  expect(runs[0]!.options.signal.aborted).toBe(true);
  await expect(done).rejects.toMatchObject({ name: 'AbortError' });
  expect(runner.exporting).toBe(false);
});
