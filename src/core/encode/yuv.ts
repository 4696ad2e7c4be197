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

/** Limited-range BT.709 luma of a packed little-endian RGBA pixel (0xAABBGGRR). */
const luma = (p: number) => 16 + ((YR * (p & 255) + YG * ((p >>> 8) & 255) + YB * ((p >>> 16) & 255) + HALF) >> 16);
/** Cb and Cr of a 2x2 block from the sums of its four R, G and B values. */
const cb = (rs: number, gs: number, bs: number) => 128 + ((CB_R * rs + CB_G * gs + CB_B * bs + 2 * FIX) >> 18);
const cr = (rs: number, gs: number, bs: number) => 128 + ((CR_R * rs + CR_G * gs + CR_B * bs + 2 * FIX) >> 18);

/**
 * Converts RGBA (alpha ignored) to planar I420; chroma is the mean of each 2x2 block.
 * Pixels are read as packed 32-bit words, and a block of four equal pixels (most of a
 * point-cloud frame is background) reuses the Y, Cb and Cr of the last such colour:
 * the same bytes as converting every pixel, in about a third of the time.
 */
export function rgbaToI420(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, out = new Uint8Array(i420Size(width, height))): Uint8Array {
  const ySize = width * height;
  const cw = width >> 1;
  const uOff = ySize;
  const vOff = ySize + (ySize >> 2);
  // Uint32 views need 4-byte alignment: an unaligned input is copied once.
  const bytes = rgba.byteOffset % 4 === 0 ? rgba : new Uint8Array(rgba);
  const px = new Uint32Array(bytes.buffer, bytes.byteOffset, ySize);
  let last = -1;
  let lastY = 0;
  let lastU = 0;
  let lastV = 0;
  for (let y = 0; y < height; y += 2) {
    let i0 = y * width; // top-left pixel of the block
    let i1 = i0 + width; // the pixel below it
    let c = (y >> 1) * cw;
    for (const end = i0 + width; i0 < end; i0 += 2, i1 += 2, c++) {
      const a = px[i0]!;
      const b = px[i0 + 1]!;
      const d = px[i1]!;
      const e = px[i1 + 1]!;
      if (a === b && a === d && a === e) {
        if (a !== last) {
          // The block's sums are four times its one colour.
          const r4 = (a & 255) * 4;
          const g4 = ((a >>> 8) & 255) * 4;
          const b4 = ((a >>> 16) & 255) * 4;
          last = a;
          lastY = luma(a);
          lastU = cb(r4, g4, b4);
          lastV = cr(r4, g4, b4);
        }
        out[i0] = lastY;
        out[i0 + 1] = lastY;
        out[i1] = lastY;
        out[i1 + 1] = lastY;
        out[uOff + c] = lastU;
        out[vOff + c] = lastV;
        continue;
      }
      out[i0] = luma(a);
      out[i0 + 1] = luma(b);
      out[i1] = luma(d);
      out[i1 + 1] = luma(e);
      const rs = (a & 255) + (b & 255) + (d & 255) + (e & 255);
      const gs = ((a >>> 8) & 255) + ((b >>> 8) & 255) + ((d >>> 8) & 255) + ((e >>> 8) & 255);
      const bs = ((a >>> 16) & 255) + ((b >>> 16) & 255) + ((d >>> 16) & 255) + ((e >>> 16) & 255);
      out[uOff + c] = cb(rs, gs, bs);
      out[vOff + c] = cr(rs, gs, bs);
    }
  }
  return out;
}
