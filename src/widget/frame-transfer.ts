// Reassembles the frames the kernel sends in binary chunks (see
// python/cloudreel/wire.py for the layout: positions, then colours, values
// and categories where the header says so) into a validated FrameSet.
// The kernel is not trusted: sizes are checked here and every frame goes
// through the same validation as any other input.
import { FrameSetBuilder, type FrameSet } from '../core/frames.js';
import { FLOAT32_MAX, type Vec3 } from '../core/origin.js';

export interface FramesHeader {
  /** values/categories: absent means false (the kernel writes them only when true). */
  frames: Array<{ points: number; colors: boolean; values?: boolean; categories?: boolean }>;
  total_bytes: number;
  /** World (float64) coordinates the positions are relative to; (0, 0, 0) when absent. */
  origin?: Vec3;
}

export class TransferError extends Error {
  override name = 'TransferError';
}

const align4 = (n: number) => (n + 3) & ~3;

/** Bytes of one frame's blocks: positions, colours (padded), values (float32), categories (padded). */
function frameBytes(f: FramesHeader['frames'][number]): { positions: number; colors: number; values: number; categories: number } {
  return { positions: f.points * 12, colors: f.colors ? align4(f.points * 3) : 0, values: f.values ? f.points * 4 : 0, categories: f.categories ? align4(f.points) : 0 };
}

/** The header's origin: three finite numbers float32 could hold (as the kernel's wire.py checks); else a TransferError. */
function headerOrigin(header: FramesHeader): Vec3 {
  const origin: unknown = header.origin;
  if (origin === undefined) return [0, 0, 0];
  if (!Array.isArray(origin) || origin.length !== 3 || !origin.every((v) => typeof v === 'number' && Math.abs(v) <= FLOAT32_MAX)) {
    const shown = Array.isArray(origin) ? `[${origin.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ')}]` : (JSON.stringify(origin) ?? String(origin));
    throw new TransferError(`the frames header's origin must be three finite numbers within float32's range (at most 3.4e+38), got ${shown}`);
  }
  return [origin[0], origin[1], origin[2]];
}

/** Bytes the payload must have for `header` (whose origin is checked too), or a TransferError. */
export function payloadSize(header: FramesHeader): number {
  if (!header || typeof header !== 'object' || !Array.isArray(header.frames)) throw new TransferError('frames header is malformed');
  headerOrigin(header);
  return header.frames.reduce((sum, f, i) => {
    if (!Number.isSafeInteger(f?.points) || f.points < 0) throw new TransferError(`frames[${i}]: bad point count ${f?.points}`);
    if (typeof f.colors !== 'boolean') throw new TransferError(`frames[${i}]: the header's colors flag must be true or false, got ${String(f.colors)}`);
    for (const flag of ['values', 'categories'] as const) {
      if (f[flag] !== undefined && typeof f[flag] !== 'boolean') throw new TransferError(`frames[${i}]: the header's ${flag} flag must be true or false, got ${String(f[flag])}`);
    }
    const b = frameBytes(f);
    return sum + b.positions + b.colors + b.values + b.categories;
  }, 0);
}

/** payloadSize(header), which must be the header's own total_bytes; else a TransferError. */
export function announcedSize(header: FramesHeader): number {
  const size = payloadSize(header);
  if (size !== header.total_bytes) {
    throw new TransferError(`frames header says ${header.total_bytes} bytes but its frames need ${size}`);
  }
  return size;
}

/**
 * A zeroed buffer of `size` bytes for frames from the kernel. The size comes
 * from the kernel: one the page cannot hold is a TransferError, not a raw
 * RangeError ("Invalid typed array length", "Array buffer allocation failed").
 */
export function allocatePayload(size: number): Uint8Array {
  try {
    return new Uint8Array(size);
  } catch {
    throw new TransferError(`the frames need ${(size / 1e9).toFixed(1)} GB, more memory than this page can have`);
  }
}

/**
 * Collects the chunks of one frames payload, in any order. Chunk i must start
 * where chunk i - 1 ends (chunk 0 at 0, the last ending at the payload's end),
 * checked against the neighbours already received, as the kernel's
 * ChunkAssembler does: chunks that overlap or leave gaps are refused on arrival.
 */
export class FrameAssembler {
  readonly #payload: Uint8Array;
  /** index -> [start, end) of the chunks received. */
  readonly #spans = new Map<number, [number, number]>();
  #bytes = 0;

  constructor(
    readonly header: FramesHeader,
    readonly chunks: number,
  ) {
    const size = announcedSize(header);
    // Every chunk holds at least one byte, and an empty payload comes in no chunks.
    if (!Number.isInteger(chunks) || chunks < 0 || (size > 0) !== (chunks > 0) || chunks > size) {
      throw new TransferError(`bad chunk count ${chunks} for a ${size}-byte frames payload`);
    }
    this.#payload = allocatePayload(size);
  }

  get complete(): boolean {
    return this.#spans.size === this.chunks;
  }

