// <cloudreel-preview>: plays the exported file in the page when the browser
// can, and says so when it cannot (MPEG-4 Part 2, the last video fallback,
// plays in desktop players but in no browser).
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { themeStyles } from './theme.js';

export const PREVIEW_TAG = 'cloudreel-preview';

export type PreviewKind = 'video' | 'image' | 'note';

let probe: HTMLVideoElement | null = null;

/** What a preview of `mimeType` shows: a <video>, an <img>, or a note. */
export function previewKind(mimeType: string): PreviewKind {
  const type = mimeType.trim().toLowerCase();
  if (type.startsWith('image/gif')) return 'image';
  if (type.startsWith('video/')) {
    probe ??= document.createElement('video');
    return probe.canPlayType(mimeType) !== '' ? 'video' : 'note';
  }
  return 'note';
}

export function cannotPlayNote(mimeType: string): string {
  return (
    `This browser cannot play ${mimeType || 'this file'} (MPEG-4 Part 2 plays in desktop players ` +
    'such as VLC or QuickTime): download it instead.'
  );
}

export class CloudreelPreview extends LitElement {
  static override properties = {
    blob: { attribute: false },
    mimeType: { type: String, attribute: 'mime-type' },
    /** Set when the <video> reported a decode error; cleared with a new blob. */
    _failed: { state: true },
  };

  static override styles = [
    themeStyles,
    css`
      :host {
        display: block;
      }
      video,
      img {
        display: block;
        max-width: 100%;
        max-height: 70vh;
        border: 1px solid var(--cr-border);
        background: #000;
      }
      .note {
        margin: 0;
        padding: 8px 12px;
        border-left: 4px solid var(--cr-warn);
        background: var(--cr-bg-raised);
        color: var(--cr-fg);
      }
    `,
  ];

  /** The exported file. */
  declare blob: Blob | null;
  /** Its MIME type; empty means blob.type. */
  declare mimeType: string;
  declare _failed: boolean;

  /** Object URL for the current blob; this element creates and revokes it. */
  #url: string | null = null;
  #urlBlob: Blob | null = null;

  constructor() {
    super();
    this.blob = null;
    this.mimeType = '';
    this._failed = false;
  }

  /** The object URL now shown (null when none). */
  get objectUrl(): string | null {
    return this.#url;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Reattached after a disconnect revoked the URL: make a fresh one.
    if (this.blob && !this.#url) this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#revoke();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('blob')) this._failed = false;
    if (this.blob !== this.#urlBlob || (this.blob && !this.#url)) {
      this.#revoke();
      if (this.blob && this.isConnected) {
        this.#url = URL.createObjectURL(this.blob);
        this.#urlBlob = this.blob;
      }
    }
  }

  #revoke(): void {
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = null;
    this.#urlBlob = null;
  }

  override render() {
    if (!this.blob || !this.#url) return nothing;
    const type = this.mimeType || this.blob.type;
    const kind = this._failed ? 'note' : previewKind(type);
    if (kind === 'video') {
      return html`<video
        src=${this.#url}
        controls
        muted
        loop
        playsinline
        aria-label="Exported video"
        @error=${() => (this._failed = true)}
      ></video>`;
    }
    if (kind === 'image') return html`<img src=${this.#url} alt="Exported animation" />`;
    return html`<p class="note" role="note">${cannotPlayNote(type)}</p>`;
  }
}

if (!customElements.get(PREVIEW_TAG)) customElements.define(PREVIEW_TAG, CloudreelPreview);

declare global {
  interface HTMLElementTagNameMap {
    'cloudreel-preview': CloudreelPreview;
  }
}
