import { checkAvcC, checkVp8KeyFrame, checkVp9KeyFrame } from '../../../../src/core/encode/codec-config';
import { doubleAvcCHeaders } from '../../../../src/core/encode/test-faults';

const bytes = (hex: string) => Uint8Array.from(hex.split(' ').map((h) => parseInt(h, 16)));

// Captured from Chromium's WebCodecs H.264 export (640x360, the sphere): High profile, level 2.2.
const CHROMIUM_AVCC = bytes(
  '01 64 0c 16 ff e1 00 14 67 64 0c 16 ac 19 1a 80 a0 2f 79 66 a0 20 20 20 f0 88 46 a0 01 00 04 68 ce 3c 80 fd f8 f8 00',
);
// The same record as Firefox 153 writes it: each SPS and PPS begins with its header byte twice.
const DOUBLED_AVCC = bytes(
  '01 64 0c 16 ff e1 00 15 67 67 64 0c 16 ac 19 1a 80 a0 2f 79 66 a0 20 20 20 f0 88 46 a0 01 00 05 68 68 ce 3c 80 fd f8 f8 00',
);

describe('avcC', () => {
  test("Chromium's record passes, with its fields read", () => {
    const c = checkAvcC(CHROMIUM_AVCC);
    expect({ profile: c.profile, level: c.level, nalLengthSize: c.nalLengthSize, sps: c.sps.length, pps: c.pps.length }).toEqual({
      profile: 100,
      level: 22,
      nalLengthSize: 4,
      sps: 1,
      pps: 1,
    });
  });

  test('the testFaults doubling makes exactly the Firefox bytes', () => {
    expect([...doubleAvcCHeaders(CHROMIUM_AVCC)]).toEqual([...DOUBLED_AVCC]);
  });

  test('a doubled SPS header byte fails, named', () => {
    expect(() => checkAvcC(DOUBLED_AVCC)).toThrow(
      'the H.264 decoder configuration (avcC 01 64 0c 16 ff e1 00 15 ...) is malformed: SPS 1 (67 67 64 0c 16 ac) begins with a doubled NAL header byte 67: says profile 103 level 12, the record says profile 100 level 22',
    );
  });

  test('a doubled PPS header byte alone fails on the SPS id it then names', () => {
    const ppsOnly = bytes('01 64 0c 16 ff e1 00 14 67 64 0c 16 ac 19 1a 80 a0 2f 79 66 a0 20 20 20 f0 88 46 a0 01 00 05 68 68 ce 3c 80');
    expect(() => checkAvcC(ppsOnly)).toThrow(/PPS 1 \(68 68 ce 3c 80\) begins with a doubled NAL header byte 68: refers to SPS id 1, the record holds SPS ids 0$/);
  });

  test.each([
    ['version', (b: Uint8Array): void => void (b[0] = 2), /configurationVersion is 2, not 1/],
    ['length size 3', (b: Uint8Array): void => void (b[4] = 0xfe), /lengthSizeMinusOne is 2/],
    ['level', (b: Uint8Array): void => void (b[3] = 0x1f), /SPS 1 \(67 64 0c 16 ac 19\) says profile 100 level 22, the record says profile 100 level 31/],
    ['SPS type', (b: Uint8Array): void => void (b[8] = 0x68), /SPS 1 .* is a NAL unit of type 8, not 7/],
    ['PPS type', (b: Uint8Array): void => void (b[31] = 0x67), /PPS 1 .* is a NAL unit of type 7, not 8/],
    ['no PPS', (b: Uint8Array): void => void (b[28] = 0), /it holds no PPS/],
    ['SPS length', (b: Uint8Array): void => void (b[7] = 0x40), /SPS 0 of 64 bytes runs past the end$/],
  ] as const)('a bad %s fails', (_, spoil, message) => {
    const b = CHROMIUM_AVCC.slice();
    spoil(b);
    expect(() => checkAvcC(b)).toThrow(message);
  });
});

/** A first frame: its real header bytes, then zeros up to its real length. */
function frame(hex: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(bytes(hex));
  return out;
}

// First frames of Chromium's WebCodecs VP8 and VP9 exports (640x360), header bytes and length.
const VP8 = () => frame('f0 b5 00 9d 01 2a 80 02 68 01 01 c7 08 85 85 88', 0x4a0b);
const VP9 = () => frame('82 49 83 42 40 27 f0 16 76 06 38 24 1c 18 48 10', 0x51e3);
const SIZE = { width: 640, height: 360 };

describe('VP8 key frame', () => {
  test("Chromium's passes", () => expect(() => checkVp8KeyFrame(VP8(), SIZE)).not.toThrow());
  test('a wrong start code, size, frame type or truncation fails', () => {
    const b = VP8();
    b[4] = 0x02;
    expect(() => checkVp8KeyFrame(b, SIZE)).toThrow('the first VP8 frame (f0 b5 00 9d 02 2a 80 02 68 01 ...) is malformed: no start code 9d 01 2a (found 9d 02 2a)');
    expect(() => checkVp8KeyFrame(VP8(), { width: 640, height: 480 })).toThrow(/it says 640x360, the video is 640x480/);
    const inter = VP8();
    inter[0]! |= 1;
    expect(() => checkVp8KeyFrame(inter, SIZE)).toThrow(/it is not a key frame/);
    expect(() => checkVp8KeyFrame(VP8().subarray(0, 100), SIZE)).toThrow(/its first partition claims 1455 bytes, the frame holds 100/);
  });
});

describe('VP9 key frame', () => {
  test("Chromium's passes", () => expect(() => checkVp9KeyFrame(VP9(), SIZE)).not.toThrow());
  test('a wrong marker, sync code, size or frame type fails', () => {
    const marker = VP9();
    marker[0] = 0x42;
    expect(() => checkVp9KeyFrame(marker, SIZE)).toThrow('the first VP9 frame (42 49 83 42 40 27 f0 16 76 06 ...) is malformed: its frame_marker is not 2');
    const sync = VP9();
    sync[2] = 0x84;
    expect(() => checkVp9KeyFrame(sync, SIZE)).toThrow(/no sync code 49 83 42 \(found 498442\)/);
    expect(() => checkVp9KeyFrame(VP9(), { width: 640, height: 480 })).toThrow(/it says 640x360, the video is 640x480/);
    const inter = VP9();
    inter[0] = 0x86;
    expect(() => checkVp9KeyFrame(inter, SIZE)).toThrow(/it is not a key frame/);
    expect(() => checkVp9KeyFrame(VP9().subarray(0, 5), SIZE)).toThrow(/its header ran past its end/);
  });
});
