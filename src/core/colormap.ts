// Colour by z (or by any per-point value) with a colormap, viridis by default as
// the original tool did, for frames without colors. Tables come from the colormap package.
import colormap from 'colormap';
import { COLORMAPS, DEFAULTS, type ColormapName } from './settings.js';

/** The colormap names' type, for modules that draw with them. */
export type { ColormapName };

const SHADES = 256;

const tables = new Map<string, Uint8Array>();

/** 256 entries as r g b bytes, built once per colormap. */
function table(name: ColormapName): Uint8Array {
  let t = tables.get(name);
  if (!t) {
    const rows = colormap({ colormap: name, nshades: SHADES, format: 'rgba', alpha: 1 }) as number[][];
    const bytes = new Uint8Array(SHADES * 3);
    rows.forEach(([r, g, b], i) => bytes.set([r!, g!, b!], i * 3));
    tables.set(name, (t = bytes));
  }
  return t;
}

export function isColormap(name: unknown): name is ColormapName {
  return (COLORMAPS as readonly unknown[]).includes(name);
}

/** Colours each point by its z within [zMin, zMax], like matplotlib's c=z with a cmap. */
export function colorByZ(positions: Float32Array, zMin: number, zMax: number, name: ColormapName = DEFAULTS.colormap): Uint8Array {
  return colorByScalar(positions, 3, 2, zMin, zMax, name);
}

/**
 * Colours `scalars[offset + i * stride]` within [lo, hi] (clamped at the ends).
 * lo == hi is a threshold: below it the low end, above it the high end, on it the middle.
 */
export function colorByScalar(scalars: ArrayLike<number>, stride: number, offset: number, lo: number, hi: number, name: ColormapName = DEFAULTS.colormap): Uint8Array {
  const lut = table(name);
  const count = Math.floor(scalars.length / stride);
  const out = new Uint8Array(count * 3);
  const span = hi - lo;
  for (let i = 0; i < count; i++) {
    const v = scalars[i * stride + offset]!;
    const t = span > 0 ? (v - lo) / span : v < lo ? 0 : v > hi ? 1 : 0.5;
    const k = Math.min(SHADES - 1, Math.max(0, Math.floor(t * SHADES))) * 3;
    out[i * 3] = lut[k]!;
    out[i * 3 + 1] = lut[k + 1]!;
    out[i * 3 + 2] = lut[k + 2]!;
  }
  return out;
}
