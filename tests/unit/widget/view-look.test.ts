/** @jest-environment ./tests/unit/widget/widget-environment.cjs */
// The look as synced traits, on the real @jupyter-widgets/base model and view: the user's changes
// in the panel and the player's camera moves are written to the traits (the camera in world
// coordinates, fov_deg as Python spells it), the kernel's changes reach the panel and player, two
// views of one model stay in step through it, and every export from the page renders the traits.
const exportCalls: Array<Record<string, unknown>> = [];
jest.mock('../../../src/core/export', () => ({
  exportAnimation: jest.fn((_frames: unknown, options: Record<string, unknown> & { signal: AbortSignal }) => {
    exportCalls.push(options);
    return new Promise((_resolve, reject) => options.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
  }),
}));

import { toFrameSet } from '../../../src/core/frames';
import { sceneLook } from '../../../src/core/scene/look';
import { CloudreelPlayer, createWebGLPointView, type PointViewFactory } from '../../../src/ui/player';
import type { ExportPanel } from '../../../src/ui/index';
import { AnimationView } from '../../../src/widget/view';
import { settle } from '../ui/lit-helpers';
import { createWidget, type Widget } from './widget-harness';

/** World coordinates far from 0 (as UTM): the page draws them re-centred on the frames' origin. */
const UTM = [500000, 5400000, 300];
const WORLD = [[0, 0, 0], [4, 2, 1], [1, 3, 2]].map((p) => p.map((v, k) => v + UTM[k]!));
const SET = toFrameSet([{ points: Float64Array.from(WORLD.flat()) }, { points: Float64Array.from(WORLD.flat().map((v) => v + 0.5)) }]);
const WORLD_VIEW = { position: [500010, 5400020, 330], target: [500002, 5400001, 301], up: [0, 0, 1], fov_deg: 50 };

/** The orbit callbacks of each player's (fake) WebGL view, in the order the players were made. */
let orbits: Array<{ camera: Parameters<PointViewFactory>[0]; onOrbitEnd: () => void }> = [];

beforeEach(() => {
  exportCalls.length = 0;
  orbits = [];
  jest.spyOn(console, 'debug').mockImplementation(() => {});
  CloudreelPlayer.createView = (camera, _target, _onOrbit, onOrbitEnd) => {
    orbits.push({ camera, onOrbitEnd });
    const nothing = () => {};
    return { canvas: document.createElement('canvas'), setPoints: nothing, setPointSize: nothing, setPointShape: nothing, setBackground: nothing, setSize: nothing, syncControls: nothing, render: nothing, dispose: nothing };
  };
});
afterEach(() => {
  CloudreelPlayer.createView = createWebGLPointView;
  document.body.replaceChildren();
  jest.restoreAllMocks();
});

/** A model whose frames have arrived (SET's wire bytes over the comm), as the kernel's Animation makes it. */
function widgetWithFrames(state: Record<string, unknown> = {}): Widget {
  const widget = createWidget({ frames_version: 1, width: 640, height: 360, ...state });
  const payload = new Float32Array(SET.frames.flatMap((f) => Array.from(f.positions)));
  widget.deliver({ type: 'frames-begin', version: 1, header: { frames: SET.frames.map((f) => ({ points: f.count, colors: false })), total_bytes: payload.byteLength, origin: SET.origin }, chunks: 1 });
  widget.deliver({ type: 'frames-chunk', version: 1, index: 0, offset: 0 }, [new DataView(payload.buffer)]);
  widget.deliver({ type: 'frames-end', version: 1 });
  expect(widget.model.inbox.frameSet?.origin).toEqual(SET.origin);
  return widget;
}

/** A view of the model, shown in the page, as the widget manager makes one. */
async function show(widget: Widget): Promise<ExportPanel> {
  const view = new AnimationView({ model: widget.model } as never);
  view.render();
  document.body.append(view.el);
  const panel = view.el.querySelector('cloudreel-export-panel')!;
  await settle(panel);
  return panel;
}

const $ = <T extends Element>(panel: Element, selector: string) => panel.shadowRoot!.querySelector<T>(selector)!;
function userSets(input: HTMLInputElement | HTMLSelectElement, value: string) {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

/** Lets the (mock) kernel take each state update and go idle. */
const idle = () => new Promise((resolve) => setTimeout(resolve, 0));
const near = (got: number[], want: number[]) => got.forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 6));

test('the user\'s point size, background, quality, colormap and point shape become the traits, synced to the kernel', async () => {
  const widget = widgetWithFrames();
  const panel = await show(widget);
  userSets($<HTMLInputElement>(panel, 'input.point-size'), '3');
  userSets($<HTMLInputElement>(panel, 'input.background'), '#202020');
  userSets($<HTMLSelectElement>(panel, 'select.quality'), 'high');
  userSets($<HTMLSelectElement>(panel, 'select.colormap'), 'magma');
  userSets($<HTMLSelectElement>(panel, 'select.point-shape'), 'round');
  await idle();
  const want = { point_size: 3, background: '#202020', quality: 'high', colormap: 'magma', point_shape: 'round' };
  expect(widget.comm.kernelState).toEqual(want);
  expect(Object.keys(want).map((t) => widget.model.get(t))).toEqual(Object.values(want));
  userSets($<HTMLInputElement>(panel, 'input.point-size'), ''); // automatic again
  await idle();
  expect(widget.comm.updates.at(-1)).toEqual({ point_size: null });
  expect(widget.model.get('point_size')).toBeNull();
});

