/** @jest-environment jsdom */
import { loadHint, recordingViolations } from '../../../../src/core/encode/csp';

const WASM = 'https://page.example/dist/ffmpeg-core.wasm';
const violation = (directive: string, blocked: string) =>
  Object.assign(new Event('securitypolicyviolation'), { effectiveDirective: directive, blockedURI: blocked });

test('a violation the page saw is named, directive and URL', () => {
  expect(loadHint('anything', WASM, ['worker-src blob:https://page.example/1'])).toBe(
    "; the page's Content-Security-Policy blocked worker-src blob:https://page.example/1 (the README lists the directives cloudreel needs)",
  );
});

test("a wasm compile refused by CSP asks for 'wasm-unsafe-eval'", () => {
  const reason = "RuntimeError: Aborted(CompileError: WebAssembly.instantiate(): Compiling or instantiating WebAssembly module violates the following Content Security policy directive because 'unsafe-eval' is not an allowed source of script";
  expect(loadHint(reason, WASM, [])).toMatch(/must allow WebAssembly: add 'wasm-unsafe-eval' to script-src/);
});

test("Firefox's wording of a wasm compile refused by CSP asks for 'wasm-unsafe-eval' too", () => {
  const reason = 'RuntimeError: Aborted(CompileError: call to WebAssembly.instantiate() blocked by CSP). Build with -sASSERTIONS for more info.';
  expect(loadHint(reason, WASM, [])).toMatch(/must allow WebAssembly: add 'wasm-unsafe-eval' to script-src/);
});

test("Firefox's wording of a failed fetch names the wasm URL and connect-src too", () => {
  expect(loadHint('TypeError: NetworkError when attempting to fetch resource.', WASM, [])).toMatch(`check that ${WASM} is served and, if the page has a Content-Security-Policy, that connect-src allows it`);
});

test('a failed fetch names the wasm URL and connect-src', () => {
  expect(loadHint('TypeError: Failed to fetch', WASM, [])).toMatch(`check that ${WASM} is served and, if the page has a Content-Security-Policy, that connect-src allows it`);
});

test('other failures get no CSP hint', () => {
  expect(loadHint('RuntimeError: unreachable', WASM, [])).toBe('');
});

test('violations are recorded while loading fails, and only then', async () => {
  const failing = await recordingViolations(async () => {
    document.dispatchEvent(violation('worker-src', 'blob:x'));
    throw new Error('no worker');
  });
  expect(failing).toEqual({ error: new Error('no worker'), violations: ['worker-src blob:x'] });

  const ok = await recordingViolations(async () => 42);
  expect(ok).toEqual({ result: 42 });
  // The listener is gone afterwards.
  const later = await recordingViolations(async () => {
    throw new Error('x');
  });
  document.dispatchEvent(violation('script-src', 'y'));
  expect('violations' in later && later.violations).toEqual([]);
});
