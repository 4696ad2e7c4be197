import { Matrix4, Vector3 } from 'three';
import { fitCamera } from '../../../src/core/camera';
import { clearTarget, createRasterTarget, drawPoints, packRGBA } from '../../../src/core/raster';

const IDENTITY = new Matrix4().elements;
const BLACK = packRGBA(0, 0, 0);

function lit(target: ReturnType<typeof createRasterTarget>) {
  const out: Array<[number, number]> = [];
  target.pixels.forEach((p, k) => p !== BLACK && out.push([k % target.width, Math.floor(k / target.width)]));
  return out;
}

function draw(points: number[], colors: number[], size: number, matrix = IDENTITY, w = 8, h = 8) {
  const t = createRasterTarget(w, h);
  clearTarget(t, BLACK);
  drawPoints(t, new Float32Array(points), new Uint8Array(colors), matrix, size);
  return t;
}

// An 8x8 target: window x = (ndc.x + 1) * 4, window y counts from the bottom;
// GL covers the pixels whose centres lie in [w - size/2, w + size/2).
const square = (cols: number[], rows: number[]) => cols.flatMap((c) => rows.map((r) => [c, r] as [number, number]));
test.each([
  ['size 1 at window (4.5, 3.5)', 1, [0.125, -0.125], [[4, 4]]],
  ['size 2 at window (4, 4)', 2, [0, 0], square([3, 4], [3, 4])],
  ['size 3 at window (4.5, 3.5)', 3, [0.125, -0.125], square([3, 4, 5], [3, 4, 5])],
  ['size 1.5 at window (4.2, 4.2)', 1.5, [0.05, 0.05], square([3, 4], [3, 4])],
] as const)('%s covers the pixels WebGL would', (_name, size, [x, y], pixels) => {
  const t = draw([x, y, 0], [255, 0, 0], size);
  expect(lit(t).sort()).toEqual([...pixels].map((p) => [...p]).sort());
});

test('colours are written as given, packed RGBA', () => {
  const t = draw([0.125, -0.125, 0], [12, 200, 34], 1);
  const k = t.pixels.findIndex((p) => p !== BLACK);
  expect(Array.from(new Uint8Array(t.pixels.buffer, k * 4, 4))).toEqual([12, 200, 34, 255]);
});

test('the nearer point wins whatever the order; at equal depth the later one (LEQUAL)', () => {
  const near = [0.125, -0.125, -0.5];
  const far = [0.125, -0.125, 0.5];
  const red = [255, 0, 0];
  const blue = [0, 0, 255];
  expect(lit(draw([...near, ...far], [...red, ...blue], 1)).length).toBe(1);
  const colourAt = (t: ReturnType<typeof createRasterTarget>) => t.pixels.find((p) => p !== BLACK);
  expect(colourAt(draw([...near, ...far], [...red, ...blue], 1))).toBe(packRGBA(255, 0, 0));
  expect(colourAt(draw([...far, ...near], [...blue, ...red], 1))).toBe(packRGBA(255, 0, 0));
  expect(colourAt(draw([...near, ...near], [...red, ...blue], 1))).toBe(packRGBA(0, 0, 255));
});

test('points outside the near/far planes or behind the camera are not drawn; edges are clipped', () => {
  expect(lit(draw([0, 0, 1.5], [255, 0, 0], 1))).toEqual([]);
  const behind = new Matrix4().set(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1).elements;
  expect(lit(draw([0, 0, 0], [255, 0, 0], 1, behind))).toEqual([]);
  expect(lit(draw([1, 1, 0], [255, 0, 0], 4)).length).toBe(4); // a corner point keeps only its visible quarter
});

test('through a real camera, a point lands where three.js projects it', () => {
  const camera = fitCamera({ min: [-1, -1, -1], max: [1, 1, 1] }, 16 / 9);
  const vp = new Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse).elements;
  const p = new Vector3(0.3, -0.7, 0.2);
  const t = draw([p.x, p.y, p.z], [255, 255, 255], 1, vp, 160, 90);
  const ndc = p.clone().project(camera);
  const x = Math.floor((ndc.x * 0.5 + 0.5) * 160);
  const y = 90 - 1 - Math.floor((ndc.y * 0.5 + 0.5) * 90);
  expect(lit(t)).toEqual([[x, y]]);
});
