// One camera for the whole animation, fitted to the bounds of every frame, so
// the video never jumps or zooms between frames. The view direction is
// matplotlib's 3D default (azimuth -60 deg, elevation 30 deg, z up), which the
// original tool's users are used to. Here too: the cloud's centre and radius,
// and the near/far planes that keep it in view while a viewer orbits.
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

/** The cloud as a sphere: the centre of `bounds` and half their diagonal (a unit cube's without bounds). */
function cloudSphere(bounds: Bounds | null): { min: Vector3; max: Vector3; center: Vector3; halfDiagonal: number } {
  const min = new Vector3(...(bounds?.min ?? [-1, -1, -1]));
  const max = new Vector3(...(bounds?.max ?? [1, 1, 1]));
  return { min, max, center: min.clone().add(max).multiplyScalar(0.5), halfDiagonal: min.distanceTo(max) / 2 };
}

/** A fitted camera with what orbiting it needs: the point it looks at and the cloud's radius. */
export interface FittedView {
  camera: PerspectiveCamera;
  /** The bounds' centre, which the camera looks at. */
  target: Vector3;
  /** Half the bounds' diagonal (at least 1e-6: a single point or a flat cloud still needs room). */
  radius: number;
}

/**
 * A camera looking at the bounds' centre from `view`, just far enough back that
 * all eight corners of the bounds (so every point of every frame) are in view.
 */
export function fitView(bounds: Bounds | null, aspect: number, view: ViewAngles = MATPLOTLIB_VIEW): FittedView {
  const { min, max, center, halfDiagonal } = cloudSphere(bounds);
  // A single point (or a flat cloud) still needs some room around it.
  const radius = Math.max(halfDiagonal, 1e-6);

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
  return { camera, target: center, radius };
}

/** fitView's camera alone. */
export function fitCamera(bounds: Bounds | null, aspect: number, view: ViewAngles = MATPLOTLIB_VIEW): PerspectiveCamera {
  return fitView(bounds, aspect, view).camera;
}

/** Near and far planes around a cloud of `radius` at `target`, wherever orbit and zoom put the camera. */
export function clipAround(camera: PerspectiveCamera, target: Vector3, radius: number): void {
  const d = camera.position.distanceTo(target);
  const r = radius * 1.5;
  camera.near = Math.max(d - r, d * 1e-3, 1e-6);
  camera.far = Math.max(d + r, camera.near * 2);
  camera.updateProjectionMatrix();
}

/** A camera placed as `view` says, with near/far planes that hold `bounds`. */
export function cameraFromView(view: CameraView, bounds: Bounds | null, aspect: number): PerspectiveCamera {
  const target = new Vector3(...view.target);
  const position = new Vector3(...view.position);
  const { center, halfDiagonal } = cloudSphere(bounds);
  const reach = position.distanceTo(center) + halfDiagonal * 2;
  const camera = new PerspectiveCamera(view.fovDeg, aspect, reach * 1e-4, reach * 2);
  camera.up.set(...view.up);
  camera.position.copy(position);
  camera.lookAt(target);
  camera.updateProjectionMatrix();
  camera.updateMatrixWorld(true);
  return camera;
}
