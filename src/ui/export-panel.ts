// <cloudreel-export-panel>: the whole export UI (player, options, Export and
// Cancel, progress, preview, metrics, download). It runs no export itself: it
// asks for one with a `cloudreel-export` event, and the widget layer sets
// `exporting`, `status` and `result` as the export goes. The user's changes to the
// look (point size, shape, colormap, background, quality) are announced with a
// `cloudreel-look-change` event, the camera's by the player's `cloudreel-view-change`.
import { css, html, LitElement, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import type { CameraView } from '../core/camera.js';
import { isColormap } from '../core/colormap.js';
import type { FrameSet } from '../core/frames.js';
import type { ExportResult } from '../core/pipeline.js';
import type { ScaleOptions } from '../core/scale.js';
import {
  COLORMAPS,
  DEFAULTS,
  MAX_POINT_SIZE,
  POINT_SHAPES,
  QUALITIES,
  type ColormapName,
  type PointShape,
  type Quality,
} from '../core/settings.js';
import { messages, type ExportStatus } from '../core/status.js';
import './download-button.js';
import { sanitizeFileName } from './file-name.js';
import './metrics-row.js';
import { VIEW_ASPECT, type CloudreelPlayer, type FpsChangeDetail, type ViewChangeDetail } from './player.js';
import './preview.js';
import './progress-bar.js';
import { themeStyles } from './theme.js';

export const EXPORT_PANEL_TAG = 'cloudreel-export-panel';
export const EXPORT_EVENT = 'cloudreel-export';
export const CANCEL_EVENT = 'cloudreel-cancel';
/** The user changed one setting of the look: detail LookChange, with that one key. */
export const LOOK_CHANGE_EVENT = 'cloudreel-look-change';

const QUALITY_LABELS: Record<Quality, string> = { high: 'High', standard: 'Standard', small: 'Small' };
const POINT_SHAPE_LABELS: Record<PointShape, string> = { square: 'Square', round: 'Round' };

/** Detail of `cloudreel-export`: the options the user chose. */
export interface ExportRequest {
  /** Point diameter in pixels; absent means automatic. */
  pointSize?: number;
  pointShape: PointShape;
  colormap: ColormapName;
  /** CSS colour, "#rrggbb". */
  background: string;
  quality: Quality;
  fps: number;
  /** The camera (world coordinates) the user left the player at; undefined: the fitted one. */
  view: CameraView | undefined;
}

/** How the points are drawn, as the panel's inputs set it; pointSize null: automatic. */
export interface Look {
  pointSize: number | null;
  pointShape: PointShape;
  colormap: ColormapName;
  background: string;
  quality: Quality;
}

/** Detail of `cloudreel-look-change`: the setting the user changed (one key) and its new value. */
export type LookChange = Partial<Look>;

export interface ReceivingProgress {
  done: number;
  total: number;
}

/** "" or a bad number means automatic; else clamped to `max`. */
function parsePointSize(text: string, max = MAX_POINT_SIZE): number | undefined {
  const trimmed = text.trim();
  const value = trimmed === '' ? NaN : Number(trimmed);
  return Number.isFinite(value) && value > 0 ? Math.min(max, value) : undefined;
}

export class CloudreelExportPanel extends LitElement {
  static override properties = {
    frameSet: { attribute: false },
    receiving: { attribute: false },
    status: { attribute: false },
    result: { attribute: false },
    exporting: { type: Boolean, reflect: true },
    fileStem: { type: String, attribute: 'file-stem' },
    fps: { type: Number },
    pointSize: { type: Number, attribute: 'point-size' },
    pointShape: { type: String, attribute: 'point-shape' },
    colormap: { type: String },
    scale: { attribute: false },
    background: { type: String },
    quality: { type: String },
    aspect: { type: Number },
    view: { attribute: false },
  };

  static override styles = [
    themeStyles,
    css`
      :host {
        display: block;
        box-sizing: border-box;
        padding: 12px;
        color: var(--cr-fg);
        background: var(--cr-bg);
      }
      section {
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      .options {
        display: flex;
        flex-wrap: wrap;
        align-items: flex-end;
        gap: 8px 16px;
        margin: 0;
        padding: 0;
        border: 0;
        min-width: 0;
      }
      .options legend {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
        white-space: nowrap;
      }
      label {
        display: flex;
        flex-direction: column;
        gap: 2px;
        font-size: var(--cr-font-size-small);
      }
      input,
      select,
      button {
        font: inherit;
        font-size: var(--cr-font-size);
        color: var(--cr-fg);
      }
      input[type='number'],
      select {
        padding: 3px 4px;
        border: 1px solid var(--cr-border);
        border-radius: 3px;
        background: var(--cr-bg);
      }
      input[type='number'] {
        width: 6em;
      }
      input[type='color'] {
        width: 3em;
        height: 1.9em;
        padding: 0 2px;
        border: 1px solid var(--cr-border);
        border-radius: 3px;
        background: var(--cr-bg);
      }
      .actions {
        display: flex;
        gap: 8px;
      }
      button {
        padding: 6px 14px;
        border-radius: 4px;
        border: 1px solid var(--cr-border);
        background: var(--cr-bg-raised);
        cursor: pointer;
      }
      button.export {
        font-weight: 600;
        border-color: var(--cr-brand);
        background: var(--cr-brand);
        color: var(--cr-on-brand);
      }
      button:disabled {
        opacity: 0.5;
        cursor: not-allowed;
      }
      .result {
        display: flex;
        flex-direction: column;
        gap: 10px;
      }
    `,
  ];

  declare frameSet: FrameSet | null;
  /** Frames arriving from the kernel; shows "Receiving frames done/total". */
  declare receiving: ReceivingProgress | null;
  declare status: ExportStatus | null;
  declare result: ExportResult | null;
  declare exporting: boolean;
  /** Download name without extension (sanitised here). */
  declare fileStem: string;
  /** Frames per second for the player and the export; the player's fps input changes it. */
  declare fps: number;
  /** Point size in pixels; undefined means automatic. The point-size input changes it. */
  declare pointSize: number | undefined;
  /** Square or round points, one of core's POINT_SHAPES; the select changes it. */
  declare pointShape: PointShape;
  /** Colormap for frames without colours, one of core's COLORMAPS; the select changes it. */
  declare colormap: ColormapName;
  /** Fixed framing and colour scale for the player (the export gets them from its caller). */
  declare scale: ScaleOptions;
  /** CSS colour "#rrggbb" behind the points; the colour input changes it. */
  declare background: string;
  declare quality: Quality;
  /** The video's width / height: the player shows this shape, so its camera frames the export. */
  declare aspect: number;
  /** The player's camera in world coordinates; null: fitted. The user's moves in the player set it. */
  declare view: CameraView | null;

  constructor() {
    super();
    this.frameSet = null;
    this.receiving = null;
    this.status = null;
    this.result = null;
    this.exporting = false;
    this.fileStem = 'animation';
    this.fps = DEFAULTS.fps;
    this.pointSize = undefined;
    this.pointShape = DEFAULTS.pointShape;
    this.colormap = DEFAULTS.colormap;
    this.scale = {};
    this.background = DEFAULTS.background;
    this.quality = DEFAULTS.quality;
    this.aspect = VIEW_ASPECT;
    this.view = null;
  }

  /** The player inside the panel (null before the first render). */
  get player(): CloudreelPlayer | null {
    return this.renderRoot?.querySelector('cloudreel-player') ?? null;
  }

  get hasFrames(): boolean {
    return (this.frameSet?.frames.length ?? 0) > 0;
  }

  /** What the Export button would send now. */
  exportRequest(): ExportRequest {
    const request: ExportRequest = {
      pointShape: this.pointShape,
      colormap: this.colormap,
      background: this.background,
      quality: this.quality,
      fps: this.fps,
      view: this.view ?? undefined,
    };
    const size = this.pointSize;
    if (typeof size === 'number' && size > 0) request.pointSize = Math.min(MAX_POINT_SIZE, size);
    return request;
  }

  override render() {
    const canExport = this.hasFrames && !this.exporting;
    return html`<section aria-label="Point cloud video export">
      <cloudreel-player
        .frameSet=${this.frameSet}
        .fps=${this.fps}
        .pointSize=${this.pointSize}
        .pointShape=${this.pointShape}
        .background=${this.background}
        .colormap=${this.colormap}
        .aspect=${this.aspect}
        .scale=${this.scale}
        .view=${this.view}
        @cloudreel-fps-change=${this.#onFps}
        @cloudreel-view-change=${this.#onView}
      ></cloudreel-player>

      <fieldset class="options" ?disabled=${this.exporting}>
        <legend>Export options</legend>
        <label
          >Point size (px)
          <input
            class="point-size"
            type="number"
            min="0.5"
            max=${MAX_POINT_SIZE}
            step="0.5"
            placeholder="auto"
            aria-describedby="point-size-hint"
            .value=${this.pointSize === undefined ? '' : String(this.pointSize)}
            @input=${this.#onPointSizeInput}
            @change=${this.#onPointSizeChange}
          />
          <span id="point-size-hint" hidden>Leave empty to choose from the point count</span>
        </label>
        <label
          >Point shape
          <select class="point-shape" .value=${live(this.pointShape)} @change=${this.#onPointShape}>
            ${POINT_SHAPES.map(
              (shape) => html`<option value=${shape} ?selected=${shape === this.pointShape}>${POINT_SHAPE_LABELS[shape]}</option>`,
            )}
          </select>
        </label>
        <label
          >Colormap
          <select class="colormap" .value=${live(this.colormap)} @change=${this.#onColormap}>
            ${COLORMAPS.map((name) => html`<option value=${name} ?selected=${name === this.colormap}>${name}</option>`)}
          </select>
        </label>
        <label
          >Background
          <input
            class="background"
            type="color"
            .value=${live(this.background)}
            @input=${this.#onBackground}
            @change=${this.#onBackgroundChange}
          />
        </label>
        <label
          >Quality
          <select class="quality" .value=${live(this.quality)} @change=${this.#onQuality}>
            ${QUALITIES.map(
              (q) => html`<option value=${q} ?selected=${q === this.quality}>${QUALITY_LABELS[q]}</option>`,
            )}
          </select>
        </label>
      </fieldset>

      <div class="actions">
        <button type="button" class="export" ?disabled=${!canExport} @click=${this.#onExport}>Export video</button>
        ${this.exporting
          ? html`<button type="button" class="cancel" @click=${this.#onCancel}>Cancel</button>`
          : nothing}
      </div>

      ${this.#renderProgress()} ${this.#renderResult()}
    </section>`;
  }

  #renderProgress() {
    if (this.receiving) {
      const { done, total } = this.receiving;
      return html`<cloudreel-progress-bar
        .fraction=${total > 0 ? done / total : 0}
        .message=${`Receiving frames ${done}/${total}`}
        .phase=${''}
      ></cloudreel-progress-bar>`;
    }
    if (this.status) {
      return html`<cloudreel-progress-bar
        .fraction=${this.status.fraction}
        .message=${this.status.message}
        .phase=${this.status.phase}
      ></cloudreel-progress-bar>`;
    }
    if (this.exporting) {
      return html`<cloudreel-progress-bar
        .fraction=${0}
        .message=${messages.init()}
        .phase=${'init'}
      ></cloudreel-progress-bar>`;
    }
    return nothing;
  }

  #renderResult() {
    const r = this.result;
    if (!r) return nothing;
    return html`<div class="result">
      <cloudreel-preview .blob=${r.blob} .mimeType=${r.mimeType}></cloudreel-preview>
      <cloudreel-metrics-row
        .frames=${r.frames}
        .bytes=${r.bytes}
        .durationSeconds=${r.durationSeconds}
        .codec=${r.codec}
      ></cloudreel-metrics-row>
      <cloudreel-download-button
        .blob=${r.blob}
        .fileName=${sanitizeFileName(this.fileStem, r.extension)}
      ></cloudreel-download-button>
    </div>`;
  }

  #onFps = (e: CustomEvent<FpsChangeDetail>) => {
    this.fps = e.detail.fps;
  };

  /** The player's event goes on to the panel's owner; the panel keeps the camera for its export requests. */
  #onView = (e: CustomEvent<ViewChangeDetail>) => {
    this.view = e.detail.view;
  };

  #announce(change: LookChange): void {
    this.dispatchEvent(new CustomEvent<LookChange>(LOOK_CHANGE_EVENT, { detail: change, bubbles: true, composed: true }));
  }

  // While typing, keep what was typed (no clamping under the caret); on commit, clamp and show it.
  #onPointSizeInput = (e: Event) => {
    this.pointSize = parsePointSize((e.target as HTMLInputElement).value, Infinity);
  };

  #onPointSizeChange = (e: Event) => {
    const input = e.target as HTMLInputElement;
    this.pointSize = parsePointSize(input.value);
    input.value = this.pointSize === undefined ? '' : String(this.pointSize);
    this.#announce({ pointSize: this.pointSize ?? null });
  };

  #onPointShape = (e: Event) => {
    const value = (e.target as HTMLSelectElement).value;
    if (!(POINT_SHAPES as readonly string[]).includes(value)) return;
    this.pointShape = value as PointShape;
    this.#announce({ pointShape: this.pointShape });
  };

  #onColormap = (e: Event) => {
    const value = (e.target as HTMLSelectElement).value;
    if (!isColormap(value)) return;
    this.colormap = value;
    this.#announce({ colormap: value });
  };

  // The player follows the colour picker as it moves; the choice is announced when the picker closes.
  #onBackground = (e: Event) => {
    this.background = (e.target as HTMLInputElement).value;
  };

  #onBackgroundChange = (e: Event) => {
    this.background = (e.target as HTMLInputElement).value;
    this.#announce({ background: this.background });
  };

  #onQuality = (e: Event) => {
    const value = (e.target as HTMLSelectElement).value;
    if (!(QUALITIES as readonly string[]).includes(value)) return;
    this.quality = value as Quality;
    this.#announce({ quality: this.quality });
  };

  #onExport = () => {
    if (!this.hasFrames || this.exporting) return;
    this.player?.flushViewChange?.(); // a camera move still settling is the one to export
    this.dispatchEvent(
      new CustomEvent<ExportRequest>(EXPORT_EVENT, { detail: this.exportRequest(), bubbles: true, composed: true }),
    );
  };

  #onCancel = () => {
    this.dispatchEvent(new CustomEvent(CANCEL_EVENT, { bubbles: true, composed: true }));
  };
}

if (!customElements.get(EXPORT_PANEL_TAG)) customElements.define(EXPORT_PANEL_TAG, CloudreelExportPanel);

declare global {
  interface HTMLElementTagNameMap {
    'cloudreel-export-panel': CloudreelExportPanel;
  }
}

/** The name the widget layer uses. */
export { CloudreelExportPanel as ExportPanel };
