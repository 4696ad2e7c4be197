/** @jest-environment ./tests/unit/widget/widget-environment.cjs */
// The model against HTTP offers the kernel should not have made: too large to
// allocate, a header that does not add up, a body that disagrees with the
// header. Each ends in an error that names the problem (never "Receiving
// frames 0/1" for ever), and each is acknowledged so the kernel drops its
// spool file. Good frames afterwards clear the old error text.
jest.mock('../../../src/core/export', () => ({ exportAnimation: jest.fn(() => Promise.reject(new Error('no exports in this test'))) }));

/** What the frames route answers next: a body, or a network failure. */
const responses: Array<() => Response> = [];
const requested: string[] = [];
jest.mock('@jupyterlab/services', () => ({
  ServerConnection: {
    makeSettings: () => ({ baseUrl: 'http://jupyter.test/' }),
    makeRequest: jest.fn(async (url: string) => {
      requested.push(url);
      const next = responses.shift();
      if (!next) throw new TypeError('Failed to fetch');
      return next();
    }),
  },
}));

import { createWidget, type Widget } from './widget-harness';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const token = 'b'.repeat(32);
const onePoint = { frames: [{ points: 1, colors: false }], total_bytes: 12 };

function newWidget(): Widget {
  return createWidget({ frames_version: 1 });
}

function serve(bytes: number): void {
  responses.push(() => new Response(new Uint8Array(bytes), { status: 200, headers: { 'Content-Type': 'application/octet-stream' } }));
}

function offer(widget: Widget, header: object, version = 1): void {
  widget.deliver({ type: 'frames-offer', version, header, token, write_seconds: 0 }, []);
}

/** Frames over the comm, as the kernel's fallback sends them. */
function sendOverComm(widget: Widget, version: number, header: object = onePoint): void {
  const data = new Float32Array([1, 2, 3]);
  widget.deliver({ type: 'frames-begin', version, header, chunks: 1 }, []);
  widget.deliver({ type: 'frames-chunk', version, index: 0, offset: 0 }, [new DataView(data.buffer)]);
  widget.deliver({ type: 'frames-end', version }, []);
}

const acks = (widget: Widget) => widget.sent.filter((m) => m.type === 'frames-received').map((m) => m.token);
const commRequests = (widget: Widget) => widget.sent.filter((m) => m.type === 'request-frames' && m.http === false);

beforeEach(() => {
  responses.length = 0;
  requested.length = 0;
  jest.spyOn(console, 'warn').mockImplementation(() => {});
  jest.spyOn(console, 'debug').mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

test('an offer larger than the page can allocate ends with the out-of-memory message and is acknowledged', async () => {
  const widget = newWidget();
  const { model } = widget;
  const points = 2 ** 40;
  offer(widget, { frames: [{ points, colors: false }], total_bytes: points * 12 });
  await settle();
  expect(model.status?.message).toBe('Receiving frames failed: the frames need 13194.1 GB, more memory than this page can have');
  expect(model.inbox.receiving).toBeNull();
  expect(acks(widget)).toEqual([token]);
  expect(requested).toEqual([]); // nothing fetched
});

test('an offer whose header does not add up is refused and acknowledged', async () => {
  const widget = newWidget();
  const { model } = widget;
  offer(widget, { ...onePoint, total_bytes: 24 });
  await settle();
  expect(acks(widget)).toEqual([token]);
  expect(model.status?.message).toBe('Receiving frames failed: frames header says 24 bytes but its frames need 12');
});

test('a served body longer than the header fails naming the sizes, is acknowledged and not asked for again', async () => {
  const widget = newWidget();
  const { model } = widget;
  serve(24);
  offer(widget, onePoint);
  await settle();
  await settle();
  expect(model.status?.message).toMatch(/^Receiving frames failed: GET \S+ sent more than the 12 bytes the kernel's header announces$/);
  expect(model.inbox.receiving).toBeNull();
  expect(acks(widget)).toEqual([token]);
  expect(commRequests(widget)).toEqual([]);
});

test('with frames shown, an offer whose served body is short does not leave "Receiving frames 0/1" on screen', async () => {
  const widget = newWidget();
  const { model } = widget;
  sendOverComm(widget, 1);
  serve(6);
  offer(widget, onePoint, 2);
  await settle();
  await settle();
  expect(model.inbox.receiving).toBeNull();
  expect(model.status?.message).toMatch(/^Receiving frames failed: GET \S+ sent 6 of the 12 bytes the kernel's header announces$/);
  expect(acks(widget)).toEqual([token]);
  expect(model.inbox.frameSet?.frames.map((f) => f.count)).toEqual([1]); // the frames already shown stay
});

test('with frames shown, a failed fetch of an offer with nothing left to ask for ends its progress', async () => {
  const widget = newWidget();
  const { model } = widget;
  sendOverComm(widget, 1);
  offer(widget, onePoint, 2); // no response queued: the request fails as a network fault
  await settle();
  await settle();
  expect(requested).toHaveLength(1);
  expect(model.inbox.receiving).toBeNull();
  expect(acks(widget)).toEqual([token]);
});

test('a network fault on the current offer still asks again over the comm', async () => {
  const widget = newWidget();
  const { model } = widget;
  offer(widget, onePoint);
  await settle();
  await settle();
  expect(commRequests(widget)).toEqual([expect.objectContaining({ failed_offer: token })]);
  expect(acks(widget)).toEqual([token]);
  sendOverComm(widget, 1);
  expect(model.status).toBeNull();
  expect(model.inbox.frameSet?.frames.map((f) => f.count)).toEqual([1]);
});

test('good frames after a failed transfer clear the old error text', async () => {
  const widget = newWidget();
  const { model } = widget;
  widget.deliver({ type: 'frames-begin', version: 1, header: { ...onePoint, total_bytes: 24 }, chunks: 1 }, []);
  expect(model.status?.message).toMatch(/^Receiving frames failed: /);
  // set_frames() in the kernel: a new version, sent whole.
  model.set({ frames_version: 2 }); // Backbone's set() fires change:frames_version, as a state update from the kernel does
  sendOverComm(widget, 2);
  expect(model.inbox.frameSet?.frames.map((f) => f.count)).toEqual([1]);
  expect(model.status).toBeNull();
});
