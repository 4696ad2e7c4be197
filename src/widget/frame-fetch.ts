// The HTTP route for frames: one GET to the cloudreel server extension for a
// spool file the kernel wrote (python/cloudreel/frame_spool.py). Authenticated
// like any other request of the page (ServerConnection adds the token/XSRF).
import { ServerConnection } from '@jupyterlab/services';

/**
 * Reads the payload behind `token` into `payload`, which must be exactly its
 * size, calling `onBytes(received)` as it fills (an error thrown there stops
 * the download and is passed on). Aborting `signal` stops the request and
 * rejects with an AbortError.
 */
export async function fetchFramePayload(token: string, payload: Uint8Array, onBytes: (received: number) => void, signal?: AbortSignal): Promise<void> {
  const settings = ServerConnection.makeSettings();
  const url = `${settings.baseUrl}cloudreel/frames/${encodeURIComponent(token)}`;
  const response = await ServerConnection.makeRequest(url, { method: 'GET', cache: 'no-store', ...(signal ? { signal } : {}) }, settings);
  if (!response.ok || !response.body) throw new Error(`GET ${url} answered ${response.status} ${response.statusText}`);
  const reader = response.body.getReader();
  let at = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (at + value.length > payload.length) throw new Error(`GET ${url} sent more than the ${payload.length} bytes announced`);
      payload.set(value, at);
      at += value.length;
      onBytes(at);
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  }
  if (at !== payload.length) throw new Error(`GET ${url} sent ${at} of the ${payload.length} bytes announced`);
}
