// The three.js backend of PointScene: a scene of one Points object with an
// unattenuated PointsMaterial (round points: a discard in its fragment shader),
// drawn by a WebGLRenderer its host made (the export's own offscreen canvas, or the player's on-page one).
import { BufferAttribute, BufferGeometry, LinearSRGBColorSpace, Points, PointsMaterial, Scene, type WebGLRenderer } from 'three';
import type { PointShape } from '../settings.js';
import { backgroundColor, type PointScene } from './point-scene.js';

const ROUND_DEFINE = 'CLOUDREEL_ROUND_POINTS';
/** Drops the square's pixels whose centres lie outside the disc, the CPU rasteriser's rule for round points. */
const ROUND_DISCARD = `#ifdef ${ROUND_DEFINE}
  if (length(gl_PointCoord - 0.5) > 0.5) discard;
#endif`;

export interface WebGLPointScene extends PointScene {
  readonly kind: 'webgl';
  readonly renderer: WebGLRenderer;
  /** Test-only: loses the context, as a GPU reset would. */
  loseContext(): void;
}

export function createWebGLScene(renderer: WebGLRenderer): WebGLPointScene {
  // Colours go to the frame as given: no sRGB encoding of the byte values.
  renderer.outputColorSpace = LinearSRGBColorSpace;
  const scene = new Scene();
  const material = new PointsMaterial({ sizeAttenuation: false, vertexColors: true });
  let shape: PointShape = 'square';
  material.onBeforeCompile = (shader) => {
    shader.fragmentShader = shader.fragmentShader.replace('#include <clipping_planes_fragment>', `#include <clipping_planes_fragment>\n${ROUND_DISCARD}`);
  };
  material.customProgramCacheKey = () => `cloudreel-points-${shape}`;
  let points: Points | null = null;

  const clearPoints = () => {
    if (!points) return;
    scene.remove(points);
    points.geometry.dispose();
    points = null;
  };
  const lost = () => renderer.getContext().isContextLost();

  return {
    kind: 'webgl',
    renderer,
    setPoints(positions, colors) {
      clearPoints();
      if (!positions || !colors) return;
      const geometry = new BufferGeometry();
      geometry.setAttribute('position', new BufferAttribute(positions, 3));
      geometry.setAttribute('color', new BufferAttribute(colors, 3, true));
      points = new Points(geometry, material);
      points.frustumCulled = false;
      scene.add(points);
    },
    setPointSize(pixels) {
      // three.js multiplies the material's size by the pixel ratio.
      material.size = pixels / renderer.getPixelRatio();
    },
    setPointShape(next) {
      if (next === shape) return;
      shape = next;
      if (shape === 'round') material.defines = { [ROUND_DEFINE]: '' };
      else delete material.defines?.[ROUND_DEFINE];
      material.needsUpdate = true; // compiles (or takes from the cache) the program for this shape
    },
    setBackground(css) {
      renderer.setClearColor(backgroundColor(css), 1);
    },
    render(camera) {
      renderer.render(scene, camera);
    },
    lost,
    loseContext: () => renderer.forceContextLoss(),
    dispose() {
      clearPoints();
      material.dispose();
      renderer.dispose();
      // Frees the context now rather than at garbage collection (browsers cap live contexts).
      if (!lost()) renderer.forceContextLoss();
    },
  };
}
