/** @jest-environment ./tests/unit/widget/widget-environment.cjs */
// Golden digest of every message the widget model sends to the kernel in a scripted exchange (issue 13: a refactor must reproduce it).
// The digest lives in tests/cases/goldens.json ("ts_exchange"); it is never regenerated: a mismatch is a change of behaviour.
// The harness is this file: the model on the real widget base with a mock comm (./widget-harness), what it sends recorded from the base's send().

/** What exportAnimation does next: 'done' resolves with the golden video, 'hang' waits for the abort. */
const exportPlan: Array<'done' | 'hang'> = [];
const log: Array<Record<string, unknown>> = [];
jest.mock('../../../src/core/export', () => ({
  exportAnimation: jest.fn((frames: { frames: Array<{ count: number }>; origin: number[] }, options: Record<string, unknown> & { signal: AbortSignal }) => {
    const { signal, onStatus, ...rest } = options;
    log.push({ export: { frames: frames.frames.map((f) => f.count), origin: frames.origin, options: rest, onStatus: typeof onStatus } });
    if (exportPlan.shift() === 'hang') {
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    }
    return Promise.resolve(goldenResult());
  }),
}));
// The frames route: every fetch fails as a network fault does, so the page falls back to the comm.
jest.mock('@jupyterlab/services', () => ({
  ServerConnection: {
    makeSettings: () => ({ baseUrl: 'http://jupyter.test/' }),
    makeRequest: jest.fn(async () => {
      throw new TypeError('Failed to fetch');
    }),
  },
}));

import { DOMWidgetModel } from '@jupyter-widgets/base';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWidget } from './widget-harness';

const GOLDENS = JSON.parse(readFileSync(join(__dirname, '../../cases/goldens.json'), 'utf8'));
const VIDEO = Buffer.from(GOLDENS.video.base64 as string, 'base64');
const SAMPLE = GOLDENS.wire_sample as { header: { frames: unknown[]; total_bytes: number }; payload_base64: string };

function goldenResult() {
  const v = GOLDENS.video;
  return {
    blob: new Blob([VIDEO]), mimeType: v.mime_type, extension: v.extension, codec: v.codec, bytes: VIDEO.length,
    durationSeconds: v.duration, frames: v.frames, attempts: [], timings: { renderMs: 0, encodeMs: 0, totalMs: 0 },
  };
}

const sha256 = (bytes: ArrayBufferView) => createHash('sha256').update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)).digest('hex');

/** JSON with sorted keys at every level, so key order never changes a digest. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

/**
 * The script: the page asks for the frames (HTTP first, whose fetch fails, then the comm), receives the
 * wire sample in two chunks, serves export, save (the finished video), an export cancelled while it runs,
 * new frames, a save cancelled while it waits for them, and closes. Every send is recorded with the
 * page id normalised (it is random per model: newPageId) and each buffer as its SHA-256; request ids are
 * the kernel's, fixed by this script; nothing the model sends carries a timing.
 */
async function runExchange(payload: Uint8Array) {
  log.length = 0;
  exportPlan.length = 0;
  const send = jest.spyOn(DOMWidgetModel.prototype, 'send').mockImplementation(function (this: unknown, content: unknown, _callbacks?: unknown, buffers?: ArrayBufferView[]) {
    const { page, ...rest } = content as Record<string, unknown>;
    log.push({ sent: { ...rest, page: typeof page === 'string' && /^[0-9a-f]{24}$/.test(page) ? '<page id>' : page }, buffers: (buffers ?? []).map(sha256) });
  } as never);
  const { model, deliver } = createWidget({ frames_version: 1, codecs: ['ffmpeg-h264'] });
  const kernel = (content: Record<string, unknown>, buffers: DataView[] = []) => deliver(content, buffers);
  const token = 'c'.repeat(32);
  kernel({ type: 'frames-offer', version: 1, header: SAMPLE.header, token, write_seconds: 0.25 });
  await settle();
  const cut = 100;
  kernel({ type: 'frames-begin', version: 1, header: SAMPLE.header, chunks: 2 });
  kernel({ type: 'frames-chunk', version: 1, index: 1, offset: cut }, [new DataView(payload.buffer, payload.byteOffset + cut, payload.length - cut)]);
  kernel({ type: 'frames-chunk', version: 1, index: 0, offset: 0 }, [new DataView(payload.buffer, payload.byteOffset, cut)]);
  kernel({ type: 'frames-end', version: 1 });
  const set = model.inbox.frameSet!;
  log.push({ received: { frames: set.frames.map((f) => f.count), origin: set.origin, positions: set.frames.map((f) => sha256(f.positions)) } });
  exportPlan.push('done');
  kernel({ type: 'export', request: 11, codecs: [] });
  await settle();
  kernel({ type: 'save', request: 12, codecs: [] });
  await settle();
  exportPlan.push('hang');
  kernel({ type: 'export', request: 13, codecs: ['ffmpeg-vp8', 'ffmpeg-gif'] });
  await settle();
  kernel({ type: 'cancel' });
  await settle();
  model.set({ frames_version: 2 }); // fires change:frames_version, as a state update from the kernel does
  kernel({ type: 'save', request: 14 });
  await settle();
  kernel({ type: 'cancel' });
  await settle();
  log.push({ status: model.status?.message ?? null });
  await model.close();
  send.mockRestore();
  const kinds = log.map((entry) => (entry.sent ? (entry.sent as { type: string }).type : Object.keys(entry)[0]));
  return { sha256: createHash('sha256').update(log.map(sortedJson).join('\n')).digest('hex'), summary: kinds.join(' ') };
}

const samplePayload = () => new Uint8Array(Buffer.from(SAMPLE.payload_base64, 'base64'));

beforeEach(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => {});
  jest.spyOn(console, 'debug').mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

test("the model's messages to the kernel in a scripted exchange match their golden digest", async () => {
  expect(await runExchange(samplePayload())).toEqual(GOLDENS.ts_exchange);
});

test('negative control: one point moved in the frames the kernel sends changes the digest, not the messages', async () => {
  const payload = samplePayload();
  new DataView(payload.buffer).setFloat32(12, new DataView(payload.buffer).getFloat32(12, true) + 0.5, true); // point 1's x, frame 0
  const moved = await runExchange(payload);
  expect(moved.sha256).not.toBe(GOLDENS.ts_exchange.sha256);
  expect(moved.summary).toBe(GOLDENS.ts_exchange.summary);
});
