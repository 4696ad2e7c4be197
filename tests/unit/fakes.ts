// Stand-ins for the browser stages (three.js renderer, ffmpeg.wasm encoders), for unit tests only.
import type { Container, EncodeJob, Encoder, FrameSource } from '../../src/core/encode/encoder';
import { frameCount } from '../../src/core/lazy-frames';
import type { ExportStages } from '../../src/core/pipeline';
import type { FrameRenderer } from '../../src/core/render';

/** Bytes that pass the container check for `container`. */
export function validFile(container: Container, size = 64): Uint8Array {
  const bytes = new Uint8Array(size);
  if (container === 'mp4') bytes.set([0, 0, 0, 24, ...'ftypisom'.split('').map((c) => c.charCodeAt(0))]);
  if (container === 'webm') bytes.set([0x1a, 0x45, 0xdf, 0xa3]);
  if (container === 'gif') bytes.set('GIF89a'.split('').map((c) => c.charCodeAt(0)));
  return bytes;
}

export interface FakeEncoder extends Encoder {
  calls: EncodeJob[];
}

export function fakeEncoder(
  id: string,
  behaviour: 'ok' | 'throw' | 'garbage' | 'empty' | 'unsupported' | 'wrong-frames' = 'ok',
  container: Container = 'mp4',
): FakeEncoder {
  const calls: EncodeJob[] = [];
  return {
    id,
    description: `${id} description`,
    mimeType: container === 'gif' ? 'image/gif' : `video/${container}`,
    extension: container,
    container,
    calls,
    isSupported: async () => behaviour !== 'unsupported',
    async encode(job) {
      calls.push(job);
      // Pull every frame, as a real encoder does.
      for (let i = 0; i < job.frames.count; i++) await job.frames.image(i, job.imageFormat);
      job.onProgress?.(0.5);
      if (job.fault === 'fail') throw new Error(`${id} injected failure`);
      if (behaviour === 'throw') throw new Error(`${id} blew up`);
      if (behaviour === 'garbage') return new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
      if (behaviour === 'empty') return new Uint8Array(0);
      job.onProgress?.(1);
      return validFile(container);
    },
    async probe(_bytes) {
      const frames = calls[calls.length - 1]!.frames.count;
      return { codec: id, frames: behaviour === 'wrong-frames' ? frames - 1 : frames, width: 2, height: 2 };
    },
  };
}

export function fakeRenderer(count: number, log: string[] = []): FrameRenderer {
  return {
    count,
    pixels(i) {
      log.push(`pixels ${i}`);
      return {} as ImageData;
    },
    async render(i, format) {
      log.push(`render ${i}`);
      return new Blob([`frame ${i} ${format}`]);
    },
    dispose() {
      log.push('dispose');
    },
  };
}

export function fakeStages(encoders: Encoder[], log: string[] = []): ExportStages {
  return { createRenderer: (set) => fakeRenderer(frameCount(set), log), encoders };
}

export const frames = (n: number) => Array.from({ length: n }, (_, i) => ({ points: [i, 0, 0] }));

/** Frames that are just numbered blobs, for encoder tests. */
export function fakeFrames(count: number): FrameSource {
  return {
    count,
    pixels: async () => ({}) as ImageData,
    image: async (i) => new Blob([`frame ${i}`]),
  };
}
