/** @jest-environment ./tests/unit/widget/widget-environment.cjs */
// The model when its kernel goes away: a restart while frames are in flight
// aborts the request and says what to do, closing the model cancels its
// export, and a send on a closed comm never throws. And when the page goes
// away (model closed, reload, tab closed) it tells the kernel ('page-gone').

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

import { createWidget, type Widget } from './widget-harness';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const offer = { type: 'frames-offer', version: 1, header: { frames: [{ points: 1, colors: false }], total_bytes: 12 }, token: 'a'.repeat(32), write_seconds: 0 };

function newWidget(): Widget {
  return createWidget({ frames_version: 1 });
}

/** A widget whose frames came over the comm: one point, ready to export. */
async function widgetWithFrames(): Promise<Widget> {
  const widget = newWidget();
  const data = new Float32Array([0, 0, 0]);
  widget.deliver({ type: 'frames-begin', version: 1, header: offer.header, chunks: 1 }, []);
  widget.deliver({ type: 'frames-chunk', version: 1, index: 0, offset: 0 }, [new DataView(data.buffer)]);
  widget.deliver({ type: 'frames-end', version: 1 }, []);
  await settle();
  expect(widget.model.inbox.frameSet).not.toBeNull();
  return widget;
}

beforeEach(() => {
  fetchSignals.length = 0;
  exportSignals.length = 0;
  jest.spyOn(console, 'warn').mockImplementation(() => {});
  jest.spyOn(console, 'debug').mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

test('a kernel restart while the frames are fetched aborts the request and says to run the cell again', async () => {
  const { model, deliver, sent, restartKernel } = newWidget();
  deliver(offer, []);
  await settle();
  expect(model.inbox.receiving).toEqual({ done: 0, total: 1 });
  expect(fetchSignals[0]!.aborted).toBe(false);

  restartKernel();
  await settle();
  expect(fetchSignals[0]!.aborted).toBe(true);
  expect(model.inbox.receiving).toBeNull();
  expect(model.status?.message).toMatch(/^Receiving frames failed: the kernel restarted .*Run the cell again/);
  // The aborted fetch does not fall back to asking over the (closed) comm.
  expect(sent.filter((m) => m.type === 'request-frames' && m.http === false)).toEqual([]);
});

test('a kernel restart with the frames already here leaves the widget as it was', async () => {
  const { model, restartKernel } = await widgetWithFrames();
  restartKernel();
  expect(model.status).toBeNull();
  expect(model.inbox.frameSet).not.toBeNull();
});

test('closing the model cancels its running export', async () => {
  const { model } = await widgetWithFrames();
  const done = model.runner.start().catch((e: Error) => e.name);
  expect(model.runner.exporting).toBe(true);
  void model.close();
  expect(exportSignals[0]!.aborted).toBe(true);
  expect(await done).toBe('AbortError');
  expect(model.runner.exporting).toBe(false);
});

test('a save request on a closed comm neither throws nor leaves anything waiting', async () => {
  const { model, comm, deliver } = await widgetWithFrames();
  comm.closed = true;
  const errors: unknown[] = [];
  process.on('unhandledRejection', (e) => errors.push(e));
  expect(() => deliver({ type: 'save', request: 7 }, [])).not.toThrow();
  await settle();
  deliver({ type: 'cancel' }, []);
  await settle();
  await settle();
  expect(errors).toEqual([]);
  expect(model.runner.exporting).toBe(false);
  // A closed comm is no transfer failure: no "Receiving frames failed" (the mocked export reports no status).
  expect(model.status).toBeNull();
});

test('anim.cancel() before the frames arrived: the requested export never starts, the kernel hears why', async () => {
  const { model, deliver, sent } = newWidget();
  deliver(offer, []);
  deliver({ type: 'save', request: 3 }, []);
  deliver({ type: 'cancel' }, []);
  await settle();
  expect(sent).toContainEqual({ type: 'export-failed', request: 3, message: 'the export was cancelled', page: expect.stringMatching(/^[0-9a-f]{24}$/) });
  expect(exportSignals).toEqual([]); // no export was started
  expect(model.inbox.receiving).toEqual({ done: 0, total: 1 }); // the frames still come: only the export is off
});

test('every message to the kernel names its page, and two pages have different names', async () => {
  const [a, b] = [newWidget(), newWidget()];
  a.deliver(offer, []);
  a.deliver({ type: 'save', request: 4 }, []);
  await settle();
  const pages = new Set(a.sent.map((m) => m.page));
  expect(a.sent.length).toBeGreaterThanOrEqual(2); // request-frames and ack at least
  expect(pages.size).toBe(1);
  const [page] = pages;
  expect(page).toMatch(/^[0-9a-f]{24}$/);
  expect(b.sent.every((m) => m.page !== page && /^[0-9a-f]{24}$/.test(String(m.page)))).toBe(true);
});

describe('the page going away tells the kernel, which fails the saves this page was serving', () => {
  const pageGone = (widget: Widget) => widget.sent.filter((m) => m.type === 'page-gone');
  let listeners: Array<[string, unknown, AddEventListenerOptions | undefined]>;
  /** The listeners whose lifetime signal has ended: the browser has dropped them. */
  const removed = () => listeners.filter(([, , options]) => options?.signal?.aborted);

  beforeEach(() => {
    listeners = [];
    jest.spyOn(window, 'addEventListener').mockImplementation((type: string, fn: unknown, options?: boolean | AddEventListenerOptions) => {
      listeners.push([type, fn, typeof options === 'object' ? options : undefined]);
    });
  });

  test('closing the model from the page says so once, before its comm closes', async () => {
    const widget = await widgetWithFrames();
    await widget.model.close();
    expect(widget.comm.closed).toBe(true);
    expect(pageGone(widget)).toEqual([{ type: 'page-gone', page: expect.stringMatching(/^[0-9a-f]{24}$/) }]);
  });

  test('a reload or a closed tab (pagehide) says so; the listener goes when the model does', async () => {
    const widget = newWidget();
    const pagehide = listeners.filter(([type]) => type === 'pagehide');
    expect(pagehide).toHaveLength(1);
    (pagehide[0]![1] as () => void)();
    expect(pageGone(widget)).toHaveLength(1);
    await widget.model.close();
    expect(removed()).toEqual(pagehide);
    expect(pageGone(widget)).toHaveLength(1);
  });

  test('the kernel closing the widget or restarting: nothing is sent, nothing warns', async () => {
    const closed = newWidget();
    await closed.model.close(true);
    const restarted = newWidget();
    restarted.restartKernel();
    await restarted.model.close();
    expect([...pageGone(closed), ...pageGone(restarted)]).toEqual([]);
    expect(console.warn).not.toHaveBeenCalled();
    expect(removed().map(([type]) => type)).toEqual(['pagehide', 'pagehide']);
  });
});
