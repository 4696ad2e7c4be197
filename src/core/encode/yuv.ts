// RGBA -> I420 in limited-range BT.709, done here rather than by the encoder:
// browsers tag RGB frames they convert themselves as full range (or not, by
// canvas type), and some players ignore that tag. Frames made here decode to
// the same colours on every path and player.

/** BT.709 luma/chroma coefficients scaled to limited range, in 1/65536 units. */
const FIX = 65536;
const KR = 0.2126;
const KB = 0.0722;
const KG = 1 - KR - KB;
const Y_SCALE = 219 / 255;
const C_SCALE = 224 / 255;
const YR = Math.round(KR * Y_SCALE * FIX);
const YG = Math.round(KG * Y_SCALE * FIX);
const YB = Math.round(KB * Y_SCALE * FIX);
const CB_R = Math.round((-KR / (2 * (1 - KB))) * C_SCALE * FIX);
const CB_G = Math.round((-KG / (2 * (1 - KB))) * C_SCALE * FIX);
const CB_B = Math.round(0.5 * C_SCALE * FIX);
const CR_R = Math.round(0.5 * C_SCALE * FIX);
const CR_G = Math.round((-KG / (2 * (1 - KR))) * C_SCALE * FIX);
const CR_B = Math.round((-KB / (2 * (1 - KR))) * C_SCALE * FIX);
const HALF = FIX / 2;

export const I420_COLOR_SPACE = { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false } as const;

/** Bytes an I420 frame of this (even) size takes. */
export const i420Size = (width: number, height: number) => width * height * 1.5;

/** Converts RGBA (alpha ignored) to planar I420; chroma is the mean of each 2x2 block. */
export function rgbaToI420(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, out = new Uint8Array(i420Size(width, height))): Uint8Array {
  const ySize = width * height;
  const cw = width >> 1;
  const uOff = ySize;
  const vOff = ySize + (ySize >> 2);
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      let rs = 0;
      let gs = 0;
      let bs = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const p = (y + dy) * width + x + dx;
          const r = rgba[p * 4]!;
          const g = rgba[p * 4 + 1]!;
          const b = rgba[p * 4 + 2]!;
          out[p] = 16 + ((YR * r + YG * g + YB * b + HALF) >> 16);
          rs += r;
          gs += g;
          bs += b;
        }
      }
      const c = (y >> 1) * cw + (x >> 1);
      // Sums of four pixels: shift by 2 more to average.
      out[uOff + c] = 128 + ((CB_R * rs + CB_G * gs + CB_B * bs + 2 * FIX) >> 18);
      out[vOff + c] = 128 + ((CR_R * rs + CR_G * gs + CR_B * bs + 2 * FIX) >> 18);
    }
  }
  return out;
}
