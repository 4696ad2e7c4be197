/** @jest-environment jsdom */
import { fitCamera } from '../../../src/core/camera';
import { colorByZ } from '../../../src/core/colormap';
import { toFrameSet, type FrameSet } from '../../../src/core/frames';
import { pointColors } from '../../../src/core/point-colors';
import { colorScale } from '../../../src/core/scale';
import { defaultPointSize } from '../../../src/core/scene/point-size';
import {
  CloudreelPlayer,
  createWebGLPointView,
  NO_WEBGL_NOTE,
  VIEW_SETTLE_MS,
  type PlayerView,
  type PointView,
  type PointViewFactory,
} from '../../../src/ui/player';

/** Five frames of three points; frame 2 carries its own colours. */
function sampleFrames(): FrameSet {
  return toFrameSet(
    Array.from({ length: 5 }, (_, i) => ({
      points: [
        [0, 0, i],
        [1, 2, 3],
        [4, 0, -1],
      ],
      colors: i === 2 ? new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]) : null,
    })),
  );
}

beforeEach(() => {
  // jsdom has no WebGL (and logs "not implemented" for getContext): report none.
  jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});

afterEach(() => {
  document.body.replaceChildren();
  jest.useRealTimers();
  jest.restoreAllMocks();
  CloudreelPlayer.createView = createWebGLPointView;
});

async function mount(props: Partial<CloudreelPlayer> = {}): Promise<CloudreelPlayer> {
  const el = document.createElement('cloudreel-player');
  Object.assign(el, { frameSet: sampleFrames(), ...props });
  document.body.append(el);
  await el.updateComplete;
  return el;
}

const $ = <T extends Element>(el: CloudreelPlayer, selector: string) => el.shadowRoot!.querySelector<T>(selector)!;
const readout = (el: CloudreelPlayer) => $(el, '.readout').textContent!.trim();
const key = (target: EventTarget, k: string) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, composed: true, cancelable: true }));

test('without WebGL it shows the note and keeps its controls', async () => {
  const el = await mount();
  expect(el.hasWebGL).toBe(false);
  expect($(el, '.note').textContent!.trim()).toBe(NO_WEBGL_NOTE);
  expect(NO_WEBGL_NOTE).toBe('3D preview unavailable: WebGL is not available in this browser');
  expect($(el, 'canvas')).toBeNull();
  expect($<HTMLButtonElement>(el, 'button.play').disabled).toBe(false);
  expect($<HTMLInputElement>(el, 'input[type="range"]').disabled).toBe(false);
  expect(readout(el)).toBe('Frame 1/5');
});

test('the slider moves to a frame and the readout follows', async () => {
  const el = await mount();
  const slider = $<HTMLInputElement>(el, 'input[type="range"]');
  expect(slider.getAttribute('aria-label')).toBe('Frame');
  expect(slider.max).toBe('4');
  slider.value = '3';
  slider.dispatchEvent(new Event('input', { bubbles: true }));
  await el.updateComplete;
  expect(el.currentFrame).toBe(3);
  expect(readout(el)).toBe('Frame 4/5');
  expect(slider.getAttribute('aria-valuetext')).toBe('Frame 4 of 5');
});

test('arrow keys step frames (stopping at the ends), Home and End jump', async () => {
  const el = await mount();
  key(el, 'ArrowRight');
  key(el, 'ArrowRight');
  await el.updateComplete;
  expect(el.currentFrame).toBe(2);
  expect(readout(el)).toBe('Frame 3/5');
  key(el, 'ArrowLeft');
  expect(el.currentFrame).toBe(1);
  key(el, 'End');
  key(el, 'ArrowRight');
  expect(el.currentFrame).toBe(4);
  key(el, 'Home');
  key(el, 'ArrowLeft');
  expect(el.currentFrame).toBe(0);

  // From the focusable viewport inside the shadow root too.
  key($(el, '.viewport'), 'ArrowRight');
  expect(el.currentFrame).toBe(1);
  // The fps field keeps its own arrow keys.
  key($(el, 'input[type="number"]'), 'ArrowRight');
  expect(el.currentFrame).toBe(1);
});

test('Space toggles play; the play button says which', async () => {
  const el = await mount();
  const button = $<HTMLButtonElement>(el, 'button.play');
  expect(button.textContent!.trim()).toBe('Play');
  expect(key(el, ' ')).toBe(false); // handled: default (page scroll) prevented
  await el.updateComplete;
  expect(el.playing).toBe(true);
  expect(button.textContent!.trim()).toBe('Pause');
  key(el, ' ');
  await el.updateComplete;
  expect(el.playing).toBe(false);
  expect(button.textContent!.trim()).toBe('Play');

  // Space on the focused button is the button's own click, not a second toggle.
  key(button, ' ');
  expect(el.playing).toBe(false);
  button.click();
  expect(el.playing).toBe(true);
  el.pause();
});

