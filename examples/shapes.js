// The original tool's three test animations, generated deterministically:
// a 6-frame sphere (2k points, coloured), a 36-frame helix (10k points,
// coloured by z) and a 48-frame torus (100k points, coloured). Plain ES module:
// runs in a page, in Observable and in Node.

const TAU = Math.PI * 2;

/** Fibonacci sphere that breathes and turns; colours from the surface normal. */
export function sphere({ frames = 6, points = 2000 } = {}) {
  return Array.from({ length: frames }, (_, f) => {
    const spin = (TAU * f) / frames;
    const radius = 1 + 0.15 * Math.sin(spin);
    const xyz = new Float32Array(points * 3);
    const rgb = new Float32Array(points * 3);
    for (let i = 0; i < points; i++) {
      const z = 1 - (2 * (i + 0.5)) / points;
      const r = Math.sqrt(1 - z * z);
      const a = i * Math.PI * (3 - Math.sqrt(5)) + spin;
      const n = [r * Math.cos(a), r * Math.sin(a), z];
      xyz.set(n.map((v) => v * radius), i * 3);
      rgb.set(n.map((v) => (v + 1) / 2), i * 3);
    }
    return { points: xyz, colors: rgb };
  });
}

/** Double helix that rotates about z; no colors, so it is coloured by z with viridis. */
export function helix({ frames = 36, points = 10000 } = {}) {
  return Array.from({ length: frames }, (_, f) => {
    const spin = (TAU * f) / frames;
    const xyz = new Float32Array(points * 3);
    for (let i = 0; i < points; i++) {
      const t = (i >> 1) / (points / 2);
      const a = t * 4 * TAU + spin + (i & 1) * Math.PI;
      const wobble = 0.05 * Math.sin(i * 12.9898);
      xyz.set([(1 + wobble) * Math.cos(a), (1 + wobble) * Math.sin(a), 4 * t - 2], i * 3);
    }
    return { points: xyz, colors: null };
  });
}

/** Torus that tumbles about x; colour runs around the tube. */
export function torus({ frames = 48, points = 100000 } = {}) {
  const side = Math.ceil(Math.sqrt(points));
  return Array.from({ length: frames }, (_, f) => {
    const tilt = (TAU * f) / frames;
    const [c, s] = [Math.cos(tilt), Math.sin(tilt)];
    const xyz = new Float32Array(points * 3);
    const rgb = new Float32Array(points * 3);
    for (let i = 0; i < points; i++) {
      const u = ((i % side) / side) * TAU;
      const v = (Math.floor(i / side) / side) * TAU;
      const x = (2 + 0.7 * Math.cos(v)) * Math.cos(u);
      const y = (2 + 0.7 * Math.cos(v)) * Math.sin(u);
      const z = 0.7 * Math.sin(v);
      xyz.set([x, y * c - z * s, y * s + z * c], i * 3);
      rgb.set([0.5 + 0.5 * Math.cos(v), 0.5 + 0.5 * Math.sin(u), 0.6], i * 3);
    }
    return { points: xyz, colors: rgb };
  });
}

export const SHAPES = { sphere, helix, torus };
