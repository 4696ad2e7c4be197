// The origin of a FrameSet (float64 world coordinates of local (0, 0, 0)) and the
// float32 precision rules around it: geo-referenced points (UTM: 500000, 5400000)
// are re-centred in float64 before the cast to float32, which WebGL draws with.
import type { CameraView } from './camera.js';

export type Vec3 = [number, number, number];

/** The largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Fewer float32 steps than this across the cloud is a visible loss (bands, a lattice). */
export const MIN_FLOAT32_STEPS = 4096;

/** A world point in the local coordinates of a FrameSet whose origin is `origin`. */
export function toLocal(point: ArrayLike<number>, origin: Vec3 | undefined): Vec3 {
  const o = origin ?? [0, 0, 0];
  return [point[0]! - o[0], point[1]! - o[1], point[2]! - o[2]];
}

/** A local point of a FrameSet in world coordinates. */
export function toWorld(point: ArrayLike<number>, origin: Vec3 | undefined): Vec3 {
  const o = origin ?? [0, 0, 0];
  return [point[0]! + o[0], point[1]! + o[1], point[2]! + o[2]];
}

/** A camera given in world coordinates, placed in the FrameSet's local ones. */
export function viewToLocal(view: CameraView, origin: Vec3 | undefined): CameraView {
  return { ...view, position: toLocal(view.position, origin), target: toLocal(view.target, origin) };
}

/** A camera in local coordinates, as the world coordinates a user (or an export) passes back. */
export function viewToWorld(view: CameraView, origin: Vec3 | undefined): CameraView {
  return { ...view, position: toWorld(view.position, origin), target: toWorld(view.target, origin) };
}

/**
 * Points whose centre lies farther from (0, 0, 0) than this many times their
 * extent are re-centred: beyond it float32 keeps fewer than about 2^20 steps
 * across them, and the GPU's float32 transforms lose as much again.
 */
export const RECENTRE_RATIO = 8;

/**
 * The origin for points whose float64 bounds are `box` (min x y z, max x y z):
 * the box's centre when it lies far from (0, 0, 0) against the box's largest
 * side (RECENTRE_RATIO), else (0, 0, 0), so points near the origin are kept as
 * they are. python/cloudreel/origin.py has the same rule.
 */
export function chooseOrigin(box: ArrayLike<number>): Vec3 {
  if (!(box[0]! <= box[3]!)) return [0, 0, 0]; // no points
  // Halves first: exact, and no overflow for coordinates near float64's limit.
  const centre: Vec3 = [0, 1, 2].map((k) => box[k]! * 0.5 + box[k + 3]! * 0.5) as Vec3;
  const size = Math.max(box[3]! - box[0]!, box[4]! - box[1]!, box[5]! - box[2]!);
  const far = Math.max(...centre.map(Math.abs));
  return far > RECENTRE_RATIO * size ? centre : [0, 0, 0];
}

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

/** The gap between `value` (as a float32) and the next float32 away from zero. */
export function float32Step(value: number): number {
  f32[0] = Math.min(Math.abs(value), FLOAT32_MAX);
  const exponent = (f32Bits[0]! >>> 23) & 0xff;
  return exponent === 0 ? 2 ** -149 : 2 ** (exponent - 150);
}

const short = (x: number): string => String(Number(x.toPrecision(3)));

/**
 * The note for float32 points `magnitude` away from (0, 0, 0) in a cloud `size`
 * wide, when float32 had too few steps there to hold them; null when it had enough.
 */
export function float32PrecisionNote(where: string, magnitude: number, size: number): string | null {
  const step = float32Step(magnitude);
  if (!(size > 0) || size / step >= MIN_FLOAT32_STEPS) return null;
  return (
    `${where}: float32 points lie ${short(magnitude)} from (0, 0, 0) but the animation spans only ${short(size)}; ` +
    `float32 steps there are ${short(step)}, so precision was lost before cloudreel got them and the picture shows bands. ` +
    'Pass float64 coordinates (a Float64Array or plain numbers): cloudreel re-centres them before casting to float32.'
  );
}