test('playing steps frames at the fps and wraps around; pausing stops', async () => {
  jest.useFakeTimers();
  const el = await mount({ fps: 10 });
  el.play();
  jest.advanceTimersByTime(360);
  const stepped = el.currentFrame;
  expect(stepped).toBeGreaterThanOrEqual(2);
  expect(stepped).toBeLessThanOrEqual(4);
  jest.advanceTimersByTime(1000); // about 10 more frames of 5: wrapped, still in range
  expect(el.currentFrame).toBeGreaterThanOrEqual(0);
  expect(el.currentFrame).toBeLessThan(5);
  el.pause();
  const paused = el.currentFrame;
  jest.advanceTimersByTime(1000);
  expect(el.currentFrame).toBe(paused);
});

test('the fps input is clamped to 1..60 and reported with an event', async () => {
  const el = await mount({ fps: 7 });
  const input = $<HTMLInputElement>(el, 'input[type="number"]');
  expect(input.value).toBe('7');
  expect(input.min).toBe('1');
  expect(input.max).toBe('60');
  const seen: number[] = [];
  el.addEventListener('cloudreel-fps-change', (e) => seen.push((e as CustomEvent<{ fps: number }>).detail.fps));
  input.value = '100';
  input.dispatchEvent(new Event('change', { bubbles: true }));
  await el.updateComplete;
  expect(el.fps).toBe(60);
  expect(input.value).toBe('60');
  input.value = '12';
  input.dispatchEvent(new Event('change', { bubbles: true }));
  input.value = '';
  input.dispatchEvent(new Event('change', { bubbles: true }));
  await el.updateComplete;
  expect(el.fps).toBe(12);
  expect(input.value).toBe('12');
  expect(seen).toEqual([60, 12]);
});

test('getView gives the fitted camera as finite numbers even without WebGL', async () => {
  const set = sampleFrames();
  const el = await mount({ frameSet: set });
  const view = el.getView();
  for (const v of [...view.position, ...view.target, ...view.up, view.fovDeg]) expect(Number.isFinite(v)).toBe(true);
  const fitted = fitCamera(set.bounds, 16 / 9);
  expect(view.position[0]).toBeCloseTo(fitted.position.x);
  expect(view.position[1]).toBeCloseTo(fitted.position.y);
  expect(view.position[2]).toBeCloseTo(fitted.position.z);
  expect(view.target).toEqual([2, 1, 1.5]); // centre of x 0..4, y 0..2, z -1..4
  expect(view.up).toEqual([0, 0, 1]);
  expect(view.fovDeg).toBe(fitted.fov);

  // An empty player still has a camera.
  const empty = await mount({ frameSet: null });
  expect(empty.getView().position.every(Number.isFinite)).toBe(true);
  expect(empty.getView().target).toEqual([0, 0, 0]);
});

test('getView is in world coordinates: the camera fitted to local positions, plus the origin', async () => {
  const utm = [500000, 5400000, 300];
  const set = toFrameSet(sampleFrames().frames.map((f) => ({ points: Float64Array.from(f.positions, (v, i) => v + utm[i % 3]!) })));
  expect(set.origin).not.toEqual([0, 0, 0]);
  const el = await mount({ frameSet: set });
  const near = await mount({ frameSet: sampleFrames() });
  const view = el.getView();
  expect(view.target).toEqual([500002, 5400001, 301.5]); // the world centre of x 0..4, y 0..2, z -1..4
  near.getView().position.forEach((v, k) => expect(view.position[k]).toBeCloseTo(v + utm[k]!, 6));
});

test('the view property places the camera, given in world coordinates, in the frames\' local ones; null fits it again', async () => {
  const utm = [500000, 5400000, 300];
  const set = toFrameSet(sampleFrames().frames.map((f) => ({ points: Float64Array.from(f.positions, (v, i) => v + utm[i % 3]!) })));
  const el = await mount({ frameSet: set });
  const fitted = el.getView();
  const view: PlayerView = { position: [500010, 5400020, 330], target: [500001, 5400002, 303], up: [0, 0, 1], fovDeg: 50 };
  el.view = view;
  await el.updateComplete;
  const shown = el.getView();
  shown.position.forEach((v, k) => expect(v).toBeCloseTo(view.position[k]!, 6));
  expect(shown.target).toEqual(view.target); // whole numbers: exact through local and back
  expect(shown.fovDeg).toBe(50);
  // New frames keep the camera where it is in the world.
  el.frameSet = toFrameSet(set.frames.map((f) => ({ points: Float64Array.from(f.positions, (v, i) => v + set.origin[i % 3]! + 1) })));
  await el.updateComplete;
  expect(el.getView().target).toEqual(view.target);
  el.frameSet = set;
  el.view = null;
  await el.updateComplete;
  expect(el.getView()).toEqual(fitted);
});

