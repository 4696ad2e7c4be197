// pointColors: the one function that colours a frame (its colors, categories,
// values or z), for the export and the in-cell player alike.
import { colorByScalar, colorByZ } from './colormap.js';
import type { Frame } from './frames.js';
import type { ColorScale } from './scale.js';

/** r g b per class code, looked up in the scale's palette. */
function colorByCategory(codes: Uint8Array, palette: Uint8Array): Uint8Array {
  const out = new Uint8Array(codes.length * 3);
  for (let i = 0; i < codes.length; i++) {
    const k = codes[i]! * 3;
    out[i * 3] = palette[k]!;
    out[i * 3 + 1] = palette[k + 1]!;
    out[i * 3 + 2] = palette[k + 2]!;
  }
  return out;
}

/** The r g b bytes a frame is drawn with: its colors, else its categories, else its values, else its z. */
export function pointColors(frame: Frame, scale: ColorScale): Uint8Array {
  const colors = frame.colors; // may be converted on each read: read once
  if (colors) return colors;
  if (frame.categories) return colorByCategory(frame.categories, scale.palette);
  if (frame.values) return colorByScalar(frame.values, 1, 0, scale.values[0], scale.values[1], scale.colormap);
  return colorByZ(frame.positions, scale.z[0], scale.z[1], scale.colormap);
}
