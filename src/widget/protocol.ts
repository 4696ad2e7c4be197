// Every message between the kernel and the page, in both directions, typed in
// one place (python/cloudreel/protocol.py is the kernel's side of the same
// protocol; tests/cases/messages.json is replayed by both). Kernel -> page
// messages are checked before the model acts on them: the page does not trust
// the kernel, and a malformed message must end in a clear error status, never
// an exception thrown into the widget manager. Page -> kernel messages are made
// by the builders below, which the kernel checks in its turn.
import type { ExportResult } from '../core/pipeline.js';
import { TransferError, type FramesHeader } from './frame-transfer.js';

// --- kernel -> page ---------------------------------------------------------

/** The frames wait in a spool file the page fetches over HTTP (python/cloudreel/frame_offers.py). */
export type FramesOffer = { type: 'frames-offer'; version: number; header: FramesHeader; token: string; write_seconds: number };
/** The frames come over the comm: this, `chunks` frames-chunk messages (each with one binary buffer), then frames-end. */
export type FramesBegin = { type: 'frames-begin'; version: number; header: FramesHeader; chunks: number };
export type FramesChunk = { type: 'frames-chunk'; version: number; index: number; offset: number };
export type FramesEnd = { type: 'frames-end'; version: number };
/** anim.export() ('export') or anim.save()/embed() ('save', which wants the file back). */
export type ExportRequest = { type: 'export' | 'save'; request: number; codecs?: string[] };
/** anim.cancel(). */
export type Cancel = { type: 'cancel' };

export type KernelMessage = FramesOffer | FramesBegin | FramesChunk | FramesEnd | ExportRequest | Cancel;

const KINDS = ['frames-offer', 'frames-begin', 'frames-chunk', 'frames-end', 'export', 'save', 'cancel'];

type Fields = Record<string, unknown>;

