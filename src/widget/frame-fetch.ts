// The HTTP route for frames: one GET to the cloudreel server extension for a
// spool file the kernel wrote (python/cloudreel/frame_spool.py). Authenticated
// like any other request of the page (ServerConnection adds the token/XSRF).
import { ServerConnection } from '@jupyterlab/services';
import { TransferError } from './frame-transfer.js';

/** How long the response may send nothing before the request is given up (a stalled server or proxy). */
export const STALL_MS = 60_000;

/**
 * Reads the payload behind `token` into `payload`, which must be exactly the
 * size the kernel's header announces, calling `onBytes(received)` as it fills
 * (an error thrown there stops the download and is passed on). A response
 * whose size disagrees with the header is a TransferError (bad data, not worth
 * asking again); one that sends nothing for `stallMs` ends with an Error, as
 * a network fault does. Aborting `signal` stops the request and rejects with
 * an AbortError.
 */
export async function fetchFramePayload(
  token: string,
  payload: Uint8Array,
  onBytes: (received: number) => void,
  signal?: AbortSignal,
  { stallMs = STALL_MS }: { stallMs?: number } = {},
): Promise<void> {
  const settings = ServerConnection.makeSettings();
  const url = `${settings.baseUrl}cloudreel/frames/${encodeURIComponent(token)}`;
  const announced = `the ${payload.length} bytes the kernel's header announces`;
  // Ours, so a stall can stop the request too; the caller's signal stops it through this one.
  const request = new AbortController();
  const stop = () => request.abort(signal?.reason);
  signal?.addEventListener('abort', stop, { once: true });
  let at = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  /** `step`, unless the caller aborts first or nothing comes for stallMs. */
  const waitFor = <T>(step: Promise<T>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort = () => {};
    const limits = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`GET ${url} sent no data for ${stallMs / 1000} s after ${at} of ${payload.length} bytes`)), stallMs);
      onAbort = () => reject(new DOMException('the frames request was aborted', 'AbortError'));
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return Promise.race([step, limits]).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  };
  try {
    if (signal?.aborted) throw new DOMException('the frames request was aborted', 'AbortError');
    const response = await waitFor(ServerConnection.makeRequest(url, { method: 'GET', cache: 'no-store', signal: request.signal }, settings));
    if (!response.ok || !response.body) throw new Error(`GET ${url} answered ${response.status} ${response.statusText}`);
    reader = response.body.getReader();
    // An encoded body's Content-Length counts the encoded bytes: only a plain one can be compared.
    const length = response.headers.get('Content-Length');
    const encoding = response.headers.get('Content-Encoding');
    if (length !== null && (!encoding || encoding === 'identity') && Number(length) !== payload.length) {
      throw new TransferError(`GET ${url}: the server holds ${length} bytes for these frames but the kernel's header announces ${payload.length}`);
    }
    for (;;) {
      const { done, value } = await waitFor(reader.read());
      if (done) break;
      if (at + value.length > payload.length) throw new TransferError(`GET ${url} sent more than ${announced}`);
      payload.set(value, at);
      at += value.length;
      onBytes(at);
    }
  } catch (e) {
    request.abort();
    void reader?.cancel().catch(() => {});
    throw e;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  if (at !== payload.length) throw new TransferError(`GET ${url} sent ${at} of ${announced}`);
}
