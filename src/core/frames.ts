// FrameSet: the validated, packed form of the frames a user hands us.
// Every rejection names the frame (as `frames[i]`, the index the caller used)
// and the problem, so a person can find the bad data.
import { FrameError } from './frame-error.js';
import { packPointValues } from './point-values.js';

export { FrameError };

/** Colors per point: floats in 0..1, bytes in 0..255, or nested [r, g, b] rows. */
export type ColorInput = ArrayLike<number> | ArrayLike<ArrayLike<number>> | null | undefined;

/** One frame as users hold it: points as a flat xyz array or [x, y, z] rows. */
export interface FrameInput {
  points: ArrayLike<number> | ArrayLike<ArrayLike<number>>;
  colors?: ColorInput;
  /** One number per point, coloured with the colormap (see point-values.ts). */
  values?: ArrayLike<number> | BigInt64Array | BigUint64Array | null;
  /** One class code 0..255 per point (LAS classification), coloured by the palette. */
  categories?: ArrayLike<number> | BigInt64Array | BigUint64Array | null;
}

export interface Frame {
  /** x0 y0 z0 x1 y1 z1 ... */
  positions: Float32Array;
  /**
   * r g b per point in 0..255, or null to colour by z. May be computed from the
   * caller's array on each read: read it once per draw.
   */
  readonly colors: Uint8Array | null;
  count: number;
  /** One float per point, or absent: coloured with the colormap when there are no colors. */
  values?: Float32Array | null;
  /** One class code per point, or absent: coloured by the palette when there are no colors. */
  categories?: Uint8Array | null;
}

export interface Bounds {
  min: [number, number, number];
  max: [number, number, number];
}

export interface FrameSet {
  frames: Frame[];
  /** Bounds over every point of every frame; null when all frames are empty. */
  bounds: Bounds | null;
}

function isRows(value: ArrayLike<unknown>): value is ArrayLike<ArrayLike<number>> {
  return value.length > 0 && typeof value[0] === 'object' && value[0] !== null;
}

type BigIntArray = BigInt64Array | BigUint64Array;
const isBigIntArray = (value: unknown): value is BigIntArray => value instanceof BigInt64Array || value instanceof BigUint64Array;

/** Integer typed arrays hold 0..255 colours (as numpy integer dtypes do in Python); other numbers are 0..1 floats. */
const isIntegerArray = (value: unknown): boolean =>
  value instanceof Int8Array || value instanceof Uint8Array || value instanceof Uint8ClampedArray ||
  value instanceof Int16Array || value instanceof Uint16Array || value instanceof Int32Array ||
  value instanceof Uint32Array || isBigIntArray(value);

/** `shape` says what was expected, e.g. "(N, 3)" or "(12, 3) to match 12 points". */
function flattenRows(rows: ArrayLike<ArrayLike<number>>, where: string, what: string, shape: string): Float64Array {
  const out = new Float64Array(rows.length * 3);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row == null || typeof row !== 'object' || row.length !== 3) {
      const got = row == null || typeof row !== 'object' ? `a ${row === null ? 'null' : typeof row}` : `${row.length} values`;
      throw new FrameError(`${where}: ${what} must have shape ${shape}, but row ${i} holds ${got}`);
    }
    for (let k = 0; k < 3; k++) out[i * 3 + k] = numberAt(row, k, i, where, what);
  }
  return out;
}

/** `values[k]` when it is a number; a string, null or bigint is refused (numpy refuses them too). */
function numberAt(values: ArrayLike<unknown>, k: number, point: number, where: string, what: string): number {
  const v = values[k];
  if (typeof v !== 'number') throw new FrameError(`${where}: ${what} must be numbers, got ${describe(v)} at point ${point}`);
  return v;
}

const describe = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : String(v));

/** Flat numbers from a flat array, a BigInt array (converted) or rows. */
function flatNumbers(value: ArrayLike<number> | ArrayLike<ArrayLike<number>>, where: string, what: string, shape: string): ArrayLike<number> {
  if (isBigIntArray(value)) return Float64Array.from(value, Number);
  if (isRows(value)) return flattenRows(value, where, what, shape);
  if (!ArrayBuffer.isView(value)) {
    for (let i = 0; i < value.length; i++) numberAt(value, i, Math.floor(i / 3), where, what);
  }
  return value as ArrayLike<number>;
}

function packPositions(points: FrameInput['points'], where: string): Float32Array {
  if (points == null || typeof points !== 'object' || typeof points.length !== 'number') {
    throw new FrameError(`${where}: points must be a Float32Array of length 3N or an array of [x, y, z] rows`);
  }
  const flat = flatNumbers(points, where, 'points', '(N, 3)');
  if (flat.length % 3 !== 0) {
    throw new FrameError(`${where}: points must have shape (N, 3): a flat array needs x, y, z per point, got ${flat.length} values`);
  }
  if (flat instanceof Float32Array) return flat;
  const positions = Float32Array.from(flat);
  for (let i = 0; i < positions.length; i++) {
    // A finite float64 may still overflow to Infinity as float32.
    if (!Number.isFinite(flat[i]) || !Number.isFinite(positions[i])) throw nonFinite(where, i, flat[i]);
  }
  return positions;
}

function nonFinite(where: string, i: number, value: unknown): FrameError {
  return new FrameError(`${where}: point ${Math.floor(i / 3)} has a non-finite ${'xyz'[i % 3]} coordinate (${value})`);
}

