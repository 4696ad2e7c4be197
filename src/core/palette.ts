// The category palette: a named colour for each ASPRS LAS classification code
// (legend-ready), a fallback cycle for the other codes, and user overrides.
// python/cloudreel/palette.py holds the same table; tests/cases/las-palette.json keeps them equal.

export interface ClassColor {
  code: number;
  name: string;
  /** "#rrggbb" */
  color: string;
}

/** ASPRS LAS 1.4 classification codes with distinct colours that stay visible on black. */
export const LAS_CLASSES: readonly ClassColor[] = [
  { code: 0, name: 'Created, never classified', color: '#808080' },
  { code: 1, name: 'Unclassified', color: '#c8c8c8' },
  { code: 2, name: 'Ground', color: '#a0522d' },
  { code: 3, name: 'Low vegetation', color: '#b5e61d' },
  { code: 4, name: 'Medium vegetation', color: '#4cbb17' },
  { code: 5, name: 'High vegetation', color: '#228b22' },
  { code: 6, name: 'Building', color: '#e8403a' },
  { code: 7, name: 'Low point (noise)', color: '#ff00ff' },
  { code: 9, name: 'Water', color: '#1e90ff' },
  { code: 10, name: 'Rail', color: '#ff8c00' },
  { code: 11, name: 'Road surface', color: '#d2b48c' },
  { code: 13, name: 'Wire - guard (shield)', color: '#fff68f' },
  { code: 14, name: 'Wire - conductor (phase)', color: '#ffff00' },
  { code: 15, name: 'Transmission tower', color: '#00ffff' },
  { code: 16, name: 'Wire-structure connector (insulator)', color: '#7fffd4' },
  { code: 17, name: 'Bridge deck', color: '#9370db' },
  { code: 18, name: 'High noise', color: '#ff69b4' },
];

/** Codes without a named colour (8, 12, 19..255) take FALLBACK_COLORS[code % length]. */
export const FALLBACK_COLORS: readonly string[] = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf', '#7f7f7f',
];

export type RGB = [number, number, number];
/** `{class: colour}`: keys 0..255, colours "#rrggbb" or [r, g, b] with 0..255 integers. */
export type PaletteInput = Record<number | string, string | ArrayLike<number>> | ReadonlyMap<number, string | ArrayLike<number>>;
/** A checked palette override: class code -> colour. */
export type Palette = ReadonlyMap<number, RGB>;

const NAMED = new Map(LAS_CLASSES.map((c) => [c.code, c]));

const hex = ([r, g, b]: RGB): string => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;

function parseHex(text: string): RGB | null {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
  return m ? [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)] : null;
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

/** The user's `{class: colour}` map, checked; RangeError naming the entry otherwise. */
export function checkPalette(input: unknown): Map<number, RGB> {
  if (input == null || typeof input !== 'object' || Array.isArray(input)) {
    throw new RangeError(`palette must map class codes to colours, e.g. {2: '#a0522d'}, got ${show(input)}`);
  }
  const entries: Array<[unknown, unknown]> = input instanceof Map ? [...input.entries()] : Object.entries(input);
  const out = new Map<number, RGB>();
  for (const [key, colour] of entries) {
    const code = typeof key === 'string' && /^\d+$/.test(key) ? Number(key) : key;
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 255) {
      throw new RangeError(`palette keys must be class codes from 0 to 255, got ${show(key)}`);
    }
    let rgb: RGB | null = null;
    if (typeof colour === 'string') rgb = parseHex(colour);
    else if (colour != null && typeof colour === 'object' && (colour as ArrayLike<unknown>).length === 3) {
      const c = Array.from(colour as ArrayLike<unknown>);
      if (c.every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 255)) rgb = c as RGB;
    }
    if (!rgb) throw new RangeError(`palette[${code}] must be "#rrggbb" or [r, g, b] with integers 0..255, got ${show(colour)}`);
    out.set(code, rgb);
  }
  return out;
}

/** The colour of class `code`: the user's, else the LAS one, else the fallback cycle's. */
export function classColor(code: number, palette?: Palette): RGB {
  const own = palette?.get(code);
  if (own) return own;
  return parseHex(NAMED.get(code)?.color ?? FALLBACK_COLORS[code % FALLBACK_COLORS.length]!)!;
}

/** Legend rows for `codes` (sorted, once each): the class name (or "Class N") and its colour as "#rrggbb". */
export function legend(codes: Iterable<number>, palette?: Palette): ClassColor[] {
  return [...new Set(codes)].sort((a, b) => a - b).map((code) => ({
    code,
    name: NAMED.get(code)?.name ?? `Class ${code}`,
    color: hex(classColor(code, palette)),
  }));
}

/** r g b for every code 0..255, for colouring a frame by lookup. */
export function paletteTable(palette?: Palette): Uint8Array {
  const table = new Uint8Array(256 * 3);
  for (let code = 0; code < 256; code++) table.set(classColor(code, palette), code * 3);
  return table;
}
