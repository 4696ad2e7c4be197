// The three.js backend of PointScene: a scene of one Points object with an
// unattenuated PointsMaterial, drawn by a WebGLRenderer its host made (the
// export's own offscreen canvas, or the player's on-page one).
import { BufferAttribute, BufferGeometry, LinearSRGBColorSpace, Points, PointsMaterial, Scene, type WebGLRenderer } from 'three';
import { backgroundColor, type PointScene } from './point-scene.js';

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