/**
 * Colours as bytes, checked now. Byte arrays are used as they are; other typed
 * arrays the caller holds are converted each time a frame is drawn, not kept
 * converted, so an export holds no second copy of every frame's colours
 * (600 frames x 100k points would be 180 MB more).
 */
function packColors(colors: ColorInput, count: number, where: string): Uint8Array | (() => Uint8Array) | null {
  if (colors == null) return null;
  if (typeof colors !== 'object' || typeof colors.length !== 'number') {
    throw new FrameError(`${where}: colors must be an array of 3 values per point, or null`);
  }
  const shape = `(${count}, 3) to match ${count} points`;
  const flat = flatNumbers(colors, where, 'colors', shape);
  if (flat.length !== count * 3) {
    throw new FrameError(`${where}: colors must have shape ${shape}, got ${flat.length} values (expected ${count * 3})`);
  }
  if (flat instanceof Uint8Array) return flat;
  if (flat instanceof Uint8ClampedArray) return new Uint8Array(flat.buffer, flat.byteOffset, flat.length);
  const integers = isIntegerArray(colors);
  for (let i = 0; i < flat.length; i++) {
    const c = flat[i]!;
    if (integers) {
      if (!(c >= 0 && c <= 255)) throw new FrameError(`${where}: integer colors must lie in 0..255, got ${c} at point ${Math.floor(i / 3)}`);
    } else if (!(c >= 0 && c <= 1)) {
      throw new FrameError(`${where}: float colors must lie in 0..1, got ${c} at point ${Math.floor(i / 3)} (for 0..255 use a Uint8Array)`);
    }
  }
  const toBytes = (): Uint8Array => {
    const out = new Uint8Array(flat.length);
    for (let i = 0; i < flat.length; i++) out[i] = integers ? flat[i]! : Math.round(flat[i]! * 255);
    return out;
  };
  // A copy made while checking (rows, plain arrays) is converted once and dropped.
  return flat === colors ? toBytes : toBytes();
}

/** A frame whose colours are converted from the caller's array when read. */
function lazyColorFrame(positions: Float32Array, count: number, toBytes: () => Uint8Array): Frame {
  return {
    positions,
    count,
    get colors() {
      return toBytes();
    },
  };
}

/**
 * Grows `b` (min xyz, max xyz) over `positions` in one tight pass, which is also
 * the finiteness check: returns the index of the first NaN/Infinity, or -1.
 * It runs over every point the kernel sends: branch-free min/max (NaN poisons
 * them, an infinity shows in them), so bad values cost nothing until found
 * (4x faster than comparing each value here).
 */
function scanPositions(positions: Float32Array, b: Float64Array): number {
  let x0 = b[0]!;
  let y0 = b[1]!;
  let z0 = b[2]!;
  let x1 = b[3]!;
  let y1 = b[4]!;
  let z1 = b[5]!;
  const n = positions.length;
  for (let i = 0; i < n; i += 3) {
    const x = positions[i]!;
    const y = positions[i + 1]!;
    const z = positions[i + 2]!;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
    z0 = Math.min(z0, z);
    z1 = Math.max(z1, z);
  }
  if (!Number.isFinite(x0 + y0 + z0 + x1 + y1 + z1) && n > 0) return positions.findIndex((v) => !Number.isFinite(v));
  b.set([x0, y0, z0, x1, y1, z1]);
  return -1;
}

/**
 * Builds a FrameSet one frame at a time, so frames arriving over a network can
 * be checked while the rest are still on their way. toFrameSet is the usual door.
 */
export class FrameSetBuilder {
  readonly #frames: Frame[] = [];
  readonly #box = Float64Array.of(Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity);

  get length(): number {
    return this.#frames.length;
  }

  /** Checks and adds frames[length]; throws FrameError naming it and the problem. */
  add(frame: FrameInput): void {
    const where = `frames[${this.#frames.length}]`;
    if (frame == null || typeof frame !== 'object' || !('points' in frame)) {
      throw new FrameError(`${where}: expected an object with a "points" field`);
    }
    const positions = packPositions(frame.points, where);
    const bad = scanPositions(positions, this.#box);
    if (bad >= 0) throw nonFinite(where, bad, positions[bad]);
    const count = positions.length / 3;
    const colors = packColors(frame.colors, count, where);
    const perPoint = packPointValues(frame, count, where);
    this.#frames.push(Object.assign(typeof colors === 'function' ? lazyColorFrame(positions, count, colors) : { positions, colors, count }, perPoint));
  }

  finish(): FrameSet {
    if (this.#frames.length === 0) throw new FrameError('frames is empty: an animation needs at least one frame');
    const b = this.#box;
    const empty = b[0]! > b[3]!;
    return { frames: this.#frames, bounds: empty ? null : { min: [b[0]!, b[1]!, b[2]!], max: [b[3]!, b[4]!, b[5]!] } };
  }
}

/** Validates and packs frames; throws FrameError naming the frame and the problem. */
export function toFrameSet(input: ArrayLike<FrameInput>): FrameSet {
  if (input == null || typeof input.length !== 'number') {
    throw new FrameError('frames must be an array of {points, colors} objects');
  }
  if (input.length === 0) {
    throw new FrameError('frames is empty: an animation needs at least one frame');
  }
  const builder = new FrameSetBuilder();
  for (let i = 0; i < input.length; i++) builder.add(input[i]!);
  return builder.finish();
}
