// Colours for every cloudreel element: JupyterLab's theme variables, with
// fallbacks for a plain page that follow the system's light or dark mode. Each
// element declares these on its host and styles itself with the --cr-* names,
// so a background and the text on it always come from the same theme.
import { css } from 'lit';

export const themeStyles = css`
  :host {
    --cr-font: var(--jp-ui-font-family, system-ui, sans-serif);
    --cr-font-size: var(--jp-ui-font-size1, 13px);
    --cr-font-size-small: var(--jp-ui-font-size0, 11px);
    --cr-fg: var(--jp-ui-font-color1, #1b1b1b);
    --cr-fg-muted: var(--jp-ui-font-color2, #5c5c5c);
    --cr-bg: var(--jp-layout-color1, #fff);
    --cr-bg-raised: var(--jp-layout-color2, #eeeeee);
    --cr-bg-track: var(--jp-layout-color3, #d6d6d6);
    --cr-border: var(--jp-border-color1, #bdbdbd);
    --cr-brand: var(--jp-brand-color1, #1976d2);
    --cr-on-brand: var(--jp-ui-inverse-font-color1, #fff);
    --cr-error: var(--jp-error-color1, #d32f2f);
    --cr-success: var(--jp-success-color1, #388e3c);
    --cr-warn: var(--jp-warn-color1, #f57c00);
    font-family: var(--cr-font);
    font-size: var(--cr-font-size);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --cr-fg: var(--jp-ui-font-color1, #e8e8e8);
      --cr-fg-muted: var(--jp-ui-font-color2, #b3b3b3);
      --cr-bg: var(--jp-layout-color1, #1e1e1e);
      --cr-bg-raised: var(--jp-layout-color2, #2d2d2d);
      --cr-bg-track: var(--jp-layout-color3, #424242);
      --cr-border: var(--jp-border-color1, #6b6b6b);
      --cr-error: var(--jp-error-color1, #ef5350);
      --cr-success: var(--jp-success-color1, #66bb6a);
      --cr-warn: var(--jp-warn-color1, #ffa726);
    }
  }
  :host([hidden]) {
    display: none !important;
  }
  :focus-visible {
    outline: 2px solid var(--cr-brand);
    outline-offset: 2px;
  }
`;
