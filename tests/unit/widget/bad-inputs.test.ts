/** @jest-environment ./tests/unit/widget/widget-environment.cjs */
// The kernel path of tests/cases/bad-inputs.json: frames packed as the kernel
// packs them (without its checks) and tampered transfers, fed to the
// FrameAssembler and to the model's message handler; plus properties: random
// headers, chunks and messages never throw anything but a clear error.
import fc from 'fast-check';
import { FrameError } from '../../../src/core/frames';
import { FrameAssembler, TransferError, type FramesHeader } from '../../../src/widget/frame-transfer';
import { cases, table, type Message, type Reject } from '../bad-input-cases';

jest.mock('../../../src/core/export', () => ({ exportAnimation: jest.fn(() => Promise.reject(new Error('no exports in this test'))) }));

import { createWidget, type Widget } from './widget-harness';

/** Runs a transfer through a FrameAssembler as the model does: begin, every chunk, end. */
function assemble(messages: Message[]) {
  const [begin, ...rest] = messages;
  const a = new FrameAssembler(begin!.header as FramesHeader, begin!.chunks as number);
  for (const m of rest) if (m.type === 'frames-chunk') a.add(m.index as number, m.offset as number, m.data!);
  return a.finish();
}

function errorOf(run: () => unknown): Error | null {
  try {
    run();
    return null;
  } catch (e) {
    if (!(e instanceof TransferError || e instanceof FrameError)) throw new Error(`expected a TransferError or FrameError, got ${String(e)}`);
    return e;
  }
}

/** Delivers kernel messages as ipywidgets does: content plus DataView buffers. */
function deliver(widget: Widget, messages: Message[]): void {
  for (const { data, ...content } of messages) {
    widget.deliver(content, data ? [new DataView(data.buffer, data.byteOffset, data.byteLength)] : []);
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => {});
  jest.spyOn(console, 'debug').mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

const wireFrameRows = table.frames.filter((row) => row.wire).map((row) => [row.id, row] as const);

describe('frames rows the wire can carry: the browser reaches the verdict on its own', () => {
  test('the rows that say so are the coordinate and conversion cases', () => {
    expect(wireFrameRows.length).toBeGreaterThanOrEqual(6);
  });

  test.each(wireFrameRows)('%s, through the FrameAssembler', (_id, row) => {
    const expected = cases.expectation(row, 'js');
    const messages = cases.wireMessages({ frames: row.frames, chunk_bytes: 16 });
    const error = errorOf(() => assemble(messages));
    if (expected.reject) {
      expect(error?.message).toContain((expected.reject as Reject).message);
    } else {
      expect(error).toBeNull();
      expect(assemble(messages).frames.map((f) => f.count)).toEqual((expected.accept as { counts: number[] }).counts);
    }
  });

  test.each(wireFrameRows)('%s, through the model: an error status, and a waiting save fails with it', async (_id, row) => {
    const expected = cases.expectation(row, 'js');
    const widget = createWidget();
    const { model } = widget;
    deliver(widget, [{ type: 'save', request: 7 }]);
    deliver(widget, cases.wireMessages({ frames: row.frames, chunk_bytes: 16 }));
    await settle();
    if (expected.reject) {
      const fragment = (expected.reject as Reject).message;
      expect(model.status).toEqual({ phase: 'error', fraction: 0, message: expect.stringContaining(`Receiving frames failed: ${fragment}`) });
      expect(widget.sent).toContainEqual(expect.objectContaining({ type: 'export-failed', request: 7, message: expect.stringContaining(fragment) }));
    } else {
      expect(model.status).toBeNull();
      expect(model.inbox.frameSet!.frames.map((f) => f.count)).toEqual((expected.accept as { counts: number[] }).counts);
    }
  });
});

describe('bad-inputs.json wire rows: tampered transfers', () => {
  test.each(table.wire.map((row) => [row.id, row] as const))('%s', (_id, row) => {
    const error = errorOf(() => assemble(cases.wireMessages(row)));
    expect(error?.message).toContain(row.reject);
    const widget = createWidget();
    const { model } = widget;
    deliver(widget, cases.wireMessages(row));
    expect(model.status?.message).toBe(`Receiving frames failed: ${error!.message}`);
  });

  test('untampered, the same transfers arrive whole (the tampering is what fails them)', () => {
    for (const row of table.wire) expect(errorOf(() => assemble(cases.wireMessages({ ...row, tamper: [] })))).toBeNull();
  });
});

// --- properties ------------------------------------------------------------

const junk = fc.oneof(fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.double(), fc.constantFrom(-1, 1.5, NaN, 1e300, 2 ** 53));
const smallCount = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 6 }) }, { weight: 1, arbitrary: junk });
const header = fc.record({
  frames: fc.oneof({ weight: 4, arbitrary: fc.array(fc.record({ points: smallCount, colors: fc.oneof(fc.boolean(), junk) }), { maxLength: 4 }) }, { weight: 1, arbitrary: junk }),
  total_bytes: fc.oneof(fc.integer({ min: 0, max: 200 }), junk),
});
const bytes = fc.uint8Array({ maxLength: 40 });
const chunk = fc.record({ index: fc.oneof(fc.integer({ min: -1, max: 6 }), junk), offset: fc.oneof(fc.integer({ min: -4, max: 200 }), junk), data: bytes });

