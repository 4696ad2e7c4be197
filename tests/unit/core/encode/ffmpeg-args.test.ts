// ffmpeg's argv is made only from fixed tables and checked numbers: proved for
// every codec and option value the public API accepts, through runExport with
// ffmpeg.wasm faked (its argv recorded), and for hostile values a kernel or a
// page could send.
import fc from 'fast-check';
import { codecSpec, decodeEndsArgs, encodeArgs, FFMPEG_CODECS, type ArgsJob } from '../../../../src/core/encode/ffmpeg-args';
import type { FFmpegHost } from '../../../../src/core/encode/ffmpeg-host';
import type { ExportOptions } from '../../../../src/core/options';
import { frameCount } from '../../../../src/core/lazy-frames';
import { runExport } from '../../../../src/core/pipeline';
import { fakeRenderer, validFile } from '../../fakes';

// The real host would load the 32 MB wasm core; these tests hand in a fake one.
jest.mock('../../../../src/core/encode/ffmpeg-host', () => ({ ffmpegHost: null }));
// The fake ffmpeg makes no real video; verification by decoding is tested in the browser (export-faults.test.mjs).
jest.mock('../../../../src/core/encode/decode-check', () => ({ verifyByDecoding: async () => ({ codec: 'fake' }) }));
import { createFFmpegEncoders } from '../../../../src/core/encode/ffmpeg';

/**
 * Every string token ffmpeg may be given, written out here on purpose: a change
 * to the command lines must be a visible change to this list.
 */
const ALLOWED = new Set([
  // input
  '-f', 'rawvideo', 'image2', '-pix_fmt', 'rgba', '-s', '-framerate', '-i',
  // codecs
  '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '-movflags', '+faststart', '-g',
  'libvpx', '-deadline', 'realtime', '-cpu-used', '-b:v', '8M', '4M', '1M', '-auto-alt-ref',
  'mpeg4', '-q:v', '-tag:v', 'mp4v', '-loop',
  '-vf', 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p',
  '-colorspace', '-color_primaries', '-color_trc', 'bt709', '-color_range', 'tv',
  ...[960, 640, 480].map((w) => `scale='min(${w},iw)':-2:flags=lanczos,split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse`),
  // the test-only failure
  '-bsf:v', 'cloudreel_injected_failure',
  // ffprobe
  '-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=codec_name,width,height,nb_read_packets', '-of', 'json', '-o',
]);
const NUMBER = /^\d+(\.\d+)?(e-\d+)?$/;
const SIZE = /^\d+x\d+$/;
const SCRATCH_FILE = /^\/cloudreel-\d+\/(frames\.rgba|f%05d\.(png|jpg)|(out|probe)\.(mp4|webm|gif)|probe\.json)$/;
const allowed = (token: unknown) =>
  typeof token === 'string' && (ALLOWED.has(token) || NUMBER.test(token) || SIZE.test(token) || SCRATCH_FILE.test(token));

test('negative control: the allow-list check refuses paths, injected arguments and odd numbers', () => {
  for (const bad of ['/etc/passwd', '../out.mp4', '/cloudreel-1/../x.mp4', '/cloudreel-1/out.exe', '5 -i x', '-vf EVIL', 'scale=1:1', 'NaN', 'Infinity', '-1', '1e+30', '', undefined]) {
    expect([bad, allowed(bad)]).toEqual([bad, false]);
  }
  for (const good of ['-framerate', '7.5', '1e-7', '640x360', '/cloudreel-12/out.webm', '/cloudreel-3/f%05d.png']) expect(allowed(good)).toBe(true);
});

/** ffmpeg.wasm stand-in: records every argv, answers like a successful run. */
function fakeHost(frameCount: () => number) {
  const argv: string[][] = [];
  const written: string[] = [];
  const ffmpeg = {
    createDir: async () => true,
    deleteDir: async () => true,
    deleteFile: async () => true,
    writeFile: async (path: string) => void written.push(path),
    exec: async (args: string[]) => (argv.push(args), 0),
    ffprobe: async (args: string[]) => (argv.push(args), -1),
    readFile: async (path: string) => {
      if (path.endsWith('.json')) return new TextEncoder().encode(JSON.stringify({ streams: [{ codec_name: 'x', width: 2, height: 2, nb_read_packets: frameCount() }] }));
      const ext = path.split('.').pop()!;
      return validFile(ext === 'webm' ? 'webm' : ext === 'gif' ? 'gif' : 'mp4');
    },
    on: () => {},
    off: () => {},
  };
  const host = { run: (job: (f: typeof ffmpeg) => Promise<unknown>) => job(ffmpeg) } as unknown as FFmpegHost;
  return { host, argv, written };
}

async function exportArgv(options: ExportOptions, count = 3) {
  const { host, argv, written } = fakeHost(() => count);
  const frames = Array.from({ length: count }, (_, i) => ({ points: [i, 0, 0] }));
  const outcome = await runExport(frames, options, {
    createRenderer: (set) => fakeRenderer(frameCount(set)),
    encoders: createFFmpegEncoders(host),
  }).then(
    (result) => ({ result, error: undefined }),
    (error: Error) => ({ result: undefined, error }),
  );
  return { ...outcome, argv, written };
}

