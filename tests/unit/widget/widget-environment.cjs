// The jest environment for tests on the real @jupyter-widgets/base: jsdom (the
// base's lumino parts touch the DOM when loaded) plus the two things jsdom
// lacks that these tests meet: DragEvent, which @lumino/dragdrop extends at
// load (JupyterLab's own jest setup shims it the same way), and Node's fetch
// classes (Response, Headers, ReadableStream) for the frames route.
const { TestEnvironment } = require('jest-environment-jsdom');

class WidgetEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    const g = this.global;
    g.DragEvent ??= class DragEvent extends g.MouseEvent {};
    for (const name of ['Response', 'Headers', 'ReadableStream', 'Blob']) g[name] = globalThis[name];
  }
}

module.exports = WidgetEnvironment;
