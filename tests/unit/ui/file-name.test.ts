/** @jest-environment jsdom */
import fc from 'fast-check';
import { MAX_STEM_BYTES, MAX_STEM_CHARS, sanitizeDownloadName, sanitizeFileName } from '../../../src/ui/file-name';

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
  ['..', 'mp4', 'animation.mp4'],
  ['a/../../b', 'mp4', 'a_b.mp4'],
  ['..\\..\\windows', 'mp4', 'windows.mp4'],
  ['tab\there', 'mp4', 'tab_here.mp4'],
  ['del\u007fc1\u0080\u009f', 'mp4', 'del_c1_.mp4'],
  ['lre\u202Aembed\u202Bpdf\u202Clro\u202Drlo\u202E', 'mp4', 'lreembedpdflrorlo.mp4'],
  ['iso\u2066late\u2067fsi\u2068pdi\u2069', 'mp4', 'isolatefsipdi.mp4'],
  ['alm\u061Cls\u2028ps\u2029', 'mp4', 'almlsps.mp4'],
  ['lone\ud800surrogate\udc00', 'mp4', 'lonesurrogate.mp4'],
  ['prn.tar.gz', 'mp4', 'prn_.tar.gz.mp4'],
  ['NUL .txt', 'mp4', 'NUL_ .txt.mp4'],
  ['lpt1', 'mp4', 'lpt1_.mp4'],
  ['Com9', 'mp4', 'Com9_.mp4'],
  ['COM\u00b9', 'mp4', 'COM\u00b9_.mp4'],
  ['conin$', 'mp4', 'conin$_.mp4'],
  ['CONOUT$.log', 'mp4', 'CONOUT$_.log.mp4'],
  ['nul/..', 'mp4', 'nul_.mp4'],
  ['x\\CON', 'mp4', 'x_CON.mp4'],
  ['trailing...', 'mp4', 'trailing.mp4'],
  ['  ', 'mp4', 'animation.mp4'],
  ['\u202E', 'mp4', 'animation.mp4'],
  ['<>:"|?*', 'mp4', '_.mp4'],
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

// Property tests: any text, including control and format characters and lone surrogates.
const anyText = fc.string({ unit: 'binary', maxLength: 400 });
const nastyText = fc
  .array(fc.oneof(fc.constantFrom('/', '\\', '..', '.', ' ', ':', '\u202e', '\u0000', '\u007f', '\u0085', 'CON', 'nul', 'com1', '\ud800', '\udc00'), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 40 })
  .map((parts) => parts.join(''));
const anyExtension = fc.oneof(fc.constantFrom('mp4', 'webm', 'gif', 'MP4'), fc.string({ maxLength: 20 }));

test('property: for any stem and extension, the name holds every invariant', () => {
  fc.assert(
    fc.property(fc.oneof(anyText, nastyText), anyExtension, (stem, extension) => {
      const name = sanitizeFileName(stem, extension);
      const dot = name.lastIndexOf('.');
      const ext = extension.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 16);
      const s = ext ? name.slice(0, dot) : name;
      expect(ext ? name.slice(dot + 1) : '').toBe(ext);
      expect(s.length).toBeGreaterThan(0);
      expect(s).not.toMatch(/[<>:"/\\|?*\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      expect(s).not.toMatch(/^[.\s]|[.\s]$/);
      expect(s).not.toMatch(/^(con|prn|aux|nul|conin\$|conout\$|com[1-9\u00b9\u00b2\u00b3]|lpt[1-9\u00b9\u00b2\u00b3]) *(\.|$)/i);
      expect(Array.from(s).length).toBeLessThanOrEqual(MAX_STEM_CHARS);
      expect(utf8Bytes(s)).toBeLessThanOrEqual(MAX_STEM_BYTES); // also throws on a lone surrogate
    }),
    { numRuns: 2000 },
  );
});

test('property: sanitising a made name again changes nothing (the download button re-checks names)', () => {
  fc.assert(
    fc.property(fc.oneof(anyText, nastyText), fc.constantFrom('mp4', 'webm', 'gif'), (stem, extension) => {
      const name = sanitizeFileName(stem, extension);
      expect(sanitizeDownloadName(name)).toBe(name);
      expect(sanitizeFileName(stemOf(name, extension), extension)).toBe(name);
    }),
    { numRuns: 2000 },
  );
});

test('sanitizeDownloadName splits off an extension only where it looks like one', () => {
  expect(sanitizeDownloadName('../x/clip.MP4')).toBe('x_clip.mp4');
  expect(sanitizeDownloadName('clip.tar.gz')).toBe('clip.tar.gz');
  expect(sanitizeDownloadName('clip.m p4')).toBe('clip.m p4');
  expect(sanitizeDownloadName('CON')).toBe('CON_');
  expect(sanitizeDownloadName('.mp4')).toBe('animation.mp4');
});
