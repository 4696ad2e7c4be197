import { withPageOriginWorker } from '../../../../src/core/encode/page-origin-worker';

// Node has no Worker: a recording stand-in shows what the browser would be asked to start.
class RecordingWorker extends EventTarget {
  static started: Array<{ url: string; options: unknown; worker: RecordingWorker }> = [];
  constructor(url: string, options?: unknown) {
    super();
    RecordingWorker.started.push({ url, options, worker: this });
  }
}

const blobs = new Map<string, Blob>();
let nextBlob = 0;

beforeAll(() => {
  (globalThis as { Worker?: unknown }).Worker = RecordingWorker;
  (globalThis as { location?: unknown }).location = { href: 'https://page.example/notebook/', origin: 'https://page.example' };
  URL.createObjectURL = (blob: Blob) => {
    const url = `blob:https://page.example/${nextBlob++}`;
    blobs.set(url, blob);
    return url;
  };
  URL.revokeObjectURL = (url: string) => void blobs.delete(url);
});
beforeEach(() => (RecordingWorker.started = []));

test('a cross-origin worker URL becomes a classic page-origin blob that imports it', async () => {
  const started = withPageOriginWorker(() => new Worker('https://cdn.example/dist/cloudreel-worker-1.js', { type: 'module' }));
  const { url, options } = RecordingWorker.started[0]!;
  expect(url).toMatch(/^blob:https:\/\/page\.example\//);
  expect(options).toBeUndefined(); // classic worker: importScripts works there
  expect(await blobs.get(url)!.text()).toBe('importScripts("https://cdn.example/dist/cloudreel-worker-1.js");');
  expect(started.result).toBeInstanceOf(RecordingWorker);
  started.release();
  expect(blobs.has(url)).toBe(false);
});

test('a same-origin worker starts from its own URL, classic, with no blob (so a CSP needs no worker-src blob:)', () => {
  const before = blobs.size;
  const started = withPageOriginWorker(() => new Worker('../dist/cloudreel-worker-1.js', { type: 'module' }));
  expect(RecordingWorker.started[0]!.url).toBe('https://page.example/dist/cloudreel-worker-1.js');
  expect(RecordingWorker.started[0]!.options).toBeUndefined();
  expect(blobs.size).toBe(before);
  started.release();
});

test('the global Worker is restored even when start throws', () => {
  expect(() =>
    withPageOriginWorker(() => {
      new Worker('https://cdn.example/worker.js');
      throw new Error('boom');
    }),
  ).toThrow('boom');
  expect(globalThis.Worker).toBe(RecordingWorker);
});

test('a worker that fails to start (a CSP block fires only an error event) rejects `failed`, naming it and the directive', async () => {
  const started = withPageOriginWorker(() => new Worker('https://cdn.example/dist/w.js'));
  RecordingWorker.started[0]!.worker.dispatchEvent(new Event('error'));
  await expect(started.failed).rejects.toThrow(
    "the ffmpeg.wasm worker (a page-origin blob importing https://cdn.example/dist/w.js) failed to start. If the page has a Content-Security-Policy, it must allow this worker (worker-src blob:)",
  );
  const same = withPageOriginWorker(() => new Worker('w.js'));
  RecordingWorker.started[1]!.worker.dispatchEvent(new Event('error'));
  await expect(same.failed).rejects.toThrow("the ffmpeg.wasm worker (https://page.example/notebook/w.js) failed to start. If the page has a Content-Security-Policy, it must allow this worker (worker-src 'self')");
});

test('errors after release are the running job’s business, not a failed start', async () => {
  const started = withPageOriginWorker(() => new Worker('w.js'));
  started.release();
  RecordingWorker.started[0]!.worker.dispatchEvent(new Event('error'));
  const settled = await Promise.race([started.failed.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(() => r('pending'), 20))]);
  expect(settled).toBe('pending');
});

