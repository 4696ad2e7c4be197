// <cloudreel-download-button>: saves a Blob under a given name through a
// temporary <a download>, the one way a page can offer a file without a server.
import { css, html, LitElement } from 'lit';
import { sanitizeDownloadName } from './file-name.js';
import { themeStyles } from './theme.js';

export const DOWNLOAD_BUTTON_TAG = 'cloudreel-download-button';
export const DOWNLOAD_EVENT = 'cloudreel-download';

export interface DownloadEventDetail {
  fileName: string;
}

/** "Download MP4 video", "Download GIF image", or "Download video" without an extension. */
export function downloadLabel(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const ext = dot > 0 ? fileName.slice(dot + 1).toUpperCase() : '';
  if (!ext) return 'Download video';
  return ext === 'GIF' ? `Download ${ext} image` : `Download ${ext} video`;
}

export class CloudreelDownloadButton extends LitElement {
  static override properties = {
    blob: { attribute: false },
    fileName: { type: String, attribute: 'file-name' },
    label: { type: String },
  };

  static override styles = [
    themeStyles,
    css`
      :host {
        display: inline-block;
      }
      button {
        font: inherit;
        font-weight: 600;
        padding: 6px 14px;
        border-radius: 4px;
        border: 1px solid var(--cr-brand);
        background: var(--cr-brand);
        color: var(--cr-on-brand);
        cursor: pointer;
      }
      button:hover:not(:disabled) {
        filter: brightness(1.1);
      }
      button:disabled {
        cursor: not-allowed;
        opacity: 0.5;
      }
    `,
  ];

  /** The file to save; the button is disabled while this is null. */
  declare blob: Blob | null;
  /**
   * Name to save under. Sanitised again on download (sanitizeDownloadName): the
   * name may come from a kernel, and the browser trusts no kernel.
   */
  declare fileName: string;
  /** Button text; empty (the default) means downloadLabel(fileName). */
  declare label: string;

  constructor() {
    super();
    this.blob = null;
    this.fileName = 'animation.mp4';
    this.label = '';
  }

  override render() {
    return html`<button type="button" ?disabled=${!this.blob} @click=${this.download}>
      ${this.label || downloadLabel(this.safeFileName)}
    </button>`;
  }

  /** fileName as it is saved: no path parts, control characters or reserved names. */
  get safeFileName(): string {
    return sanitizeDownloadName(this.fileName);
  }

  /** Saves the blob as safeFileName (what a click does); returns false without a blob. */
  download(): boolean {
    const blob = this.blob;
    if (!blob) return false;
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    const fileName = this.safeFileName;
    a.download = fileName;
    a.rel = 'noopener';
    a.hidden = true;
    // In the shadow root, not the page: some engines only follow links that are in a document.
    this.renderRoot.appendChild(a);
    try {
      a.click();
    } finally {
      a.remove();
      // The click resolves the blob URL as it starts the download (HTML spec: the URL is
      // parsed, with its blob entry, during the click), so revoking at once is safe in
      // current engines; waiting one task still covers older ones that fetch a moment
      // later, and the blob's memory is released right after instead of living as long
      // as the page.
      setTimeout(() => URL.revokeObjectURL(url), 0);
    }
    this.dispatchEvent(
      new CustomEvent<DownloadEventDetail>(DOWNLOAD_EVENT, {
        detail: { fileName },
        bubbles: true,
        composed: true,
      }),
    );
    return true;
  }
}

if (!customElements.get(DOWNLOAD_BUTTON_TAG)) customElements.define(DOWNLOAD_BUTTON_TAG, CloudreelDownloadButton);

declare global {
  interface HTMLElementTagNameMap {
    'cloudreel-download-button': CloudreelDownloadButton;
  }
}
