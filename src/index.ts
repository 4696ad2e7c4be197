export * from './core/index.js';
// The wire format's decoder (python/cloudreel/wire.py's layout), for pages that receive frames from Python: the runner page (src/runner) checks each frame as it arrives with PayloadDecoder.
export { decodePayload, PayloadDecoder, TransferError, type FramesHeader } from './widget/frame-transfer.js';
