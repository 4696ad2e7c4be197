// A CPU point rasteriser with the same rules as WebGL's POINTS (square points
// of `size` pixels centred on the projected point, pixel centres inside,
// LEQUAL depth test, draw order kept; round ones keep the pixels of the square
// whose centres lie within size/2, as the WebGL scene's discard does). With
// software WebGL (SwiftShader, no GPU) it is many times faster than going
// through the GL emulation, and it needs no WebGL at all.
import type { PointShape } from './settings.js';

export interface RasterTarget {
  width: number;
  height: number;
  /** Packed RGBA per pixel (little-endian: 0xAABBGGRR), top row first. */
  pixels: Uint32Array;
  /** Window depth (0..1) per pixel. */
  depth: Float32Array;
}

export function createRasterTarget(width: number, height: number): RasterTarget {
  return { width, height, pixels: new Uint32Array(width * height), depth: new Float32Array(width * height) };
}

export function packRGBA(r: number, g: number, b: number): number {
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** Fills the target with `background` and resets depth to the far plane. */
export function clearTarget(target: RasterTarget, background: number): void {
  target.pixels.fill(background);
  target.depth.fill(1);
}

/**
 * Draws points (xyz triples) with colours (rgb bytes) through `viewProjection`
 * (a column-major 4x4 matrix, as three.js stores it), as squares or discs `size` pixels across.
 */
export function drawPoints(
  target: RasterTarget,
  positions: Float32Array,
  colors: Uint8Array,
  viewProjection: ArrayLike<number>,
  size: number,
  shape: PointShape = 'square',
): void {
  const { width: W, height: H, pixels, depth } = target;
  const m = viewProjection;
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15] = Array.from({ length: 16 }, (_, i) => m[i]!);
  const half = size / 2;
  const round = shape === 'round';
  const count = positions.length / 3;
  for (let i = 0; i < count; i++) {
    const x = positions[i * 3]!;
    const y = positions[i * 3 + 1]!;
    const z = positions[i * 3 + 2]!;
    const w = m3 * x + m7 * y + m11 * z + m15;
    if (w <= 0) continue;
    const nz = (m2 * x + m6 * y + m10 * z + m14) / w;
    if (nz < -1 || nz > 1) continue; // outside the near/far planes, as GL clips
    const wx = ((m0 * x + m4 * y + m8 * z + m12) / w + 1) * 0.5 * W;
    const wy = ((m1 * x + m5 * y + m9 * z + m13) / w + 1) * 0.5 * H;
    // Pixels whose centres (c + 0.5) lie in [w - half, w + half).
    const x0 = Math.max(0, Math.ceil(wx - half - 0.5));
    const x1 = Math.min(W, Math.ceil(wx + half - 0.5));
    const y0 = Math.max(0, Math.ceil(wy - half - 0.5));
    const y1 = Math.min(H, Math.ceil(wy + half - 0.5));
    if (x0 >= x1 || y0 >= y1) continue;
    const d = nz * 0.5 + 0.5;
    const rgba = ((255 << 24) | (colors[i * 3 + 2]! << 16) | (colors[i * 3 + 1]! << 8) | colors[i * 3]!) >>> 0;
    if (round) {
      drawDisc(target, wx, wy, half, x0, x1, y0, y1, d, rgba);
      continue;
    }
    for (let gy = y0; gy < y1; gy++) {
      const row = (H - 1 - gy) * W; // GL rows count from the bottom
      for (let px = x0; px < x1; px++) {
        const k = row + px;
        if (d <= depth[k]!) {
          depth[k] = d;
          pixels[k] = rgba;
        }
      }
    }
  }
}

/** The pixels of the square x0..x1 by y0..y1 whose centres lie within `radius` of (wx, wy), depth-tested. */
function drawDisc(target: RasterTarget, wx: number, wy: number, radius: number, x0: number, x1: number, y0: number, y1: number, d: number, rgba: number): void {
  const { width: W, height: H, pixels, depth } = target;
  const r2 = radius * radius;
  for (let gy = y0; gy < y1; gy++) {
    const dy = gy + 0.5 - wy;
    const row = (H - 1 - gy) * W;
    for (let px = x0; px < x1; px++) {
      const dx = px + 0.5 - wx;
      const k = row + px;
      if (dx * dx + dy * dy <= r2 && d <= depth[k]!) {
        depth[k] = d;
        pixels[k] = rgba;
      }
    }
  }
}