  /** Fraction of the payload received, 0..1. */
  get fraction(): number {
    return this.#payload.length === 0 ? 1 : this.#bytes / this.#payload.length;
  }

  add(index: number, offset: number, data: ArrayBuffer | ArrayBufferView): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.chunks) {
      throw new TransferError(`chunk ${index} is outside 0..${this.chunks - 1}`);
    }
    if (this.#spans.has(index)) throw new TransferError(`chunk ${index} arrived twice`);
    if (!ArrayBuffer.isView(data) && !(data instanceof ArrayBuffer)) throw new TransferError(`chunk ${index} came without binary data`);
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    if (bytes.length === 0) throw new TransferError(`chunk ${index} is empty`);
    const end = offset + bytes.length;
    if (!Number.isInteger(offset) || offset < 0 || end > this.#payload.length) {
      throw new TransferError(`chunk ${index} (${bytes.length} bytes at ${offset}) overruns the ${this.#payload.length}-byte payload`);
    }
    const before = index === 0 ? 0 : this.#spans.get(index - 1)?.[1];
    const after = index === this.chunks - 1 ? this.#payload.length : this.#spans.get(index + 1)?.[0];
    if (before !== undefined && before !== offset) throw new TransferError(`chunk ${index} starts at byte ${offset}, expected ${before}`);
    if (after !== undefined && after !== end) throw new TransferError(`chunk ${index} ends at byte ${end}, expected ${after}`);
    this.#payload.set(bytes, offset);
    this.#spans.set(index, [offset, end]);
    this.#bytes += bytes.length;
  }

  /** The frames, once every chunk is in; otherwise a TransferError naming what is missing. */
  finish(): FrameSet {
    if (!this.complete) {
      const missing: number[] = [];
      for (let i = 0; i < this.chunks && missing.length <= 20; i++) if (!this.#spans.has(i)) missing.push(i);
      const shown = missing.length > 20 ? `${missing.slice(0, 20).join(', ')} and more` : missing.join(', ');
      throw new TransferError(`missing chunks ${shown} of ${this.chunks}: the transfer from the kernel was interrupted`);
    }
    if (this.#bytes !== this.#payload.length) {
      throw new TransferError(`received ${this.#bytes} bytes, expected ${this.#payload.length}`);
    }
    return decodePayload(this.header, this.#payload);
  }
}

/** The frames in a whole payload, checked against `header`. */
export function decodePayload(header: FramesHeader, payload: Uint8Array): FrameSet {
  const decoder = new PayloadDecoder(header, payload);
  decoder.advance(payload.length);
  return decoder.finish();
}

/**
 * Checks the frames of a payload that is still being filled in order (an HTTP
 * body): `advance(n)` decodes every frame that lies wholly in the first n bytes.
 */
export class PayloadDecoder {
  readonly #builder: FrameSetBuilder;
  readonly #first: number;
  #at = 0;

  /** `firstIndex`: the animation's index of the payload's first frame (a lazy export's frame alone), for the errors' names. */
  constructor(
    readonly header: FramesHeader,
    readonly payload: Uint8Array,
    firstIndex = 0,
  ) {
    const size = payloadSize(header);
    if (size !== payload.length || size !== header.total_bytes) {
      throw new TransferError(`frames header says ${header.total_bytes} bytes, its frames need ${size}, and ${payload.length} arrived`);
    }
    this.#first = firstIndex;
    this.#builder = new FrameSetBuilder(headerOrigin(header), firstIndex);
  }

  advance(available: number): void {
    const { frames } = this.header;
    const { buffer, byteOffset } = this.payload;
    for (let i = this.#builder.length; i < frames.length; i = this.#builder.length) {
      const f = frames[i]!;
      const b = frameBytes(f);
      const end = this.#at + b.positions + b.colors + b.values + b.categories;
      if (end > available) return;
      const points = new Float32Array(buffer, byteOffset + this.#at, f.points * 3);
      let at = this.#at + b.positions;
      let colors: Uint8Array | null = null;
      if (f.colors) {
        colors = new Uint8Array(buffer, byteOffset + at, f.points * 3);
        this.#checkPadding(at + f.points * 3, at + b.colors, `frames[${this.#first + i}]: colour padding`);
        at += b.colors;
      }
      const values = f.values ? new Float32Array(buffer, byteOffset + at, f.points) : null;
      at += b.values;
      let categories: Uint8Array | null = null;
      if (f.categories) {
        categories = new Uint8Array(buffer, byteOffset + at, f.points);
        this.#checkPadding(at + f.points, at + b.categories, `frames[${this.#first + i}]: category padding`);
      }
      // The builder checks the values (finite) and that one frame has one of colours, values, categories.
      this.#builder.add({ points, colors, values, categories });
      this.#at = end;
    }
  }

  #checkPadding(start: number, end: number, what: string): void {
    if (this.payload.subarray(start, end).some((b) => b !== 0)) {
      throw new TransferError(`${what} holds non-zero bytes: the data from the kernel is damaged`);
    }
  }

  finish(): FrameSet {
    this.advance(this.payload.length);
    return this.#builder.finish();
  }
}
