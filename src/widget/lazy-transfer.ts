// A lazy export's frames on the page: the header Python sends first (count, origin, bounds, value
// range), each frame message (python/cloudreel/wire.py frame_message) checked as any frame from
// Python is, and a LazyFrames that fetches frames as the renderer asks, a few ahead.
import type { Bounds, Frame } from '../core/frames.js';
import type { LazyFrames } from '../core/lazy-frames.js';
import type { Vec3 } from '../core/origin.js';
import { PayloadDecoder, TransferError, type FramesHeader } from './frame-transfer.js';

/** What Python sends before any frame of a lazy export (python/cloudreel/lazy_frames.py header()). */
export interface LazyHeader {
  count: number;
  origin: Vec3;
  bounds: Bounds | null;
  valueRange: [number, number] | null;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const triple = (v: unknown): v is Vec3 => Array.isArray(v) && v.length === 3 && v.every(finite);
const shown = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** The header, checked: a whole count >= 1, an origin, bounds (or null), a value range (or null). */
export function checkLazyHeader(header: unknown): LazyHeader {
  const h = (header ?? {}) as Partial<LazyHeader>;
  if (!Number.isSafeInteger(h.count) || (h.count as number) < 1) throw new TransferError(`the lazy frames header's count must be a whole number >= 1, got ${shown(h.count)}`);
  if (!triple(h.origin)) throw new TransferError(`the lazy frames header's origin must be three finite numbers, got ${shown(h.origin)}`);
  const b = h.bounds;
  if (b !== null && !(b && triple(b.min) && triple(b.max) && b.min.every((v, k) => v <= b.max[k]!))) {
    throw new TransferError(`the lazy frames header's bounds must be null or {min, max} with min <= max, got ${shown(b)}`);
  }
  const r = h.valueRange;
  if (r !== null && !(Array.isArray(r) && r.length === 2 && r.every(finite) && r[0] <= r[1])) {
    throw new TransferError(`the lazy frames header's valueRange must be null or [lo, hi] with lo <= hi, got ${shown(r)}`);
  }
  return { count: h.count as number, origin: [...h.origin], bounds: b ?? null, valueRange: r ? [r[0], r[1]] : null };
}

/**
 * Frame `index` of a lazy export from its frame message, checked: its index, its origin (the
 * export's), its sizes, and the frame itself as any frame from Python (TransferError or FrameError).
 */
export function decodeFrameMessage(message: Uint8Array, index: number, origin: Vec3): Frame {
  const where = `frames[${index}]`;
  if (message.length < 4) throw new TransferError(`${where}: the frame message holds ${message.length} bytes, fewer than its 4-byte header length`);
  const length = new DataView(message.buffer, message.byteOffset, 4).getUint32(0, true);
  if (length % 4 !== 0 || 4 + length > message.length) {
    throw new TransferError(`${where}: the frame message's header length ${length} is not a multiple of 4 within its ${message.length} bytes`);
  }
  let header: FramesHeader & { index?: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(message.subarray(4, 4 + length)));
  } catch {
    throw new TransferError(`${where}: the frame message's header is not JSON`);
  }
  if (header?.index !== index) throw new TransferError(`${where}: the frame message holds frame ${shown(header?.index)}`);
  if (!Array.isArray(header.frames) || header.frames.length !== 1) {
    throw new TransferError(`${where}: a frame message holds one frame, got ${Array.isArray(header.frames) ? header.frames.length : shown(header.frames)}`);
  }
  const own = header.origin ?? [0, 0, 0];
  if (!Array.isArray(own) || own.length !== 3 || own.some((v, k) => v !== origin[k])) {
    throw new TransferError(`${where}: the frame message's origin ${shown(own).replace(/,/g, ', ')} is not the export's ${shown(origin).replace(/,/g, ', ')}`);
  }
  // Its blocks are read in place as float32: a message not starting 4-byte aligned is copied first.
  const start = 4 + length;
  const payload = (message.byteOffset + start) % 4 === 0 ? message.subarray(start) : message.slice(start);
  return new PayloadDecoder(header, payload, index).finish().frames[0]!;
}

/**
 * A LazyFrames over a lazy export's frames: `fetchFrame(i)` brings frame i's message; frames are
 * fetched one at a time, in order, up to `ahead` beyond the one asked for (so the network overlaps
 * drawing), and the page holds
 * at most `ahead + 1` of them: one asked for out of order (a fallback codec starting again) drops the rest.
 */
export function fetchedFrames(header: unknown, fetchFrame: (index: number) => Promise<Uint8Array>, ahead = 2): LazyFrames {
  const { count, origin, bounds, valueRange } = checkLazyHeader(header);
  const pending = new Map<number, Promise<Frame>>();
  // One request at a time, in the order asked: Python reads a sequence in order, and cheapest so.
  let previous: Promise<unknown> = Promise.resolve();
  const load = (i: number) => {
    if (i < count && !pending.has(i)) {
      const frame = previous.catch(() => {}).then(() => fetchFrame(i)).then((message) => decodeFrameMessage(message, i, origin));
      previous = frame;
      frame.catch(() => {}); // a read-ahead nobody awaits must not be an unhandled rejection
      pending.set(i, frame);
    }
  };
  return {
    count,
    origin,
    bounds,
    valueRange,
    frame(index) {
      for (const i of pending.keys()) if (i < index || i > index + ahead) pending.delete(i);
      for (let i = index; i <= index + ahead; i++) load(i);
      return pending.get(index)!;
    },
    release(index) {
      pending.delete(index);
    },
  };
}
