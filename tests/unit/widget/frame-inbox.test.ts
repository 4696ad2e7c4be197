// FrameInbox on its own, with no widget base: asking for frames once per
// version, both routes (comm chunks, an HTTP offer) with their progress and
// acknowledgement, readiness, failure status and its clearing, and the
// lifetime signal stopping a fetch.
const fetches: Array<{ token: string; payload: Uint8Array; onBytes: (n: number) => void; signal: AbortSignal; resolve(): void; reject(e: Error): void }> = [];
jest.mock('../../../src/widget/frame-fetch', () => ({
  fetchFramePayload: jest.fn(
    (token: string, payload: Uint8Array, onBytes: (n: number) => void, signal: AbortSignal) =>
      new Promise<void>((resolve, reject) => fetches.push({ token, payload, onBytes, signal, resolve, reject })),
  ),
}));

import type { ExportStatus } from '../../../src/core/status';
import { abortsWith, FrameInbox, type InboxHost } from '../../../src/widget/frame-inbox';
import type { FramesHeader } from '../../../src/widget/frame-transfer';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const onePoint: FramesHeader = { frames: [{ points: 1, colors: false }], total_bytes: 12 };
const twoFrames: FramesHeader = { frames: [{ points: 1, colors: false }, { points: 1, colors: false }], total_bytes: 24 };
const token = 'c'.repeat(32);

function newInbox(wanted = 1) {
  const sent: Array<Record<string, unknown>> = [];
  const host: InboxHost & { notified: number; open: boolean } = {
    status: null,
    notified: 0,
    open: true,
    sendToKernel(content) {
      if (!host.open) return false;
      sent.push(content);
      return true;
    },
    notifyViews() {
      host.notified++;
    },
    wantedVersion: () => wanted,
  };
  const lifetime = new AbortController();
  return { inbox: new FrameInbox(host, lifetime.signal), host, sent, lifetime };
}

/** The two frames of `twoFrames`, sent over the comm in two chunks. */
function sendTwoFrames(inbox: FrameInbox, version = 1): void {
  inbox.receive({ type: 'frames-begin', version, header: twoFrames, chunks: 2 }, []);
  inbox.receive({ type: 'frames-chunk', version, index: 0, offset: 0 }, [new DataView(new Float32Array([1, 2, 3]).buffer)]);
  expect(inbox.receiving).toEqual({ done: 1, total: 2 });
  inbox.receive({ type: 'frames-chunk', version, index: 1, offset: 12 }, [new DataView(new Float32Array([4, 5, 6]).buffer)]);
  inbox.receive({ type: 'frames-end', version }, []);
}

