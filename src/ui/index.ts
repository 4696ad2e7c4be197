// The cloudreel web components (lit). Importing this module registers every
// element; none of them knows about Jupyter.
export * from './file-name.js';
export * from './progress-bar.js';
export * from './metrics-row.js';
export * from './download-button.js';
export * from './preview.js';
export * from './player.js';
export * from './export-panel.js';
export * from './theme.js';
