// Extra webpack config for the federated JupyterLab extension build
// (`jupyter labextension build`): emit @ffmpeg/core's UMD script and wasm
// unchanged in the extension's static folder, so they are served by the
// Jupyter server (under any base_url) and never come from a CDN.
const path = require('path');

const ffmpegCore = path.join(__dirname, 'node_modules/@ffmpeg/core/dist/umd');
const coreFiles = [path.join(ffmpegCore, 'ffmpeg-core.js'), path.join(ffmpegCore, 'ffmpeg-core.wasm')];

module.exports = {
  resolve: {
    alias: {
      'cloudreel-ffmpeg-core.js$': coreFiles[0],
      'cloudreel-ffmpeg-core.wasm$': coreFiles[1],
    },
  },
  module: {
    rules: [{ include: coreFiles, type: 'asset/resource', generator: { filename: '[name][ext]' } }],
  },
  ignoreWarnings: [{ module: /@ffmpeg[\\/]ffmpeg/, message: /Critical dependency/ }],
};
