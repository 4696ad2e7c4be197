// Bit-level reads for codec headers: MSB-first fixed-width fields and Exp-Golomb
// ue(v) (H.264 SPS/PPS, VP9 headers), and the RBSP of an H.264 NAL unit.

/** Reads bits MSB first; throws 'ran past its end' beyond the last byte. */
export class BitReader {
  #pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  bit(): number {
    const byte = this.bytes[this.#pos >> 3];
    if (byte === undefined) throw new Error('ran past its end');
    const b = (byte >> (7 - (this.#pos & 7))) & 1;
    this.#pos++;
    return b;
  }
  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) if (++zeros > 31) throw new Error('holds an invalid Exp-Golomb code');
    return 2 ** zeros - 1 + this.bits(zeros);
  }
}

/** The RBSP of a NAL unit: its payload after the header byte, emulation prevention bytes (00 00 03) removed. */
export function rbsp(nal: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 1, zeros = 0; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out.push(b);
  }
  return Uint8Array.from(out);
}
