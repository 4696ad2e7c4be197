// SceneLook: how a FrameSet is drawn, whoever draws it (the export, the in-cell
// player): the box the camera fits, the camera, and each frame's colours.
import type { PerspectiveCamera } from 'three';
import { cameraFromView, fitView, type CameraView, type FittedView } from '../camera.js';
import type { ColormapName } from '../colormap.js';
import type { Bounds, Frame, FrameSet } from '../frames.js';
import type { LazyFrames } from '../lazy-frames.js';
import { viewToLocal } from '../origin.js';
import { pointColors } from '../point-colors.js';
import { colorScale, framingBounds, type ColorScale, type ScaleOptions } from '../scale.js';

export interface LookOptions extends ScaleOptions {
  colormap?: ColormapName;
}

export interface SceneLook {
  /** The box the camera fits (the FrameSet's coordinates): the `bounds` option, else every point of every frame. */
  readonly framing: Bounds | null;
  /** The camera fitted to the framing for a picture of this width / height. */
  fitted(aspect: number): FittedView;
  /** A camera placed as `view` (world coordinates) says, its planes holding the framing. */
  cameraFrom(view: CameraView, aspect: number): PerspectiveCamera;
  /** r g b bytes per point of `frame` (one of the set's). */
  colors(frame: Frame): Uint8Array;
}

export function sceneLook(set: FrameSet | LazyFrames | null, options: LookOptions): SceneLook {
  const framing = framingBounds(set, options.bounds);
  let scale: ColorScale | null = null;
  return {
    framing,
    fitted: (aspect) => fitView(framing, aspect),
    // The frames are drawn in local coordinates (relative to set.origin); a view comes in world ones.
    cameraFrom: (view, aspect) => cameraFromView(viewToLocal(view, set?.origin), framing, aspect),
    colors(frame) {
      if (!set) return new Uint8Array(frame.count * 3);
      scale ??= colorScale(set, options);
      return pointColors(frame, scale);
    },
  };
}
