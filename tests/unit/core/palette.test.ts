// The LAS category palette: the shared table (tests/cases/las-palette.json, which
// python/cloudreel/palette.py also matches), distinct colours, fallback, overrides, legend.
import fs from 'node:fs';
import path from 'node:path';
import { checkPalette, classColor, FALLBACK_COLORS, LAS_CLASSES, legend, paletteTable } from '../../../src/core/palette';

const table = JSON.parse(fs.readFileSync(path.join(__dirname, '../../cases/las-palette.json'), 'utf8')) as {
  classes: Array<{ code: number; name: string; color: string }>;
  fallback: string[];
};

test('the palette is the shared table', () => {
  expect(LAS_CLASSES).toEqual(table.classes);
  expect(FALLBACK_COLORS).toEqual(table.fallback);
});

test('the issue\'s classes are named, with colours distinct from each other and from black', () => {
  const codes = LAS_CLASSES.map((c) => c.code);
  expect(codes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 13, 14, 15, 16, 17, 18]);
  const rgb = LAS_CLASSES.map((c) => classColor(c.code));
  for (let i = 0; i < rgb.length; i++) {
    expect(Math.max(...rgb[i]!)).toBeGreaterThanOrEqual(100); // visible on the default black
    for (let j = 0; j < i; j++) {
      const distance = Math.hypot(...rgb[i]!.map((v, k) => v - rgb[j]![k]!));
      expect(distance).toBeGreaterThan(40);
    }
  }
});

test('other codes cycle through the fallback colours; the user\'s map wins', () => {
  expect(classColor(8)).toEqual([0x17, 0xbe, 0xcf]); // FALLBACK_COLORS[8 % 10]
  expect(classColor(12)).toEqual(classColor(22));
  const palette = checkPalette({ 2: '#00ff00', 200: [1, 2, 3] });
  expect(classColor(2, palette)).toEqual([0, 255, 0]);
  expect(classColor(6, palette)).toEqual(classColor(6));
  const lut = paletteTable(palette);
  expect(Array.from(lut.subarray(200 * 3, 201 * 3))).toEqual([1, 2, 3]);
  expect(Array.from(lut.subarray(6 * 3, 7 * 3))).toEqual(classColor(6));
});

test('legend: one sorted row per code present, with names and "#rrggbb" colours', () => {
  expect(legend([6, 2, 2, 8], checkPalette({ 6: [255, 0, 0] }))).toEqual([
    { code: 2, name: 'Ground', color: '#a0522d' },
    { code: 6, name: 'Building', color: '#ff0000' },
    { code: 8, name: 'Class 8', color: '#17becf' },
  ]);
});
