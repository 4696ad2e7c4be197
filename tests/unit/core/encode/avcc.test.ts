import { parseAvcDecoderConfig, repairAvcDecoderConfig } from '../../../../src/core/encode/avcc';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// Captured from the examples' sphere export (1280x720, 'standard'): the
// decoderConfig.description each browser's VideoEncoder returned.
// Firefox ESR 153: SPS and PPS each begin with their NAL header byte twice.
const FIREFOX = hex('01 64 00 1f 03 01 0019 67 67 64 00 1f ac d9 40 50 05 ba 10 00 00 03 00 10 01 e8 48 00 f1 83 19 60 01 0007 68 68 eb e3 cb 22 c0');
// The same file's in-band SPS and PPS (first sample), written as an avcC by
// `ffmpeg -f h264 -i first.h264 -c copy out.mp4` (ff_isom_write_avcc).
const FIREFOX_WELL_FORMED = hex('01 64 00 1f ff e1 0018 67 64 00 1f ac d9 40 50 05 ba 10 00 00 03 00 10 01 e8 48 00 f1 83 19 60 01 0006 68 eb e3 cb 22 c0 fd f8 f8 00');
// Debian Chromium: well formed.
const CHROMIUM = hex('01 64 0c 1f ff e1 0013 67 64 0c 1f ac 19 1a 80 50 05 ba 6a 02 02 02 0f 08 84 6a 01 0004 68 ce 3c 80 fd f8 f8 00');

describe('repairAvcDecoderConfig', () => {
  test("removes the doubled NAL header byte from Firefox's SPS and PPS, giving the avcC ffmpeg writes from the in-band ones", () => {
    const repaired = repairAvcDecoderConfig(FIREFOX);
    expect(toHex(repaired)).toBe(toHex(FIREFOX_WELL_FORMED));
    const config = parseAvcDecoderConfig(repaired);
    expect(config.sps.map(toHex)).toEqual(['6764001facd9405005ba10000003001001e84800f1831960']);
    expect(config.pps.map(toHex)).toEqual(['68ebe3cb22c0']);
  });

  test("leaves Chromium's well-formed avcC as it is (the same object)", () => {
    expect(repairAvcDecoderConfig(CHROMIUM)).toBe(CHROMIUM);
  });

  test('leaves an already repaired avcC as it is', () => {
    expect(repairAvcDecoderConfig(FIREFOX_WELL_FORMED)).toBe(FIREFOX_WELL_FORMED);
  });

  test('does not touch an SPS whose second byte happens to equal its header when it parses as it is', () => {
    // profile_idc 0x67 (103) is no H.264 profile, but a record saying profile 0x67 and an SPS
    // starting 67 67 ... is taken at its word: only a mismatch with the record counts as the fault.
    const bytes = hex('01 67 00 1f ff e1 0005 67 67 00 1f 80 01 0002 68 c0');
    expect(repairAvcDecoderConfig(bytes)).toBe(bytes);
  });

  test('names what is wrong with a truncated record', () => {
    expect(() => repairAvcDecoderConfig(FIREFOX.subarray(0, 20))).toThrow(/malformed avcC \(20 bytes\): SPS 0 of 25 bytes runs past the end/);
    expect(() => parseAvcDecoderConfig(hex('02 64 00 1f ff e1 00'))).toThrow(/configurationVersion is 2, not 1/);
  });
});