const IDS = FFMPEG_CODECS.map((c) => c.id);
// isSupported() asks for WebAssembly and Worker; Node has only the first.
beforeAll(() => ((globalThis as { Worker?: unknown }).Worker ??= class {}));

describe('every option value the public API accepts', () => {
  const combos = IDS.flatMap((codec) =>
    (['high', 'standard', 'small'] as const).flatMap((quality) =>
      (['png', 'jpeg', 'rgba'] as const).map((frameImage) => ({ codec, quality, frameImage })),
    ),
  );
  test.each(combos)('$codec, quality $quality, frames as $frameImage: argv only from the allow-list', async ({ codec, quality, frameImage }) => {
    const run = await exportArgv({ codecs: [codec], quality, frameImage, fps: 7.5, width: 642, height: 362, title: false, colormap: 'jet', background: '#123456' });
    expect(run.error).toBeUndefined();
    expect(run.argv).toHaveLength(2); // one encode, one probe
    for (const token of run.argv.flat()) expect([token, allowed(token)]).toEqual([token, true]);
    const [encode] = run.argv;
    expect(encode!.slice(encode!.indexOf('-framerate'), encode!.indexOf('-framerate') + 2)).toEqual(['-framerate', '7.5']);
    if (frameImage === 'rgba') expect(encode).toContain('642x362');
    if (codec !== 'ffmpeg-gif') expect(encode!.slice(encode!.indexOf('-g'), encode!.indexOf('-g') + 2)).toEqual(['-g', '15']);
  });

  test('frames are written only under the scratch folder, named by index', async () => {
    const run = await exportArgv({ codecs: ['ffmpeg-h264'], frameImage: 'png' }, 3);
    expect(run.written).toEqual(expect.arrayContaining([expect.stringMatching(/^\/cloudreel-\d+\/f00000\.png$/), expect.stringMatching(/^\/cloudreel-\d+\/f00002\.png$/)]));
    for (const path of run.written) expect(path).toMatch(/^\/cloudreel-\d+\/(f\d{5}\.png|probe\.mp4)$/);
  });
});

describe('hostile values a kernel or a page could send', () => {
  const cases: Array<[string, ExportOptions, RegExp]> = [
    ['a codec id with arguments', { codecs: ['ffmpeg-h264 -i /etc/passwd'] }, /^Unknown codec "ffmpeg-h264 -i \/etc\/passwd": choose from /],
    ['a codec id that is an argument', { codecs: ['-vf'] }, /^Unknown codec "-vf"/],
    ['a codec id from Object.prototype', { codecs: ['__proto__'] }, /^Unknown codec "__proto__"/],
    ['quality with an argument', { codecs: ['ffmpeg-h264'], quality: 'small -vf x' as never }, /^quality must be one of high, standard, small/],
    ['quality naming a prototype property', { codecs: ['ffmpeg-h264'], quality: 'constructor' as never }, /^quality must be one of/],
    ['fps as a string', { codecs: ['ffmpeg-h264'], fps: '5 -i /etc/passwd' as never }, /^fps must be a number from 0.01 to 240/],
    ['width as a string', { codecs: ['ffmpeg-h264'], width: '640 -vf x' as never }, /^width must be a positive whole number/],
    ['frame image format with an argument', { codecs: ['ffmpeg-h264'], frameImage: 'png -i x' as never }, /^frameImage must be "jpeg", "png" or "rgba"/],
    ['colormap with an argument', { codecs: ['ffmpeg-h264'], colormap: 'jet -vf x' as never }, /^colormap must be one of/],
  ];
  test.each(cases)('%s is rejected before ffmpeg runs', async (_name, options, message) => {
    const run = await exportArgv(options);
    expect(run.error?.message).toMatch(message);
    expect(run.argv).toEqual([]);
  });

  test('strings that are not ffmpeg options (title, background, a file stem, test faults) never reach argv', async () => {
    const evil = '-vf EVIL -i ../../etc/passwd';
    const run = await exportArgv({
      codecs: ['ffmpeg-h264'],
      title: evil as never,
      background: evil,
      testFaults: { 'ffmpeg-h264': evil as never, [evil]: 'fail' },
      ...({ fileStem: evil, fileName: `${evil}.mp4` } as object),
    });
    expect(run.error).toBeUndefined();
    expect(run.argv.flat().filter((t) => t.includes('EVIL'))).toEqual([]);
    for (const token of run.argv.flat()) expect(allowed(token)).toBe(true);
  });

  // Any mix of valid and hostile values: the export is refused, or argv is all allow-listed.
  const hostile = fc
    .tuple(fc.constantFrom('', ' ', ';', '\n', '-i /etc/passwd ', '../../', '"', "'", '$(x)', '-vf '), fc.string({ maxLength: 8 }))
    .map(([pre, tail]) => `${pre}EVIL${tail}`);
  /** Mostly valid, so that many mixes get as far as ffmpeg; sometimes hostile or out of range. */
  const either = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<unknown> = fc.constant(undefined)) =>
    fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: hostile as fc.Arbitrary<unknown>, weight: 1 }, { arbitrary: invalid, weight: 1 });
  const side = either(fc.integer({ min: 1, max: 4096 }).map((n) => 2 * n), fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double(), fc.constant(8193)));
  const options = fc.record(
    {
      codecs: fc.uniqueArray(either(fc.constantFrom(...IDS)), { minLength: 1, maxLength: 3 }),
      fps: either(fc.double({ min: 0.01, max: 240, noNaN: true }), fc.oneof(fc.double(), fc.integer({ min: -5, max: 500 }))),
      width: side,
      height: side,
      quality: either(fc.constantFrom('high', 'standard', 'small'), fc.constantFrom('__proto__', 'toString', 'constructor')),
      frameImage: either(fc.constantFrom('png', 'jpeg', 'rgba'), fc.constantFrom('__proto__', 'gif')),
      title: fc.oneof(fc.boolean(), hostile),
      background: either(fc.constant('#000')),
      colormap: either(fc.constantFrom('viridis', 'jet'), fc.constant('hasOwnProperty')),
      fileStem: hostile,
    },
    { requiredKeys: [] },
  );
  test('property: hostile values are refused or never reach argv', async () => {
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(options, async (opts) => {
        const run = await exportArgv(opts as ExportOptions, 2);
        if (run.argv.length) ran++;
        const tokens = run.argv.flat();
        expect(tokens.filter((t) => t.includes('EVIL'))).toEqual([]);
        expect(tokens.filter((t) => !allowed(t))).toEqual([]);
        if (run.error) expect(run.error).toBeInstanceOf(Error);
      }),
      { numRuns: 300 },
    );
    // Not vacuous: many of the mixes did reach ffmpeg.
    expect(ran).toBeGreaterThan(20);
  });
});

