import { Matrix4, Vector3 } from 'three';
import { fitCamera } from '../../../src/core/camera';
import { clearTarget, createRasterTarget, drawPoints, packRGBA } from '../../../src/core/raster';
import type { PointShape } from '../../../src/core/settings';

const IDENTITY = new Matrix4().elements;
const BLACK = packRGBA(0, 0, 0);

function lit(target: ReturnType<typeof createRasterTarget>) {
  const out: Array<[number, number]> = [];
  target.pixels.forEach((p, k) => p !== BLACK && out.push([k % target.width, Math.floor(k / target.width)]));
  return out;
}

function draw(points: number[], colors: number[], size: number, matrix = IDENTITY, w = 8, h = 8, shape?: PointShape) {
  const t = createRasterTarget(w, h);
  clearTarget(t, BLACK);
  if (shape) drawPoints(t, new Float32Array(points), new Uint8Array(colors), matrix, size, shape);
  else drawPoints(t, new Float32Array(points), new Uint8Array(colors), matrix, size);
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

// Round points: the square's pixels whose centres lie within size/2 of the point (16x16: window x = (ndc.x + 1) * 8).
const minus = (all: Array<[number, number]>, gone: Array<[number, number]>) => all.filter(([c, r]) => !gone.some(([gc, gr]) => gc === c && gr === r));
test.each([
  // Centre (8.5, 8.5): offsets -2..2; the corners are 2.83 away, outside the radius 2.5.
  ['size 5 at a pixel centre', 5, [0.0625, 0.0625], minus(square([6, 7, 8, 9, 10], [5, 6, 7, 8, 9]), [[6, 5], [10, 5], [6, 9], [10, 9]])],
  // Centre (8, 8): offsets ±0.5, ±1.5; the corners are 2.12 away, outside the radius 2.
  ['size 4 at a pixel corner', 4, [0, 0], minus(square([6, 7, 8, 9], [6, 7, 8, 9]), [[6, 6], [9, 6], [6, 9], [9, 9]])],
  // Centre (8.5, 8.5): the corners are 1.41 away, inside the radius 1.5: the whole 3x3 square.
  ['size 3 at a pixel centre', 3, [0.0625, 0.0625], square([7, 8, 9], [6, 7, 8])],
  ['size 1 at a pixel centre', 1, [0.0625, 0.0625], [[8, 7]]],
] as const)('round: %s covers exactly the pixels within size/2 of it', (_name, size, [x, y], pixels) => {
  const round = draw([x, y, 0], [255, 0, 0], size, IDENTITY, 16, 16, 'round');
  expect(lit(round).sort()).toEqual([...pixels].map((p) => [...p]).sort());
  const squareShape = lit(draw([x, y, 0], [255, 0, 0], size, IDENTITY, 16, 16, 'square'));
  expect(lit(round).every(([c, r]) => squareShape.some(([sc, sr]) => sc === c && sr === r))).toBe(true);
});

test('round points keep the depth test and clip at the edges', () => {
  const red = [255, 0, 0];
  const blue = [0, 0, 255];
  const t = draw([0.0625, 0.0625, 0.5, 0.0625, 0.0625, -0.5], [...blue, ...red], 5, IDENTITY, 16, 16, 'round');
  expect(new Set(lit(t).map(([c, r]) => t.pixels[r * 16 + c]))).toEqual(new Set([packRGBA(255, 0, 0)]));
  // The visible quarter: the square's 3x3 less its corner (2.5, 2.5), 3.54 away from the point, outside the radius 3.
  expect(lit(draw([1, 1, 0], red, 6, IDENTITY, 16, 16, 'round')).length).toBe(8);
});

test("'square' is the default and draws exactly what drawPoints always drew", () => {
  const cloud = Array.from({ length: 60 }, (_, i) => [Math.sin(i) * 0.9, Math.cos(i * 1.3) * 0.9, Math.sin(i * 0.7) * 0.9]).flat();
  const colors = Array.from({ length: 60 * 3 }, (_, i) => (i * 37) % 256);
  for (const size of [1, 2.5, 4, 7]) {
    const plain = draw(cloud, colors, size, IDENTITY, 32, 32);
    const square = draw(cloud, colors, size, IDENTITY, 32, 32, 'square');
    expect(Array.from(square.pixels)).toEqual(Array.from(plain.pixels));
    expect(Array.from(square.depth)).toEqual(Array.from(plain.depth));
  }
  // Large enough, the discs leave out the squares' corners.
  expect(lit(draw(cloud, colors, 7, IDENTITY, 32, 32, 'round')).length).toBeLessThan(lit(draw(cloud, colors, 7, IDENTITY, 32, 32)).length);
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
