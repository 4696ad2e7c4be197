/** @jest-environment jsdom */
import { MAX_STEM_BYTES, MAX_STEM_CHARS, sanitizeFileName } from '../../../src/ui/file-name';

/** UTF-8 length; encodeURIComponent also throws on a lone surrogate. */
const utf8Bytes = (s: string) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, 'x').length;
const stemOf = (name: string, ext: string) => (ext ? name.slice(0, -(ext.length + 1)) : name);

const cases: Array<[string, string, string]> = [
  ['animation', 'mp4', 'animation.mp4'],
  ['../../etc/passwd', 'mp4', 'etc_passwd.mp4'],
  ['a/b\\c', 'mp4', 'a_b_c.mp4'],
  ['/', 'mp4', 'animation.mp4'],
  ['C:\\Users\\me\\clip', 'webm', 'C__Users_me_clip.webm'],
  ['CON', 'mp4', 'CON_.mp4'],
  ['con', 'GIF', 'con_.gif'],
  ['nul.txt', 'mp4', 'nul_.txt.mp4'],
  ['Aux', 'mp4', 'Aux_.mp4'],
  ['LPT9', 'webm', 'LPT9_.webm'],
  ['com1.tar', 'mp4', 'com1_.tar.mp4'],
  ['COM0', 'mp4', 'COM0.mp4'],
  ['console', 'mp4', 'console.mp4'],
  ['a\u0000b\nc\td\u001f', 'mp4', 'a_b_c_d_.mp4'],
  ['bell\u0007\u007f\u0085', 'mp4', 'bell_.mp4'],
  ['clip<1>:"2"|?*', 'mp4', 'clip_1_2_.mp4'],
  ['photo\u202Egnp.exe', 'mp4', 'photognp.exe.mp4'],
  ['', 'mp4', 'animation.mp4'],
  ['...', 'mp4', 'animation.mp4'],
  [' . . ', 'mp4', 'animation.mp4'],
  ['.hidden', 'mp4', 'hidden.mp4'],
  ['trailing. ', 'mp4', 'trailing.mp4'],
  ['  spaced name  ', 'mp4', 'spaced name.mp4'],
  ['Punktwolke Ünïcödé 点云 ☁️ — v2', 'mp4', 'Punktwolke Ünïcödé 点云 ☁️ — v2.mp4'],
  ['x'.repeat(300), 'mp4', `${'x'.repeat(120)}.mp4`],
  [`${'y'.repeat(119)}.....z`, 'mp4', `${'y'.repeat(119)}.mp4`],
  ['clip', '.MP4', 'clip.mp4'],
  ['clip', 'm/p 4', 'clip.mp4'],
  ['clip', '', 'clip'],
];

test.each(cases)('sanitizeFileName(%j, %j) is %j', (stem, ext, expected) => {
  expect(sanitizeFileName(stem, ext)).toBe(expected);
});

const nasty = [
  ...cases.map(([stem]) => stem),
  '😀'.repeat(130),
  '点'.repeat(300),
  `${'a'.repeat(119)}😀b`,
  '\\\\server\\share\\..\\..\\x',
  'nul',
  `nul.${'q'.repeat(200)}`,
  ' \u0000 ',
];

test.each(nasty.map((s) => [s]))('invariants hold for %j', (stem) => {
  const name = sanitizeFileName(stem, 'mp4');
  const s = stemOf(name, 'mp4');
  expect(name.endsWith('.mp4')).toBe(true);
  expect(s.length).toBeGreaterThan(0);
  expect(s).not.toMatch(/[<>:"/\\|?*\u0000-\u001f\u007f-\u009f]/);
  expect(s).not.toMatch(/^[.\s]|[.\s]$/);
  expect(s).not.toMatch(/^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\.|$)/i);
  expect(Array.from(s).length).toBeLessThanOrEqual(MAX_STEM_CHARS);
  expect(utf8Bytes(s)).toBeLessThanOrEqual(MAX_STEM_BYTES);
  // No half of a surrogate pair left behind by the cut.
  expect(s).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
});

test('long names are cut on whole characters, and to fit file systems in bytes', () => {
  expect(sanitizeFileName(`${'a'.repeat(119)}😀b`, 'gif')).toBe(`${'a'.repeat(119)}😀.gif`);
  expect(sanitizeFileName('😀'.repeat(130), 'mp4')).toBe(`${'😀'.repeat(50)}.mp4`);
  expect(sanitizeFileName('点'.repeat(300), 'mp4')).toBe(`${'点'.repeat(66)}.mp4`);
});
