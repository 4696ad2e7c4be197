// <cloudreel-player>: a live view of a FrameSet with play/pause, a frame slider,
// an fps input and mouse orbit. It draws through core's point scene (the export's
// own scene code) in createWebGLPointView (a PointView); without WebGL the player
// shows a note and its controls, camera and getView() keep working, so it runs under jsdom.
// Its camera is `view` (world coordinates; null: fitted to the frames), and it says when the
// user has moved or reset it with a `cloudreel-view-change` event: the host decides what to keep.
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import { styleMap } from 'lit/directives/style-map.js';
import { PerspectiveCamera, Vector3, WebGLRenderer } from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { clipAround, fitCamera, type CameraView } from '../core/camera.js';
import { isColormap } from '../core/colormap.js';
import type { Frame, FrameSet } from '../core/frames.js';
import { viewToLocal, viewToWorld } from '../core/origin.js';
import type { ScaleOptions } from '../core/scale.js';
import { sceneLook, type SceneLook } from '../core/scene/look.js';
import { pointSizeFor } from '../core/scene/point-size.js';
import { createWebGLScene, type WebGLPointScene } from '../core/scene/webgl-scene.js';
import { DEFAULTS, MAX_POINT_SIZE, PLAYBACK_MAX_FPS, PLAYBACK_MIN_FPS, POINT_SHAPES, type PointShape } from '../core/settings.js';
import { themeStyles } from './theme.js';

export const PLAYER_TAG = 'cloudreel-player';
export const FPS_CHANGE_EVENT = 'cloudreel-fps-change';
/** The user moved the camera (at the end of a drag or zoom) or reset it: detail ViewChangeDetail. */
export const VIEW_CHANGE_EVENT = 'cloudreel-view-change';
/** Milliseconds a moved camera must rest before the move is reported: one report per wheel gesture, not per notch. */
export const VIEW_SETTLE_MS = 250;
/** The default export's frame shape (1280x720), until `aspect` says the export's own. */
export const VIEW_ASPECT = DEFAULTS.width / DEFAULTS.height;
export const NO_WEBGL_NOTE = '3D preview unavailable: WebGL is not available in this browser';

/** The camera as plain numbers (core's CameraView), e.g. to export with the viewer's camera. */
export type PlayerView = CameraView;

export interface FpsChangeDetail {
  fps: number;
}

export interface ViewChangeDetail {
  /** The camera now shown, in world coordinates; null: the user reset it to the fitted one. */
  view: PlayerView | null;
}

/** The WebGL part of the player; the player owns the camera and orbit target. */
export interface PointView {
  /** The element to show (a <canvas>); orbit input is read from it. */
  readonly canvas: HTMLCanvasElement;
  /** Shows these points (r g b bytes per point), or none. */
  setPoints(positions: Float32Array | null, colors: Uint8Array | null): void;
  /** Point diameter in pixels at a 720-line frame; scaled to the canvas like the export. */
  setPointSize(sizeAt720: number): void;
  /** Square or round points, as the export draws them. */
  setPointShape(shape: PointShape): void;
  /** CSS colour behind the points. */
  setBackground(color: string): void;
  /** Canvas size in CSS pixels. */
  setSize(width: number, height: number): void;
  /** Call after the camera or target were moved from code. */
  syncControls(): void;
  render(): void;
  /** Frees the renderer, geometry, material and orbit listeners. */
  dispose(): void;
}

/**
 * Makes a PointView, or returns null when WebGL is unavailable; `onOrbit` runs after each orbit
 * move, `onOrbitEnd` when a drag ends (pointer up) or after each wheel step.
 */
export type PointViewFactory = (camera: PerspectiveCamera, target: Vector3, onOrbit: () => void, onOrbitEnd: () => void) => PointView | null;

/**
 * The PointView on core's WebGL point scene, the export's own: the same points,
 * sizes, colours and background. Unlike the export's offscreen renderer it
 * antialiases and draws at the device pixel ratio (see README, "One point scene").
 */
