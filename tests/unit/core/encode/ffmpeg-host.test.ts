// FFmpegHost with a stand-in FFmpeg class, fetch (HEAD, to name a missing file), Worker and object URLs: how
// instances are loaded, replaced and given up on. The real ffmpeg.wasm runs in
// the browser tests (tests/e2e/export-faults.test.mjs).
jest.mock('cloudreel-ffmpeg-core.js', () => ({ __esModule: true, default: 'https://cdn.example/ffmpeg-core.js' }), { virtual: true });
jest.mock('cloudreel-ffmpeg-core.wasm', () => ({ __esModule: true, default: 'https://cdn.example/ffmpeg-core.wasm' }), { virtual: true });

/** How the next stand-in worker behaves once started. */
let workerStart: 'ok' | 'error' | 'hang' = 'ok';
const instances: FakeFFmpeg[] = [];

class FakeWorker extends EventTarget {
  constructor(readonly url: string) {
    super();
  }
}

class FakeFFmpeg {
  terminated = false;
  #reject: (e: Error) => void = () => {};
  constructor() {
    instances.push(this);
  }
  load(config: { coreURL: string; wasmURL: string }): Promise<boolean> {
    // @ffmpeg/ffmpeg starts its worker synchronously inside load().
    const worker = new Worker('https://cdn.example/cloudreel-worker-1.js');
    return new Promise((resolve, reject) => {
      this.#reject = reject;
      // Emscripten compiles whatever a missing wasm URL answers.
      if (missing !== null && [config.coreURL, config.wasmURL].includes(missing)) reject(new Error('RuntimeError: Aborted(CompileError: expected magic word 00 61 73 6d)'));
      else if (workerStart === 'ok') resolve(true);
      if (workerStart === 'error') setTimeout(() => worker.dispatchEvent(Object.assign(new Event('error'), { message: 'NetworkError' })), 0);
    });
  }
  terminate(): void {
    this.terminated = true;
    this.#reject(new Error('called FFmpeg.terminate()'));
  }
}
jest.mock('@ffmpeg/ffmpeg', () => ({ FFmpeg: jest.fn(() => new FakeFFmpeg()) }));

import { FFmpegHost, FFmpegLoadError } from '../../../../src/core/encode/ffmpeg-host';

const liveURLs = new Set<string>();
let missing: string | null = null;

beforeAll(() => {
  (globalThis as { Worker?: unknown }).Worker = FakeWorker;
  (globalThis as { location?: unknown }).location = { href: 'https://page.example/' };
  let n = 0;
  URL.createObjectURL = () => {
    const url = `blob:https://page.example/${n++}`;
    liveURLs.add(url);
    return url;
  };
  URL.revokeObjectURL = (url: string) => void liveURLs.delete(url);
  globalThis.fetch = (async (url: string) =>
    url === missing ? new Response('not found', { status: 404 }) : new Response(new Uint8Array(8))) as typeof fetch;
});

beforeEach(() => {
  instances.length = 0;
  workerStart = 'ok';
  missing = null;
});

const host = () => new FFmpegHost({ core: 'https://cdn.example/ffmpeg-core.js', wasm: 'https://cdn.example/ffmpeg-core.wasm' });
const noop = async () => 'done';

test('one instance serves job after job, and leaves no object URL behind', async () => {
  const h = host();
  for (let i = 0; i < 5; i++) await h.run(noop);
  expect(instances).toHaveLength(1);
  expect(h.stats.loads).toBe(1);
  expect(liveURLs.size).toBe(0);
});

test('after retire(), the job ends on the old instance and the next job gets a fresh one', async () => {
  const h = host();
  await h.run(async () => h.retire());
  await new Promise((r) => setTimeout(r, 0));
  expect(instances[0]!.terminated).toBe(true);
  await h.run(noop);
  expect(instances).toHaveLength(2);
  await h.run(noop);
  expect(instances).toHaveLength(2);
});

test('an instance is replaced after 48 jobs, before its leaked wasm stack runs out', async () => {
  const h = host();
  for (let i = 0; i < 48; i++) await h.run(noop);
  expect(instances).toHaveLength(1);
  await h.run(noop);
  expect(instances).toHaveLength(2);
});

test('a missing wasm file fails with its URL and what to do, and leaves no object URL', async () => {
  missing = 'https://cdn.example/ffmpeg-core.wasm';
  const error = await host().run(noop).catch((e) => e);
  expect(error).toBeInstanceOf(FFmpegLoadError);
  expect(error.engine).toBe('ffmpeg.wasm');
  expect(error.message).toBe(
    'ffmpeg.wasm could not be loaded: could not fetch https://cdn.example/ffmpeg-core.wasm: HTTP 404; serve ffmpeg-core.js, ffmpeg-core.wasm and cloudreel-worker-*.js from the folder of cloudreel.mjs, or point ffmpegHost.configure({ core, wasm }) at your own copies',
  );
  expect(liveURLs.size).toBe(0);
});

test('a worker that does not start fails the load instead of leaving it waiting', async () => {
  workerStart = 'error';
  const error = await host().run(noop).catch((e) => e);
  expect(error.message).toMatch(/^ffmpeg\.wasm could not be loaded: .*the ffmpeg\.wasm worker \(a page-origin blob importing https:\/\/cdn\.example\/cloudreel-worker-1\.js\) failed to start: NetworkError\..*; serve /);
  expect(instances[0]!.terminated).toBe(true);
  expect(liveURLs.size).toBe(0);
});

test('a cancel during a load that never ends rejects with the abort at once and terminates the instance', async () => {
  workerStart = 'hang';
  const controller = new AbortController();
  const pending = host().run(noop, controller.signal);
  await new Promise((r) => setTimeout(r, 5));
  controller.abort();
  await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  expect(instances[0]!.terminated).toBe(true);
});

test('configure() moves the next load to the new URLs and drops the loaded instance', async () => {
  const h = host();
  await h.run(noop);
  h.configure({ wasm: 'https://mine.example/core.wasm' });
  expect(h.urls).toEqual({ core: 'https://cdn.example/ffmpeg-core.js', wasm: 'https://mine.example/core.wasm' });
  missing = 'https://mine.example/core.wasm';
  await expect(h.run(noop)).rejects.toThrow('could not fetch https://mine.example/core.wasm: HTTP 404');
  expect(instances[0]!.terminated).toBe(true);
});
