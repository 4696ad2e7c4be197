// Faults injected on purpose by tests (never in normal use) to prove that
// verification catches them: a malformed avcC, and a valid file of the wrong frames.
import {
  BufferSource,
  BufferTarget,
  EncodedPacketSink,
  EncodedVideoPacketSource,
  Input,
  MP4,
  Mp4OutputFormat,
  Output,
} from 'mediabunny';
import { descriptionBytes } from './codec-config.js';
import type { FrameSource } from './encoder.js';

/**
 * Doubles the NAL header byte of every SPS and PPS in an avcC (`67 64 ...` becomes
 * `67 67 64 ...`, `68 ...` becomes `68 68 ...`), as Firefox 153's H.264 encoder does.
 */
export function doubleAvcCHeaders(avcC: Uint8Array): Uint8Array {
  const out: number[] = [...avcC.subarray(0, 5)];
  let at = 5;
  const copyUnits = (count: number) => {
    for (let i = 0; i < count; i++) {
      const size = (avcC[at]! << 8) | avcC[at + 1]!;
      const nal = avcC.subarray(at + 2, at + 2 + size);
      out.push((size + 1) >> 8, (size + 1) & 0xff, nal[0]!, ...nal);
      at += 2 + size;
    }
  };
  out.push(avcC[5]!);
  at = 6;
  copyUnits(avcC[5]! & 0x1f);
  const ppsCount = avcC[at]!;
  out.push(ppsCount);
  at++;
  copyUnits(ppsCount);
  out.push(...avcC.subarray(at)); // the High profile's chroma/bit depth fields
  return Uint8Array.from(out);
}

/** Re-muxes an H.264 MP4 with the same packets and a doubled-header avcC (testFaults 'bad-avcc'). */
export async function withDoubledAvcC(bytes: Uint8Array): Promise<Uint8Array> {
  const input = new Input({ source: new BufferSource(bytes), formats: [MP4] });
  try {
    const track = await input.getPrimaryVideoTrack();
    const config = await track?.getDecoderConfig();
    if (!track || track.codec !== 'avc' || !config?.description) throw new Error("testFaults 'bad-avcc' applies to H.264 MP4 output only");
    const d = config.description;
    const avcC = descriptionBytes(d);
    const target = new BufferTarget();
    const output = new Output({ format: new Mp4OutputFormat({ fastStart: 'in-memory' }), target });
    const source = new EncodedVideoPacketSource('avc');
    output.addVideoTrack(source);
    await output.start();
    let meta: EncodedVideoChunkMetadata | undefined = { decoderConfig: { ...config, description: doubleAvcCHeaders(avcC) } };
    for await (const packet of new EncodedPacketSink(track).packets()) {
      await source.add(packet, meta);
      meta = undefined;
    }
    await output.finalize();
    return new Uint8Array(target.buffer!);
  } finally {
    input.dispose?.();
  }
}

/** Swaps the red and blue bytes of RGBA pixels, in place. */
function swapRedBlue(rgba: Uint8Array | Uint8ClampedArray): void {
  for (let i = 0; i < rgba.length; i += 4) {
    const r = rgba[i]!;
    rgba[i] = rgba[i + 2]!;
    rgba[i + 2] = r;
  }
}

const IMAGE_TYPES = { png: 'image/png', jpeg: 'image/jpeg' } as const;

/**
 * The same frames with red and blue swapped (testFaults 'wrong-content'): a valid video
 * of the wrong content. Not reversed frames: an animation that loops ends close to where
 * it starts, so its first and last frames swapped would still look alike.
 */
export function colourSwappedFrames(frames: FrameSource): FrameSource {
  return {
    count: frames.count,
    pixels: async (i) => {
      const image = await frames.pixels(i);
      const data = image.data.slice();
      swapRedBlue(data);
      return new ImageData(data, image.width, image.height);
    },
    image: async (i, format) => {
      const blob = await frames.image(i, format);
      if (format === 'rgba') {
        const data = new Uint8Array(await blob.arrayBuffer());
        swapRedBlue(data);
        return new Blob([data]);
      }
      const bitmap = await createImageBitmap(blob);
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(bitmap, 0, 0);
      bitmap.close();
      const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
      swapRedBlue(pixels.data);
      ctx.putImageData(pixels, 0, 0);
      return canvas.convertToBlob({ type: IMAGE_TYPES[format] });
    },
  };
}
