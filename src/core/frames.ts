// FrameSet: the validated, packed form of the frames a user hands us.
// Every rejection names the frame (as `frames[i]`, the index the caller used)
// and the problem, so a person can find the bad data.
import { FrameError } from './frame-error.js';
import { chooseOrigin, float32PrecisionNote, FLOAT32_MAX, type Vec3 } from './origin.js';
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
  /** x0 y0 z0 x1 y1 z1 ..., relative to the FrameSet's origin. */
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
  /** Bounds over every point of every frame, relative to origin; null when all frames are empty. */
  bounds: Bounds | null;
  /**
   * World (float64) coordinates of local (0, 0, 0): positions and bounds are
   * relative to it, so float32 keeps its precision far from (0, 0, 0) (see origin.ts).
   */
  origin: Vec3;
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

/** The flat xyz values of `points`, checked for shape and type (not yet for finiteness). */
function flatPoints(points: FrameInput['points'], where: string): ArrayLike<number> {
  if (points == null || typeof points !== 'object' || typeof points.length !== 'number') {
    throw new FrameError(`${where}: points must be a Float32Array of length 3N or an array of [x, y, z] rows`);
  }
  const flat = flatNumbers(points, where, 'points', '(N, 3)');
  if (flat.length % 3 !== 0) {
    throw new FrameError(`${where}: points must have shape (N, 3): a flat array needs x, y, z per point, got ${flat.length} values`);
  }
  return flat;
}

