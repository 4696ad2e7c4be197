// The model against HTTP offers the kernel should not have made: too large to
// allocate, a header that does not add up, a body that disagrees with the
// header. Each ends in an error that names the problem (never "Receiving
// frames 0/1" for ever), and each is acknowledged so the kernel drops its
// spool file. Good frames afterwards clear the old error text.
jest.mock('@jupyter-widgets/base', () => require('./fake-widget-base'));
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

import { AnimationModel } from '../../../src/widget/model';

interface TestModel {
  status: { phase: string; message: string } | null;
  receiving: { done: number; total: number } | null;
  frameSet: { frames: Array<{ count: number }> } | null;
  sent: Array<Record<string, unknown>>;
  trigger(event: string, ...args: unknown[]): void;
  set(values: Record<string, unknown>): void;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const token = 'b'.repeat(32);
const onePoint = { frames: [{ points: 1, colors: false }], total_bytes: 12 };

function newModel(): TestModel {
  return new AnimationModel({ frames_version: 1 }, { model_id: 'm' } as never) as unknown as TestModel;
}

function serve(bytes: number): void {
  responses.push(() => new Response(new Uint8Array(bytes), { status: 200, headers: { 'Content-Type': 'application/octet-stream' } }));
}

function offer(model: TestModel, header: object, version = 1): void {
  model.trigger('msg:custom', { type: 'frames-offer', version, header, token, write_seconds: 0 }, []);
}

/** Frames over the comm, as the kernel's fallback sends them. */
function sendOverComm(model: TestModel, version: number, header: object = onePoint): void {
  const data = new Float32Array([1, 2, 3]);
  model.trigger('msg:custom', { type: 'frames-begin', version, header, chunks: 1 }, []);
  model.trigger('msg:custom', { type: 'frames-chunk', version, index: 0, offset: 0 }, [new DataView(data.buffer)]);
  model.trigger('msg:custom', { type: 'frames-end', version }, []);
}

const acks = (model: TestModel) => model.sent.filter((m) => m.type === 'frames-received').map((m) => m.token);
const commRequests = (model: TestModel) => model.sent.filter((m) => m.type === 'request-frames' && m.http === false);

beforeEach(() => {
  responses.length = 0;
  requested.length = 0;
  jest.spyOn(console, 'warn').mockImplementation(() => {});
  jest.spyOn(console, 'debug').mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

test('an offer larger than the page can allocate ends with the out-of-memory message and is acknowledged', async () => {
  const model = newModel();
  const points = 2 ** 40;
  offer(model, { frames: [{ points, colors: false }], total_bytes: points * 12 });
  await settle();
  expect(model.status?.message).toBe('Receiving frames failed: the frames need 13194.1 GB, more memory than this page can have');
  expect(model.receiving).toBeNull();
  expect(acks(model)).toEqual([token]);
  expect(requested).toEqual([]); // nothing fetched
});

test('an offer whose header does not add up is refused and acknowledged', async () => {
  const model = newModel();
  offer(model, { ...onePoint, total_bytes: 24 });
  await settle();
  expect(acks(model)).toEqual([token]);
  expect(model.status?.message).toBe('Receiving frames failed: frames header says 24 bytes but its frames need 12');
});

test('a served body longer than the header fails naming the sizes, is acknowledged and not asked for again', async () => {
  const model = newModel();
  serve(24);
  offer(model, onePoint);
  await settle();
  await settle();
  expect(model.status?.message).toMatch(/^Receiving frames failed: GET \S+ sent more than the 12 bytes the kernel's header announces$/);
  expect(model.receiving).toBeNull();
  expect(acks(model)).toEqual([token]);
  expect(commRequests(model)).toEqual([]);
});

test('with frames shown, an offer whose served body is short does not leave "Receiving frames 0/1" on screen', async () => {
  const model = newModel();
  sendOverComm(model, 1);
  serve(6);
  offer(model, onePoint, 2);
  await settle();
  await settle();
  expect(model.receiving).toBeNull();
  expect(model.status?.message).toMatch(/^Receiving frames failed: GET \S+ sent 6 of the 12 bytes the kernel's header announces$/);
  expect(acks(model)).toEqual([token]);
  expect(model.frameSet?.frames.map((f) => f.count)).toEqual([1]); // the frames already shown stay
});

test('with frames shown, a failed fetch of an offer with nothing left to ask for ends its progress', async () => {
  const model = newModel();
  sendOverComm(model, 1);
  offer(model, onePoint, 2); // no response queued: the request fails as a network fault
  await settle();
  await settle();
  expect(requested).toHaveLength(1);
  expect(model.receiving).toBeNull();
  expect(acks(model)).toEqual([token]);
});

test('a network fault on the current offer still asks again over the comm', async () => {
  const model = newModel();
  offer(model, onePoint);
  await settle();
  await settle();
  expect(commRequests(model)).toEqual([expect.objectContaining({ failed_offer: token })]);
  expect(acks(model)).toEqual([token]);
  sendOverComm(model, 1);
  expect(model.status).toBeNull();
  expect(model.frameSet?.frames.map((f) => f.count)).toEqual([1]);
});

test('good frames after a failed transfer clear the old error text', async () => {
  const model = newModel();
  model.trigger('msg:custom', { type: 'frames-begin', version: 1, header: { ...onePoint, total_bytes: 24 }, chunks: 1 }, []);
  expect(model.status?.message).toMatch(/^Receiving frames failed: /);
  // set_frames() in the kernel: a new version, sent whole.
  model.set({ frames_version: 2 });
  model.trigger('change:frames_version');
  sendOverComm(model, 2);
  expect(model.frameSet?.frames.map((f) => f.count)).toEqual([1]);
  expect(model.status).toBeNull();
});
