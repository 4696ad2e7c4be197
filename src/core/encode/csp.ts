// What a page's Content-Security-Policy does to loading ffmpeg.wasm, said so a
// person can fix it: the directive that blocked it, or the one to add.

/** CSP violations the page reports while `during` runs, as "directive blocked-url". */
export async function recordingViolations<T>(during: () => Promise<T>): Promise<{ result: T } | { error: unknown; violations: string[] }> {
  const violations: string[] = [];
  const listener = (e: SecurityPolicyViolationEvent) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`);
  globalThis.document?.addEventListener('securitypolicyviolation', listener);
  try {
    return { result: await during() };
  } catch (error) {
    // The event is queued as a task after the blocked action: let it arrive.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return { error, violations };
  } finally {
    globalThis.document?.removeEventListener('securitypolicyviolation', listener);
  }
}

/**
 * What to do about a failed load. Violations inside the worker (the wasm fetch,
 * compiling wasm) never reach the page's listener, so the reason's text is used too.
 */
export function loadHint(reason: string, wasmURL: string, violations: readonly string[]): string {
  const see = '(the README lists the directives cloudreel needs)';
  if (violations.length) return `; the page's Content-Security-Policy blocked ${violations.join(', ')} ${see}`;
  // Chromium: "... violates the following Content Security policy ..."; Firefox: "... blocked by CSP".
  if (/WebAssembly/.test(reason) && /Content Security|blocked by CSP/i.test(reason)) {
    return `; the page's Content-Security-Policy must allow WebAssembly: add 'wasm-unsafe-eval' to script-src ${see}`;
  }
  // Chromium: "Failed to fetch"; Firefox: "NetworkError when attempting to fetch resource."
  if (/Failed to fetch|NetworkError when attempting to fetch/i.test(reason)) {
    return `; check that ${wasmURL} is served and, if the page has a Content-Security-Policy, that connect-src allows it ${see}`;
  }
  return '';
}
