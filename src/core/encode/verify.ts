// Checks that an encoder's output is a file of the container it claims.
import type { Container } from './encoder.js';

const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));

const SIGNATURES: Record<Container, { test: (b: Uint8Array) => boolean; expected: string }> = {
  // ISO BMFF: a box whose type is "ftyp" first (+faststart keeps it first).
  mp4: { test: (b) => ascii(b, 4, 8) === 'ftyp', expected: '"ftyp" box at byte 4' },
  // Matroska/WebM: the EBML magic number.
  webm: { test: (b) => b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3, expected: 'EBML header 1A 45 DF A3' },
  gif: { test: (b) => ascii(b, 0, 6) === 'GIF89a' || ascii(b, 0, 6) === 'GIF87a', expected: '"GIF89a" header' },
};

/** Throws with a readable reason when `bytes` is empty or not a `container` file. */
export function checkContainer(bytes: Uint8Array, container: Container): void {
  if (bytes.length === 0) throw new Error('the encoder produced an empty file');
  const sig = SIGNATURES[container];
  if (bytes.length < 12 || !sig.test(bytes)) {
    throw new Error(`the output is not a valid ${container.toUpperCase()} file (no ${sig.expected})`);
  }
}
