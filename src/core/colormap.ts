// Colour by z with viridis, as the original tool did for frames without colors.
import colormap from 'colormap';

const SHADES = 256;
let viridis: Uint8Array | null = null;

/** 256 viridis entries as r g b bytes, built once from the colormap package. */
function viridisTable(): Uint8Array {
  if (!viridis) {
    const rows = colormap({ colormap: 'viridis', nshades: SHADES, format: 'rgba', alpha: 1 }) as number[][];
    viridis = new Uint8Array(SHADES * 3);
    rows.forEach(([r, g, b], i) => viridis!.set([r!, g!, b!], i * 3));
  }
  return viridis;
}

/** Colours each point by its z within [zMin, zMax], like matplotlib's c=z, cmap='viridis'. */
export function colorByZ(positions: Float32Array, zMin: number, zMax: number): Uint8Array {
  const table = viridisTable();
  const count = positions.length / 3;
  const out = new Uint8Array(count * 3);
  const span = zMax - zMin;
  for (let i = 0; i < count; i++) {
    const t = span > 0 ? (positions[i * 3 + 2]! - zMin) / span : 0.5;
    const k = Math.min(SHADES - 1, Math.max(0, Math.floor(t * SHADES))) * 3;
    out[i * 3] = table[k]!;
    out[i * 3 + 1] = table[k + 1]!;
    out[i * 3 + 2] = table[k + 2]!;
  }
  return out;
}