test('property: random headers and chunks give frames or a TransferError/FrameError, nothing else', () => {
  fc.assert(
    fc.property(header, fc.oneof(fc.integer({ min: -1, max: 8 }), junk), fc.array(chunk, { maxLength: 8 }), (h, count, chunks) => {
      errorOf(() => {
        const a = new FrameAssembler(h as FramesHeader, count as number);
        for (const c of chunks) errorOf(() => a.add(c.index as number, c.offset as number, c.data));
        return a.finish();
      });
    }),
    { numRuns: 200 },
  );
});

test('property: random bytes in a well-formed transfer give frames or a FrameError naming the frame', () => {
  const frames = fc.array(fc.record({ n: fc.integer({ min: 0, max: 5 }), colors: fc.option(fc.constant({ dtype: 'uint8' }), { nil: undefined }) }), { minLength: 1, maxLength: 4 });
  fc.assert(
    fc.property(frames, fc.integer({ min: 1, max: 64 }), fc.infiniteStream(fc.integer({ min: 0, max: 255 })), (recipes, size, noise) => {
      const messages = cases.wireMessages({ frames: recipes, chunk_bytes: size });
      for (const m of messages) if (m.data) m.data = m.data.map(() => noise.next().value as number);
      const error = errorOf(() => assemble(messages));
      if (error) expect(error.message).toMatch(/^frames\[\d+\]: /);
    }),
    { numRuns: 200 },
  );
});

const kinds = fc.constantFrom('frames-begin', 'frames-chunk', 'frames-end', 'export', 'save', 'cancel', 'mystery');
const message = fc.oneof(
  { weight: 1, arbitrary: fc.anything() },
  {
    weight: 4,
    arbitrary: fc.record(
      { type: kinds, version: fc.oneof(fc.integer({ min: 0, max: 3 }), junk), header, chunks: fc.oneof(fc.integer({ min: 0, max: 6 }), junk), index: fc.oneof(fc.integer({ min: 0, max: 6 }), junk), offset: fc.oneof(fc.integer({ min: 0, max: 100 }), junk), request: fc.oneof(fc.integer({ min: 1, max: 3 }), junk), codecs: fc.oneof(fc.constant(['ffmpeg-h264']), junk) },
      { requiredKeys: ['type'] },
    ),
  },
);
const buffers = fc.oneof(fc.constant([]), fc.array(bytes.map((b) => new DataView(b.buffer)), { maxLength: 2 }), fc.anything());

test('property: random kernel messages never throw out of the model, end in a clear status, and a good transfer still works after them', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(message, buffers), { maxLength: 8 }), async (garbage) => {
      const widget = createWidget();
      const { model } = widget;
      for (const [content, data] of garbage) {
        expect(() => widget.deliver(content, data)).not.toThrow();
        if (model.status) expect(model.status).toMatchObject({ phase: 'error', message: expect.stringMatching(/^(Receiving frames failed|Export failed): \S/) });
      }
      await settle();
      deliver(widget, cases.wireMessages({ frames: [{ n: 3 }, { n: 0 }], chunk_bytes: 10 }, 99));
      expect(model.inbox.frameSet?.frames.map((f) => f.count)).toEqual([3, 0]);
    }),
    { numRuns: 200 },
  );
});

test('a malformed request fails with its own message and leaves a transfer in progress alone', () => {
  const widget = createWidget();
  const { model } = widget;
  const [begin, ...rest] = cases.wireMessages({ frames: [{ n: 4 }], chunk_bytes: 16 });
  deliver(widget, [begin!]);
  deliver(widget, [{ type: 'save', request: 'seven' }]);
  expect(model.status?.message).toBe('Export failed: the kernel sent a malformed save message: request must be a whole number >= 0, got "seven"');
  deliver(widget, rest);
  expect(model.inbox.frameSet?.frames.map((f) => f.count)).toEqual([4]);
});

test('a message of a kind this page does not know is ignored, with a warning', () => {
  const widget = createWidget();
  const { model } = widget;
  deliver(widget, [{ type: 'frames-v2', version: 1 }]);
  expect(model.status).toBeNull();
  expect(console.warn).toHaveBeenCalledWith('cloudreel: ignoring a kernel message of unknown type "frames-v2"');
});
