/** @jest-environment jsdom */
// The kernel's file_stem reaches the saved file's name only through the
// sanitiser: view -> panel -> download button, with a hostile stem; and the
// kernel's width/height reach the player, whose fitted camera is the export's.
import { Vector3 } from 'three';
import { toFrameSet } from '../../../src/core/frames';
import { sceneLook } from '../../../src/core/scene/look';
import { sampleResult, settle } from '../ui/lit-helpers';
import type { AnimationModel } from '../../../src/widget/model';

// A minimal DOMWidgetView: @jupyter-widgets/base needs a JupyterLab to load.
jest.mock('@jupyter-widgets/base', () => ({
  DOMWidgetView: class {
    el = document.createElement('div');
    model: unknown;
    constructor(options: { model: unknown }) {
      this.model = options.model;
    }
    listenTo(model: { on(events: string, fn: (...args: unknown[]) => void): void }, events: string, fn: (...args: unknown[]) => void) {
      model.on(events, fn);
    }
    remove() {}
  },
}));
import { AnimationView } from '../../../src/widget/view';

Object.assign(URL, { createObjectURL: jest.fn(() => 'blob:view'), revokeObjectURL: jest.fn() });

const result = sampleResult({ bytes: 16, durationSeconds: 1, frames: 2, timings: { renderMs: 1, encodeMs: 1, totalMs: 2 } });

/** The real view, panel and player for a stand-in model: widget state `state`, model fields `fields`. */
async function mountView(state: Record<string, unknown>, fields: Record<string, unknown>) {
  jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null); // no WebGL in jsdom
  const { frameSet = null, result = null, ...rest } = fields;
  const handlers = new Map<string, Array<(...args: unknown[]) => void>>();
  const model = {
    get: (key: string) => state[key],
    on: (events: string, fn: (...args: unknown[]) => void) => events.split(' ').forEach((e) => handlers.set(e, [...(handlers.get(e) ?? []), fn])),
    trigger: (event: string, ...args: unknown[]) => handlers.get(event)?.forEach((fn) => fn(...args)),
    inbox: { frameSet, receiving: null },
    runner: { result, exporting: false },
    status: null,
    ...rest,
  } as unknown as AnimationModel;
  const view = new (AnimationView as unknown as new (o: { model: AnimationModel }) => AnimationView)({ model });
  view.render();
  document.body.append(view.el);
  const panel = view.el.querySelector('cloudreel-export-panel')!;
  await settle(panel);
  return { model, view, panel };
}

test.each([
  ['../../.ssh/authorized_keys', 'ssh_authorized_keys.mp4'],
  ['C:\\Users\\Public\\evil', 'C__Users_Public_evil.mp4'],
  ['nul', 'nul_.mp4'],
  ['report\u202Egnp.exe', 'reportgnp.exe.mp4'],
])('file_stem %j from the kernel is saved as %j', async (stem, saved) => {
  const { view, panel } = await mountView({ file_stem: stem, fps: 5 }, {
    frameSet: toFrameSet([{ points: [0, 0, 0] }, { points: [1, 1, 1] }]),
    status: { phase: 'done', fraction: 1, message: 'Video ready! (0.0 MB)' },
    result,
  });
  const button = panel.shadowRoot!.querySelector('cloudreel-download-button')!;
  const clicked: string[] = [];
  jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    clicked.push(this.download);
  });
  button.shadowRoot!.querySelector('button')!.click();
  expect(clicked).toEqual([saved]);
  view.el.remove();
  jest.restoreAllMocks();
});

describe('portrait and square exports through the widget route', () => {
  // Wider than deep and tall, so a camera framed for 16:9 cuts its sides at 9:16 or 1:1;
  // centred on 0, so world and any re-centred coordinates agree.
  const points: number[] = [];
  for (const x of [-4, 4]) for (const y of [-3, 3]) for (const z of [-1, 1]) points.push(x, y, z);
  for (let i = 0; i < 500; i++) points.push(4 * Math.sin(i * 1.7), 3 * Math.cos(i * 2.3), Math.sin(i * 0.9));
  const frameSet = toFrameSet([{ points }, { points: points.map((v) => v * 0.5) }]);

  test.each([
    [720, 1280],
    [1280, 1280],
    [1280, 720],
  ])('at %ix%i the player has the video\'s shape and the camera an export with view=None fits, which keeps every point in the frame', async (width, height) => {
    const { view, panel } = await mountView({ file_stem: 'cloud', fps: 5, width, height }, { frameSet });

    // The camera the export fits when the view trait is None (core/render.ts), and the player's, un-moved.
    const camera = sceneLook(frameSet, {}).fitted(width / height).camera;
    const shown = panel.player!.getView();
    shown.position.forEach((v, k) => expect(v).toBeCloseTo(camera.position.getComponent(k), 9));
    expect(shown.up).toEqual(camera.up.toArray());
    expect(shown.fovDeg).toBe(camera.fov);
    let outside = 0;
    for (const frame of frameSet.frames) {
      for (let i = 0; i < frame.count; i++) {
        const p = new Vector3(frame.positions[i * 3]!, frame.positions[i * 3 + 1]!, frame.positions[i * 3 + 2]!).project(camera);
        const reach = Math.max(Math.abs(p.x), Math.abs(p.y), Math.abs(p.z));
        if (reach > 1) outside++;
      }
    }
    // Normalised device coordinates: the frame is [-1, 1] on each axis.
    expect({ pointsOutsideTheFrame: outside }).toEqual({ pointsOutsideTheFrame: 0 });
    const viewport = panel.player!.shadowRoot!.querySelector<HTMLElement>('.viewport')!;
    expect(Number(viewport.style.getPropertyValue('--cr-aspect'))).toBeCloseTo(width / height);
    view.el.remove();
    jest.restoreAllMocks();
  });
});

test('the kernel\'s point_shape reaches the panel and its player; a later change from the kernel resets the panel\'s choice', async () => {
  const state: Record<string, unknown> = { file_stem: 'a', fps: 5, point_shape: 'round' };
  const { model, view, panel } = await mountView(state, { frameSet: toFrameSet([{ points: [0, 0, 0] }]) });
  expect([panel.pointShape, panel.player!.pointShape, panel.exportRequest().pointShape]).toEqual(['round', 'round', 'round']);
  panel.pointShape = 'square'; // the user's choice in the select
  model.trigger('change'); // another trait changed: the choice stays
  await settle(panel);
  expect(panel.pointShape).toBe('square');
  model.trigger('change:point_shape');
  await settle(panel);
  expect([panel.pointShape, panel.player!.pointShape]).toEqual(['round', 'round']);
  state.point_shape = 'star'; // the kernel refuses it; were it sent, the panel keeps its shape
  model.trigger('change:point_shape');
  expect(panel.pointShape).toBe('round');
  view.el.remove();
  jest.restoreAllMocks();
});

test('the kernel\'s colormap and scale reach the panel and its player', async () => {
  const scale = { bounds: { min: [0, 0, 0], max: [1, 1, 1] }, vmin: 0, vmax: 2 };
  const { view, panel } = await mountView({ file_stem: 'a', fps: 5, colormap: 'magma' }, { frameSet: toFrameSet([{ points: [0, 0, 0], values: [1] }]), scale });
  expect(panel.colormap).toBe('magma');
  expect(panel.scale).toBe(scale);
  expect(panel.player!.scale).toBe(scale);
  expect(panel.player!.getView().target).toEqual([0.5, 0.5, 0.5]); // the bounds' centre, not the point
  view.el.remove();
  jest.restoreAllMocks();
});
