// AnimationView: mounts <cloudreel-export-panel> in the cell and keeps it in
// step with the model. No logic of its own beyond wiring.
import { DOMWidgetView } from '@jupyter-widgets/base';
import { isColormap } from '../core/colormap.js';
import { POINT_SHAPES, type PointShape } from '../core/settings.js';
import '../ui/index.js';
import type { ExportPanel } from '../ui/index.js';
import type { PanelExportOptions } from './export-runner.js';
import type { AnimationModel, CameraRequest } from './model.js';

export class AnimationView extends DOMWidgetView {
  declare model: AnimationModel;
  #panel: ExportPanel | null = null;

  override render(): void {
    const panel = document.createElement('cloudreel-export-panel') as ExportPanel;
    this.#panel = panel;
    this.el.classList.add('cloudreel-widget');
    this.el.appendChild(panel);
    panel.addEventListener('cloudreel-export', (e: Event) => {
      const options = (e as CustomEvent<PanelExportOptions>).detail;
      this.model.runner.start(options).catch(() => {
        // The status line already says "Export failed: ..." or "Export cancelled".
      });
    });
    panel.addEventListener('cloudreel-cancel', () => this.model.runner.cancel());
    // An export the kernel asked for renders with the camera of the view shown last (removed views stop listening).
    this.listenTo(this.model, 'cloudreel:camera', (request: CameraRequest) => (request.view = panel.player?.getView()));
    this.listenTo(this.model, 'cloudreel:changed change', () => this.#sync());
    // Only a change from the kernel resets fps, colormap and point shape: the user's choice in the panel stays otherwise.
    this.listenTo(this.model, 'change:fps', () => (panel.fps = this.model.get('fps')));
    const takeColormap = () => {
      const name: unknown = this.model.get('colormap');
      if (isColormap(name)) panel.colormap = name; // another name fails the export with a message
    };
    this.listenTo(this.model, 'change:colormap', takeColormap);
    const takePointShape = () => {
      const shape: unknown = this.model.get('point_shape');
      if ((POINT_SHAPES as readonly unknown[]).includes(shape)) panel.pointShape = shape as PointShape; // as colormap
    };
    this.listenTo(this.model, 'change:point_shape', takePointShape);
    panel.fps = this.model.get('fps');
    takeColormap();
    takePointShape();
    this.#sync();
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
    // The export's size, so the player (and the camera it hands the export) has the video's shape.
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
