// AnimationModel: holds the frames the kernel sent (never in widget state),
// runs exports in the page for both the Export button and anim.export()/save(),
// and sends finished files back to the kernel in chunks.
import { DOMWidgetModel, type ISerializers } from '@jupyter-widgets/base';
import type { CameraView } from '../core/camera.js';
import { exportAnimation } from '../core/export.js';
import { FrameError, type FrameSet } from '../core/frames.js';
import type { ExportOptions } from '../core/options.js';
import type { ExportResult } from '../core/pipeline.js';
import { checkScaleOptions, type ScaleOptions } from '../core/scale.js';
import type { ExportStatus } from '../core/status.js';
import { splitIntoChunks } from './file-transfer.js';
import { fetchFramePayload } from './frame-fetch.js';
import { allocatePayload, announcedSize, FrameAssembler, PayloadDecoder, TransferError, type FramesHeader } from './frame-transfer.js';
import { ack, checkKernelMessage, exportFailed, fileBegin, fileChunk, framesReceived, fromPage, pageGone, requestFrames, type KernelMessage, type PageMessage } from './protocol.js';
import { MODULE_NAME, MODULE_VERSION } from './version.js';

/** Options the in-cell panel adds to an export. */
export type PanelExportOptions = Pick<ExportOptions, 'pointSize' | 'colormap' | 'background' | 'quality' | 'fps' | 'view'>;

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
    requestedVersion: number | null;
    /** The offer being fetched, if any, and how to stop its request. */
    fetching: string | null;
    fetchAbort: AbortController | null;
    running: { controller: AbortController; done: Promise<ExportResult> } | null;
    resultVersion: number | null;
    waitingForFrames: Array<(error?: Error) => void>;
    /** Names this page to the kernel in every message, so the kernel can tell two tabs apart. */
    pageId: string;
    /** The status a failed transfer showed; good frames arriving later take it off the screen. */
    receiveFailure: ExportStatus | null;
    /** Tells the kernel this page is going (once), so it fails the requests the page was serving. */
    sayGone: () => void;
    goneSaid: boolean;
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
      colormap: 'viridis',
      bounds: null,
      vmin: null,
      vmax: null,
      palette: null,
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
    this.internal = {
      framesVersion: null, assembler: null, requestedVersion: null, fetching: null, fetchAbort: null, running: null, resultVersion: null, waitingForFrames: [], pageId: newPageId(),
      receiveFailure: null, sayGone: () => this.sayPageGone(), goneSaid: false,
    };
    // A reload or a closed tab: the kernel stops waiting for files this page would have sent.
    globalThis.window?.addEventListener('pagehide', this.internal.sayGone);
    this.on('msg:custom', (content: unknown, buffers: DataView[]) => this.onUntrustedMessage(content, buffers));
    this.on('change:frames_version', () => this.requestFrames());
    // ipywidgets marks the comm dead when the kernel restarts, and closes the
    // model ('destroy') when the kernel closes the widget or the page drops it.
    this.on('comm_live_update', () => {
      if (!this.comm_live) this.onKernelGone();
    });
    this.on('destroy', () => this.onDestroyed());
    this.requestFrames();
  }

  /**
   * Sends to the kernel; false where the comm is closed (kernel restarted or
   * widget closed), which must never throw into an export or a transfer.
   */
  private sendToKernel(content: PageMessage, buffers?: ArrayBufferView[]): boolean {
    try {
      this.send(fromPage(content, this.internal.pageId), {}, buffers);
      return true;
    } catch (e) {
      console.warn(`cloudreel: could not send ${content.type} to the kernel, its connection is closed (${(e as Error).message})`);
      return false;
    }
  }

  /** Frames still on their way will not come: say so instead of showing progress forever. */
  private onKernelGone(): void {
    const { fetching, assembler, waitingForFrames } = this.internal;
    if (!this.receiving && !fetching && !assembler && !waitingForFrames.length) return;
    this.failReceiving(new Error('the kernel restarted or shut down before they all arrived. Run the cell again to show the animation'));
  }

  /** WidgetModel.close() closes the comm before 'destroy': say goodbye while it is open. */
  override close(comm_closed = false): Promise<void> {
    if (comm_closed) this.internal.goneSaid = true; // the kernel closed the widget: nobody to tell
    else this.sayPageGone();
    return super.close(comm_closed);
  }

  private sayPageGone(): void {
    if (this.internal.goneSaid || !this.comm_live) return;
    this.internal.goneSaid = true;
    this.sendToKernel(pageGone());
  }

  /** The model is closed: stop its transfer and its export, so no request, worker or encoder is left. */
  private onDestroyed(): void {
    globalThis.window?.removeEventListener('pagehide', this.internal.sayGone);
    this.sayPageGone();
    if (this.receiving || this.internal.fetching || this.internal.assembler || this.internal.waitingForFrames.length) {
      this.failReceiving(new Error('the widget was closed'));
    }
    this.cancelExport();
  }

  /** Asks the kernel for the frames; it answers when it is idle. False where nothing was asked. */
  private requestFrames(viaComm?: { failedOffer: string }): boolean {
    const version = this.get('frames_version');
    // Version 0 is the default before the kernel's state is set: nothing to ask for yet.
    if (version === 0 || this.internal.framesVersion === version) return false;
    // initialize() and the first state sync both land here: ask once per version.
    if (!viaComm && this.internal.requestedVersion === version) return false;
    this.internal.requestedVersion = version;
    // A kernel started by a server with the cloudreel extension answers with an
    // HTTP offer; any other kernel (or a failed fetch) uses the comm.
    return this.sendToKernel(requestFrames(this.internal.framesVersion, viaComm?.failedOffer ?? null));
  }

  private async fetchOffer(msg: { version: number; header: FramesHeader; token: string; write_seconds: number }): Promise<void> {
    const started = performance.now();
    this.internal.fetchAbort?.abort(); // an older offer still in flight is superseded
    const abort = new AbortController();
    this.internal.fetching = msg.token;
    this.internal.fetchAbort = abort;
    let decoder: PayloadDecoder;
    let firstByte: number | undefined;
    try {
      // The header is checked before what it announces is allocated; both fail as TransferErrors.
      decoder = new PayloadDecoder(msg.header, allocatePayload(announcedSize(msg.header)));
      const total = msg.header.frames.length;
      this.receiving = { done: 0, total };
      this.notifyViews();
      // Frames are checked as they arrive, overlapping the download.
      await fetchFramePayload(msg.token, decoder.payload, (received) => {
        if (this.internal.fetching !== msg.token) throw new DOMException('newer frames arrived', 'AbortError');
        firstByte ??= performance.now();
        decoder.advance(received);
        const done = Math.floor((received / decoder.payload.length) * total);
        if (done === this.receiving?.done) return;
        this.receiving = { done, total };
        this.notifyViews();
      }, abort.signal);
    } catch (e) {
      if (this.internal.fetching !== msg.token) return;
      // Bad data is an error, not a reason to ask again.
      if (e instanceof FrameError || e instanceof TransferError) throw e;
      this.internal.fetching = null;
      this.internal.fetchAbort = null;
      const asked = this.requestFrames({ failedOffer: msg.token });
      console.warn(`cloudreel: fetching frames over HTTP failed (${(e as Error).message}); ${asked ? 'asking for them over the comm' : 'nothing to ask for'}`);
      if (!asked) {
        // The page already has the version its model names (the offer was for another): nothing more will come.
        this.receiving = null;
        this.notifyViews();
      }
      return;
    } finally {
      // Every offer is acknowledged, fetched or not, so the kernel drops its spool file.
      this.sendToKernel(framesReceived(msg.token));
    }
    const fetched = performance.now();
    if (this.internal.fetching !== msg.token) return; // superseded, or the kernel went away
    this.internal.fetching = null;
    this.internal.fetchAbort = null;
    const frameSet = decoder.finish();
    const write = msg.write_seconds;
    const wait = ((firstByte ?? fetched) - started) / 1000;
    const body = (fetched - (firstByte ?? fetched)) / 1000;
    const check = (performance.now() - fetched) / 1000;
    this.acceptFrames(frameSet, msg.version, msg.header.total_bytes, started - write * 1000, `HTTP (kernel write ${write.toFixed(2)} s, first byte ${wait.toFixed(2)} s, body and checks ${body.toFixed(2)} s, last checks ${check.toFixed(2)} s)`);
  }

  /** `started`: when the kernel began to send, on this page's clock. */
  private acceptFrames(frameSet: FrameSet, version: number, bytes: number, started: number, route: string): void {
    this.frameSet = frameSet;
    const seconds = (performance.now() - started) / 1000;
    const mb = bytes / 1e6;
    console.debug(`cloudreel: received ${frameSet.frames.length} frames (${mb.toFixed(1)} MB) in ${seconds.toFixed(2)} s, ${(mb / seconds).toFixed(0)} MB/s over ${route}`);
    this.internal.framesVersion = version;
    this.receiving = null;
    if (this.status === this.internal.receiveFailure) this.status = null;
    this.internal.receiveFailure = null;
    this.internal.waitingForFrames.splice(0).forEach((wake) => wake());
    this.notifyViews();
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
    this.internal.fetching = null;
    this.internal.fetchAbort?.abort();
    this.internal.fetchAbort = null;
    this.receiving = null;
    const message = `Receiving frames failed: ${e.message}`;
    this.status = { phase: 'error', fraction: 0, message };
    this.internal.receiveFailure = this.status;
    this.internal.waitingForFrames.splice(0).forEach((wake) => wake(new Error(message)));
    this.notifyViews();
  }

  private onKernelMessage(msg: KernelMessage, buffers: DataView[]): void {
    try {
      switch (msg.type) {
        case 'frames-offer':
          if (msg.version === this.internal.framesVersion) return;
          this.internal.assembler = null;
          this.fetchOffer(msg).catch((e) => this.failReceiving(e as Error));
          return;
        case 'frames-begin':
          if (msg.version === this.internal.framesVersion) return; // a second page asked; we have these
          this.internal.fetching = null;
          this.internal.fetchAbort?.abort();
          this.internal.fetchAbort = null;
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
          this.acceptFrames(assembler.finish(), version, assembler.header.total_bytes, started, 'the comm');
          return;
        }
        case 'export':
        case 'save':
          this.sendToKernel(ack(msg.request));
          void this.serveRequest(msg.type, msg.request, msg.codecs);
          return;
        case 'cancel':
          this.cancelExport();
          this.cancelWaitingRequests();
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
      const cancelled = (e as Error)?.name === 'AbortError';
      this.sendToKernel(exportFailed(request, cancelled ? 'the export was cancelled' : (e as Error).message));
    }
  }

  private async sendFile(request: number, result: ExportResult): Promise<void> {
    const bytes = new Uint8Array(await result.blob.arrayBuffer());
    const chunks = splitIntoChunks(bytes);
    const begun = this.sendToKernel(fileBegin(request, bytes.length, chunks.length, result));
    if (!begun) return; // nobody to deliver to: the page keeps the result for its Download button
    for (const c of chunks) {
      if (!this.sendToKernel(fileChunk(request, c.index, c.offset), [c.data])) return;
    }
  }

  /** The kernel's bounds, vmin, vmax and palette as export options (unchecked: the export checks them). */
  private scaleTraits(): Record<'bounds' | 'vmin' | 'vmax' | 'palette', unknown> {
    return { bounds: this.get('bounds'), vmin: this.get('vmin'), vmax: this.get('vmax'), palette: this.get('palette') };
  }

  /** The same, checked, for the player; bad ones (the export reports them) give the default scale. */
  get scale(): ScaleOptions {
    try {
      return checkScaleOptions(this.scaleTraits());
    } catch {
      return {};
    }
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
      colormap: this.get('colormap'),
      ...(withoutUndefined(this.scaleTraits()) as Pick<ExportOptions, 'bounds' | 'vmin' | 'vmax' | 'palette'>),
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

  /** anim.cancel() before the frames arrived: the exports asked for never start. */
  private cancelWaitingRequests(): void {
    const waiting = this.internal.waitingForFrames.splice(0);
    const cancelled = new DOMException('the export was cancelled', 'AbortError');
    waiting.forEach((wake) => wake(cancelled));
  }
}

/** 96 random bits as hex: one per model instance (a page, or a reload of it). */
function newPageId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
