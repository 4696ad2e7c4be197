// <cloudreel-progress-bar>: a prominent bar plus the status line of an export
// (or of frames arriving from the kernel). It only shows what it is given.
import { css, html, LitElement } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { ExportPhase } from '../core/status.js';
import { themeStyles } from './theme.js';

export const PROGRESS_BAR_TAG = 'cloudreel-progress-bar';

/** fraction (0..1, anything else clamped; NaN counts as 0) as a whole percentage. */
export function percent(fraction: number): number {
  if (!Number.isFinite(fraction)) return fraction === Infinity ? 100 : 0;
  return Math.round(Math.min(1, Math.max(0, fraction)) * 100);
}

export class CloudreelProgressBar extends LitElement {
  static override properties = {
    fraction: { type: Number },
    message: { type: String },
    // Reflected so the host can be styled (and tested) by phase: [phase="error"].
    phase: { type: String, reflect: true },
  };

  static override styles = [
    themeStyles,
    css`
      :host {
        display: block;
      }
      .track {
        height: 12px;
        border-radius: 6px;
        overflow: hidden;
        background: var(--cr-bg-track);
        border: 1px solid var(--cr-border);
      }
      .fill {
        height: 100%;
        background: var(--cr-brand);
        transition: width 120ms linear;
      }
      .error .fill {
        background: var(--cr-error);
      }
      .done .fill {
        background: var(--cr-success);
      }
      .message {
        margin-top: 4px;
        min-height: 1.3em;
      }
      .error .message {
        color: var(--cr-error);
        font-weight: 600;
      }
      .done .message {
        color: var(--cr-success);
        font-weight: 600;
      }
      @media (prefers-reduced-motion: reduce) {
        .fill {
          transition: none;
        }
      }
    `,
  ];

  /** Progress in 0..1. */
  declare fraction: number;
  /** Status text, e.g. "Rendering frame 3/48 (6%)". */
  declare message: string;
  /** The export phase ('' when none, e.g. while receiving frames). */
  declare phase: ExportPhase | '';

  constructor() {
    super();
    this.fraction = 0;
    this.message = '';
    this.phase = '';
  }

  override render() {
    const value = percent(this.fraction);
    const state = this.phase === 'error' ? 'error' : this.phase === 'done' ? 'done' : 'active';
    return html`<div class="bar ${state}" part="bar">
      <div
        class="track"
        role="progressbar"
        aria-label="Export progress"
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow=${value}
        aria-valuetext=${this.message ? `${value}%: ${this.message}` : `${value}%`}
        aria-invalid=${this.phase === 'error' ? 'true' : 'false'}
      >
        <div class="fill" style=${styleMap({ width: `${value}%` })}></div>
      </div>
      <div class="message" role="status" aria-live="polite">${this.message}</div>
    </div>`;
  }
}

if (!customElements.get(PROGRESS_BAR_TAG)) customElements.define(PROGRESS_BAR_TAG, CloudreelProgressBar);

declare global {
  interface HTMLElementTagNameMap {
    'cloudreel-progress-bar': CloudreelProgressBar;
  }
}
