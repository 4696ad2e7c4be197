// The messages the kernel sends to the page, checked before the model acts on
// them: the page does not trust the kernel, and a malformed message must end in
// a clear error status, never an exception thrown into the widget manager.
import { TransferError, type FramesHeader } from './frame-transfer.js';

export type KernelMessage =
  | { type: 'frames-offer'; version: number; header: FramesHeader; token: string; write_seconds: number }
  | { type: 'frames-begin'; version: number; header: FramesHeader; chunks: number }
  | { type: 'frames-chunk'; version: number; index: number; offset: number }
  | { type: 'frames-end'; version: number }
  | { type: 'export' | 'save'; request: number; codecs?: string[] }
  | { type: 'cancel' };

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
