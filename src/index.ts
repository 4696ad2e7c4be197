export * from './core/index.js';
// The wire format's decoder (python/cloudreel/wire.py's layout), for pages that receive frames from Python: the runner page (src/runner) checks each frame as it arrives with PayloadDecoder.
export { decodePayload, PayloadDecoder, TransferError, type FramesHeader } from './widget/frame-transfer.js';
// A lazy export's frames (python/cloudreel/lazy_frames.py): the runner page fetches each as the renderer asks.
export { checkLazyHeader, decodeFrameMessage, fetchedFrames, type LazyHeader } from './widget/lazy-transfer.js';
