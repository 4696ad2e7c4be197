// Reassembles the frames the kernel sends in binary chunks (see
// python/cloudreel/frames.py for the layout) into a validated FrameSet.
// The kernel is not trusted: sizes are checked here and every frame goes
// through the same validation as any other input.
import { toFrameSet, type FrameInput, type FrameSet } from '../core/frames.js';

export interface FramesHeader {
  frames: Array<{ points: number; colors: boolean }>;
  total_bytes: number;
}

export class TransferError extends Error {
  override name = 'TransferError';
}

const align4 = (n: number) => (n + 3) & ~3;

/** Bytes the payload must have for `header`, or a TransferError. */
export function payloadSize(header: FramesHeader): number {
  if (!header || !Array.isArray(header.frames)) throw new TransferError('frames header is malformed');
  return header.frames.reduce((sum, f, i) => {
    if (!Number.isInteger(f?.points) || f.points < 0) throw new TransferError(`frames[${i}]: bad point count ${f?.points}`);
    return sum + f.points * 12 + (f.colors ? align4(f.points * 3) : 0);
  }, 0);
}

export class FrameAssembler {
  readonly #payload: Uint8Array;
  readonly #seen: boolean[];
  #received = 0;
  #bytes = 0;

  constructor(
    readonly header: FramesHeader,
    readonly chunks: number,
  ) {
    const size = payloadSize(header);
    if (size !== header.total_bytes) {
      throw new TransferError(`frames header says ${header.total_bytes} bytes but its frames need ${size}`);
    }
    if (!Number.isInteger(chunks) || chunks < 0 || (size > 0 && chunks === 0)) {
      throw new TransferError(`bad chunk count ${chunks}`);
    }
    this.#payload = new Uint8Array(size);
    this.#seen = new Array(chunks).fill(false);
  }

  get complete(): boolean {
    return this.#received === this.chunks;
  }

  /** Fraction of the payload received, 0..1. */
  get fraction(): number {
    return this.#payload.length === 0 ? 1 : this.#bytes / this.#payload.length;
  }

  add(index: number, offset: number, data: ArrayBuffer | ArrayBufferView): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.chunks) {
      throw new TransferError(`chunk ${index} is outside 0..${this.chunks - 1}`);
    }
    if (this.#seen[index]) throw new TransferError(`chunk ${index} arrived twice`);
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    if (!Number.isInteger(offset) || offset < 0 || offset + bytes.length > this.#payload.length) {
      throw new TransferError(`chunk ${index} (${bytes.length} bytes at ${offset}) overruns the ${this.#payload.length}-byte payload`);
    }
    this.#payload.set(bytes, offset);
    this.#seen[index] = true;
    this.#received++;
    this.#bytes += bytes.length;
  }

  /** The frames, once every chunk is in; otherwise a TransferError naming what is missing. */
  finish(): FrameSet {
    if (!this.complete) {
      const missing = this.#seen.flatMap((s, i) => (s ? [] : [i]));
      throw new TransferError(`missing chunks ${missing.join(', ')} of ${this.chunks}: the transfer from the kernel was interrupted`);
    }
    if (this.#bytes !== this.#payload.length) {
      throw new TransferError(`received ${this.#bytes} bytes, expected ${this.#payload.length}`);
    }
    return decodePayload(this.header, this.#payload);
  }
}

/** The frames in a whole payload (as served over HTTP), checked against `header`. */
export function decodePayload(header: FramesHeader, payload: Uint8Array): FrameSet {
  const size = payloadSize(header);
  if (size !== payload.length || size !== header.total_bytes) {
    throw new TransferError(`frames header says ${header.total_bytes} bytes, its frames need ${size}, and ${payload.length} arrived`);
  }
  const inputs: FrameInput[] = [];
  let at = payload.byteOffset;
  for (const f of header.frames) {
    const points = new Float32Array(payload.buffer, at, f.points * 3);
    at += f.points * 12;
    let colors: Uint8Array | null = null;
    if (f.colors) {
      colors = new Uint8Array(payload.buffer, at, f.points * 3);
      at += align4(f.points * 3);
    }
    inputs.push({ points, colors });
  }
  return toFrameSet(inputs);
}
