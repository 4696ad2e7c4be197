// The model when its kernel goes away: a restart while frames are in flight
// aborts the request and says what to do, closing the model cancels its
// export, and a send on a closed comm never throws. And when the page goes
// away (model closed, reload, tab closed) it tells the kernel ('page-gone').

jest.mock('@jupyter-widgets/base', () => require('./fake-widget-base'));

const fetchSignals: AbortSignal[] = [];
jest.mock('../../../src/widget/frame-fetch', () => ({
  fetchFramePayload: jest.fn(
    (_token: string, _bytes: number, _progress: unknown, signal: AbortSignal) =>
      new Promise((_resolve, reject) => {
        fetchSignals.push(signal);
        signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      }),
  ),
}));

const exportSignals: AbortSignal[] = [];
jest.mock('../../../src/core/export', () => ({
  exportAnimation: jest.fn(
    (_frames: unknown, options: { signal: AbortSignal }) =>
      new Promise((_resolve, reject) => {
        exportSignals.push(options.signal);
        options.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      }),
  ),
}));

import { AnimationModel } from '../../../src/widget/model';

interface TestModel {
  status: { phase: string; message: string } | null;
  receiving: { done: number; total: number } | null;
  frameSet: unknown;
  exporting: boolean;
  sent: Array<Record<string, unknown>>;
  commClosed: boolean;
  comm_live: boolean;
  trigger(event: string, ...args: unknown[]): void;
  startExport(): Promise<unknown>;
  close(comm_closed?: boolean): Promise<void>;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const offer = { type: 'frames-offer', version: 1, header: { frames: [{ points: 1, colors: false }], total_bytes: 12 }, token: 'a'.repeat(32), write_seconds: 0 };

function newModel(): TestModel {
  return new AnimationModel({ frames_version: 1 }, { model_id: 'm' } as never) as unknown as TestModel;
}

/** A model whose frames came over the comm: one point, ready to export. */
async function modelWithFrames(): Promise<TestModel> {
  const model = newModel();
  const data = new Float32Array([0, 0, 0]);
  model.trigger('msg:custom', { type: 'frames-begin', version: 1, header: offer.header, chunks: 1 }, []);
  model.trigger('msg:custom', { type: 'frames-chunk', version: 1, index: 0, offset: 0 }, [new DataView(data.buffer)]);
  model.trigger('msg:custom', { type: 'frames-end', version: 1 }, []);
  await settle();
  expect(model.frameSet).not.toBeNull();
  return model;
}

beforeEach(() => {
  fetchSignals.length = 0;
  exportSignals.length = 0;
  jest.spyOn(console, 'warn').mockImplementation(() => {});
  jest.spyOn(console, 'debug').mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

test('a kernel restart while the frames are fetched aborts the request and says to run the cell again', async () => {
  const model = newModel();
  model.trigger('msg:custom', offer, []);
  await settle();
  expect(model.receiving).toEqual({ done: 0, total: 1 });
  expect(fetchSignals[0]!.aborted).toBe(false);

  model.comm_live = false;
  model.commClosed = true;
  model.trigger('comm_live_update');
  await settle();
  expect(fetchSignals[0]!.aborted).toBe(true);
  expect(model.receiving).toBeNull();
  expect(model.status?.message).toMatch(/^Receiving frames failed: the kernel restarted .*Run the cell again/);
  // The aborted fetch does not fall back to asking over the (closed) comm.
  expect(model.sent.filter((m) => m.type === 'request-frames' && m.http === false)).toEqual([]);
});

test('a kernel restart with the frames already here leaves the widget as it was', async () => {
  const model = await modelWithFrames();
  model.comm_live = false;
  model.trigger('comm_live_update');
  expect(model.status).toBeNull();
  expect(model.frameSet).not.toBeNull();
});

test('closing the model cancels its running export', async () => {
  const model = await modelWithFrames();
  const done = model.startExport().catch((e: Error) => e.name);
  expect(model.exporting).toBe(true);
  model.trigger('destroy', model);
  expect(exportSignals[0]!.aborted).toBe(true);
  expect(await done).toBe('AbortError');
  expect(model.exporting).toBe(false);
});

test('a save request on a closed comm neither throws nor leaves anything waiting', async () => {
  const model = await modelWithFrames();
  model.commClosed = true;
  const errors: unknown[] = [];
  process.on('unhandledRejection', (e) => errors.push(e));
  expect(() => model.trigger('msg:custom', { type: 'save', request: 7 }, [])).not.toThrow();
  await settle();
  model.trigger('msg:custom', { type: 'cancel' }, []);
  await settle();
  await settle();
  expect(errors).toEqual([]);
  expect(model.exporting).toBe(false);
  // A closed comm is no transfer failure: no "Receiving frames failed" (the mocked export reports no status).
  expect(model.status).toBeNull();
});

test('anim.cancel() before the frames arrived: the requested export never starts, the kernel hears why', async () => {
  const model = newModel();
  model.trigger('msg:custom', offer, []);
  model.trigger('msg:custom', { type: 'save', request: 3 }, []);
  model.trigger('msg:custom', { type: 'cancel' }, []);
  await settle();
  expect(model.sent).toContainEqual({ type: 'export-failed', request: 3, message: 'the export was cancelled', page: expect.stringMatching(/^[0-9a-f]{24}$/) });
  expect(exportSignals).toEqual([]); // no export was started
  expect(model.receiving).toEqual({ done: 0, total: 1 }); // the frames still come: only the export is off
});

test('every message to the kernel names its page, and two pages have different names', async () => {
  const [a, b] = [newModel(), newModel()];
  a.trigger('msg:custom', offer, []);
  a.trigger('msg:custom', { type: 'save', request: 4 }, []);
  await settle();
  const pages = new Set(a.sent.map((m) => m.page));
  expect(a.sent.length).toBeGreaterThanOrEqual(2); // request-frames and ack at least
  expect(pages.size).toBe(1);
  const [page] = pages;
  expect(page).toMatch(/^[0-9a-f]{24}$/);
  expect(b.sent.every((m) => m.page !== page && /^[0-9a-f]{24}$/.test(String(m.page)))).toBe(true);
});

describe('the page going away tells the kernel, which fails the saves this page was serving', () => {
  const pageGone = (model: TestModel) => model.sent.filter((m) => m.type === 'page-gone');
  let listeners: Array<[string, unknown]>;
  let removed: Array<[string, unknown]>;

  beforeEach(() => {
    listeners = [];
    removed = [];
    (globalThis as { window?: unknown }).window = {
      addEventListener: (type: string, fn: unknown) => listeners.push([type, fn]),
      removeEventListener: (type: string, fn: unknown) => removed.push([type, fn]),
    };
  });
  afterEach(() => delete (globalThis as { window?: unknown }).window);

  test('closing the model from the page says so once, before its comm closes', async () => {
    const model = await modelWithFrames();
    await model.close();
    expect(model.commClosed).toBe(true);
    expect(pageGone(model)).toEqual([{ type: 'page-gone', page: expect.stringMatching(/^[0-9a-f]{24}$/) }]);
  });

  test('a reload or a closed tab (pagehide) says so; the listener goes when the model does', () => {
    const model = newModel();
    const pagehide = listeners.filter(([type]) => type === 'pagehide');
    expect(pagehide).toHaveLength(1);
    (pagehide[0]![1] as () => void)();
    expect(pageGone(model)).toHaveLength(1);
    model.trigger('destroy', model);
    expect(removed).toEqual(pagehide);
    expect(pageGone(model)).toHaveLength(1);
  });

  test('the kernel closing the widget or restarting: nothing is sent, nothing warns', async () => {
    const closed = newModel();
    await closed.close(true);
    const restarted = newModel();
    restarted.comm_live = false;
    restarted.commClosed = true;
    restarted.trigger('destroy', restarted);
    expect([...pageGone(closed), ...pageGone(restarted)]).toEqual([]);
    expect(console.warn).not.toHaveBeenCalled();
    expect(removed.map(([type]) => type)).toEqual(['pagehide', 'pagehide']);
  });
});