describe('the builder checks its inputs itself', () => {
  const job: ArgsJob = { imageFormat: 'png', width: 640, height: 360, fps: 5, quality: 'standard' };
  test.each<[string, () => unknown, RegExp]>([
    ['an unknown codec id', () => encodeArgs('ffmpeg-h264 -i x', job, '/cloudreel-1'), /unknown ffmpeg\.wasm codec/],
    ['a prototype key as quality', () => encodeArgs('ffmpeg-h264', { ...job, quality: '__proto__' as never }, '/cloudreel-1'), /unknown quality/],
    ['a prototype key as image format', () => encodeArgs('ffmpeg-h264', { ...job, imageFormat: 'constructor' as never }, '/cloudreel-1'), /unknown frame image format/],
    ['fps as a string', () => encodeArgs('ffmpeg-h264', { ...job, fps: '5' as never }, '/cloudreel-1'), /fps above 0/],
    ['fps not finite', () => encodeArgs('ffmpeg-h264', { ...job, fps: Infinity }, '/cloudreel-1'), /fps above 0/],
    ['an odd width', () => encodeArgs('ffmpeg-h264', { ...job, width: 641 }, '/cloudreel-1'), /even size/],
    ['a height as a string', () => encodeArgs('ffmpeg-h264', { ...job, height: '360' as never }, '/cloudreel-1'), /even size/],
    ['a folder outside the scratch space', () => encodeArgs('ffmpeg-h264', job, '/etc'), /not a scratch folder/],
    ['a folder with a path in it', () => encodeArgs('ffmpeg-h264', job, '/cloudreel-1/../etc'), /not a scratch folder/],
  ])('%s is refused', (_name, build, message) => {
    expect(build).toThrow(message);
  });

  test('the decode command for verification takes only whole numbers', () => {
    expect(decodeEndsArgs('/cloudreel-1/decode.mp4', '/cloudreel-1/ends.rgba', 47, 640, 360)).toEqual([
      '-v', 'error', '-i', '/cloudreel-1/decode.mp4',
      '-vf', "select='eq(n,0)+eq(n,47)',scale=640:360:flags=bicubic:in_color_matrix=bt709:in_range=tv,format=rgba",
      '-vsync', 'passthrough', '-f', 'rawvideo', '/cloudreel-1/ends.rgba',
    ]);
    expect(() => decodeEndsArgs('/a', '/b', 1.5, 640, 360)).toThrow(/lastIndex must be a whole number/);
    expect(() => decodeEndsArgs('/a', '/b', 3, '640,x' as never, 360)).toThrow(/width must be a whole number/);
  });

  test('codecSpec finds only table entries, never prototype properties', () => {
    expect(codecSpec('ffmpeg-vp8').extension).toBe('webm');
    expect(() => codecSpec('constructor')).toThrow(/unknown ffmpeg\.wasm codec/);
  });
});
