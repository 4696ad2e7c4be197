// Checks that an encoder's output is a file of the container it claims, and keeps
// the rendered first and last frames that verification by decoding compares with.
import type { ReferenceFrames } from './decode-check.js';
import type { Container, FrameSource } from './encoder.js';

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

/**
 * Wraps a frame source to keep the first and last frames as the encoder pulls them
 * (RGBA pixels, or the image file ffmpeg.wasm gets), for verifyByDecoding to compare.
 */
export function keepEndFrames(frames: FrameSource, width: number, height: number) {
  const kept = new Map<number, Uint8ClampedArray | Blob>();
  const last = frames.count - 1;
  const source: FrameSource = {
    count: frames.count,
    pixels: async (i) => {
      const image = await frames.pixels(i);
      if (i === 0 || i === last) kept.set(i, image.data.slice()); // the renderer may reuse its buffer
      return image;
    },
    image: async (i, format) => {
      const blob = await frames.image(i, format);
      if (i === 0 || i === last) kept.set(i, format === 'rgba' ? new Uint8ClampedArray(await blob.arrayBuffer()) : blob);
      return blob;
    },
  };
  const rgba = async (i: number): Promise<Uint8ClampedArray | undefined> => {
    const frame = kept.get(i);
    if (frame === undefined) return undefined;
    if (!(frame instanceof Blob)) return frame;
    const bitmap = await createImageBitmap(frame);
    try {
      const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
      if (!ctx) return undefined;
      ctx.drawImage(bitmap, 0, 0);
      return ctx.getImageData(0, 0, width, height).data;
    } finally {
      bitmap.close();
    }
  };
  /** The kept frames as RGBA; undefined where a frame was not pulled. */
  const reference = async (): Promise<ReferenceFrames | undefined> => {
    const [first, lastFrame] = [await rgba(0), await rgba(last)];
    return first && lastFrame ? { width, height, first, last: lastFrame } : undefined;
  };
  return { source, reference };
}
