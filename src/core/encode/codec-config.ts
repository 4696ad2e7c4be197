// Codec configuration checks from the bytes: an H.264 avcC record and its SPS/PPS
// NAL units, and the key frame header VP8 and VP9 streams begin with. A malformed
// header fails here even where a tolerant decoder (ffmpeg, Chromium) recovers.
import { AvcCError, parseAvcDecoderConfig } from './avcc.js';
import { BitReader, rbsp } from './bit-reader.js';

const hex = (bytes: Uint8Array, n = 6) => [...bytes.subarray(0, n)].map((b) => b.toString(16).padStart(2, '0')).join(' ');

export interface AvcConfig {
  profile: number;
  level: number;
  nalLengthSize: number;
  sps: Uint8Array[];
  pps: Uint8Array[];
}

/**
 * Parses an avcC (AVCDecoderConfigurationRecord, ISO/IEC 14496-15 5.3.3) and checks it:
 * version 1, a NAL length size of 1, 2 or 4, at least one SPS and PPS, each SPS a
 * type-7 NAL unit whose profile and level match the record's, each PPS a type-8 unit
 * naming an SPS the record holds. A doubled header byte (`67 67 64`, `68 68`, as
 * Firefox 153's encoder makes) fails on the profile or on the SPS id.
 */
export function checkAvcC(avcC: Uint8Array): AvcConfig {
  const fail = (why: string): never => {
    throw new Error(`the H.264 decoder configuration (avcC ${hex(avcC, 8)} ...) is malformed: ${why}`);
  };
  let record: ReturnType<typeof parseAvcDecoderConfig>;
  try {
    record = parseAvcDecoderConfig(avcC);
  } catch (e) {
    return fail(e instanceof AvcCError ? e.reason : String(e));
  }
  const { profile, compatibility: compat, level, lengthSize: nalLengthSize, sps, pps } = record;
  if (nalLengthSize === 3) fail('lengthSizeMinusOne is 2 (a NAL length size of 3 bytes is not allowed)');
  if (sps.length === 0) fail('it holds no SPS');
  if (pps.length === 0) fail('it holds no PPS');

  const header = (nal: Uint8Array, type: number, what: string) => {
    const h = nal[0]!;
    if (h & 0x80) fail(`${what} (${hex(nal)}) has its forbidden_zero_bit set`);
    if ((h & 0x1f) !== type) fail(`${what} (${hex(nal)}) is a NAL unit of type ${h & 0x1f}, not ${type}`);
  };
  /** Names the likely cause when a unit that fails a check begins with its header byte twice. */
  const doubled = (nal: Uint8Array, what: string, why: string): never =>
    fail(nal[1] === nal[0] ? `${what} (${hex(nal)}) begins with a doubled NAL header byte ${hex(nal, 1)}: ${why}` : `${what} (${hex(nal)}) ${why}`);
  const spsIds = new Set<number>();
  for (const [i, s] of sps.entries()) {
    const what = `SPS ${i + 1}`;
    header(s, 7, what);
    if (s.length < 5) fail(`${what} (${hex(s)}) is ${s.length} bytes, too short for its profile, level and id`);
    if (s[1] !== profile || s[3] !== level) {
      doubled(s, what, `says profile ${s[1]} level ${s[3]}, the record says profile ${profile} level ${level}`);
    }
    if ((s[2]! & ~compat & 0xff) !== 0) fail(`${what} constraint flags ${s[2]} are not in the record's ${compat}`);
    try {
      spsIds.add(new BitReader(rbsp(s).subarray(3)).ue());
    } catch (e) {
      fail(`${what}'s seq_parameter_set_id ${(e as Error).message}`);
    }
  }
  for (const [i, p] of pps.entries()) {
    const what = `PPS ${i + 1}`;
    header(p, 8, what);
    let spsId = -1;
    try {
      const r = new BitReader(rbsp(p));
      r.ue(); // pic_parameter_set_id
      spsId = r.ue();
    } catch (e) {
      fail(`${what}'s ids: the unit ${(e as Error).message}`);
    }
    if (!spsIds.has(spsId)) doubled(p, what, `refers to SPS id ${spsId}, the record holds SPS ids ${[...spsIds].join(', ')}`);
  }
  return { profile, level, nalLengthSize, sps, pps };
}

