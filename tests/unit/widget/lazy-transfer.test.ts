// The page side of a lazy export: frame messages from tests/cases/frame-messages.json (the bytes Python's
// wire.frame_message makes) decoded or refused, the header checked, and fetchedFrames' read-ahead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Vec3 } from '../../../src/core/origin';
import { checkLazyHeader, decodeFrameMessage, fetchedFrames } from '../../../src/widget/lazy-transfer';

interface Row {
  id: string;
  index: number;
  origin?: Vec3;
  hex: string;
  frame?: { points: number[][]; colors?: number[][]; values?: number[]; categories?: number[] };
  reject?: string;
}
const TABLE = JSON.parse(readFileSync(join(__dirname, '../../cases/frame-messages.json'), 'utf8')) as { messages: Row[]; reject: Row[] };
const bytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

test.each(TABLE.messages.map((r) => [r.id, r] as const))('frame message %s decodes to its frame', (_id, row) => {
  const frame = decodeFrameMessage(bytes(row.hex), row.index, row.origin!);
  const { points, colors, values, categories } = row.frame!;
  expect(Array.from(frame.positions)).toEqual(points.flatMap((p) => p.map((v, k) => Math.fround(v - row.origin![k]!))));
  expect(frame.colors ? Array.from(frame.colors) : null).toEqual(colors ? colors.flat() : null);
  expect(frame.values ? Array.from(frame.values) : null).toEqual(values ?? null);
  expect(frame.categories ? Array.from(frame.categories) : null).toEqual(categories ?? null);
});

test.each(TABLE.reject.map((r) => [r.id, r] as const))('frame message %s is refused', (_id, row) => {
  expect(() => decodeFrameMessage(bytes(row.hex), row.index, row.origin ?? [0, 0, 0])).toThrow(row.reject!);
});

test('a message starting off a 4-byte boundary is read from a copy', () => {
  const row = TABLE.messages[1]!;
  const shifted = new Uint8Array(bytes(row.hex).length + 1).fill(0);
  shifted.set(bytes(row.hex), 1);
  expect(Array.from(decodeFrameMessage(shifted.subarray(1), row.index, row.origin!).values!)).toEqual(row.frame!.values);
});

test.each([
  [{ count: 0, origin: [0, 0, 0], bounds: null, valueRange: null }, "count must be a whole number >= 1, got 0"],
  [{ count: 2.5, origin: [0, 0, 0], bounds: null, valueRange: null }, "count must be a whole number >= 1, got 2.5"],
  [{ count: 2, origin: [0, 0], bounds: null, valueRange: null }, 'origin must be three finite numbers, got [0,0]'],
  [{ count: 2, origin: [0, 0, 0], bounds: { min: [1, 0, 0], max: [0, 1, 1] }, valueRange: null }, 'bounds must be null or {min, max} with min <= max'],
  [{ count: 2, origin: [0, 0, 0], bounds: null, valueRange: [2, 1] }, 'valueRange must be null or [lo, hi] with lo <= hi, got [2,1]'],
  [null, 'count must be a whole number >= 1, got undefined'],
])('a bad lazy header is refused: %j', (header, message) => {
  expect(() => checkLazyHeader(header)).toThrow(`the lazy frames header's ${message}`);
});

describe('fetchedFrames', () => {
  const row = TABLE.messages[0]!;
  /** The same frame's message for any index (its index rewritten), with a log of the fetches. */
  function server() {
    const log: number[] = [];
    const message = bytes(row.hex);
    const digit = new TextDecoder('latin1').decode(message).indexOf('"index":0,') + 8;
    const fetchFrame = async (i: number) => {
      log.push(i);
      const copy = message.slice();
      copy[digit] = 48 + i; // frames 0..9: one digit, the header's length unchanged
      return copy;
    };
    return { log, fetchFrame };
  }
  const header = { count: 5, origin: row.origin, bounds: { min: [0, 0, 0], max: [4, 5, 6] }, valueRange: null };

  test('fetches in order, a few ahead, and again from the start for a fallback codec', async () => {
    const { log, fetchFrame } = server();
    const frames = fetchedFrames(header, fetchFrame, 2);
    expect([frames.count, frames.bounds, frames.valueRange]).toEqual([5, header.bounds, null]);
    for (let i = 0; i < 5; i++) {
      expect((await frames.frame(i)).count).toBe(3);
      frames.release?.(i);
    }
    expect(log).toEqual([0, 1, 2, 3, 4]);
    await frames.frame(0);
    await new Promise((resolve) => setTimeout(resolve, 0)); // the read-ahead, one request after another
    expect(log.slice(5)).toEqual([0, 1, 2]);
  });

  test('a frame whose message is bad fails with its words; a bad header fails before any fetch', async () => {
    const { log, fetchFrame } = server();
    const frames = fetchedFrames(header, async (i) => (i === 1 ? bytes(TABLE.reject[0]!.hex) : fetchFrame(i)), 1);
    await frames.frame(0);
    await expect(frames.frame(1)).rejects.toThrow('frames[1]: the frame message holds 2 bytes');
    expect(() => fetchedFrames({ ...header, count: -1 }, fetchFrame)).toThrow('count must be');
    expect(log).toEqual([0, 2]); // frame 1's fetch bypassed the log; frame 2 was read ahead
  });
});
