// Export phases and the original tool's status messages. Each status carries a
// fraction in [0, 1] so a progress bar never has to parse the text.

export type ExportPhase = 'init' | 'prepare' | 'render' | 'encode' | 'done' | 'error';

export interface ExportStatus {
  phase: ExportPhase;
  /** Overall progress in [0, 1]; never decreases within one export. */
  fraction: number;
  message: string;
}

export type StatusListener = (status: ExportStatus) => void;

/**
 * Where each phase sits on the progress bar. Frames render as the encoder
 * takes them, so rendering carries the bar to RENDER_END; what the encoder does
 * after the last frame (flush, mux, ffmpeg's run) fills the rest.
 */
const RENDER_START = 0.02;
const RENDER_END = 0.9;
const ENCODE_END = 0.99;

export const messages = {
  init: () => 'Initializing export...',
  prepare: (frames: number) => `Preparing to render ${frames} frames...`,
  render: (i: number, n: number) => `Rendering frame ${i}/${n} (${Math.round((i / n) * 100)}%)`,
  encode: () => 'Encoding video...',
  contextLost: (i: number, n: number) => `WebGL context lost at frame ${i}/${n}: drawing the rest with the CPU rasteriser`,
  trying: (description: string) => `Trying ${description}...`,
  ready: (bytes: number) => `Video ready! (${(bytes / (1024 * 1024)).toFixed(1)} MB)`,
  failed: (reason: string) => `Export failed: ${reason}`,
  cancelled: () => 'Export cancelled',
};

/**
 * Sends statuses to a listener, keeping the fraction monotonic. The first
 * final status (done or error) is the last one: a frame still being drawn when
 * the encoder gave up (an abort rejects at once) must not report after it.
 */
export class StatusReporter {
  #fraction = 0;
  #ended = false;
  readonly #listener: StatusListener | undefined;

  constructor(listener?: StatusListener) {
    this.#listener = listener;
  }

  get fraction(): number {
    return this.#fraction;
  }

  #emit(phase: ExportPhase, fraction: number, message: string): void {
    if (this.#ended) return;
    this.#ended = phase === 'done' || phase === 'error';
    this.#fraction = Math.min(1, Math.max(this.#fraction, fraction));
    this.#listener?.({ phase, fraction: this.#fraction, message });
  }

  init(): void {
    this.#emit('init', 0, messages.init());
  }
  prepare(frames: number): void {
    this.#emit('prepare', RENDER_START / 2, messages.prepare(frames));
  }
  /** `done` frames of `total` rendered. */
  render(done: number, total: number): void {
    this.#emit('render', RENDER_START + ((RENDER_END - RENDER_START) * done) / total, messages.render(done, total));
  }
  /** The WebGL context went away while drawing frame `index` (1-based); the CPU rasteriser took over. */
  contextLost(index: number, total: number): void {
    this.#emit('render', this.#fraction, messages.contextLost(index, total));
  }
  /** Every frame is in the encoder; it is finishing the file. */
  encode(): void {
    this.#emit('encode', RENDER_END, messages.encode());
  }
  trying(description: string): void {
    this.#emit('encode', this.#fraction, messages.trying(description));
  }
  /** Progress of the encoder's work after the last frame, 0..1. */
  encodeProgress(within: number): void {
    const f = RENDER_END + (ENCODE_END - RENDER_END) * Math.min(1, Math.max(0, within));
    this.#emit('encode', f, messages.encode());
  }
  ready(bytes: number): void {
    this.#emit('done', 1, messages.ready(bytes));
  }
  failed(reason: string): void {
    this.#emit('error', this.#fraction, messages.failed(reason));
  }
  cancelled(): void {
    this.#emit('error', this.#fraction, messages.cancelled());
  }
}
