// ExportRunner: runs the widget's exports in the page, one at a time, for the
// Export button and for the kernel's export/save requests (anim.export(),
// anim.save(), anim.cancel()), and sends finished files back to the kernel in
// chunks. Every export renders with the widget's traits (the look too: see look-traits.ts),
// whoever asked, so the page's video is the one a headless export of the same traits makes.
// No widget base: the model hands it a host, its frames and its lifetime signal.
import { exportAnimation } from '../core/export.js';
import type { FrameSet } from '../core/frames.js';
import type { ExportOptions } from '../core/options.js';
import type { ExportResult } from '../core/pipeline.js';
import { splitIntoChunks } from './file-transfer.js';
import { abortsWith, type WidgetHost } from './frame-inbox.js';
import { lookOptions } from './look-traits.js';
import { ack, exportFailed, fileBegin, fileChunk } from './protocol.js';

/** What the in-cell panel's Export button adds to the traits: the player's playback fps. */
export type PanelExportOptions = Pick<ExportOptions, 'fps'>;

type ScaleTraits = Record<'bounds' | 'vmin' | 'vmax' | 'palette', unknown>;

/** The kernel's bounds, vmin, vmax and palette traits as export options (unchecked: the export checks them). */
export function scaleTraits(get: (name: string) => unknown): ScaleTraits {
  return { bounds: get('bounds'), vmin: get('vmin'), vmax: get('vmax'), palette: get('palette') };
}

export interface RunnerHost extends WidgetHost {
  /** A value of the widget state (the kernel's traits). */
  get(name: string): unknown;
  /** Sets values of the widget state and syncs them to the kernel. */
  saveState(values: { export_status: string; export_progress: number; export_complete: boolean }): void;
}

/** The frames exports read: the model's FrameInbox. */
export interface FrameSource {
  readonly frameSet: FrameSet | null;
  readonly version: number | null;
  ready(): Promise<void>;
  cancelWaiting(): void;
}

export class ExportRunner {
  result: ExportResult | null = null;
  #running: { controller: AbortController; done: Promise<ExportResult> } | null = null;
  /** The frames version `result` was made from. */
  #resultVersion: number | null = null;

  constructor(
    private readonly host: RunnerHost,
    private readonly frames: FrameSource,
    private readonly lifetime: AbortSignal,
  ) {}

  get exporting(): boolean {
    return this.#running !== null;
  }

  /** Runs an export of the current frames (one at a time per widget). */
  start(options: PanelExportOptions = {}, codecs?: string[]): Promise<ExportResult> {
    if (this.#running) return this.#running.done;
    const { frameSet } = this.frames;
    if (!frameSet) return Promise.reject(new Error('the frames have not arrived from the kernel yet'));
    const { host } = this;
    const controller = abortsWith(this.lifetime);
    const chosen = codecs?.length ? codecs : (host.get('codecs') as string[]);
    const done = exportAnimation(frameSet, {
      fps: host.get('fps') as number,
      width: host.get('width') as number,
      height: host.get('height') as number,
      title: host.get('title') as boolean,
      colormap: host.get('colormap') as ExportOptions['colormap'],
      ...lookOptions((name) => host.get(name)),
      ...(withoutUndefined(scaleTraits((name) => host.get(name))) as Pick<ExportOptions, 'bounds' | 'vmin' | 'vmax' | 'palette'>),
      ...(chosen.length ? { codecs: chosen } : {}),
      ...withoutUndefined(options),
      signal: controller.signal,
      onStatus: (status) => {
        host.status = status;
        host.saveState({ export_status: status.message, export_progress: status.fraction, export_complete: status.phase === 'done' });
        host.notifyViews();
      },
    });
    this.#running = { controller, done };
    this.result = null;
    host.notifyViews();
    const version = this.frames.version;
    return done
      .then((result) => {
        this.result = result;
        this.#resultVersion = version;
        return result;
      })
      .finally(() => {
        this.#running = null;
        host.notifyViews();
      });
  }

  cancel(): void {
    this.#running?.controller.abort();
  }

  /** anim.cancel(): the running export stops, and the ones asked for before the frames arrived never start. */
  cancelAll(): void {
    this.cancel();
    this.frames.cancelWaiting();
  }

  /** The kernel's export or save request: acknowledged at once, answered with the file or why there is none. */
  serve(kind: 'export' | 'save', request: number, codecs?: string[]): void {
    this.host.sendToKernel(ack(request));
    void this.#serve(kind, request, codecs);
  }

  async #serve(kind: 'export' | 'save', request: number, codecs?: string[]): Promise<void> {
    try {
      await this.frames.ready();
      const reuse = kind === 'save' && this.result && this.#resultVersion === this.frames.version && !this.#running;
      const result = reuse ? this.result! : await this.start({}, codecs);
      if (kind === 'save') await this.#sendFile(request, result);
    } catch (e) {
      const cancelled = (e as Error)?.name === 'AbortError';
      this.host.sendToKernel(exportFailed(request, cancelled ? 'the export was cancelled' : (e as Error).message));
    }
  }

  async #sendFile(request: number, result: ExportResult): Promise<void> {
    const bytes = new Uint8Array(await result.blob.arrayBuffer());
    const chunks = splitIntoChunks(bytes);
    const begun = this.host.sendToKernel(fileBegin(request, bytes.length, chunks.length, result));
    if (!begun) return; // nobody to deliver to: the page keeps the result for its Download button
    for (const c of chunks) {
      if (!this.host.sendToKernel(fileChunk(request, c.index, c.offset), [c.data])) return;
    }
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
