// The cloudreel web components (lit), their public surface listed one by one.
// Importing this module registers every element; none of them knows about Jupyter.
export { CloudreelExportPanel, ExportPanel, EXPORT_PANEL_TAG, EXPORT_EVENT, CANCEL_EVENT, LOOK_CHANGE_EVENT, type ExportRequest, type Look, type LookChange, type ReceivingProgress } from './export-panel.js';
export { CloudreelPlayer, PLAYER_TAG, FPS_CHANGE_EVENT, VIEW_CHANGE_EVENT, VIEW_SETTLE_MS, VIEW_ASPECT, NO_WEBGL_NOTE, createWebGLPointView, type PlayerView, type FpsChangeDetail, type ViewChangeDetail, type PointView, type PointViewFactory } from './player.js';
export { CloudreelProgressBar, PROGRESS_BAR_TAG } from './progress-bar.js';
export { CloudreelMetricsRow, METRICS_ROW_TAG, formatSize, formatDuration } from './metrics-row.js';
export { CloudreelPreview, PREVIEW_TAG, previewKind, cannotPlayNote, type PreviewKind } from './preview.js';
export { CloudreelDownloadButton, DOWNLOAD_BUTTON_TAG, DOWNLOAD_EVENT, downloadLabel, type DownloadEventDetail } from './download-button.js';
export { sanitizeFileName, sanitizeDownloadName, DEFAULT_STEM, MAX_STEM_BYTES, MAX_STEM_CHARS } from './file-name.js';
export { themeStyles } from './theme.js';
