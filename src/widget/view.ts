// AnimationView: mounts <cloudreel-export-panel> in the cell and keeps it in
// step with the model: the user's changes to the look and the camera are written
// to the traits (which every export renders with), and the traits, whoever
// changed them (the kernel, another view of the model), are shown. No logic of its own beyond wiring.
import type { JSONObject } from '@lumino/coreutils';
import { DOMWidgetView } from '@jupyter-widgets/base';
import { LOOK_CHANGE_EVENT, VIEW_CHANGE_EVENT, type ExportPanel, type ExportRequest, type LookChange, type ViewChangeDetail } from '../ui/index.js';
import { lookTraits, shownLook, viewTrait } from './look-traits.js';
import type { AnimationModel } from './model.js';

/** The traits the panel and player show besides the camera; a change to any of them from anywhere reaches every view. */
const LOOK_EVENTS = ['point_size', 'point_shape', 'colormap', 'background', 'quality'].map((t) => `change:${t}`).join(' ');

export class AnimationView extends DOMWidgetView {
  declare model: AnimationModel;
  #panel: ExportPanel | null = null;

  override render(): void {
    const panel = document.createElement('cloudreel-export-panel') as ExportPanel;
    this.#panel = panel;
    this.el.classList.add('cloudreel-widget');
    this.el.appendChild(panel);
    panel.addEventListener('cloudreel-export', (e: Event) => {
      // The look and the camera come from the traits, as for the kernel's requests; the fps from the player's input.
      const { fps } = (e as CustomEvent<ExportRequest>).detail;
      this.model.runner.start({ fps }).catch(() => {
        // The status line already says "Export failed: ..." or "Export cancelled".
      });
    });
    panel.addEventListener('cloudreel-cancel', () => this.model.runner.cancel());
    panel.addEventListener(LOOK_CHANGE_EVENT, (e: Event) => this.model.saveState(lookTraits((e as CustomEvent<LookChange>).detail) as JSONObject));
    panel.addEventListener(VIEW_CHANGE_EVENT, (e: Event) => {
      this.model.saveState({ view: viewTrait((e as CustomEvent<ViewChangeDetail>).detail.view) as JSONObject | null });
    });
    this.listenTo(this.model, 'cloudreel:changed change', () => this.#sync());
    // Only a change of fps from the kernel resets the player's fps input: the user's choice stays otherwise.
    this.listenTo(this.model, 'change:fps', () => (panel.fps = this.model.get('fps')));
    this.listenTo(this.model, LOOK_EVENTS, () => this.#takeLook(false));
    // The camera only when the view trait changed: placing it again would drop a move the user has not finished.
    this.listenTo(this.model, 'change:view', () => this.#takeLook(true));
    panel.fps = this.model.get('fps');
    this.#takeLook(true);
    this.#sync();
  }

  /** The traits' look into the panel and its player; a value the page refuses leaves the panel's (the export reports it). */
  #takeLook(withView: boolean): void {
    const panel = this.#panel;
    if (!panel) return;
    const { view, ...look } = shownLook((name) => this.model.get(name));
    Object.assign(panel, look);
    if (withView && view !== undefined) panel.view = view;
  }

  #sync(): void {
    const panel = this.#panel;
    if (!panel) return;
    const m = this.model;
    panel.frameSet = m.inbox.frameSet;
    panel.receiving = m.inbox.receiving;
    panel.status = m.status;
    panel.result = m.runner.result;
    panel.exporting = m.runner.exporting;
    panel.fileStem = m.get('file_stem');
    // The export's size, so the player has the video's shape (and its fitted camera is the export's).
    panel.aspect = m.get('width') / m.get('height');
    const scale = m.scale ?? {};
    if (JSON.stringify(scale, paletteAsEntries) !== JSON.stringify(panel.scale, paletteAsEntries)) panel.scale = scale;
  }

  override remove(): void {
    this.#panel = null;
    super.remove();
  }
}

/** JSON.stringify cannot show a Map: compare a palette by its entries. */
const paletteAsEntries = (_key: string, value: unknown) => (value instanceof Map ? [...value.entries()] : value);
