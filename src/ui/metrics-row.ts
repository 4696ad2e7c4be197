// <cloudreel-metrics-row>: the four numbers the original Streamlit tool showed
// under a finished video: Frames, Size, Duration, Codec.
import { css, html, LitElement, nothing } from 'lit';
import { themeStyles } from './theme.js';

export const METRICS_ROW_TAG = 'cloudreel-metrics-row';

/** "2.5 MB": bytes in MiB with one decimal, as the original tool wrote sizes. */
export function formatSize(bytes: number | undefined): string {
  return typeof bytes === 'number' && Number.isFinite(bytes) ? `${(bytes / 1048576).toFixed(1)} MB` : '–';
}

/** "9.6 s". */
export function formatDuration(seconds: number | undefined): string {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? `${seconds.toFixed(1)} s` : '–';
}

export class CloudreelMetricsRow extends LitElement {
  static override properties = {
    frames: { type: Number },
    bytes: { type: Number },
    durationSeconds: { type: Number, attribute: 'duration-seconds' },
    codec: { type: String },
  };

  static override styles = [
    themeStyles,
    css`
      :host {
        display: block;
      }
      dl {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(7em, 1fr));
        gap: 8px 16px;
        margin: 0;
      }
      .metric {
        min-width: 0;
      }
      dt {
        font-size: var(--cr-font-size-small);
        opacity: 0.8;
      }
      dd {
        margin: 2px 0 0;
        font-size: var(--jp-ui-font-size3, 20px);
        font-variant-numeric: tabular-nums;
        overflow-wrap: anywhere;
      }
    `,
  ];

  declare frames: number | undefined;
  declare bytes: number | undefined;
  declare durationSeconds: number | undefined;
  /** Id of the encoder that made the file, e.g. "ffmpeg-h264". */
  declare codec: string | undefined;

  constructor() {
    super();
    this.frames = undefined;
    this.bytes = undefined;
    this.durationSeconds = undefined;
    this.codec = undefined;
  }

  override render() {
    if (this.frames === undefined || this.frames === null) return nothing;
    const metrics: Array<[string, string]> = [
      ['Frames', String(this.frames)],
      ['Size', formatSize(this.bytes)],
      ['Duration', formatDuration(this.durationSeconds)],
      ['Codec', this.codec || '–'],
    ];
    return html`<dl aria-label="Video details">
      ${metrics.map(([label, value]) => html`<div class="metric"><dt>${label}</dt> <dd>${value}</dd></div>`)}
    </dl>`;
  }
}

if (!customElements.get(METRICS_ROW_TAG)) customElements.define(METRICS_ROW_TAG, CloudreelMetricsRow);

declare global {
  interface HTMLElementTagNameMap {
    'cloudreel-metrics-row': CloudreelMetricsRow;
  }
}
