// LazyFrames: an animation whose frames are made or fetched as they are drawn (files, a
// network), its bounds, origin and value range known up front; a FrameSet is the in-memory case.
import type { Bounds, Frame, FrameSet } from './frames.js';
import type { Vec3 } from './origin.js';
import { valueRange } from './scale.js';

export interface LazyFrames {
  readonly count: number;
  /** Bounds over every point of every frame, relative to origin; null when all frames are empty. */
  readonly bounds: Bounds | null;
  /** World (float64) coordinates of local (0, 0, 0), as FrameSet's. */
  readonly origin: Vec3;
  /** Lowest and highest value over every frame's values (colour by value with no vmin/vmax), or null. */
  readonly valueRange: [number, number] | null;
  /** Frame `index`, validated; the renderer awaits it and asks again when a fallback codec renders again. */
  frame(index: number): Promise<Frame>;
  /** Says the renderer is done with frame `index` (a source may then drop it). */
  release?(index: number): void;
}

/** Whether `frames` is a LazyFrames (has frame(i)) rather than a FrameSet. */
export function isLazyFrames(frames: FrameSet | LazyFrames): frames is LazyFrames {
  return typeof (frames as LazyFrames).frame === 'function' && typeof (frames as LazyFrames).count === 'number';
}

/** The frames of a FrameSet as a LazyFrames (already in memory). */
export function lazyFrames(set: FrameSet): LazyFrames {
  let range: [number, number] | null | undefined;
  return {
    count: set.frames.length,
    bounds: set.bounds,
    origin: set.origin,
    get valueRange() {
      return range === undefined ? (range = valueRange(set)) : range;
    },
    frame: async (index) => frameAt(set, index),
  };
}

/** Frame `index` of an in-memory FrameSet; a RangeError outside it. */
export function frameAt(set: FrameSet, index: number): Frame {
  const frame = set.frames[index];
  if (!frame) throw new RangeError(`frame index ${index} is outside 0..${set.frames.length - 1}`);
  return frame;
}

/** How many frames `frames` holds. */
export const frameCount = (frames: FrameSet | LazyFrames): number => (isLazyFrames(frames) ? frames.count : frames.frames.length);