export interface FrameSize {
  width: number;
  height: number;
}

/** Checks a VP8 key frame's header (RFC 6386 9.1): frame tag, start code 9d 01 2a, and its size. */
export function checkVp8KeyFrame(frame: Uint8Array, expected: FrameSize): void {
  const fail = (why: string): never => {
    throw new Error(`the first VP8 frame (${hex(frame, 10)} ...) is malformed: ${why}`);
  };
  if (frame.length < 10) fail(`it is ${frame.length} bytes, shorter than a key frame header`);
  const tag = frame[0]! | (frame[1]! << 8) | (frame[2]! << 16);
  if (tag & 1) fail('it is not a key frame');
  const version = (tag >> 1) & 7;
  if (version > 3) fail(`its version is ${version}, above 3`);
  const firstPartition = tag >>> 5;
  if (10 + firstPartition > frame.length) fail(`its first partition claims ${firstPartition} bytes, the frame holds ${frame.length}`);
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) fail(`no start code 9d 01 2a (found ${hex(frame.subarray(3), 3)})`);
  const width = (frame[6]! | (frame[7]! << 8)) & 0x3fff;
  const height = (frame[8]! | (frame[9]! << 8)) & 0x3fff;
  if (width !== expected.width || height !== expected.height) {
    fail(`it says ${width}x${height}, the video is ${expected.width}x${expected.height}`);
  }
}

/** Checks a VP9 key frame's uncompressed header (VP9 bitstream spec 6.2): frame marker, profile, sync code 49 83 42, size. */
export function checkVp9KeyFrame(frame: Uint8Array, expected: FrameSize): void {
  const fail = (why: string): never => {
    throw new Error(`the first VP9 frame (${hex(frame, 10)} ...) is malformed: ${why}`);
  };
  const r = new BitReader(frame);
  try {
    if (r.bits(2) !== 2) fail('its frame_marker is not 2');
    const profile = r.bit() + 2 * r.bit();
    if (profile === 3 && r.bit() !== 0) fail('profile 3 with its reserved bit set');
    if (r.bit()) fail('it shows an existing frame instead of being a key frame');
    if (r.bit() !== 0) fail('it is not a key frame');
    r.bits(2); // show_frame, error_resilient_mode
    const sync = r.bits(24);
    if (sync !== 0x498342) fail(`no sync code 49 83 42 (found ${sync.toString(16).padStart(6, '0')})`);
    if (profile >= 2) r.bit(); // ten_or_twelve_bit
    const colorSpace = r.bits(3);
    if (colorSpace !== 7) {
      r.bit(); // color_range
      if (profile === 1 || profile === 3) {
        r.bits(2);
        if (r.bit()) fail('its colour config reserved bit is set');
      }
    } else if (profile === 1 || profile === 3) {
      if (r.bit()) fail('its colour config reserved bit is set');
    } else {
      fail(`RGB colour is not allowed in profile ${profile}`);
    }
    const width = r.bits(16) + 1;
    const height = r.bits(16) + 1;
    if (width !== expected.width || height !== expected.height) {
      fail(`it says ${width}x${height}, the video is ${expected.width}x${expected.height}`);
    }
  } catch (e) {
    if ((e as Error).message.startsWith('the first VP9')) throw e;
    fail(`its header ${(e as Error).message}`);
  }
}

/** A decoder config's description (a buffer or a view of one) as bytes. */
export function descriptionBytes(d: AllowSharedBufferSource): Uint8Array {
  return ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d);
}
