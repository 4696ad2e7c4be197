// The browser side of tests/cases/bad-inputs.json: each row built in JS and
// judged by toFrameSet / resolveOptions on their own (the page does not trust
// the kernel), plus a property: random frames never throw anything but a
// FrameError that names the frame.
import fc from 'fast-check';
import { toFrameSet, type FrameInput } from '../../../src/core/frames';
import { resolveOptions } from '../../../src/core/options';
import { cases, expectRejection, frameErrorOf, table, type Reject } from '../bad-input-cases';

const frameRows = table.frames.map((row) => [row.id, row] as const);

describe('bad-inputs.json frames rows, built in JS, judged by toFrameSet', () => {
  test('every row says what the browser does with it', () => {
    for (const row of table.frames) {
      const e = cases.expectation(row, 'js');
      expect([e.reject, e.accept, e.na].filter((x) => x !== undefined)).toHaveLength(1);
    }
  });

  test.each(frameRows.filter(([, row]) => !cases.expectation(row, 'js').na))('%s', (_id, row) => {
    const expected = cases.expectation(row, 'js');
    const error = frameErrorOf(() => toFrameSet(cases.buildFrames(row.frames) as FrameInput[]));
    if (expected.reject) {
      expect(error).not.toBeNull();
      expectRejection(error!.message, expected.reject as Reject);
      return;
    }
    expect(error).toBeNull();
    const set = toFrameSet(cases.buildFrames(row.frames) as FrameInput[]);
    const accept = expected.accept as { counts: number[]; origin?: [number, number, number] };
    expect(set.frames.map((f) => f.count)).toEqual(accept.counts);
    expect(set.origin).toEqual(accept.origin ?? [0, 0, 0]);
    if (!Array.isArray(row.frames)) return;
    // The conversion kept every value: float32 positions (relative to the origin), 0..255 colours.
    (row.frames as unknown[]).forEach((recipe, i) => {
      const want = cases.expectedFrame(recipe, set.origin);
      expect(Array.from(set.frames[i]!.positions)).toEqual(want.positions);
      expect(set.frames[i]!.colors === null ? null : Array.from(set.frames[i]!.colors!)).toEqual(want.colors);
      expect(set.frames[i]!.values ? Array.from(set.frames[i]!.values!) : null).toEqual(want.values);
      expect(set.frames[i]!.categories ? Array.from(set.frames[i]!.categories!) : null).toEqual(want.categories);
    });
  });

  test('the rows without a JS form say why', () => {
    const na = table.frames.filter((row) => cases.expectation(row, 'js').na);
    expect(na.map((row) => row.id)).toEqual(['float16-points', 'big-endian-points', 'big-endian-colors']);
    for (const row of na) expect(() => cases.buildFrames(row.frames)).toThrow(/has no JS form/);
  });
});

describe('bad-inputs.json options rows, judged by resolveOptions', () => {
  test.each(table.options.map((row) => [row.id, row] as const))('%s', (_id, row) => {
    const expected = cases.expectation(row, 'js');
    const run = () => resolveOptions(cases.buildOptions(row.options));
    if (expected.reject) {
      expect(run).toThrow(RangeError);
      expect(run).toThrow(expected.reject as string);
    } else {
      const resolved = run();
      for (const [key, v] of Object.entries(cases.buildOptions(row.options))) expect(resolved[key as keyof typeof resolved]).toBe(v);
    }
  });
});

// --- property: random frames ---------------------------------------------

const number = fc.oneof(
  fc.double(),
  fc.integer({ min: -300, max: 300 }),
  fc.constantFrom(NaN, Infinity, -Infinity, 0, 1, 255, 1e39, -0),
);
const junk = fc.oneof(fc.string({ maxLength: 3 }), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt({ min: -5n, max: 5n }));
const flatNumbers = fc.array(number, { maxLength: 13 });
const typed = flatNumbers.chain((values) =>
  fc.constantFrom(
    () => Float32Array.from(values),
    () => Float64Array.from(values),
    () => Int32Array.from(values.map((v) => (Number.isFinite(v) ? Math.trunc(v) : 0))),
    () => Uint8Array.from(values.map((v) => (Number.isFinite(v) ? Math.abs(Math.trunc(v)) % 256 : 0))),
    () => BigInt64Array.from(values.map((v) => BigInt(Number.isFinite(v) ? Math.trunc(Math.min(Math.max(v, -1e15), 1e15)) : 0))),
    () => values,
  ).map((make) => make()),
);
const rows = fc.array(fc.oneof(fc.tuple(number, number, number), fc.array(number, { maxLength: 4 }), fc.array(fc.oneof(number, junk), { maxLength: 4 })), { maxLength: 5 });
const arrayish = fc.oneof(typed, rows, flatNumbers, fc.array(fc.oneof(number, junk), { maxLength: 7 }), junk);
const frame = fc.oneof(
  fc.record({ points: arrayish, colors: fc.oneof(arrayish, fc.constant(null)) }, { requiredKeys: ['points'] }),
  arrayish,
  fc.constant({}),
);

test('property: random frames either pack or throw a FrameError naming the frame', () => {
  fc.assert(
    fc.property(fc.array(frame, { maxLength: 4 }), (input) => {
      const error = frameErrorOf(() => toFrameSet(input as FrameInput[]));
      if (error) {
        expect(error.message).toMatch(/^(frames\[\d+\]: |frames is empty)/);
        return;
      }
      // Accepted: finite float32 positions, byte colours of the same length.
      const set = toFrameSet(input as FrameInput[]);
      for (const f of set.frames) {
        expect(f.positions.every(Number.isFinite)).toBe(true);
        expect(f.positions.length).toBe(f.count * 3);
        if (f.colors) expect(f.colors.length).toBe(f.count * 3);
      }
    }),
    { numRuns: 200 },
  );
});
