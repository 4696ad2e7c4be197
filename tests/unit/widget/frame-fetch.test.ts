// The HTTP route's reader against responses that disagree with the header the
// kernel sent: every disagreement is a TransferError naming it, and a response
// that stops sending ends the request instead of waiting for ever.
const responses: Array<() => Response> = [];
const requests: Array<{ url: string; signal?: AbortSignal }> = [];
jest.mock('@jupyterlab/services', () => ({
  ServerConnection: {
    makeSettings: () => ({ baseUrl: 'http://jupyter.test/' }),
    makeRequest: jest.fn(async (url: string, init: { signal?: AbortSignal }) => {
      requests.push({ url, ...(init.signal ? { signal: init.signal } : {}) });
      return responses.shift()!();
    }),
  },
}));

import { fetchFramePayload } from '../../../src/widget/frame-fetch';
import { TransferError } from '../../../src/widget/frame-transfer';

const token = 'a'.repeat(32);

/** A body that sends `parts` and then ends, or with `open` stays open (a server that stopped sending). */
function body(parts: Uint8Array[], { open = false } = {}): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const p of parts) controller.enqueue(p);
      if (!open) controller.close();
    },
  });
}

function respond(parts: Uint8Array[], { contentLength, open = false }: { contentLength?: number; open?: boolean } = {}) {
  const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
  if (contentLength !== undefined) headers['Content-Length'] = String(contentLength);
  responses.push(() => new Response(body(parts, { open }), { status: 200, headers }));
}

async function failure(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the fetch to fail');
}

beforeEach(() => {
  responses.length = 0;
  requests.length = 0;
});

test('a body that matches the header fills the payload and reports progress', async () => {
  respond([new Uint8Array([1, 2, 3, 4]), new Uint8Array([5, 6, 7, 8])], { contentLength: 8 });
  const payload = new Uint8Array(8);
  const seen: number[] = [];
  await fetchFramePayload(token, payload, (n) => seen.push(n));
  expect(Array.from(payload)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(seen).toEqual([4, 8]);
  expect(requests[0]!.url).toBe(`http://jupyter.test/cloudreel/frames/${token}`);
});

test('a body longer than the header announces is a TransferError naming both sizes', async () => {
  respond([new Uint8Array(12), new Uint8Array(12)]);
  const e = await failure(fetchFramePayload(token, new Uint8Array(12), () => {}));
  expect(e).toBeInstanceOf(TransferError);
  expect(e.message).toMatch(/sent more than the 12 bytes the kernel's header announces/);
});

test('a body that ends short of what the header announces is a TransferError naming both sizes', async () => {
  respond([new Uint8Array(6)]);
  const e = await failure(fetchFramePayload(token, new Uint8Array(12), () => {}));
  expect(e).toBeInstanceOf(TransferError);
  expect(e.message).toMatch(/sent 6 of the 12 bytes the kernel's header announces/);
});

test('a Content-Length that disagrees with the header fails at once, before waiting for a body that will not come', async () => {
  // The server says 24 bytes and keeps the connection open after 12: the reader would wait for ever.
  respond([new Uint8Array(12)], { contentLength: 24, open: true });
  const e = await failure(fetchFramePayload(token, new Uint8Array(12), () => {}));
  expect(e).toBeInstanceOf(TransferError);
  expect(e.message).toMatch(/the server holds 24 bytes for these frames but the kernel's header announces 12/);
});

test('a response that stops sending ends the request with an error naming the stall', async () => {
  respond([new Uint8Array(4)], { contentLength: 12, open: true });
  const e = await failure(fetchFramePayload(token, new Uint8Array(12), () => {}, undefined, { stallMs: 50 }));
  expect(e).not.toBeInstanceOf(TransferError); // a network fault: the model asks again over the comm
  expect(e.message).toMatch(/no data for 0\.05 s after 4 of 12 bytes/);
  expect(requests[0]!.signal?.aborted).toBe(true); // the request itself is stopped
});