test('with no frames the controls are disabled and nothing plays', async () => {
  const el = await mount({ frameSet: null });
  expect(readout(el)).toBe('Frame 0/0');
  expect($<HTMLButtonElement>(el, 'button.play').disabled).toBe(true);
  key(el, ' ');
  expect(el.playing).toBe(false);
});

describe('with a (fake) WebGL view', () => {
  function fakeViews() {
    const made: Array<PointView & { [k: string]: jest.Mock | HTMLCanvasElement }> = [];
    const args: Array<Parameters<PointViewFactory>> = [];
    const factory: PointViewFactory = (...a) => {
      args.push(a);
      const view = {
        canvas: document.createElement('canvas'),
        setPoints: jest.fn(),
        setPointSize: jest.fn(),
        setPointShape: jest.fn(),
        setBackground: jest.fn(),
        setSize: jest.fn(),
        syncControls: jest.fn(),
        render: jest.fn(),
        dispose: jest.fn(),
      };
      made.push(view);
      return view;
    };
    return { made, args, factory };
  }

  test('shows the canvas, draws frames on animation frames only, colours by z or by the given colours', async () => {
    jest.useFakeTimers();
    const { made, factory } = fakeViews();
    CloudreelPlayer.createView = factory;
    const set = sampleFrames();
    const el = await mount({ frameSet: set, background: '#112233', pointSize: 3 });
    const view = made[0]!;
    expect(el.hasWebGL).toBe(true);
    expect(el.shadowRoot!.querySelector('canvas')).toBe(view.canvas);
    expect($(el, '.note')).toBeNull();

    const z = set.bounds!;
    expect(view.setPoints).toHaveBeenLastCalledWith(set.frames[0]!.positions, colorByZ(set.frames[0]!.positions, z.min[2], z.max[2]));
    expect(view.setBackground).toHaveBeenLastCalledWith('#112233');
    expect(view.setPointSize).toHaveBeenLastCalledWith(3);
    expect(view.render).not.toHaveBeenCalled(); // waits for requestAnimationFrame
    jest.advanceTimersByTime(20);
    expect(view.render).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(200);
    expect(view.render).toHaveBeenCalledTimes(1); // idle: no render loop

    el.currentFrame = 2;
    await el.updateComplete;
    expect(view.setPoints).toHaveBeenLastCalledWith(set.frames[2]!.positions, set.frames[2]!.colors);
    jest.advanceTimersByTime(20);
    expect(view.render).toHaveBeenCalledTimes(2);

    el.currentFrame = 1;
    el.colormap = 'magma';
    await el.updateComplete;
    const magma = colorByZ(set.frames[1]!.positions, z.min[2], z.max[2], 'magma');
    expect(view.setPoints).toHaveBeenLastCalledWith(set.frames[1]!.positions, magma);
    expect(magma).not.toEqual(colorByZ(set.frames[1]!.positions, z.min[2], z.max[2], 'viridis'));
  });

  test('without a set size, each frame is drawn at the size its own point count gives, as the export does', async () => {
    const { made, factory } = fakeViews();
    CloudreelPlayer.createView = factory;
    const dense = Array.from({ length: 20_000 }, (_, i) => [i % 7, i % 11, i % 13]);
    const el = await mount({ frameSet: toFrameSet([{ points: dense }, { points: [[1, 2, 3]] }]) });
    const view = made[0]!;
    expect(view.setPointSize).toHaveBeenLastCalledWith(defaultPointSize(20_000, 720));
    el.currentFrame = 1;
    await el.updateComplete;
    expect(view.setPointSize).toHaveBeenLastCalledWith(defaultPointSize(1, 720));
    expect(defaultPointSize(1, 720)).toBeGreaterThan(defaultPointSize(20_000, 720));
  });

  test('the pointShape property draws square points by default, round ones when set, and squares for an unknown shape', async () => {
    const { made, factory } = fakeViews();
    CloudreelPlayer.createView = factory;
    const el = await mount({ frameSet: sampleFrames() });
    const view = made[0]!;
    expect(el.pointShape).toBe('square');
    expect(view.setPointShape).toHaveBeenLastCalledWith('square');
    el.pointShape = 'round';
    await el.updateComplete;
    expect(view.setPointShape).toHaveBeenLastCalledWith('round');
    el.setAttribute('point-shape', 'star');
    await el.updateComplete;
    expect(view.setPointShape).toHaveBeenLastCalledWith('square');
  });

  test('a fixed scale: the camera fits the bounds, and frames are coloured as the export colours them', async () => {
    jest.useFakeTimers();
    const { made, factory } = fakeViews();
    CloudreelPlayer.createView = factory;
    const set = toFrameSet([
      { points: [[0, 0, 0], [1, 1, 1]], values: [2, 8] },
      { points: [[0, 0, 0], [1, 1, 1]], categories: [2, 6] },
      { points: [[0, 0, 0], [1, 1, 1]] },
    ]);
    const scale = { bounds: { min: [-4, -4, -4], max: [4, 4, 12] } as const, vmin: 0, vmax: 10, palette: new Map([[6, [1, 2, 3]]]) } as never;
    const el = await mount({ frameSet: set, scale, colormap: 'plasma' });
    const view = made[0]!;
    expect(el.getView().target).toEqual([0, 0, 4]);
    const fitted = fitCamera({ min: [-4, -4, -4], max: [4, 4, 12] }, 16 / 9);
    expect(el.getView().position[2]).toBeCloseTo(fitted.position.z);
    const expected = colorScale(set, { ...(scale as object), colormap: 'plasma' });
    for (const i of [0, 1, 2]) {
      el.currentFrame = i;
      await el.updateComplete;
      expect(view.setPoints).toHaveBeenLastCalledWith(set.frames[i]!.positions, pointColors(set.frames[i]!, expected));
    }
    const calls = (view.setPoints as jest.Mock).mock.calls;
    expect(Array.from(calls.at(-2)![1] as Uint8Array).slice(3)).toEqual([1, 2, 3]); // class 6 from the palette
  });

  test('an orbit move renders once and getView follows the shared camera and target', async () => {
    jest.useFakeTimers();
    const { made, args, factory } = fakeViews();
    CloudreelPlayer.createView = factory;
    const el = await mount();
    jest.advanceTimersByTime(20);
    const view = made[0]!;
    const renders = (view.render as jest.Mock).mock.calls.length;
    const [camera, target, onOrbit] = args[0]!;
    camera.position.set(10, 20, 30);
    target.set(1, 2, 3);
    onOrbit();
    jest.advanceTimersByTime(20);
    expect(view.render).toHaveBeenCalledTimes(renders + 1);
    expect(el.getView().position).toEqual([10, 20, 30]);
    expect(el.getView().target).toEqual([1, 2, 3]);
  });

  test('a move is reported once it ends and has rested (one report for many wheel steps), never per pointer move; Reset view reports null', async () => {
    jest.useFakeTimers();
    const { args, factory } = fakeViews();
    CloudreelPlayer.createView = factory;
    const el = await mount();
    const fitted = el.getView();
    const reports: Array<PlayerView | null> = [];
    el.addEventListener('cloudreel-view-change', (e) => reports.push((e as CustomEvent).detail.view));
    const [camera, , onOrbit, onOrbitEnd] = args[0]!;
    for (const x of [10, 11, 12]) {
      camera.position.set(x, 20, 30);
      onOrbit(); // pointer moves while dragging
    }
    jest.advanceTimersByTime(VIEW_SETTLE_MS * 2);
    expect(reports).toEqual([]);
    onOrbitEnd(); // the drag ended
    jest.advanceTimersByTime(VIEW_SETTLE_MS - 1);
    expect(reports).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(reports).toEqual([el.getView()]);
    expect(reports[0]!.position).toEqual([12, 20, 30]);
    expect(el.view).toBeNull(); // reported, not kept: the owner sets it

    for (const x of [13, 14, 15]) {
      camera.position.set(x, 20, 30); // wheel steps, each a start and an end
      onOrbit();
      onOrbitEnd();
      jest.advanceTimersByTime(VIEW_SETTLE_MS / 2);
    }
    el.flushViewChange(); // e.g. before an export: the pending report goes now, once
    jest.advanceTimersByTime(VIEW_SETTLE_MS * 2);
    expect(reports.map((v) => v!.position[0])).toEqual([12, 15]);

    onOrbitEnd();
    $<HTMLButtonElement>(el, 'button.reset-view').click(); // the pending move is dropped
    jest.advanceTimersByTime(VIEW_SETTLE_MS * 2);
    expect(reports.slice(2)).toEqual([null]);
    expect(el.getView()).toEqual(fitted);
  });

  test('disconnecting disposes the view and stops playback frames', async () => {
    jest.useFakeTimers();
    const { made, factory } = fakeViews();
    CloudreelPlayer.createView = factory;
    const el = await mount();
    el.play();
    el.remove();
    expect(made[0]!.dispose).toHaveBeenCalledTimes(1);
    const frame = el.currentFrame;
    jest.advanceTimersByTime(2000);
    expect(el.currentFrame).toBe(frame);
    expect(made[0]!.render).not.toHaveBeenCalled();

    // Reattached: a fresh view, and playback goes on.
    document.body.append(el);
    await el.updateComplete;
    expect(made).toHaveLength(2);
    jest.advanceTimersByTime(1000);
    expect(made[1]!.render).toHaveBeenCalled();
    el.pause();
  });
});
