// One camera for the whole animation, fitted to the bounds of every frame, so
// the video never jumps or zooms between frames. The view direction is
// matplotlib's 3D default (azimuth -60 deg, elevation 30 deg, z up), which the
// original tool's users are used to.
import { PerspectiveCamera, Vector3 } from 'three';
import type { Bounds } from './frames.js';

export interface ViewAngles {
  azimuthDeg: number;
  elevationDeg: number;
}

/** A camera as a viewer hands it over: where it is, what it looks at, which way is up. */
export interface CameraView {
  position: [number, number, number];
  target: [number, number, number];
  up: [number, number, number];
  fovDeg: number;
}

export const MATPLOTLIB_VIEW: ViewAngles = { azimuthDeg: -60, elevationDeg: 30 };
const VERTICAL_FOV_DEG = 35;
/** Room around the cloud (and for the title line). */
const MARGIN = 1.1;

/**
 * A camera looking at the bounds' centre from `view`, just far enough back that
 * all eight corners of the bounds (so every point of every frame) are in view.
 */
export function fitCamera(bounds: Bounds | null, aspect: number, view: ViewAngles = MATPLOTLIB_VIEW): PerspectiveCamera {
  const min = new Vector3(...(bounds?.min ?? [-1, -1, -1]));
  const max = new Vector3(...(bounds?.max ?? [1, 1, 1]));
  const center = min.clone().add(max).multiplyScalar(0.5);
  // A single point (or a flat cloud) still needs some room around it.
  const radius = Math.max(min.distanceTo(max) / 2, 1e-6);

  const az = (view.azimuthDeg * Math.PI) / 180;
  const el = (view.elevationDeg * Math.PI) / 180;
  const back = new Vector3(Math.cos(el) * Math.cos(az), Math.cos(el) * Math.sin(az), Math.sin(el));
  const right = new Vector3(0, 0, 1).cross(back).normalize();
  const up = back.clone().cross(right);

  const tanV = Math.tan((VERTICAL_FOV_DEG * Math.PI) / 360) / MARGIN;
  const tanH = tanV * aspect;
  // For a corner at offset o: depth = d - o.back, and it is in view when
  // |o.right| <= depth * tanH and |o.up| <= depth * tanV.
  let distance = radius * 1e-3;
  let nearest = Infinity;
  let farthest = -Infinity;
  const corner = new Vector3();
  for (const x of [min.x, max.x]) for (const y of [min.y, max.y]) for (const z of [min.z, max.z]) {
    const o = corner.set(x, y, z).sub(center);
    const along = o.dot(back);
    distance = Math.max(distance, Math.abs(o.dot(right)) / tanH + along, Math.abs(o.dot(up)) / tanV + along);
    nearest = Math.min(nearest, -along);
    farthest = Math.max(farthest, -along);
  }
  if (radius <= 1e-6) distance = 1;

  const near = Math.max((distance + nearest) * 0.5, distance * 1e-3);
  const camera = new PerspectiveCamera(VERTICAL_FOV_DEG, aspect, near, (distance + farthest) * 1.5 + 1e-3);
  camera.up.set(0, 0, 1);
  camera.position.copy(center).addScaledVector(back, distance);
  camera.lookAt(center);
  camera.updateProjectionMatrix();
  camera.updateMatrixWorld(true);
  return camera;
}

/** A camera placed as `view` says, with near/far planes that hold `bounds`. */
export function cameraFromView(view: CameraView, bounds: Bounds | null, aspect: number): PerspectiveCamera {
  const target = new Vector3(...view.target);
  const position = new Vector3(...view.position);
  const min = new Vector3(...(bounds?.min ?? [-1, -1, -1]));
  const max = new Vector3(...(bounds?.max ?? [1, 1, 1]));
  const reach = position.distanceTo(min.clone().add(max).multiplyScalar(0.5)) + min.distanceTo(max);
  const camera = new PerspectiveCamera(view.fovDeg, aspect, reach * 1e-4, reach * 2);
  camera.up.set(...view.up);
  camera.position.copy(position);
  camera.lookAt(target);
  camera.updateProjectionMatrix();
  camera.updateMatrixWorld(true);
  return camera;
}
