/** @jest-environment ./tests/unit/widget/widget-environment.cjs */
// The widget side of fixed framing and colour scales: values and categories
// decoded from the kernel's bytes (checked like points), and the kernel's
// bounds, vmin, vmax, palette and colormap traits reaching every export.
import { FrameAssembler, type FramesHeader } from '../../../src/widget/frame-transfer';
import { cases } from '../bad-input-cases';

const exportCalls: Array<Record<string, unknown>> = [];
jest.mock('../../../src/core/export', () => ({
  exportAnimation: jest.fn((_frames: unknown, options: Record<string, unknown>) => {
    exportCalls.push(options);
    return new Promise(() => {});
  }),
}));

import type { AnimationModel } from '../../../src/widget/model';
import { createWidget } from './widget-harness';

function assemble(frames: unknown[]) {
  const { header, payload } = cases.packWire(frames);
  const a = new FrameAssembler(header as unknown as FramesHeader, 1);
  a.add(0, 0, payload);
  return { set: a.finish(), header };
}

beforeEach(() => {
  exportCalls.length = 0;
  jest.spyOn(console, 'debug').mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

test('values (float32) and categories (bytes, padded) come out of the kernel\'s bytes as they went in', () => {
  const recipe = [{ n: 3, values: {} }, { n: 5, categories: {} }, { n: 2, colors: { dtype: 'uint8' } }, { n: 0, values: {} }, { n: 1 }];
  const { set, header } = assemble(recipe);
  expect(header.frames).toEqual([
    { points: 3, colors: false, values: true },
    { points: 5, colors: false, categories: true },
    { points: 2, colors: true },
    { points: 0, colors: false, values: true },
    { points: 1, colors: false },
  ]);
  recipe.forEach((r, i) => {
    const want = cases.expectedFrame(r);
    const f = set.frames[i]!;
    expect(f.values ? Array.from(f.values) : null).toEqual(want.values);
    expect(f.categories ? Array.from(f.categories) : null).toEqual(want.categories);
    expect(f.colors ? Array.from(f.colors) : null).toEqual(want.colors);
  });
});

async function modelWithFrames(state: Record<string, unknown> = {}): Promise<AnimationModel> {
  const { model, deliver } = createWidget({ frames_version: 1, ...state });
  const { header, payload } = cases.packWire([{ n: 2, values: {} }]);
  deliver({ type: 'frames-begin', version: 1, header, chunks: 1 }, []);
  deliver({ type: 'frames-chunk', version: 1, index: 0, offset: 0 }, [new DataView(payload.buffer)]);
  deliver({ type: 'frames-end', version: 1 }, []);
  expect(Array.from(model.inbox.frameSet!.frames[0]!.values!)).toEqual([0, 0.5]);
  return model;
}

test('the kernel\'s scale and look traits go into every export', async () => {
  const traits = { colormap: 'magma', point_shape: 'round', bounds: [[0, 0, 0], [1, 2, 3]], vmin: 0, vmax: 10, palette: { '2': '#ff0000' } };
  const model = await modelWithFrames(traits);
  void model.runner.start();
  const { point_shape: pointShape, ...scaleTraits } = traits;
  expect(exportCalls[0]).toMatchObject({ ...scaleTraits, pointShape });
  model.runner.cancel();
  await new Promise((resolve) => setTimeout(resolve, 0));

  const plain = await modelWithFrames();
  void plain.runner.start();
  expect(exportCalls[1]).toMatchObject({ colormap: 'viridis', bounds: null, vmin: null, vmax: null, palette: null });
  expect('pointShape' in exportCalls[1]!).toBe(false);
});

test('the player gets the traits checked; ones the page refuses give it the default scale (the export reports them)', async () => {
  const model = await modelWithFrames({ bounds: [[0, 0, 0], [1, 2, 3]], vmin: 1, palette: { '6': [1, 2, 3] } });
  expect(model.scale).toEqual({ bounds: { min: [0, 0, 0], max: [1, 2, 3] }, vmin: 1, palette: new Map([[6, [1, 2, 3]]]) });
  model.set({ vmin: 5, vmax: 1 });
  expect(model.scale).toEqual({});
});
