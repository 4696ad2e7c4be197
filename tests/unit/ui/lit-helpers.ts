// Shared by the jsdom tests of the lit components and of the widget view.
import type { ExportResult } from '../../../src/core/pipeline';

/** Waits for `el` and every custom element inside it, however deep, to finish rendering. */
export async function settle(el: Element): Promise<void> {
  if ('updateComplete' in el) await (el as unknown as { updateComplete: Promise<unknown> }).updateComplete;
  for (const child of el.shadowRoot?.querySelectorAll('*') ?? []) if (child.localName.includes('-')) await settle(child);
}

/** A finished export's result, with a tiny MP4-typed blob. */
export function sampleResult(overrides: Partial<ExportResult> = {}): ExportResult {
  return {
    blob: new Blob([new Uint8Array(16)], { type: 'video/mp4' }),
    mimeType: 'video/mp4',
    extension: 'mp4',
    codec: 'ffmpeg-h264',
    bytes: 2_621_440,
    durationSeconds: 9.6,
    frames: 48,
    attempts: [],
    timings: { renderMs: 1, encodeMs: 2, totalMs: 3 },
    ...overrides,
  };
}
