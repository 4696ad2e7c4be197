// The three.js backend of the point scene, on a stand-in renderer: one Points object, sizes in drawing-buffer pixels, colours unencoded.
import { Color, LinearSRGBColorSpace, PerspectiveCamera, Points, PointsMaterial, ShaderLib, type Scene, type WebGLRenderer, type WebGLProgramParametersWithUniforms } from 'three';
import { createWebGLScene } from '../../../../src/core/scene/webgl-scene';

/** A stand-in for WebGLRenderer recording what the scene asks of it (unit tests have no WebGL). */
function fakeRenderer(pixelRatio: number) {
  let lost = false;
  const rendered: Scene[] = [];
  const renderer = {
    outputColorSpace: '',
    getPixelRatio: () => pixelRatio,
    setClearColor: jest.fn(),
    render: jest.fn((scene: Scene) => rendered.push(scene)),
    getContext: () => ({ isContextLost: () => lost }),
    forceContextLoss: jest.fn(() => (lost = true)),
    dispose: jest.fn(),
  };
  return { renderer, rendered, asThree: renderer as unknown as WebGLRenderer };
}

const points = (scene: Scene) => scene.children.filter((c): c is Points => c instanceof Points);

test('draws one Points object with the given bytes, colours unencoded', () => {
  const { renderer, rendered, asThree } = fakeRenderer(1);
  const scene = createWebGLScene(asThree);
  expect(renderer.outputColorSpace).toBe(LinearSRGBColorSpace);
  const positions = Float32Array.of(0, 0, 0, 1, 2, 3);
  const colors = Uint8Array.of(255, 0, 0, 0, 0, 255);
  scene.setPoints(positions, colors);
  scene.setPoints(positions, colors); // replaces, never adds
  scene.render(new PerspectiveCamera());
  const [drawn] = rendered;
  expect(points(drawn!)).toHaveLength(1);
  const [p] = points(drawn!);
  expect(p!.geometry.getAttribute('position').array).toBe(positions);
  expect(p!.geometry.getAttribute('color').array).toBe(colors);
  expect(p!.geometry.getAttribute('color').normalized).toBe(true);
  expect((p!.material as PointsMaterial).sizeAttenuation).toBe(false);
  scene.setPoints(null, null);
  expect(points(drawn!)).toHaveLength(0);
});

test('the point size is in drawing-buffer pixels at any pixel ratio; the background bytes as given', () => {
  for (const ratio of [1, 2, 1.5]) {
    const { renderer, rendered, asThree } = fakeRenderer(ratio);
    const scene = createWebGLScene(asThree);
    scene.setPoints(Float32Array.of(0, 0, 0), Uint8Array.of(1, 2, 3));
    scene.setPointSize(6);
    scene.render(new PerspectiveCamera());
    // three.js draws gl_PointSize = material.size * pixel ratio.
    expect((points(rendered[0]!)[0]!.material as PointsMaterial).size * ratio).toBeCloseTo(6, 12);
    scene.setBackground('#336699');
    const clear = renderer.setClearColor.mock.calls[0]![0] as Color;
    expect([clear.r, clear.g, clear.b].map((v) => Math.round(v * 255))).toEqual([0x33, 0x66, 0x99]);
  }
});

test('round points: a define switches on a discard outside the disc in the points shader, and a program of their own', () => {
  const { rendered, asThree } = fakeRenderer(1);
  const scene = createWebGLScene(asThree);
  scene.setPoints(Float32Array.of(0, 0, 0), Uint8Array.of(1, 2, 3));
  scene.render(new PerspectiveCamera());
  const material = points(rendered[0]!)[0]!.material as PointsMaterial;
  // three.js's own points fragment shader, as onBeforeCompile gets it.
  const shader = { fragmentShader: ShaderLib.points.fragmentShader } as WebGLProgramParametersWithUniforms;
  material.onBeforeCompile(shader, asThree);
  expect(shader.fragmentShader).toMatch(/#ifdef CLOUDREEL_ROUND_POINTS\s+if \(length\(gl_PointCoord - 0\.5\) > 0\.5\) discard;\s+#endif/);
  expect(shader.fragmentShader.indexOf('discard')).toBeLessThan(shader.fragmentShader.indexOf('#include <color_fragment>'));

  const squareKey = material.customProgramCacheKey();
  expect(material.defines?.CLOUDREEL_ROUND_POINTS).toBeUndefined();
  const version = material.version;
  scene.setPointShape('round');
  expect(material.defines).toHaveProperty('CLOUDREEL_ROUND_POINTS');
  expect(material.version).toBe(version + 1); // needsUpdate: three.js picks the program again
  expect(material.customProgramCacheKey()).not.toBe(squareKey);
  scene.setPointShape('round'); // no change, no recompile
  expect(material.version).toBe(version + 1);
  scene.setPointShape('square');
  expect(material.defines?.CLOUDREEL_ROUND_POINTS).toBeUndefined();
  expect(material.customProgramCacheKey()).toBe(squareKey);
  expect(material.version).toBe(version + 2);
});

test('a lost context is reported; dispose frees the context unless already lost', () => {
  const { renderer, asThree } = fakeRenderer(1);
  const scene = createWebGLScene(asThree);
  expect(scene.lost()).toBe(false);
  scene.dispose();
  expect(renderer.dispose).toHaveBeenCalledTimes(1);
  expect(renderer.forceContextLoss).toHaveBeenCalledTimes(1);

  const other = fakeRenderer(1);
  const lostScene = createWebGLScene(other.asThree);
  lostScene.loseContext();
  expect(lostScene.lost()).toBe(true);
  lostScene.dispose();
  expect(other.renderer.forceContextLoss).toHaveBeenCalledTimes(1);
});