test('a camera move ends in the view trait, in world coordinates with fov_deg; Reset view sets it to None', async () => {
  const widget = widgetWithFrames();
  const panel = await show(widget);
  const local = [10, 20, 30];
  orbits[0]!.camera.position.set(local[0]!, local[1]!, local[2]!);
  orbits[0]!.onOrbitEnd();
  expect(widget.comm.updates).toEqual([]); // not before the move has rested
  panel.player!.flushViewChange();
  await idle();
  const view = widget.model.get('view') as typeof WORLD_VIEW;
  expect(Object.keys(view).sort()).toEqual(['fov_deg', 'position', 'target', 'up']);
  near(view.position, local.map((v, k) => v + SET.origin[k]!));
  expect(view.target).toEqual(panel.player!.getView().target);
  expect(view.fov_deg).toBe(panel.player!.getView().fovDeg);
  expect(widget.comm.updates).toEqual([{ view }]);
  $<HTMLButtonElement>(panel.player!, 'button.reset-view').click();
  await idle();
  expect(widget.model.get('view')).toBeNull();
  expect(widget.comm.updates.at(-1)).toEqual({ view: null });
});

test('the kernel\'s changes (anim.point_size = 3, anim.background, anim.quality, anim.view) reach the panel and its player', async () => {
  const widget = widgetWithFrames();
  const panel = await show(widget);
  await widget.comm.update({ point_size: 3, background: '#202020', quality: 'small', colormap: 'jet', view: WORLD_VIEW });
  await settle(panel);
  const player = panel.player!;
  expect([panel.pointSize, panel.background, panel.quality, panel.colormap]).toEqual([3, '#202020', 'small', 'jet']);
  expect([player.pointSize, player.background, player.colormap]).toEqual([3, '#202020', 'jet']);
  expect($<HTMLInputElement>(panel, 'input.point-size').value).toBe('3');
  expect($<HTMLSelectElement>(panel, 'select.quality').value).toBe('small');
  const shown = player.getView();
  near(shown.position, WORLD_VIEW.position);
  expect(shown.target).toEqual(WORLD_VIEW.target);
  expect(shown.fovDeg).toBe(50);
  await widget.comm.update({ point_size: null, view: null });
  await settle(panel);
  expect(panel.pointSize).toBeUndefined();
  expect(player.getView()).toEqual(sceneView(640 / 360)); // fitted again
  expect(widget.comm.updates).toEqual([]); // the kernel's own changes are not sent back
});

/** The export's fitted camera (core/render.ts with no view) in world coordinates. */
function sceneView(aspect: number) {
  const { camera, target } = sceneLook(SET, {}).fitted(aspect);
  const world = (v: { x: number; y: number; z: number }) => [v.x + SET.origin[0]!, v.y + SET.origin[1]!, v.z + SET.origin[2]!];
  return { position: world(camera.position), target: world(target), up: camera.up.toArray(), fovDeg: camera.fov };
}

test('a move still settling survives the kernel changing another trait', async () => {
  const widget = widgetWithFrames({ view: WORLD_VIEW });
  const panel = await show(widget);
  orbits[0]!.camera.position.set(10, 20, 30);
  orbits[0]!.onOrbitEnd();
  await widget.comm.update({ background: '#101010' });
  await settle(panel);
  panel.player!.flushViewChange();
  await idle();
  near((widget.model.get('view') as typeof WORLD_VIEW).position, [10, 20, 30].map((v, k) => v + SET.origin[k]!));
});

test('two views of one model stay in step through it', async () => {
  const widget = widgetWithFrames();
  const [a, b] = [await show(widget), await show(widget)];
  userSets($<HTMLInputElement>(a, 'input.point-size'), '5');
  userSets($<HTMLSelectElement>(a, 'select.quality'), 'high');
  orbits[0]!.camera.position.set(-7, 3, 9);
  orbits[0]!.onOrbitEnd();
  a.player!.flushViewChange();
  await settle(b);
  expect([b.pointSize, b.quality, b.player!.pointSize]).toEqual([5, 'high', 5]);
  near(b.player!.getView().position, a.player!.getView().position);
  expect(b.player!.getView().target).toEqual(a.player!.getView().target);
});

test('every export from the page renders the traits: the Export button and the kernel\'s request alike, defaults left out', async () => {
  const widget = widgetWithFrames();
  const panel = await show(widget);
  const exportButton = $<HTMLButtonElement>(panel, 'button.export');
  exportButton.click(); // every trait at its default: the options of before the traits
  expect(['pointSize', 'pointShape', 'background', 'quality', 'view'].filter((k) => k in exportCalls[0]!)).toEqual([]);
  widget.model.runner.cancel();
  await settle(panel);

  userSets($<HTMLInputElement>(panel, 'input.point-size'), '3');
  userSets($<HTMLInputElement>(panel, 'input.background'), '#202020');
  await widget.comm.update({ quality: 'high', view: WORLD_VIEW });
  await settle(panel);
  exportButton.click();
  widget.model.runner.cancel();
  await settle(panel);
  widget.deliver({ type: 'export', request: 7 });
  await new Promise((resolve) => setTimeout(resolve, 0));
  const look = (o: Record<string, unknown>) => ({ pointSize: o.pointSize, background: o.background, quality: o.quality, view: o.view, pointShape: o.pointShape });
  const want = {
    pointSize: 3, background: '#202020', quality: 'high', pointShape: undefined,
    view: { position: WORLD_VIEW.position, target: WORLD_VIEW.target, up: WORLD_VIEW.up, fovDeg: 50 },
  };
  expect(exportCalls.slice(1).map(look)).toEqual([want, want]);
});