export const createWebGLPointView: PointViewFactory = (camera, target, onOrbit, onOrbitEnd) => {
  const canvas = document.createElement('canvas');
  let scene: WebGLPointScene;
  try {
    // three.js draws with WebGL 2 only.
    const context = canvas.getContext('webgl2', { antialias: true, alpha: false });
    if (!context) return null;
    const renderer = new WebGLRenderer({ canvas, context });
    renderer.setPixelRatio(globalThis.devicePixelRatio || 1);
    scene = createWebGLScene(renderer);
  } catch {
    return null;
  }
  let sizeAt720 = 2;

  const controls = new OrbitControls(camera, canvas);
  controls.target = target; // shared with the player, so getView() sees pans
  controls.enableDamping = false; // no animation loop needed after the pointer stops
  controls.addEventListener('change', onOrbit);
  controls.addEventListener('end', onOrbitEnd);
  controls.update();

  // The canvas shows a 720-line video at its own height in device pixels.
  const applyPointSize = () => scene.setPointSize((sizeAt720 * (canvas.height > 0 ? canvas.height : 720)) / 720);

  return {
    canvas,
    setPoints: (positions, colors) => scene.setPoints(positions, colors),
    setPointSize(size) {
      sizeAt720 = size;
      applyPointSize();
    },
    setPointShape: (shape) => scene.setPointShape(shape),
    setBackground: (color) => scene.setBackground(color),
    setSize(width, height) {
      scene.renderer.setSize(width, height, false);
      applyPointSize();
    },
    syncControls() {
      controls.update();
    },
    render() {
      scene.render(camera);
    },
    dispose() {
      controls.removeEventListener('change', onOrbit);
      controls.removeEventListener('end', onOrbitEnd);
      controls.dispose();
      scene.dispose();
    },
  };
};

function clampFps(fps: number): number {
  if (!Number.isFinite(fps)) return DEFAULTS.fps;
  return Math.min(PLAYBACK_MAX_FPS, Math.max(PLAYBACK_MIN_FPS, Math.round(fps)));
}

const tuple = (v: Vector3): [number, number, number] => [v.x, v.y, v.z];

type WebGLState = 'pending' | 'ok' | 'unavailable';

export class CloudreelPlayer extends LitElement {
  /** How the WebGL part is made; tests put a fake here. */
  static createView: PointViewFactory = createWebGLPointView;

  static override properties = {
    frameSet: { attribute: false },
    fps: { type: Number },
    pointSize: { type: Number, attribute: 'point-size' },
    pointShape: { type: String, attribute: 'point-shape' },
    background: { type: String },
    colormap: { type: String },
    aspect: { type: Number },
    scale: { attribute: false },
    view: { attribute: false },
    currentFrame: { type: Number, attribute: 'current-frame' },
    playing: { type: Boolean, reflect: true },
    _webgl: { state: true },
  };

  static override styles = [
    themeStyles,
    css`
      :host {
        display: block;
      }
      .viewport {
        position: relative;
        width: 100%;
        max-width: calc(70vh * var(--cr-aspect));
        aspect-ratio: var(--cr-aspect);
        border: 1px solid var(--cr-border);
        overflow: hidden;
        touch-action: none;
        cursor: grab;
      }
      .viewport.unavailable {
        aspect-ratio: auto;
        cursor: default;
      }
      canvas {
        display: block;
        width: 100%;
        height: 100%;
      }
      .note {
        margin: 0;
        padding: 8px 12px;
        background: var(--cr-bg-raised);
        color: var(--cr-fg);
      }
      .controls {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 12px;
        margin-top: 6px;
      }
      button,
      input {
        font: inherit;
        color: var(--cr-fg);
      }
      button {
        min-width: 5em;
        padding: 4px 10px;
        border-radius: 4px;
        border: 1px solid var(--cr-border);
        background: var(--cr-bg-raised);
        cursor: pointer;
      }
      input[type='number'] {
        width: 4.5em;
        padding: 2px 4px;
        border: 1px solid var(--cr-border);
        border-radius: 3px;
        background: var(--cr-bg);
      }
      input[type='range'] {
        flex: 1 1 12em;
        min-width: 8em;
        accent-color: var(--cr-brand);
      }
      button:disabled,
      input:disabled {
        opacity: 0.5;
        cursor: not-allowed;
      }
      .readout {
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      label {
        display: inline-flex;
        align-items: center;
        gap: 4px;
      }
    `,
  ];

  declare frameSet: FrameSet | null;
  /** Playback frames per second (1..60); the fps input edits it. */
  declare fps: number;
  /** Point diameter in pixels at 720 lines; undefined picks one from the point count. */
  declare pointSize: number | undefined;
  /** 'square' or 'round' (one of core's POINT_SHAPES; others draw squares). */
  declare pointShape: string;
  /** CSS colour behind the points. */
  declare background: string;
  /** Colormap for frames without colours (a name from core's COLORMAPS; others fall back to viridis). */
  declare colormap: string;
  /**
   * The export's width / height: the viewport takes this shape and the camera is
   * fitted to it, so getView() frames the video as the player shows it.
   */
  declare aspect: number;
  /** Fixed framing and colour scale (bounds, vmin, vmax, palette; checked), as the export uses them. */
  declare scale: ScaleOptions;
  /**
   * The camera in world coordinates (checked by the caller), or null: fitted to the frames (or
   * `scale.bounds`) as the export fits it. Setting it places the camera; the user's moves do not
   * change it: they are reported (VIEW_CHANGE_EVENT) for the owner to set.
   */
  declare view: PlayerView | null;
  /** Index of the frame shown, 0-based. */
  declare currentFrame: number;
  declare playing: boolean;
  declare _webgl: WebGLState;

