// How big a frame's points are drawn: the `pointSize` option, else a size from the
// frame's own point count (so a lone point is not drawn at the size a dense frame needs).

/** Frames of at most this many points are sparse: markers rather than a surface, each standing alone. */
export const SPARSE_POINTS = 100;
/**
 * The smallest square that keeps a lone point's colour through 4:2:0 video,
 * whose chroma covers 2x2 pixel blocks. An odd width, wherever it lands, loses
 * only half a row and half a column of blocks; an even one can lose a whole row
 * and column (measured on both H.264 paths, a red point decodes with R 178-194
 * at 6 px, 200-214 at 5 px, 218-224 at 7 px).
 */
export const CHROMA_SAFE_PX = 7;

/**
 * Pixels per point for a frame of `pointsInFrame` points: 4 for 1k points down
 * to 1 for 1M at a 720-line frame, scaled with the height, so a sparse cloud
 * stays visible and a dense one does not turn into a solid blob. A sparse
 * frame's points are odd whole-pixel squares of at least CHROMA_SAFE_PX, at any
 * height, so even a single point keeps its colour in the video.
 */
export function defaultPointSize(pointsInFrame: number, height: number): number {
  const base = Math.min(4, Math.max(1, 7 - Math.log10(Math.max(1, pointsInFrame))));
  const size = base * (height / 720);
  if (pointsInFrame > SPARSE_POINTS) return size;
  const whole = Math.ceil(Math.max(size, CHROMA_SAFE_PX));
  return whole % 2 === 1 ? whole : whole + 1;
}

/** Point diameter in pixels for a frame of `pointsInFrame` points `height` pixels tall: `requested` where set. */
export function pointSizeFor(pointsInFrame: number, height: number, requested?: number): number {
  return requested ?? defaultPointSize(pointsInFrame, height);
}
