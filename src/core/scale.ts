// Fixed framing and colour scales, so videos can be compared: the `bounds`,
// `vmin`/`vmax` and `palette` options, checked, and the ColorScale they give a FrameSet.
// python/cloudreel/scales.py checks the same options with the same words.
import type { Bounds, FrameSet } from './frames.js';
import type { LazyFrames } from './lazy-frames.js';
import { toLocal, type Vec3 } from './origin.js';
import { checkPalette, paletteTable, type Palette, type PaletteInput } from './palette.js';
import { DEFAULTS, type ColormapName } from './settings.js';

/** `{min: [x, y, z], max: [x, y, z]}`, or the pair `[[xmin, ymin, zmin], [xmax, ymax, zmax]]`. */
export type BoundsInput = Bounds | readonly [ArrayLike<number>, ArrayLike<number>];

/** The options that fix the picture across animations (all optional). */
export interface ScaleOptions {
  /** World box to fit the camera to instead of the data; colour by z then spans its z range. */
  bounds?: Bounds;
  /** The colormap's range for `values` (default: the values' range over all frames). */
  vmin?: number;
  vmax?: number;
  /** `{class: colour}` overriding the LAS palette for `categories`. */
  palette?: Palette;
}

/** What colours a frame: resolved once per FrameSet and options (see pointColors). */
export interface ColorScale {
  colormap: ColormapName;
  /** The z range colour by z spans, in the FrameSet's coordinates. */
  z: [number, number];
  /** The range the colormap spans for values. */
  values: [number, number];
  /** r g b per class code 0..255. */
  palette: Uint8Array;
}

const BOUNDS_SHAPE = 'bounds must be {min: [xmin, ymin, zmin], max: [xmax, ymax, zmax]} or [[xmin, ymin, zmin], [xmax, ymax, zmax]]';

function show(v: unknown): string {
  if (typeof v === 'string' || (v !== null && typeof v === 'object')) {
    try {
      return JSON.stringify(v) ?? String(v);
    } catch {
      return String(v);
    }
  }
  return String(v);
}

/** The `bounds` option, checked: finite numbers, min <= max on each axis. */
export function checkBounds(input: unknown): Bounds {
  const pair = Array.isArray(input) ? input : null;
  const box = input as Partial<Bounds> | null;
  const [min, max] = pair ? (pair.length === 2 ? pair : [undefined, undefined]) : [box?.min, box?.max];
  const vec = (v: unknown) => v != null && typeof v === 'object' && (v as ArrayLike<unknown>).length === 3;
  if (!vec(min) || !vec(max)) throw new RangeError(`${BOUNDS_SHAPE}, got ${show(input)}`);
  const lo = Array.from(min as ArrayLike<unknown>);
  const hi = Array.from(max as ArrayLike<unknown>);
  for (const [ends, end] of [[lo, 'min'], [hi, 'max']] as const) {
    ends.forEach((v, k) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`bounds must be finite numbers, got ${show(v)} for ${'xyz'[k]}${end}`);
    });
  }
  for (let k = 0; k < 3; k++) {
    if ((lo[k] as number) > (hi[k] as number)) {
      const axis = 'xyz'[k];
      throw new RangeError(`bounds must have min <= max on each axis, got ${axis}min ${lo[k]} > ${axis}max ${hi[k]}`);
    }
  }
  return { min: lo as Vec3, max: hi as Vec3 };
}

/** What the framing and colours need of an animation, in memory (FrameSet) or not (LazyFrames). */
type Animation = FrameSet | LazyFrames;

/** `bounds` (world coordinates) in the FrameSet's coordinates. */
export function localBounds(bounds: Bounds, set: Pick<FrameSet, 'origin'>): Bounds {
  return { min: toLocal(bounds.min, set.origin), max: toLocal(bounds.max, set.origin) };
}

/** The box the camera fits: the `bounds` option where given, else every point of every frame. */
export function framingBounds(set: Animation | null, bounds?: Bounds): Bounds | null {
  if (!set) return null;
  return bounds ? localBounds(bounds, set) : set.bounds;
}

function checkLimit(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${show(value)}`);
  return value;
}

/** `bounds`, `vmin`, `vmax` and `palette` from export options, checked (RangeError naming the option). */
export function checkScaleOptions(options: { bounds?: unknown; vmin?: unknown; vmax?: unknown; palette?: unknown }): ScaleOptions {
  const vmin = checkLimit('vmin', options.vmin);
  const vmax = checkLimit('vmax', options.vmax);
  if (vmin !== undefined && vmax !== undefined && vmin > vmax) {
    throw new RangeError(`vmin must not exceed vmax, got vmin ${vmin} > vmax ${vmax}`);
  }
  const out: ScaleOptions = {};
  if (options.bounds != null) out.bounds = checkBounds(options.bounds);
  if (vmin !== undefined) out.vmin = vmin;
  if (vmax !== undefined) out.vmax = vmax;
  if (options.palette != null) out.palette = checkPalette(options.palette as PaletteInput);
  return out;
}

/** Lowest and highest value over every frame's values, or null when no frame has any (a LazyFrames says it). */
export function valueRange(set: Animation): [number, number] | null {
  if (!('frames' in set)) return set.valueRange;
  let lo = Infinity;
  let hi = -Infinity;
  for (const frame of set.frames) {
    const values = frame.values;
    if (!values) continue;
    for (let i = 0; i < values.length; i++) {
      lo = Math.min(lo, values[i]!);
      hi = Math.max(hi, values[i]!);
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * The scale a FrameSet is coloured with: z over the `bounds` option's z range
 * (else the data's); values over [vmin, vmax], where a missing end comes from
 * the values over all frames (and gives way to the other end if they cross).
 */
export function colorScale(set: Animation, options: ScaleOptions & { colormap?: ColormapName } = {}): ColorScale {
  const box = framingBounds(set, options.bounds);
  let lo = options.vmin;
  let hi = options.vmax;
  if (lo === undefined || hi === undefined) {
    const range = valueRange(set) ?? [0, 0];
    if (lo === undefined) lo = Math.min(range[0], hi ?? Infinity);
    if (hi === undefined) hi = Math.max(range[1], lo);
  }
  return {
    colormap: options.colormap ?? DEFAULTS.colormap,
    z: [box?.min[2] ?? 0, box?.max[2] ?? 0],
    values: [lo, hi],
    palette: paletteTable(options.palette),
  };
}
