import { FrameAssembler, TransferError, payloadSize, type FramesHeader } from '../../../src/widget/frame-transfer';
import { splitIntoChunks } from '../../../src/widget/file-transfer';

/** Packs frames exactly as python/cloudreel/wire.py does. */
function pack(frames: Array<{ points: number[]; colors?: number[] }>): { header: FramesHeader; payload: Uint8Array } {
  const parts: Uint8Array[] = [];
  const header: FramesHeader = { frames: [], total_bytes: 0 };
  for (const f of frames) {
    parts.push(new Uint8Array(new Float32Array(f.points).buffer));
    if (f.colors) {
      const padded = new Uint8Array((f.colors.length + 3) & ~3);
      padded.set(f.colors);
      parts.push(padded);
    }
    header.frames.push({ points: f.points.length / 3, colors: Boolean(f.colors) });
  }
  const payload = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (payload.set(p, at), at + p.length), 0);
  header.total_bytes = payload.length;
  return { header, payload };
}

const sample = pack([
  { points: [0, 0, 0, 1, 2, 3, 4, 5, 6], colors: [255, 0, 0, 0, 255, 0, 0, 0, 255] }, // 9 colour bytes -> padded to 12
  { points: [] },
  { points: [7, 8, 9] },
]);

function chunksOf(payload: Uint8Array, size: number) {
  return splitIntoChunks(payload, size);
}

test('chunks in any order reassemble into the frames, colours and all', () => {
  const chunks = chunksOf(sample.payload, 10);
  const a = new FrameAssembler(sample.header, chunks.length);
  for (const c of [...chunks].reverse()) a.add(c.index, c.offset, new DataView(c.data.buffer, c.data.byteOffset, c.data.byteLength));
  expect(a.complete).toBe(true);
  const set = a.finish();
  expect(set.frames.map((f) => f.count)).toEqual([3, 0, 1]);
  expect(Array.from(set.frames[0]!.positions)).toEqual([0, 0, 0, 1, 2, 3, 4, 5, 6]);
  expect(Array.from(set.frames[0]!.colors!)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255]);
  expect(set.frames[2]!.colors).toBeNull();
  expect(Array.from(set.frames[2]!.positions)).toEqual([7, 8, 9]);
  expect(set.bounds).toEqual({ min: [0, 0, 0], max: [7, 8, 9] });
});

test('a duplicate chunk is an error', () => {
  const chunks = chunksOf(sample.payload, 10);
  const a = new FrameAssembler(sample.header, chunks.length);
  a.add(0, 0, chunks[0]!.data);
  expect(() => a.add(0, 0, chunks[0]!.data)).toThrow('chunk 0 arrived twice');
});

test('a missing chunk is a clear error naming it', () => {
  const chunks = chunksOf(sample.payload, 10);
  const a = new FrameAssembler(sample.header, chunks.length);
  chunks.filter((c) => c.index !== 2).forEach((c) => a.add(c.index, c.offset, c.data));
  expect(() => a.finish()).toThrow(`missing chunks 2 of ${chunks.length}: the transfer from the kernel was interrupted`);
});

test.each([
  ['index out of range', (a: FrameAssembler) => a.add(99, 0, new Uint8Array(4)), /chunk 99 is outside/],
  ['chunk overrunning the payload', (a: FrameAssembler) => a.add(0, sample.payload.length - 2, new Uint8Array(8)), /overruns/],
  ['negative offset', (a: FrameAssembler) => a.add(0, -4, new Uint8Array(4)), /overruns/],
])('%s is an error', (_name, act, message) => {
  const a = new FrameAssembler(sample.header, 5);
  expect(() => act(a)).toThrow(message);
});

test('a header that does not add up is rejected before anything is allocated', () => {
  expect(() => new FrameAssembler({ ...sample.header, total_bytes: 12 }, 1)).toThrow(TransferError);
  expect(() => payloadSize({ frames: [{ points: -1, colors: false }], total_bytes: 0 })).toThrow('frames[0]: bad point count -1');
  expect(() => new FrameAssembler(sample.header, 0)).toThrow('bad chunk count 0');
});

test('the kernel is not trusted: a NaN in the payload is caught by frame validation', () => {
  const bad = pack([{ points: [0, 0, 0] }, { points: [1, NaN, 1] }]);
  const a = new FrameAssembler(bad.header, 1);
  a.add(0, 0, bad.payload);
  expect(() => a.finish()).toThrow('frames[1]: point 0 has a non-finite y coordinate (NaN)');
});

test('file chunks cover the file exactly, each within the limit', () => {
  const file = new Uint8Array(10_000).map((_, i) => i % 251);
  const chunks = splitIntoChunks(file, 4096);
  expect(chunks.map((c) => [c.index, c.offset, c.data.length])).toEqual([[0, 0, 4096], [1, 4096, 4096], [2, 8192, 1808]]);
  expect(splitIntoChunks(new Uint8Array(0))).toEqual([]);
});

test("the header's origin goes to the FrameSet; the positions stay as sent (relative to it)", () => {
  const { header, payload } = pack([{ points: [-1.5, 0.25, 0, 1.5, -0.25, 2] }]);
  const a = new FrameAssembler({ ...header, origin: [500000.125, 5400000.5, 300] }, 1);
  a.add(0, 0, payload);
  const set = a.finish();
  expect(set.origin).toEqual([500000.125, 5400000.5, 300]);
  expect(Array.from(set.frames[0]!.positions)).toEqual([-1.5, 0.25, 0, 1.5, -0.25, 2]);
  expect(set.bounds).toEqual({ min: [-1.5, -0.25, 0], max: [1.5, 0.25, 2] });
  // A header without one (an older kernel) is at (0, 0, 0).
  const b = new FrameAssembler(header, 1);
  b.add(0, 0, payload);
  expect(b.finish().origin).toEqual([0, 0, 0]);
});

test.each([
  ['NaN', [NaN, 0, 0], '[NaN, 0, 0]'],
  ['Infinity', [0, Infinity, 0], '[0, Infinity, 0]'],
  ['1e300', [0, 0, 1e300], '[0, 0, 1e+300]'],
  ['two numbers', [1, 2], '[1, 2]'],
  ['a string', '0,0,0', '"0,0,0"'],
  ['null', null, 'null'],
])("a tampered origin (%s) is refused before anything is allocated", (_name, origin, shown) => {
  const header = { ...sample.header, origin } as unknown as FramesHeader;
  expect(() => payloadSize(header)).toThrow(TransferError);
  expect(() => new FrameAssembler(header, 1)).toThrow(
    `the frames header's origin must be three finite numbers within float32's range (at most 3.4e+38), got ${shown}`,
  );
});
