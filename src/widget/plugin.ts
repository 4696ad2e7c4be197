// The JupyterLab plugin: registers the cloudreel widget module with the
// ipywidgets manager, so kernels can create AnimationModel/AnimationView.
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { AnimationModel } from './model.js';
import { MODULE_NAME, MODULE_VERSION } from './version.js';
import { AnimationView } from './view.js';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'cloudreel:plugin',
  description: 'Point-cloud animations to video: the cloudreel widget.',
  requires: [IJupyterWidgetRegistry],
  autoStart: true,
  activate: (_app: JupyterFrontEnd, registry: IJupyterWidgetRegistry) => {
    registry.registerWidget({ name: MODULE_NAME, version: MODULE_VERSION, exports: { AnimationModel, AnimationView } });
  },
};

export default plugin;
