import { withPageOriginWorker } from '../../../../src/core/encode/page-origin-worker';

// Node has no Worker: a recording stand-in shows what the browser would be asked to start.
class RecordingWorker extends EventTarget {
  static started: Array<{ url: string; options: unknown }> = [];
  constructor(url: string, options?: unknown) {
    super();
    RecordingWorker.started.push({ url, options });
  }
}

const blobs = new Map<string, Blob>();
let nextBlob = 0;

beforeAll(() => {
  (globalThis as { Worker?: unknown }).Worker = RecordingWorker;
  (globalThis as { location?: unknown }).location = { href: 'https://page.example/notebook/' };
  URL.createObjectURL = (blob: Blob) => {
    const url = `blob:https://page.example/${nextBlob++}`;
    blobs.set(url, blob);
    return url;
  };
  URL.revokeObjectURL = (url: string) => void blobs.delete(url);
});

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

test('relative URLs resolve against the page, and the global Worker is restored even when start throws', () => {
  RecordingWorker.started = [];
  expect(() =>
    withPageOriginWorker(() => {
      new Worker('worker.js');
      throw new Error('boom');
    }),
  ).toThrow('boom');
  expect(globalThis.Worker).toBe(RecordingWorker);
  return blobs.get(RecordingWorker.started[0]!.url)!.text().then((src) =>
    expect(src).toBe('importScripts("https://page.example/notebook/worker.js");'),
  );
});

test('a worker whose script does not start rejects `failed` with its URL, instead of leaving a load waiting', async () => {
  const started = withPageOriginWorker(() => new Worker('https://cdn.example/dist/cloudreel-worker-1.js'));
  const worker = started.result as unknown as EventTarget;
  worker.dispatchEvent(Object.assign(new Event('error'), { message: 'Uncaught NetworkError: importScripts failed' }));
  await expect(started.failed).rejects.toThrow(
    'its worker script https://cdn.example/dist/cloudreel-worker-1.js did not start (Uncaught NetworkError: importScripts failed)',
  );
  started.release();
});

test('after release, a worker error is no longer taken as a failed start', async () => {
  const started = withPageOriginWorker(() => new Worker('https://cdn.example/dist/cloudreel-worker-1.js'));
  started.release();
  (started.result as unknown as EventTarget).dispatchEvent(new Event('error'));
  const outcome = await Promise.race([started.failed.then(() => 'resolved', () => 'rejected'), new Promise((r) => setTimeout(() => r('pending'), 20))]);
  expect(outcome).toBe('pending');
});
