// FrameInbox: receives the frames the kernel sends, by either route (an HTTP
// offer fetched from the spool, or chunks over the comm), with the progress
// and failure status the views show and the promise exports wait on.
// No widget base: the model hands it a host and its lifetime signal.
import { FrameError, type FrameSet } from '../core/frames.js';
import type { ExportStatus } from '../core/status.js';
import { fetchFramePayload } from './frame-fetch.js';
import { allocatePayload, announcedSize, FrameAssembler, PayloadDecoder, TransferError } from './frame-transfer.js';
import { framesReceived, requestFrames, type KernelMessage, type PageMessage } from './protocol.js';

/** What the inbox needs of the widget around it. */
export interface WidgetHost {
  /** The widget's status line, shared with the exports. */
  status: ExportStatus | null;
  /** Sends to the kernel; false where the comm is closed (never throws). */
  sendToKernel(content: PageMessage, buffers?: ArrayBufferView[]): boolean;
  /** Tells the views that something they show changed. */
  notifyViews(): void;
}

export interface InboxHost extends WidgetHost {
  /** The frames version the widget state names; 0 before the kernel set it. */
  wantedVersion(): number;
}

export type FramesMessage = Extract<KernelMessage, { type: `frames-${string}` }>;
type Offer = Extract<FramesMessage, { type: 'frames-offer' }>;

/** A controller that also aborts when `parent` does (AbortSignal.any is newer than some supported browsers). */
export function abortsWith(parent: AbortSignal): AbortController {
  const child = new AbortController();
  if (parent.aborted) child.abort(parent.reason);
  else parent.addEventListener('abort', () => child.abort(parent.reason), { once: true, signal: child.signal });
  return child;
}

export class FrameInbox {
  frameSet: FrameSet | null = null;
  receiving: { done: number; total: number } | null = null;
  /** The version of frameSet. */
  version: number | null = null;
  #requested: number | null = null;
  #assembler: { version: number; assembler: FrameAssembler; started: number } | null = null;
  /** The offer being fetched, if any, and how to stop its request. */
  #fetch: { token: string; abort: AbortController } | null = null;
  #waiting: Array<(error?: Error) => void> = [];
  /** The status a failed transfer showed; good frames arriving later take it off the screen. */
  #failure: ExportStatus | null = null;

  constructor(
    private readonly host: InboxHost,
    private readonly lifetime: AbortSignal,
  ) {}

