// AnimationModel: the widget glue. Kernel messages go to the FrameInbox (frames,
// never in widget state) or the ExportRunner (exports, cancels, files back to
// the kernel); one AbortSignal per model ends whatever it started when it closes.
import { DOMWidgetModel, type ISerializers } from '@jupyter-widgets/base';
import type { JSONObject } from '@lumino/coreutils';
import { checkScaleOptions, type ScaleOptions } from '../core/scale.js';
import { DEFAULTS } from '../core/settings.js';
import type { ExportStatus } from '../core/status.js';
import { ExportRunner, scaleTraits, type RunnerHost } from './export-runner.js';
import { FrameInbox, type InboxHost } from './frame-inbox.js';
import { checkKernelMessage, fromPage, pageGone, type PageMessage } from './protocol.js';
import { MODULE_NAME, MODULE_VERSION } from './version.js';

export class AnimationModel extends DOMWidgetModel implements InboxHost, RunnerHost {
  static override serializers: ISerializers = { ...DOMWidgetModel.serializers };

  // Backbone calls initialize() from inside its constructor, before class field
  // initializers run, so all state is made there (`declare`d fields emit no
  // initializer that would reset it afterwards).
  declare status: ExportStatus | null;
  /** The frames (and their progress) and the exports (and their result) the views show. */
  declare inbox: FrameInbox;
  declare runner: ExportRunner;
  /** `id` names this page to the kernel in every message, so the kernel can tell two tabs apart. */
  declare private page: { id: string; goneSaid: boolean };

  override defaults() {
    return {
      ...super.defaults(),
      _model_name: 'AnimationModel', _model_module: MODULE_NAME, _model_module_version: MODULE_VERSION,
      _view_name: 'AnimationView', _view_module: MODULE_NAME, _view_module_version: MODULE_VERSION,
      fps: 5, width: 1280, height: 720, title: true, codecs: [], file_stem: 'animation', colormap: 'viridis',
      point_shape: DEFAULTS.pointShape, point_size: null, background: DEFAULTS.background, quality: DEFAULTS.quality, view: null, bounds: null, vmin: null, vmax: null, palette: null, frame_count: 0, frames_version: 0,
      export_status: '', export_progress: 0, export_complete: false,
    };
  }

  override initialize(attributes: Backbone.ObjectHash, options: { model_id: string; comm?: unknown; widget_manager: unknown }): void {
    super.initialize(attributes, options as never);
    this.status = null;
    const lifetime = new AbortController(); // aborted when the model closes: its fetch, export and page listener hang off it
    const inbox = (this.inbox = new FrameInbox(this, lifetime.signal));
    this.runner = new ExportRunner(this, inbox, lifetime.signal);
    this.page = { id: newPageId(), goneSaid: false };
    // A reload or a closed tab: the kernel stops waiting for files this page would have sent.
    globalThis.window?.addEventListener('pagehide', () => this.sayPageGone(), { signal: lifetime.signal });
    this.on('msg:custom', (content: unknown, buffers: DataView[]) => this.onUntrustedMessage(content, buffers));
    this.on('change:frames_version', () => inbox.request());
    // ipywidgets marks the comm dead when the kernel restarts, and closes the
    // model ('destroy') when the kernel closes the widget or the page drops it.
    this.on('comm_live_update', () => {
      // Frames still on their way will not come: say so instead of showing progress forever.
      if (!this.comm_live && inbox.busy) inbox.fail(new Error('the kernel restarted or shut down before they all arrived. Run the cell again to show the animation'));
    });
    this.on('destroy', () => {
      this.sayPageGone();
      if (inbox.busy) inbox.fail(new Error('the widget was closed'));
      lifetime.abort(); // no request, listener, worker or encoder is left
    });
    inbox.request();
  }

  /** Sends to the kernel; false where the comm is closed (kernel restarted or widget closed), which must never throw into an export or a transfer. */
  sendToKernel(content: PageMessage, buffers?: ArrayBufferView[]): boolean {
    try {
      this.send(fromPage(content, this.page.id), {}, buffers);
      return true;
    } catch (e) {
      console.warn(`cloudreel: could not send ${content.type} to the kernel, its connection is closed (${(e as Error).message})`);
      return false;
    }
  }

  notifyViews(): void {
    this.trigger('cloudreel:changed');
  }

  wantedVersion(): number {
    return this.get('frames_version');
  }

  saveState(values: JSONObject): void {
    this.set(values);
    this.save_changes();
  }

  /** WidgetModel.close() closes the comm before 'destroy': say goodbye while it is open. */
  override close(comm_closed = false): Promise<void> {
    if (comm_closed) this.page.goneSaid = true; // the kernel closed the widget: nobody to tell
    else this.sayPageGone();
    return super.close(comm_closed);
  }

  /** Tells the kernel this page is going (once), so it fails the requests the page was serving. */
  private sayPageGone(): void {
    if (this.page.goneSaid || !this.comm_live) return;
    this.page.goneSaid = true;
    this.sendToKernel(pageGone());
  }

  /** The kernel is not trusted: a malformed message ends in an error status, never an exception. */
  private onUntrustedMessage(content: unknown, buffers: DataView[]): void {
    const { inbox, runner } = this;
    let msg;
    try {
      msg = checkKernelMessage(content, buffers);
    } catch (e) {
      const type = (content as { type?: unknown } | null)?.type;
      if (typeof type === 'string' && type.startsWith('frames-')) return inbox.fail(e as Error);
      // A malformed request leaves a transfer in progress alone; the kernel times the request out.
      this.status = { phase: 'error', fraction: 0, message: `Export failed: ${(e as Error).message}` };
      return this.notifyViews();
    }
    if (!msg) return; // a kind this page does not know
    switch (msg.type) {
      case 'cancel': return runner.cancelAll();
      case 'export':
      case 'save': return runner.serve(msg.type, msg.request, msg.codecs);
      default: return inbox.receive(msg, buffers);
    }
  }

  /** The kernel's scale traits, checked, for the player; bad ones (the export reports them) give the default scale. */
  get scale(): ScaleOptions {
    try {
      return checkScaleOptions(scaleTraits((name) => this.get(name)));
    } catch {
      return {};
    }
  }
}

/** 96 random bits as hex: one per model instance (a page, or a reload of it). */
function newPageId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
}
