// The HTTP route for frames: one GET to the cloudreel server extension for a
// spool file the kernel wrote (python/cloudreel/frame_spool.py). Authenticated
// like any other request of the page (ServerConnection adds the token/XSRF).
import { ServerConnection } from '@jupyterlab/services';

/**
 * The payload behind `token`, which must be exactly `totalBytes` long; read
 * straight into one buffer, reporting the fraction received. Aborting `signal`
 * stops the request and rejects with an AbortError.
 */
export async function fetchFramePayload(token: string, totalBytes: number, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<Uint8Array> {
  const settings = ServerConnection.makeSettings();
  const url = `${settings.baseUrl}cloudreel/frames/${encodeURIComponent(token)}`;
  const response = await ServerConnection.makeRequest(url, { method: 'GET', cache: 'no-store', ...(signal ? { signal } : {}) }, settings);
  if (!response.ok || !response.body) throw new Error(`GET ${url} answered ${response.status} ${response.statusText}`);
  const payload = new Uint8Array(totalBytes);
  const reader = response.body.getReader();
  let at = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > totalBytes) {
      await reader.cancel();
      throw new Error(`GET ${url} sent more than the ${totalBytes} bytes announced`);
    }
    payload.set(value, at);
    at += value.length;
    onProgress(totalBytes ? at / totalBytes : 1);
  }
  if (at !== totalBytes) throw new Error(`GET ${url} sent ${at} of the ${totalBytes} bytes announced`);
  return payload;
}