/** `flat` minus `origin`, as float32 (the caller's Float32Array itself when nothing moves). */
function localPositions(flat: ArrayLike<number>, origin: Vec3): Float32Array {
  if (flat instanceof Float32Array && origin.every((o) => o === 0)) return flat;
  const positions = new Float32Array(flat.length);
  // Subtracted in float64 (JS numbers), then rounded once to float32.
  for (let i = 0; i < flat.length; i += 3) {
    positions[i] = flat[i]! - origin[0];
    positions[i + 1] = flat[i + 1]! - origin[1];
    positions[i + 2] = flat[i + 2]! - origin[2];
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
function scanPositions(positions: ArrayLike<number>, b: Float64Array): number {
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
  if (n > 0 && !Number.isFinite(x0 + y0 + z0 + x1 + y1 + z1)) {
    // A sum of large finite float64s can overflow too: look for the culprit.
    const bad = Array.prototype.findIndex.call(positions, (v: number) => !Number.isFinite(v));
    if (bad >= 0) return bad;
  }
  b.set([x0, y0, z0, x1, y1, z1]);
  return -1;
}

const emptyBox = (): Float64Array => Float64Array.of(Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity);

/** A frame checked in full, its positions not yet packed as float32. */
interface CheckedFrame {
  flat: ArrayLike<number>;
  count: number;
  colors: Uint8Array | (() => Uint8Array) | null;
  /** Its per-point values or categories, checked (see point-values.ts). */
  perPoint: ReturnType<typeof packPointValues>;
  /** This frame's own bounds (min xyz, max xyz). */
  box: Float64Array;
}

/** Checks frame `where` (points finite, colours) and grows `box` over its points. */
function checkFrame(frame: FrameInput, where: string, box: Float64Array): CheckedFrame {
  if (frame == null || typeof frame !== 'object' || !('points' in frame)) {
    throw new FrameError(`${where}: expected an object with a "points" field`);
  }
  const flat = flatPoints(frame.points, where);
  const own = emptyBox();
  const bad = scanPositions(flat, own);
  if (bad >= 0) throw nonFinite(where, bad, flat[bad]);
  for (let k = 0; k < 3; k++) {
    box[k] = Math.min(box[k]!, own[k]!);
    box[k + 3] = Math.max(box[k + 3]!, own[k + 3]!);
  }
  const count = flat.length / 3;
  return { flat, count, box: own, colors: packColors(frame.colors, count, where), perPoint: packPointValues(frame, count, where) };
}

function toFrame(positions: Float32Array, checked: CheckedFrame): Frame {
  const { count, colors, perPoint } = checked;
  return Object.assign(typeof colors === 'function' ? lazyColorFrame(positions, count, colors) : { positions, colors, count }, perPoint);
}

/** Bounds of points in `box`, measured from `origin` as their float32 positions are. */
function localBounds(box: Float64Array, origin: Vec3): Bounds | null {
  if (!(box[0]! <= box[3]!)) return null;
  // fround is monotonic: the bounds of the rounded positions are the rounded bounds.
  const at = (k: number) => Math.fround(box[k]! - origin[k % 3]!);
  return { min: [at(0), at(1), at(2)], max: [at(3), at(4), at(5)] };
}

/**
 * Refuses points float32 cannot hold even measured from `origin` (an origin
 * beyond float32's range, or positions around it), naming the point with the
 * largest coordinate on the axis at fault.
 */
function checkFloat32Range(checked: CheckedFrame[], box: Float64Array, origin: Vec3): void {
  for (let k = 0; k < 3; k++) {
    const lo = box[k]!;
    const hi = box[k + 3]!;
    if (!(lo <= hi)) return; // no points
    const fits = Math.abs(origin[k]) <= FLOAT32_MAX && Number.isFinite(Math.fround(lo - origin[k])) && Number.isFinite(Math.fround(hi - origin[k]));
    if (fits) continue;
    const worst = Math.abs(lo) > Math.abs(hi) ? lo : hi;
    for (let f = 0; f < checked.length; f++) {
      const { flat } = checked[f]!;
      for (let i = k; i < flat.length; i += 3) {
        if (flat[i] === worst) {
          throw new FrameError(
            `frames[${f}]: point ${(i - k) / 3} has a ${'xyz'[k]} coordinate beyond float32's range (${worst}; ` +
              `float32 holds at most 3.4e+38, even measured from the points' centre)`,
          );
        }
      }
    }
  }
}

/** Says once (console.warn) when float32 input had already lost its precision. */
function warnLostPrecision(checked: CheckedFrame[], box: Float64Array): void {
  const size = Math.max(box[3]! - box[0]!, box[4]! - box[1]!, box[5]! - box[2]!);
  for (let f = 0; f < checked.length; f++) {
    const c = checked[f]!;
    if (!(c.flat instanceof Float32Array) || c.count === 0) continue;
    const magnitude = Math.max(...Array.from(c.box, Math.abs));
    const note = float32PrecisionNote(`frames[${f}]`, magnitude, size);
    if (note) {
      console.warn(`cloudreel: ${note}`);
      return;
    }
  }
}

/**
 * Builds a FrameSet one frame at a time from positions already relative to
 * `origin` (the kernel's wire format), so frames arriving over a network can be
 * checked while the rest are still on their way. toFrameSet is the usual door.
 */
export class FrameSetBuilder {
  readonly #frames: Frame[] = [];
  readonly #box = emptyBox();
  readonly #origin: Vec3;
  readonly #first: number;

  /** `firstIndex`: the animation's index of the first frame added (a lazy source's frame i alone), for the errors' names. */
  constructor(origin: Vec3 = [0, 0, 0], firstIndex = 0) {
    this.#origin = [...origin];
    this.#first = firstIndex;
  }

  get length(): number {
    return this.#frames.length;
  }

  /** Checks and adds frames[firstIndex + length]; throws FrameError naming it and the problem. */
  add(frame: FrameInput): void {
    const checked = checkFrame(frame, `frames[${this.#first + this.#frames.length}]`, this.#box);
    this.#frames.push(toFrame(localPositions(checked.flat, [0, 0, 0]), checked));
  }

  finish(): FrameSet {
    if (this.#frames.length === 0) throw new FrameError('frames is empty: an animation needs at least one frame');
    return { frames: this.#frames, bounds: localBounds(this.#box, [0, 0, 0]), origin: this.#origin };
  }
}

/**
 * Validates and packs frames; throws FrameError naming the frame and the problem.
 * Two passes: the float64 bounds of every frame choose the origin, then each
 * frame is re-centred on it in float64 and only then cast to float32.
 */
export function toFrameSet(input: ArrayLike<FrameInput>): FrameSet {
  if (input == null || typeof input.length !== 'number') {
    throw new FrameError('frames must be an array of {points, colors} objects');
  }
  if (input.length === 0) {
    throw new FrameError('frames is empty: an animation needs at least one frame');
  }
  const box = emptyBox();
  const checked: CheckedFrame[] = [];
  for (let i = 0; i < input.length; i++) checked.push(checkFrame(input[i]!, `frames[${i}]`, box));
  const origin = chooseOrigin(box);
  checkFloat32Range(checked, box, origin);
  warnLostPrecision(checked, box);
  const frames = checked.map((c) => toFrame(localPositions(c.flat, origin), c));
  return { frames, bounds: localBounds(box, origin), origin };
}
