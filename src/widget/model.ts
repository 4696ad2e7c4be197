// AnimationModel: holds the frames the kernel sent (never in widget state),
// runs exports in the page for both the Export button and anim.export()/save(),
// and sends finished files back to the kernel in chunks.
import { DOMWidgetModel, type ISerializers } from '@jupyter-widgets/base';
import type { CameraView } from '../core/camera.js';
import { exportAnimation } from '../core/export.js';
import type { FrameSet } from '../core/frames.js';
import type { ExportOptions } from '../core/options.js';
import type { ExportResult } from '../core/pipeline.js';
import type { ExportStatus } from '../core/status.js';
import { splitIntoChunks } from './file-transfer.js';
import { FrameAssembler, type FramesHeader } from './frame-transfer.js';
import { checkKernelMessage } from './kernel-messages.js';
import { MODULE_NAME, MODULE_VERSION } from './version.js';

/** Options the in-cell panel adds to an export. */
export type PanelExportOptions = Pick<ExportOptions, 'pointSize' | 'colormap' | 'background' | 'quality' | 'fps' | 'view'>;

type KernelMessage =
  | { type: 'frames-begin'; version: number; header: FramesHeader; chunks: number }
  | { type: 'frames-chunk'; version: number; index: number; offset: number }
  | { type: 'frames-end'; version: number }
  | { type: 'export' | 'save'; request: number; codecs?: string[] }
  | { type: 'cancel' };

export class AnimationModel extends DOMWidgetModel {
  static override serializers: ISerializers = { ...DOMWidgetModel.serializers };

  // Backbone calls initialize() from inside its constructor, before class field
  // initializers run, so all state lives in one object made there (`declare`d
  // fields emit no initializer that would reset it afterwards).
  declare frameSet: FrameSet | null;
  declare receiving: { done: number; total: number } | null;
  declare status: ExportStatus | null;
  declare result: ExportResult | null;
  /** The most recently mounted view's camera, for exports started from Python. */
  declare viewProvider: (() => CameraView | undefined) | null;
  declare private internal: {
    framesVersion: number | null;
    assembler: { version: number; assembler: FrameAssembler; started: number } | null;
    running: { controller: AbortController; done: Promise<ExportResult> } | null;
    resultVersion: number | null;
    waitingForFrames: Array<(error?: Error) => void>;
  };

  override defaults() {
    return {
      ...super.defaults(),
      _model_name: 'AnimationModel',
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_name: 'AnimationView',
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
      fps: 5,
      width: 1280,
      height: 720,
      title: true,
      codecs: [],
      file_stem: 'animation',
      frame_count: 0,
      frames_version: 0,
      export_status: '',
      export_progress: 0,
      export_complete: false,
    };
  }

  override initialize(attributes: Backbone.ObjectHash, options: { model_id: string; comm?: unknown; widget_manager: unknown }): void {
    super.initialize(attributes, options as never);
    this.frameSet = null;
    this.receiving = null;
    this.status = null;
    this.result = null;
    this.viewProvider = null;
    this.internal = { framesVersion: null, assembler: null, running: null, resultVersion: null, waitingForFrames: [] };
    this.on('msg:custom', (content: unknown, buffers: DataView[]) => this.onUntrustedMessage(content, buffers));
    this.on('change:frames_version', () => this.requestFrames());
    this.requestFrames();
  }

  /** Asks the kernel for the frames; it answers when it is idle. */
  private requestFrames(): void {
    if (this.internal.framesVersion === this.get('frames_version')) return;
    this.send({ type: 'request-frames', have: this.internal.framesVersion }, {});
  }

  private notifyViews(): void {
    this.trigger('cloudreel:changed');
  }

  /** The kernel is not trusted: a malformed message ends in an error status, never an exception. */
  private onUntrustedMessage(content: unknown, buffers: DataView[]): void {
    let msg: KernelMessage | null;
    try {
      msg = checkKernelMessage(content, buffers);
    } catch (e) {
      const type = (content as { type?: unknown } | null)?.type;
      if (typeof type === 'string' && type.startsWith('frames-')) {
        this.failReceiving(e as Error);
      } else {
        // A malformed request leaves a transfer in progress alone; the kernel times the request out.
        this.status = { phase: 'error', fraction: 0, message: `Export failed: ${(e as Error).message}` };
        this.notifyViews();
      }
      return;
    }
    if (msg) this.onKernelMessage(msg, buffers);
  }

  /** Drops a half-received transfer; exports waiting for the frames fail with the reason. */
  private failReceiving(e: Error): void {
    this.internal.assembler = null;
    this.receiving = null;
    const message = `Receiving frames failed: ${e.message}`;
    this.status = { phase: 'error', fraction: 0, message };
    this.internal.waitingForFrames.splice(0).forEach((wake) => wake(new Error(message)));
    this.notifyViews();
  }

