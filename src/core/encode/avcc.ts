// H.264 decoder configuration records (avcC, ISO 14496-15 5.3.3.1): parsing,
// and repair of the doubled NAL header byte Firefox's VideoEncoder puts in its SPS/PPS.
import { BitReader, rbsp } from './bit-reader.js';

export interface AvcDecoderConfig {
  profile: number;
  compatibility: number;
  level: number;
  /** NAL unit length field size in bytes (1, 2 or 4). */
  lengthSize: number;
  sps: Uint8Array[];
  pps: Uint8Array[];
}

const NAL_SPS = 7;
const NAL_PPS = 8;
// profile_idc values whose SPS carries chroma_format_idc and bit depths (H.264 7.3.2.1.1),
// and whose avcC carries them too (ISO 14496-15 5.3.3.1.2).
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** A record that cannot be read; `reason` says what is wrong without the prefix. */
export class AvcCError extends Error {
  constructor(
    readonly reason: string,
    size: number,
  ) {
    super(`malformed avcC (${size} bytes): ${reason}`);
  }
}

/** Reads the record's fields and parameter sets; throws an AvcCError naming what is wrong. */
export function parseAvcDecoderConfig(bytes: Uint8Array): AvcDecoderConfig {
  const fail = (what: string): never => {
    throw new AvcCError(what, bytes.length);
  };
  if (bytes.length < 7) fail('shorter than its 7-byte header');
  if (bytes[0] !== 1) fail(`configurationVersion is ${bytes[0]}, not 1`);
  let at = 6;
  const sets = (count: number, name: string): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      if (at + 2 > bytes.length) fail(`${name} ${i} length runs past the end`);
      const length = (bytes[at] << 8) | bytes[at + 1];
      at += 2;
      if (length === 0 || at + length > bytes.length) fail(`${name} ${i} of ${length} bytes runs past the end`);
      out.push(bytes.subarray(at, at + length));
      at += length;
    }
    return out;
  };
  const sps = sets(bytes[5] & 0x1f, 'SPS');
  at++;
  if (at > bytes.length) fail('no PPS count');
  const pps = sets(bytes[at - 1], 'PPS');
  return { profile: bytes[1], compatibility: bytes[2], level: bytes[3], lengthSize: (bytes[4] & 3) + 1, sps, pps };
}

interface SpsFields {
  id: number;
  profile: number;
  compatibility: number;
  level: number;
  chromaFormat: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
}

/** The SPS fields the avcC repeats, or null where `nal` is no plausible SPS. */
function readSps(nal: Uint8Array): SpsFields | null {
  if (nal.length < 5 || nal[0] & 0x80 || (nal[0] & 0x1f) !== NAL_SPS || (nal[0] & 0x60) === 0) return null;
  try {
    const r = new BitReader(rbsp(nal));
    const profile = r.bits(8);
    const compatibility = r.bits(8);
    const level = r.bits(8);
    const id = r.ue();
    if (id > 31) return null;
    let chromaFormat = 1;
    let bitDepthLuma = 8;
    let bitDepthChroma = 8;
    if (HIGH_PROFILES.has(profile)) {
      chromaFormat = r.ue();
      if (chromaFormat > 3) return null;
      if (chromaFormat === 3) r.bit();
      bitDepthLuma = r.ue() + 8;
      bitDepthChroma = r.ue() + 8;
      if (bitDepthLuma > 14 || bitDepthChroma > 14) return null;
    }
    return { id, profile, compatibility, level, chromaFormat, bitDepthLuma, bitDepthChroma };
  } catch {
    return null;
  }
}

/** The SPS id a PPS refers to, or null where `nal` is no plausible PPS. */
function readPpsSpsId(nal: Uint8Array): number | null {
  if (nal.length < 2 || nal[0] & 0x80 || (nal[0] & 0x1f) !== NAL_PPS || (nal[0] & 0x60) === 0) return null;
  try {
    const r = new BitReader(rbsp(nal));
    if (r.ue() > 255) return null;
    const spsId = r.ue();
    return spsId > 31 ? null : spsId;
  } catch {
    return null;
  }
}

/** `nal` without its second byte, where that byte repeats the NAL header. */
function withoutDoubledHeader(nal: Uint8Array): Uint8Array | null {
  if (nal.length < 3 || nal[1] !== nal[0]) return null;
  const out = new Uint8Array(nal.length - 1);
  out[0] = nal[0];
  out.set(nal.subarray(2), 1);
  return out;
}

/** An avcC as ISO 14496-15 writes it: reserved bits set, the High-profile fields after the PPS. */
function serializeAvcDecoderConfig(sps: Uint8Array[], pps: Uint8Array[], lengthSize: number): Uint8Array {
  const first = readSps(sps[0]);
  if (!first) throw new Error('cannot write an avcC: its first SPS does not parse');
  const ext = HIGH_PROFILES.has(first.profile)
    ? [0xfc | first.chromaFormat, 0xf8 | (first.bitDepthLuma - 8), 0xf8 | (first.bitDepthChroma - 8), 0]
    : [];
  const parts: number[] = [1, first.profile, first.compatibility, first.level, 0xfc | (lengthSize - 1), 0xe0 | sps.length];
  for (const s of sps) parts.push(s.length >> 8, s.length & 0xff, ...s);
  parts.push(pps.length);
  for (const p of pps) parts.push(p.length >> 8, p.length & 0xff, ...p);
  parts.push(...ext);
  return Uint8Array.from(parts);
}

/**
 * Repairs an avcC whose SPS/PPS begin with a doubled NAL header byte (`67 67 64 ...`,
 * `68 68 ...`, as Firefox's VideoEncoder returns them): a parameter set is
 * mended only where it does not parse as it is (an SPS whose profile and level
 * disagree with the record's, a PPS naming no SPS in the record) and does once
 * the repeated byte is removed. A record that needs no repair comes back as the
 * same object; a repaired one is rewritten in ISO 14496-15 form.
 */
export function repairAvcDecoderConfig(bytes: Uint8Array): Uint8Array {
  const config = parseAvcDecoderConfig(bytes);
  const matchesRecord = (s: SpsFields | null): s is SpsFields => !!s && s.profile === config.profile && s.level === config.level;
  let changed = false;
  const sps = config.sps.map((nal) => {
    if (matchesRecord(readSps(nal))) return nal;
    const mended = withoutDoubledHeader(nal);
    if (mended && matchesRecord(readSps(mended))) {
      changed = true;
      return mended;
    }
    return nal;
  });
  const spsIds = new Set(sps.map((nal) => readSps(nal)?.id));
  const pps = config.pps.map((nal) => {
    if (spsIds.has(readPpsSpsId(nal) ?? -1)) return nal;
    const mended = withoutDoubledHeader(nal);
    if (mended && spsIds.has(readPpsSpsId(mended) ?? -1)) {
      changed = true;
      return mended;
    }
    return nal;
  });
  return changed ? serializeAvcDecoderConfig(sps, pps, config.lengthSize) : bytes;
}