beforeEach(() => {
  fetches.length = 0;
  jest.spyOn(console, 'warn').mockImplementation(() => {});
  jest.spyOn(console, 'debug').mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

test('asks once per version, over HTTP first; nothing before the kernel names a version', () => {
  expect(newInbox(0).inbox.request()).toBe(false);
  const { inbox, sent } = newInbox(3);
  expect(inbox.request()).toBe(true);
  expect(inbox.request()).toBe(false);
  expect(inbox.request({ failedOffer: token })).toBe(true);
  expect(sent).toEqual([
    { type: 'request-frames', have: null, http: true, failed_offer: null },
    { type: 'request-frames', have: null, http: false, failed_offer: token },
  ]);
});

test('frames over the comm: progress per chunk, then the frames, readiness and the views told', async () => {
  const { inbox, host } = newInbox();
  const ready = inbox.ready();
  expect(inbox.busy).toBe(true); // an export waits
  sendTwoFrames(inbox);
  await expect(ready).resolves.toBeUndefined();
  expect(inbox.frameSet?.frames.map((f) => Array.from(f.positions))).toEqual([[1, 2, 3], [4, 5, 6]]);
  expect(inbox.version).toBe(1);
  expect(inbox.receiving).toBeNull();
  expect(inbox.busy).toBe(false);
  expect(host.notified).toBe(4); // begin, two chunks, end
  await expect(inbox.ready()).resolves.toBeUndefined();
  inbox.receive({ type: 'frames-begin', version: 1, header: twoFrames, chunks: 2 }, []);
  expect(inbox.receiving).toBeNull(); // another page asked for the version this one has
});

test('a bad chunk fails the transfer: the status says why, a waiting export hears it, later good frames clear it', async () => {
  const { inbox, host } = newInbox();
  const ready = inbox.ready();
  inbox.receive({ type: 'frames-begin', version: 1, header: onePoint, chunks: 1 }, []);
  inbox.receive({ type: 'frames-chunk', version: 1, index: 0, offset: 0 }, []);
  const message = 'Receiving frames failed: frames chunk 0 came without data';
  expect(host.status).toEqual({ phase: 'error', fraction: 0, message });
  await expect(ready).rejects.toThrow(message);
  expect(inbox.receiving).toBeNull();
  expect(inbox.busy).toBe(false);
  sendTwoFrames(inbox);
  expect(host.status).toBeNull();
});

test('good frames leave a status written after the failure (an export\'s) alone', () => {
  const { inbox, host } = newInbox();
  inbox.fail(new Error('lost'));
  const exportStatus: ExportStatus = { phase: 'error', fraction: 0, message: 'Export failed: no codec' };
  host.status = exportStatus;
  sendTwoFrames(inbox);
  expect(host.status).toBe(exportStatus);
});

test('an HTTP offer: fetched with progress, checked, acknowledged, accepted', async () => {
  const { inbox, sent } = newInbox();
  inbox.receive({ type: 'frames-offer', version: 1, header: twoFrames, token, write_seconds: 0.5 }, []);
  expect(inbox.receiving).toEqual({ done: 0, total: 2 });
  const [fetch] = fetches;
  expect(fetch!.token).toBe(token);
  fetch!.payload.set(new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer));
  fetch!.onBytes(12);
  expect(inbox.receiving).toEqual({ done: 1, total: 2 });
  fetch!.onBytes(24);
  fetch!.resolve();
  await settle();
  expect(sent).toContainEqual({ type: 'frames-received', token });
  expect(inbox.frameSet?.frames.map((f) => f.count)).toEqual([1, 1]);
  expect(inbox.receiving).toBeNull();
});

test('a network fault on an offer asks again over the comm, naming the offer', async () => {
  const { inbox, sent } = newInbox();
  inbox.receive({ type: 'frames-offer', version: 1, header: onePoint, token, write_seconds: 0 }, []);
  fetches[0]!.reject(new TypeError('Failed to fetch'));
  await settle();
  expect(sent).toEqual([
    { type: 'request-frames', have: null, http: false, failed_offer: token },
    { type: 'frames-received', token },
  ]);
  expect(inbox.receiving).toEqual({ done: 0, total: 1 }); // the comm's frames are on their way
});

test('the lifetime ending stops the fetch; frames over the comm stop a fetch too', () => {
  const { inbox, lifetime } = newInbox();
  inbox.receive({ type: 'frames-offer', version: 1, header: onePoint, token, write_seconds: 0 }, []);
  sendTwoFrames(inbox, 1);
  expect(fetches[0]!.signal.aborted).toBe(true);
  inbox.receive({ type: 'frames-offer', version: 2, header: onePoint, token, write_seconds: 0 }, []);
  expect(fetches[1]!.signal.aborted).toBe(false);
  lifetime.abort();
  expect(fetches[1]!.signal.aborted).toBe(true);
});

test('cancelWaiting rejects what waits for the frames as cancelled; the transfer goes on', async () => {
  const { inbox } = newInbox();
  inbox.receive({ type: 'frames-begin', version: 1, header: onePoint, chunks: 1 }, []);
  const ready = inbox.ready();
  inbox.cancelWaiting();
  await expect(ready).rejects.toMatchObject({ name: 'AbortError', message: 'the export was cancelled' });
  expect(inbox.receiving).toEqual({ done: 0, total: 1 });
});

test('abortsWith: a child aborts with its parent (at once if it already has); one aborted first keeps its own reason', () => {
  const parent = new AbortController();
  const child = abortsWith(parent.signal);
  parent.abort(new Error('closed'));
  expect(child.signal.aborted).toBe(true);
  expect(child.signal.reason).toEqual(new Error('closed'));
  expect(abortsWith(parent.signal).signal.aborted).toBe(true);
  const other = new AbortController();
  const early = abortsWith(other.signal);
  early.abort();
  other.abort();
  expect(early.signal.reason).toMatchObject({ name: 'AbortError' });
});