  /** Frames on their way, or exports waiting for them. */
  get busy(): boolean {
    return Boolean(this.receiving || this.#fetch || this.#assembler || this.#waiting.length);
  }

  /** Asks the kernel for the frames; it answers when it is idle. False where nothing was asked. */
  request(viaComm?: { failedOffer: string }): boolean {
    const version = this.host.wantedVersion();
    // Version 0 is the default before the kernel's state is set: nothing to ask for yet.
    if (version === 0 || this.version === version) return false;
    // The model's start and the first state sync both land here: ask once per version.
    if (!viaComm && this.#requested === version) return false;
    this.#requested = version;
    // A kernel started by a server with the cloudreel extension answers with an
    // HTTP offer; any other kernel (or a failed fetch) uses the comm.
    return this.host.sendToKernel(requestFrames(this.version, viaComm?.failedOffer ?? null));
  }

  /** One frames-* message from the kernel; a bad one fails the transfer, never throws. */
  receive(msg: FramesMessage, buffers: DataView[]): void {
    try {
      switch (msg.type) {
        case 'frames-offer':
          if (msg.version === this.version) return;
          this.#assembler = null;
          this.#fetchOffer(msg).catch((e) => this.fail(e as Error));
          return;
        case 'frames-begin':
          if (msg.version === this.version) return; // a second page asked; we have these
          this.#stopFetch();
          this.#assembler = { version: msg.version, assembler: new FrameAssembler(msg.header, msg.chunks), started: performance.now() };
          this.receiving = { done: 0, total: msg.header.frames.length };
          break;
        case 'frames-chunk': {
          if (this.#assembler?.version !== msg.version) return;
          const { assembler } = this.#assembler;
          const data = buffers[0];
          if (!data) throw new Error(`frames chunk ${msg.index} came without data`);
          assembler.add(msg.index, msg.offset, data);
          this.receiving = { done: Math.floor(assembler.fraction * assembler.header.frames.length), total: assembler.header.frames.length };
          break;
        }
        case 'frames-end': {
          if (this.#assembler?.version !== msg.version) return;
          const { assembler, version, started } = this.#assembler;
          this.#assembler = null;
          this.#accept(assembler.finish(), version, assembler.header.total_bytes, started, 'the comm');
          return;
        }
      }
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    this.host.notifyViews();
  }

  /** Drops a half-received transfer; exports waiting for the frames fail with the reason. */
  fail(e: Error): void {
    this.#assembler = null;
    this.#stopFetch();
    this.receiving = null;
    const message = `Receiving frames failed: ${e.message}`;
    this.host.status = { phase: 'error', fraction: 0, message };
    this.#failure = this.host.status;
    this.#waiting.splice(0).forEach((wake) => wake(new Error(message)));
    this.host.notifyViews();
  }

  /** Resolves once the frames the widget state names are here; rejects when their transfer fails. */
  ready(): Promise<void> {
    if (this.frameSet && this.version === this.host.wantedVersion()) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiting.push((error) => (error ? reject(error) : resolve())));
  }

  /** anim.cancel() before the frames arrived: whatever waits for them is rejected as cancelled. */
  cancelWaiting(): void {
    const cancelled = new DOMException('the export was cancelled', 'AbortError');
    this.#waiting.splice(0).forEach((wake) => wake(cancelled));
  }

  #stopFetch(): void {
    this.#fetch?.abort.abort();
    this.#fetch = null;
  }

  async #fetchOffer(msg: Offer): Promise<void> {
    const started = performance.now();
    this.#stopFetch(); // an older offer still in flight is superseded
    this.#fetch = { token: msg.token, abort: abortsWith(this.lifetime) };
    const signal = this.#fetch.abort.signal;
    const current = () => this.#fetch?.token === msg.token;
    let decoder: PayloadDecoder;
    let firstByte: number | undefined;
    try {
      // The header is checked before what it announces is allocated; both fail as TransferErrors.
      decoder = new PayloadDecoder(msg.header, allocatePayload(announcedSize(msg.header)));
      const total = msg.header.frames.length;
      this.receiving = { done: 0, total };
      this.host.notifyViews();
      // Frames are checked as they arrive, overlapping the download.
      await fetchFramePayload(msg.token, decoder.payload, (received) => {
        if (!current()) throw new DOMException('newer frames arrived', 'AbortError');
        firstByte ??= performance.now();
        decoder.advance(received);
        const done = Math.floor((received / decoder.payload.length) * total);
        if (done === this.receiving?.done) return;
        this.receiving = { done, total };
        this.host.notifyViews();
      }, signal);
    } catch (e) {
      if (!current()) return;
      // Bad data is an error, not a reason to ask again.
      if (e instanceof FrameError || e instanceof TransferError) throw e;
      this.#fetch = null;
      const asked = this.request({ failedOffer: msg.token });
      console.warn(`cloudreel: fetching frames over HTTP failed (${(e as Error).message}); ${asked ? 'asking for them over the comm' : 'nothing to ask for'}`);
      if (!asked) {
        // The page already has the version its model names (the offer was for another): nothing more will come.
        this.receiving = null;
        this.host.notifyViews();
      }
      return;
    } finally {
      // Every offer is acknowledged, fetched or not, so the kernel drops its spool file.
      this.host.sendToKernel(framesReceived(msg.token));
    }
    const fetched = performance.now();
    if (!current()) return; // superseded, or the kernel went away
    this.#fetch = null;
    const frameSet = decoder.finish();
    const write = msg.write_seconds;
    const wait = ((firstByte ?? fetched) - started) / 1000;
    const body = (fetched - (firstByte ?? fetched)) / 1000;
    const check = (performance.now() - fetched) / 1000;
    this.#accept(frameSet, msg.version, msg.header.total_bytes, started - write * 1000, `HTTP (kernel write ${write.toFixed(2)} s, first byte ${wait.toFixed(2)} s, body and checks ${body.toFixed(2)} s, last checks ${check.toFixed(2)} s)`);
  }

  /** `started`: when the kernel began to send, on this page's clock. */
  #accept(frameSet: FrameSet, version: number, bytes: number, started: number, route: string): void {
    this.frameSet = frameSet;
    const seconds = (performance.now() - started) / 1000;
    const mb = bytes / 1e6;
    console.debug(`cloudreel: received ${frameSet.frames.length} frames (${mb.toFixed(1)} MB) in ${seconds.toFixed(2)} s, ${(mb / seconds).toFixed(0)} MB/s over ${route}`);
    this.version = version;
    this.receiving = null;
    if (this.host.status === this.#failure) this.host.status = null;
    this.#failure = null;
    this.#waiting.splice(0).forEach((wake) => wake());
    this.host.notifyViews();
  }
}