function wholeNumber(msg: Fields, key: string, min = 0): number {
  const value = msg[key];
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    throw new TransferError(`the kernel sent a malformed ${String(msg.type)} message: ${key} must be a whole number >= ${min}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value as number;
}

function framesHeader(msg: Fields): FramesHeader {
  const header = msg.header as FramesHeader | undefined;
  if (!header || typeof header !== 'object' || !Array.isArray(header.frames) || !Number.isSafeInteger(header.total_bytes)) {
    throw new TransferError(`the kernel sent a malformed ${String(msg.type)} message: its header needs a frames list and total_bytes`);
  }
  return header;
}

/**
 * `content` as a KernelMessage; null for a message of a kind this page does not
 * know (a newer kernel's, say), which is ignored; a TransferError saying what is
 * wrong for a known kind with bad fields.
 */
export function checkKernelMessage(content: unknown, buffers: unknown): KernelMessage | null {
  if (content === null || typeof content !== 'object' || Array.isArray(content)) {
    throw new TransferError(`the kernel sent a malformed message: expected an object, got ${content === null ? 'null' : typeof content}`);
  }
  const msg = content as Fields;
  if (typeof msg.type !== 'string' || !KINDS.includes(msg.type)) {
    console.warn(`cloudreel: ignoring a kernel message of unknown type ${JSON.stringify(msg.type) ?? String(msg.type)}`);
    return null;
  }
  switch (msg.type) {
    case 'frames-offer': {
      const token = msg.token;
      // The token becomes part of a URL path: only the spool's own names pass.
      if (typeof token !== 'string' || !/^[0-9a-f]{32}$/.test(token)) {
        throw new TransferError('the kernel sent a malformed frames-offer message: token must be 32 hex digits');
      }
      const seconds = Number(msg.write_seconds);
      return { type: 'frames-offer', version: wholeNumber(msg, 'version'), header: framesHeader(msg), token, write_seconds: Number.isFinite(seconds) && seconds >= 0 ? seconds : 0 };
    }
    case 'frames-begin':
      return { type: 'frames-begin', version: wholeNumber(msg, 'version'), header: framesHeader(msg), chunks: wholeNumber(msg, 'chunks') };
    case 'frames-chunk': {
      const version = wholeNumber(msg, 'version');
      const index = wholeNumber(msg, 'index');
      const offset = wholeNumber(msg, 'offset');
      const data = Array.isArray(buffers) ? buffers[0] : undefined;
      if (!ArrayBuffer.isView(data) && !(data instanceof ArrayBuffer)) {
        throw new TransferError(`frames chunk ${index} came without binary data`);
      }
      return { type: 'frames-chunk', version, index, offset };
    }
    case 'frames-end':
      return { type: 'frames-end', version: wholeNumber(msg, 'version') };
    case 'export':
    case 'save': {
      const request = wholeNumber(msg, 'request');
      const codecs = msg.codecs;
      if (codecs != null && !(Array.isArray(codecs) && codecs.every((c) => typeof c === 'string'))) {
        throw new TransferError(`the kernel sent a malformed ${msg.type} message: codecs must be a list of codec ids`);
      }
      return { type: msg.type, request, ...(codecs != null ? { codecs: codecs as string[] } : {}) };
    }
    default:
      return { type: 'cancel' };
  }
}

// --- page -> kernel ---------------------------------------------------------

/**
 * Asks for the frames, over HTTP unless `failed_offer` names an offer this page
 * could not fetch (then over the comm); `have` is the version the page holds.
 */
export type RequestFrames = { type: 'request-frames'; have: number | null; http: boolean; failed_offer: string | null };
/** The page is done with offer `token`, fetched or not: the kernel drops its spool file. */
export type FramesReceived = { type: 'frames-received'; token: string };
/** The page is going (reload, closed tab, closed model): the kernel fails the requests it was serving. */
export type PageGone = { type: 'page-gone' };
/** The page took request `request`; the first page to answer serves it. */
export type Ack = { type: 'ack'; request: number };
/** A finished video follows in `chunks` file-chunk messages (save() and embed()). */
export type FileBegin = {
  type: 'file-begin';
  request: number;
  total_bytes: number;
  chunks: number;
  mime_type: string;
  extension: string;
  codec: string;
  frames: number;
  duration: number;
};
/** One chunk of the video, its bytes in the message's one binary buffer. */
export type FileChunk = { type: 'file-chunk'; request: number; index: number; offset: number };
export type ExportFailed = { type: 'export-failed'; request: number; message: string };

export type PageMessage = RequestFrames | FramesReceived | PageGone | Ack | FileBegin | FileChunk | ExportFailed;
/** A page message as sent: every one names its page, so the kernel can tell two tabs apart. */
export type SentPageMessage = PageMessage & { page: string };

/** request-frames: over HTTP, or over the comm after the page failed to fetch offer `failedOffer`. */
export function requestFrames(have: number | null, failedOffer: string | null = null): RequestFrames {
  return { type: 'request-frames', have, http: failedOffer === null, failed_offer: failedOffer };
}

export function framesReceived(token: string): FramesReceived {
  return { type: 'frames-received', token };
}

export function pageGone(): PageGone {
  return { type: 'page-gone' };
}

export function ack(request: number): Ack {
  return { type: 'ack', request };
}

/** file-begin for `result`'s video, `totalBytes` long, in `chunks` chunks. */
export function fileBegin(
  request: number,
  totalBytes: number,
  chunks: number,
  result: Pick<ExportResult, 'mimeType' | 'extension' | 'codec' | 'frames' | 'durationSeconds'>,
): FileBegin {
  return {
    type: 'file-begin',
    request,
    total_bytes: totalBytes,
    chunks,
    mime_type: result.mimeType,
    extension: result.extension,
    codec: result.codec,
    frames: result.frames,
    duration: result.durationSeconds,
  };
}

export function fileChunk(request: number, index: number, offset: number): FileChunk {
  return { type: 'file-chunk', request, index, offset };
}

export function exportFailed(request: number, message: string): ExportFailed {
  return { type: 'export-failed', request, message };
}

/** `message` as sent by page `page`. */
export function fromPage(message: PageMessage, page: string): SentPageMessage {
  return { ...message, page };
}
