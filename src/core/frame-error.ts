// FrameError: what every refused frame throws (its own module so the per-point checks can use it too).
export class FrameError extends Error {
  override name = 'FrameError';
}
