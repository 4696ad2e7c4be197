// Per-point values and class codes (categories): checked like points, naming
// the frame. Validation only, with no colour tables, so the frames module (and
// the wire decoder built on it) loads without any package (point-colors.ts colours).
import { FrameError } from './frame-error.js';

/** The per-point fields of one frame as users hold them. */
export interface PointValuesInput {
  colors?: unknown;
  values?: ArrayLike<number> | BigInt64Array | BigUint64Array | null;
  categories?: ArrayLike<number> | BigInt64Array | BigUint64Array | null;
}

type BigIntArray = BigInt64Array | BigUint64Array;
const isBigIntArray = (value: unknown): value is BigIntArray => value instanceof BigInt64Array || value instanceof BigUint64Array;

const describe = (v: unknown): string =>
  typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : Array.isArray(v) ? `[${v.join(', ')}]` : String(v);

/** One number per point (a BigInt array converted), or null; FrameError naming the frame otherwise. */
function perPoint(input: unknown, count: number, where: string, what: string): ArrayLike<number> | null {
  if (input == null) return null;
  if (typeof input !== 'object' || typeof (input as ArrayLike<unknown>).length !== 'number') {
    throw new FrameError(`${where}: ${what} must be an array of one number per point, or null`);
  }
  const list = input as ArrayLike<unknown>;
  if (list.length !== count) {
    throw new FrameError(`${where}: ${what} must have ${count} entries to match ${count} points, got ${list.length}`);
  }
  if (isBigIntArray(list)) return Float64Array.from(list, Number);
  if (!ArrayBuffer.isView(list)) {
    for (let i = 0; i < list.length; i++) {
      if (typeof list[i] !== 'number') throw new FrameError(`${where}: ${what} must be numbers, got ${describe(list[i])} at point ${i}`);
    }
  }
  return list as ArrayLike<number>;
}

/** Values as float32, checked finite (also after the cast: a float64 beyond float32's range is refused). */
function packValues(input: unknown, count: number, where: string): Float32Array | null {
  const flat = perPoint(input, count, where, 'values');
  if (!flat) return null;
  const values = flat instanceof Float32Array ? flat : Float32Array.from(flat);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const note = Number.isFinite(flat[i]) ? ' (too large for float32)' : '';
      throw new FrameError(`${where}: values must be finite, got ${flat[i]} at point ${i}${note}`);
    }
  }
  return values;
}

/** Class codes as bytes: whole numbers 0..255 (a Uint8Array is used as it is). */
function packCategories(input: unknown, count: number, where: string): Uint8Array | null {
  const flat = perPoint(input, count, where, 'categories');
  if (!flat) return null;
  if (flat instanceof Uint8Array) return flat;
  if (flat instanceof Uint8ClampedArray) return new Uint8Array(flat.buffer, flat.byteOffset, flat.length);
  const codes = new Uint8Array(flat.length);
  for (let i = 0; i < flat.length; i++) {
    const c = flat[i]!;
    if (!(Number.isInteger(c) && c >= 0 && c <= 255)) {
      throw new FrameError(`${where}: categories must be whole numbers from 0 to 255 (class codes), got ${c} at point ${i}`);
    }
    codes[i] = c;
  }
  return codes;
}

/**
 * A frame's values or categories, checked. A frame is coloured by one of
 * colors, categories or values (else by z): giving two is refused, since one would be ignored.
 */
export function packPointValues(frame: PointValuesInput, count: number, where: string): { values?: Float32Array; categories?: Uint8Array } {
  const given = (['colors', 'values', 'categories'] as const).filter((k) => frame[k] != null);
  if (given.length > 1) {
    const named = `${given.slice(0, -1).join(', ')} and ${given.at(-1)}`;
    throw new FrameError(`${where}: got both ${named}: give one of colors, values or categories per frame`);
  }
  const values = packValues(frame.values, count, where);
  if (values) return { values };
  const categories = packCategories(frame.categories, count, where);
  return categories ? { categories } : {};
}