  private onKernelMessage(msg: KernelMessage, buffers: DataView[]): void {
    try {
      switch (msg.type) {
        case 'frames-begin':
          if (msg.version === this.internal.framesVersion) return; // a second page asked; we have these
          this.internal.assembler = { version: msg.version, assembler: new FrameAssembler(msg.header, msg.chunks), started: performance.now() };
          this.receiving = { done: 0, total: msg.header.frames.length };
                    break;
        case 'frames-chunk': {
          if (this.internal.assembler?.version !== msg.version) return;
          const { assembler } = this.internal.assembler;
          const data = buffers[0];
          if (!data) throw new Error(`frames chunk ${msg.index} came without data`);
          assembler.add(msg.index, msg.offset, data);
          this.receiving = { done: Math.floor(assembler.fraction * assembler.header.frames.length), total: assembler.header.frames.length };
          break;
        }
        case 'frames-end': {
          if (this.internal.assembler?.version !== msg.version) return;
          const { assembler, version, started } = this.internal.assembler;
          this.internal.assembler = null;
          this.frameSet = assembler.finish();
          const seconds = (performance.now() - started) / 1000;
          const mb = assembler.header.total_bytes / 1e6;
          console.debug(`cloudreel: received ${this.frameSet.frames.length} frames (${mb.toFixed(1)} MB) in ${seconds.toFixed(2)} s, ${(mb / seconds).toFixed(0)} MB/s`);
          this.internal.framesVersion = version;
          this.receiving = null;
          this.internal.waitingForFrames.splice(0).forEach((wake) => wake());
          break;
        }
        case 'export':
        case 'save':
          this.send({ type: 'ack', request: msg.request }, {});
          void this.serveRequest(msg.type, msg.request, msg.codecs);
          return;
        case 'cancel':
          this.cancelExport();
          return;
      }
    } catch (e) {
      this.failReceiving(e as Error);
      return;
    }
    this.notifyViews();
  }

  private framesReady(): Promise<void> {
    if (this.frameSet && this.internal.framesVersion === this.get('frames_version')) return Promise.resolve();
    return new Promise((resolve, reject) => this.internal.waitingForFrames.push((error) => (error ? reject(error) : resolve())));
  }

  private async serveRequest(kind: 'export' | 'save', request: number, codecs?: string[]): Promise<void> {
    try {
      await this.framesReady();
      const reuse = kind === 'save' && this.result && this.internal.resultVersion === this.internal.framesVersion && !this.internal.running;
      const result = reuse ? this.result! : await this.startExport({ view: this.viewProvider?.() }, codecs);
      if (kind === 'save') await this.sendFile(request, result);
    } catch (e) {
      this.send({ type: 'export-failed', request, message: (e as Error).message }, {});
    }
  }

  private async sendFile(request: number, result: ExportResult): Promise<void> {
    const bytes = new Uint8Array(await result.blob.arrayBuffer());
    const chunks = splitIntoChunks(bytes);
    this.send(
      {
        type: 'file-begin',
        request,
        total_bytes: bytes.length,
        chunks: chunks.length,
        mime_type: result.mimeType,
        extension: result.extension,
        codec: result.codec,
        frames: result.frames,
        duration: result.durationSeconds,
      },
      {},
    );
    for (const c of chunks) this.send({ type: 'file-chunk', request, index: c.index, offset: c.offset }, {}, [c.data]);
  }

  get exporting(): boolean {
    return this.internal.running !== null;
  }

  /** Runs an export of the current frames (one at a time per widget). */
  startExport(options: PanelExportOptions = {}, codecs?: string[]): Promise<ExportResult> {
    if (this.internal.running) return this.internal.running.done;
    if (!this.frameSet) return Promise.reject(new Error('the frames have not arrived from the kernel yet'));
    const controller = new AbortController();
    const chosen = codecs?.length ? codecs : (this.get('codecs') as string[]);
    const done = exportAnimation(this.frameSet, {
      fps: this.get('fps'),
      width: this.get('width'),
      height: this.get('height'),
      title: this.get('title'),
      ...(chosen.length ? { codecs: chosen } : {}),
      ...withoutUndefined(options),
      signal: controller.signal,
      onStatus: (status) => {
        this.status = status;
        this.set({ export_status: status.message, export_progress: status.fraction, export_complete: status.phase === 'done' });
        this.save_changes();
        this.notifyViews();
      },
    });
    this.internal.running = { controller, done };
    this.result = null;
    this.notifyViews();
    const version = this.internal.framesVersion;
    return done
      .then((result) => {
        this.result = result;
        this.internal.resultVersion = version;
        return result;
      })
      .finally(() => {
        this.internal.running = null;
        this.notifyViews();
      });
  }

  cancelExport(): void {
    this.internal.running?.controller.abort();
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
