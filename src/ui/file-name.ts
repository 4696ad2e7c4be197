// A file name that is safe to hand to <a download> on every desktop OS.

/** Largest stem, in characters (code points). */
export const MAX_STEM_CHARS = 120;
/**
 * Largest stem in UTF-8 bytes: common file systems cap a name at 255 bytes, and
 * 120 CJK characters or emoji would exceed that; 200 leaves room for ".ext".
 */
export const MAX_STEM_BYTES = 200;
const MAX_EXTENSION_CHARS = 16;
export const DEFAULT_STEM = 'animation';

/** Characters Windows forbids in names, plus C0/C1 control characters. */
const FORBIDDEN = /[<>:"|?*\u0000-\u001f\u007f-\u009f]+/g;
/**
 * Invisible format characters: zero-width and bidi controls (U+202E spoofs
 * "gpj.exe" as "exe.jpg"), the Arabic letter mark, line/paragraph separators,
 * and halves of surrogate pairs left alone (not text at all).
 */
const INVISIBLE = /[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/**
 * Windows device names, reserved even with an extension ("nul.txt") and with
 * spaces before it ("nul .txt"); case-insensitive.
 */
const RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[1-9\u00b9\u00b2\u00b3]|lpt[1-9\u00b9\u00b2\u00b3])(?= *(\.|$))/i;
/** A path segment that is empty or only dots/spaces: "", ".", "..", " . ". */
const EMPTY_SEGMENT = /^[.\s]*$/;

function trimDotsAndSpaces(s: string): string {
  return s.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
}

function utf8Length(char: string): number {
  const code = char.codePointAt(0)!;
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}

/** At most MAX_STEM_CHARS code points and MAX_STEM_BYTES UTF-8 bytes, never splitting a surrogate pair. */
function truncate(s: string): string {
  let out = '';
  let chars = 0;
  let bytes = 0;
  for (const char of s) {
    bytes += utf8Length(char);
    if (++chars > MAX_STEM_CHARS || bytes > MAX_STEM_BYTES) break;
    out += char;
  }
  return out;
}

/**
 * `stem.extension`, safe as a download name: path segments are joined with "_"
 * ("a/b" -> "a_b") after dropping "", "." and ".." segments, so "../../etc/passwd"
 * becomes "etc_passwd"; runs of forbidden or control characters become one "_";
 * invisible format characters (and lone surrogates) are removed; leading and trailing dots and spaces
 * are trimmed; the stem is cut to 120 characters (and 200 UTF-8 bytes); Windows
 * device names get a "_" after the device part ("CON" -> "CON_", "nul.txt" ->
 * "nul_.txt"); an empty result becomes "animation". Other Unicode is kept.
 * The extension is lower-cased and stripped to [a-z0-9]; without one, no dot.
 */
export function sanitizeFileName(stem: string, extension: string): string {
  let s = String(stem ?? '')
    .normalize('NFC')
    .replace(INVISIBLE, '');
  s = s
    .split(/[/\\]+/)
    .filter((segment) => !EMPTY_SEGMENT.test(segment))
    .join('_');
  s = s.replace(FORBIDDEN, '_');
  s = trimDotsAndSpaces(truncate(trimDotsAndSpaces(s)));
  if (!s) s = DEFAULT_STEM;
  if (RESERVED.test(s)) s = trimDotsAndSpaces(truncate(s.replace(RESERVED, '$1_')));

  const ext = String(extension ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, MAX_EXTENSION_CHARS);
  return ext ? `${s}.${ext}` : s;
}

/**
 * A whole file name ("clip.mp4") made safe by the same rules: the part after the
 * last dot is the extension if it looks like one (1-16 letters or digits).
 * Idempotent on names sanitizeFileName made, so it can guard the last step.
 */
export function sanitizeDownloadName(name: string): string {
  const text = String(name ?? '');
  const m = /^(.*)\.([A-Za-z0-9]{1,16})$/s.exec(text);
  return m ? sanitizeFileName(m[1]!, m[2]!) : sanitizeFileName(text, '');
}