  readonly #camera: PerspectiveCamera = fitCamera(null, VIEW_ASPECT);
  readonly #target = new Vector3();
  /** Half the diagonal of the bounds, for the clipping planes. */
  #radius = Math.sqrt(3);
  #view: PointView | null = null;
  #resizeObserver: ResizeObserver | null = null;
  #rafId = 0;
  #dirty = false;
  #lastStep = -1;
  #shownFrame: Frame | null = null;
  #shownColormap = '';
  #colors = new WeakMap<Frame, Uint8Array>();
  #look: SceneLook = sceneLook(null, {});
  /** The timer of a move not reported yet (VIEW_SETTLE_MS). */
  #viewTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super();
    this.frameSet = null;
    this.fps = DEFAULTS.fps;
    this.pointSize = undefined;
    this.pointShape = DEFAULTS.pointShape;
    this.background = DEFAULTS.background;
    this.colormap = DEFAULTS.colormap;
    this.aspect = VIEW_ASPECT;
    this.scale = {};
    this.view = null;
    this.currentFrame = 0;
    this.playing = false;
    this._webgl = 'pending';
  }

  get frameCount(): number {
    return this.frameSet?.frames.length ?? 0;
  }

  /** True when a WebGL view is showing (false before connecting and without WebGL). */
  get hasWebGL(): boolean {
    return this.#view !== null;
  }

  /** The camera now shown (after any orbit), as plain numbers in world coordinates (the frames' origin added back). */
  getView(): PlayerView {
    const local = { position: tuple(this.#camera.position), target: tuple(this.#target), up: tuple(this.#camera.up), fovDeg: this.#camera.fov };
    return viewToWorld(local, this.frameSet?.origin);
  }

  /** Reports a camera move still waiting out VIEW_SETTLE_MS now (e.g. before an export reads the camera). */
  flushViewChange(): void {
    if (this.#viewTimer === null) return;
    clearTimeout(this.#viewTimer);
    this.#viewTimer = null;
    this.#emitView(this.getView());
  }

  /** Back to the fitted camera (the export's with no view), and says so with a null view. */
  resetView(): void {
    this.#cancelViewChange();
    this.view = null;
    this.#placeCamera();
    this.#invalidate();
    this.#emitView(null);
  }

  play(): void {
    if (this.frameCount === 0) return;
    this.playing = true;
    this.#lastStep = -1;
    this.#schedule();
  }

  pause(): void {
    this.playing = false;
  }

  togglePlay(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Moves `delta` frames; wraps around when `wrap`, else stops at the ends. */
  step(delta: number, wrap = false): void {
    const n = this.frameCount;
    if (n === 0) return;
    const next = this.currentFrame + delta;
    this.currentFrame = wrap ? ((next % n) + n) % n : Math.min(n - 1, Math.max(0, next));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.#onKeyDown);
    this.#view = CloudreelPlayer.createView(this.#camera, this.#target, this.#onOrbit, this.#onOrbitEnd);
    this._webgl = this.#view ? 'ok' : 'unavailable';
    this.#shownFrame = null;
    this.requestUpdate();
    if (this.playing) this.play();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.#onKeyDown);
    if (this.#rafId) cancelAnimationFrame(this.#rafId);
    this.#rafId = 0;
    this.#resizeObserver?.disconnect();
    this.#resizeObserver = null;
    this.#cancelViewChange();
    this.#view?.dispose();
    this.#view = null;
    this.#shownFrame = null;
    this._webgl = 'pending';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('frameSet') || changed.has('scale') || changed.has('colormap')) {
      const colormap = isColormap(this.colormap) ? this.colormap : 'viridis';
      this.#look = sceneLook(this.frameSet, { ...this.scale, colormap });
      this.#colors = new WeakMap();
      this.#shownFrame = null;
    }
    if (changed.has('frameSet') || changed.has('scale') || changed.has('aspect') || changed.has('view')) {
      this.#cancelViewChange(); // the owner's camera wins over a move not reported yet
      this.#placeCamera();
    }
    const n = this.frameCount;
    const clamped = n === 0 ? 0 : Math.min(n - 1, Math.max(0, Math.round(this.currentFrame) || 0));
    if (clamped !== this.currentFrame) this.currentFrame = clamped;
    if (n === 0 && this.playing) this.playing = false;
  }

  protected override updated(): void {
    const view = this.#view;
    if (!view) return;
    const viewport = this.renderRoot.querySelector<HTMLElement>('.viewport');
    if (viewport && !this.#resizeObserver) {
      if (viewport.clientWidth > 0 && viewport.clientHeight > 0) this.#resize(viewport.clientWidth, viewport.clientHeight);
      if (typeof ResizeObserver !== 'undefined') {
        this.#resizeObserver = new ResizeObserver((entries) => {
          const box = entries[entries.length - 1]?.contentRect;
          if (box && box.width > 0 && box.height > 0) this.#resize(box.width, box.height);
        });
        this.#resizeObserver.observe(viewport);
      }
    }
    const frame = this.frameSet?.frames[this.currentFrame] ?? null;
    if (frame !== this.#shownFrame || this.colormap !== this.#shownColormap) {
      view.setPoints(frame?.positions ?? null, frame ? this.#colorsOf(frame) : null);
      this.#shownFrame = frame;
      this.#shownColormap = this.colormap;
    }
    view.setPointSize(this.#pointSizeAt720(frame));
    view.setPointShape((POINT_SHAPES as readonly string[]).includes(this.pointShape) ? (this.pointShape as PointShape) : DEFAULTS.pointShape);
    view.setBackground(this.background || '#000000');
    this.#invalidate();
  }

  override render() {
    const n = this.frameCount;
    const shown = n === 0 ? 0 : this.currentFrame + 1;
    const unavailable = this._webgl === 'unavailable';
    return html`
      <div
        class="viewport ${unavailable ? 'unavailable' : ''}"
        tabindex="0"
        role="group"
        aria-roledescription="3D point cloud viewer"
        aria-label="Point cloud, frame ${shown} of ${n}. Drag to orbit, scroll to zoom, Space plays or pauses, arrow keys step frames."
        style=${styleMap({ '--cr-aspect': String(this.#aspect()), ...(unavailable ? {} : { background: this.background || '#000000' }) })}
        @pointerdown=${(e: PointerEvent) => (e.currentTarget as HTMLElement).focus({ preventScroll: true })}
      >
        ${this.#view ? this.#view.canvas : unavailable ? html`<p class="note" role="note">${NO_WEBGL_NOTE}</p>` : nothing}
      </div>
      <div class="controls">
        <button type="button" class="play" ?disabled=${n === 0} @click=${this.togglePlay}>
          ${this.playing ? 'Pause' : 'Play'}
        </button>
        <input
          type="range"
          class="frame"
          min="0"
          max=${Math.max(0, n - 1)}
          step="1"
          .value=${live(String(this.currentFrame))}
          aria-label="Frame"
          aria-valuetext="Frame ${shown} of ${n}"
          ?disabled=${n < 2}
          @input=${this.#onSlider}
        />
        <span class="readout">Frame ${shown}/${n}</span>
        <button type="button" class="reset-view" title="Back to the camera fitted to the frames" @click=${() => this.resetView()}>
          Reset view
        </button>
        <label class="fps"
          >FPS
          <input
            type="number"
            min=${PLAYBACK_MIN_FPS}
            max=${PLAYBACK_MAX_FPS}
            step="1"
            inputmode="numeric"
            .value=${live(String(clampFps(this.fps)))}
            @change=${this.#onFps}
        /></label>
      </div>
    `;
  }

  #onSlider = (e: Event) => {
    const value = Number((e.target as HTMLInputElement).value);
    if (!Number.isFinite(value)) return;
    this.pause();
    this.currentFrame = value;
  };

  #onFps = (e: Event) => {
    const text = (e.target as HTMLInputElement).value.trim();
    const value = text === '' ? NaN : Number(text);
    if (Number.isFinite(value)) {
      this.fps = clampFps(value);
      this.dispatchEvent(
        new CustomEvent<FpsChangeDetail>(FPS_CHANGE_EVENT, { detail: { fps: this.fps }, bubbles: true, composed: true }),
      );
    }
    this.requestUpdate(); // show the clamped (or, for bad input, the previous) value
  };

  #onKeyDown = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    const origin = e.composedPath()[0];
    const tag = origin instanceof Element ? origin.localName : '';
    const inputType = origin instanceof HTMLInputElement ? origin.type : '';
    // Text-like fields (the fps input) keep their own keys.
    if (tag === 'select' || tag === 'textarea' || (tag === 'input' && inputType !== 'range')) return;
    if (e.key === ' ' || e.key === 'Spacebar') {
      if (tag === 'button') return; // the focused button's own click handles Space
      e.preventDefault();
      this.togglePlay();
      return;
    }
    if (inputType === 'range') return; // the slider steps itself and reports an input event
    const moves: Record<string, () => void> = {
      ArrowRight: () => this.step(1),
      ArrowLeft: () => this.step(-1),
      Home: () => (this.currentFrame = 0),
      End: () => (this.currentFrame = Math.max(0, this.frameCount - 1)),
    };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    this.pause();
    move();
  };

  #onOrbit = () => {
    this.#fitClipping();
    this.#invalidate();
  };

  /** A drag ended or a wheel step zoomed: report the camera once it has rested VIEW_SETTLE_MS. */
  #onOrbitEnd = () => {
    this.#cancelViewChange();
    this.#viewTimer = setTimeout(() => {
      this.#viewTimer = null;
      this.#emitView(this.getView());
    }, VIEW_SETTLE_MS);
  };

  #cancelViewChange(): void {
    if (this.#viewTimer !== null) clearTimeout(this.#viewTimer);
    this.#viewTimer = null;
  }

  #emitView(view: PlayerView | null): void {
    this.dispatchEvent(new CustomEvent<ViewChangeDetail>(VIEW_CHANGE_EVENT, { detail: { view }, bubbles: true, composed: true }));
  }

  /**
   * The camera `view` says (placed in the frames' local coordinates), else the export's
   * default camera (core's fitView) for the current framing: the one an export with no view renders.
   */
  #placeCamera(): void {
    const fitted = this.#look.fitted(this.#aspect());
    const aspect = this.#camera.aspect;
    const view = this.view;
    if (view) {
      const local = viewToLocal(view, this.frameSet?.origin);
      this.#camera.fov = view.fovDeg;
      this.#camera.up.set(...local.up);
      this.#camera.position.set(...local.position);
      this.#target.set(...local.target);
      this.#camera.lookAt(this.#target);
    } else {
      this.#camera.copy(fitted.camera);
      this.#target.copy(fitted.target);
    }
    this.#camera.aspect = aspect;
    this.#camera.updateProjectionMatrix();
    this.#radius = fitted.radius;
    this.#view?.syncControls();
    this.#fitClipping();
  }

  #aspect(): number {
    const aspect = this.aspect;
    return typeof aspect === 'number' && Number.isFinite(aspect) && aspect > 0 ? aspect : VIEW_ASPECT;
  }

  #fitClipping(): void {
    clipAround(this.#camera, this.#target, this.#radius);
  }

  #resize(width: number, height: number): void {
    this.#camera.aspect = width / height;
    this.#camera.updateProjectionMatrix();
    this.#view?.setSize(width, height);
    this.#invalidate();
  }

  /** As the export draws `frame`: from its own point count unless a size is set. */
  #pointSizeAt720(frame: Frame | null): number {
    const size = this.pointSize;
    return pointSizeFor(frame?.count ?? 0, 720, typeof size === 'number' && size > 0 ? Math.min(MAX_POINT_SIZE, size) : undefined);
  }

  /** The frame's colours from the scene look, kept for replays. */
  #colorsOf(frame: Frame): Uint8Array {
    let colors = this.#colors.get(frame);
    if (!colors) this.#colors.set(frame, (colors = this.#look.colors(frame)));
    return colors;
  }

  /** Draw on the next animation frame. */
  #invalidate(): void {
    if (!this.#view) return;
    this.#dirty = true;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#rafId || !this.isConnected) return;
    if (!this.#dirty && !this.playing) return;
    this.#rafId = requestAnimationFrame(this.#tick);
  }

  #tick = (time: number) => {
    this.#rafId = 0;
    if (this.playing) {
      const interval = 1000 / clampFps(this.fps);
      if (this.#lastStep < 0) this.#lastStep = time;
      else if (time - this.#lastStep >= interval) {
        this.#lastStep = time - ((time - this.#lastStep) % interval);
        this.step(1, true);
      }
    }
    if (this.#dirty && this.#view) {
      this.#dirty = false;
      this.#view.render();
    }
    // Only playback keeps the loop going; an orbit move or a change asks again.
    if (this.playing) this.#schedule();
  };
}

if (!customElements.get(PLAYER_TAG)) customElements.define(PLAYER_TAG, CloudreelPlayer);

declare global {
  interface HTMLElementTagNameMap {
    'cloudreel-player': CloudreelPlayer;
  }
}
