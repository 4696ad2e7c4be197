// Extra webpack config for the federated JupyterLab extension build
// (`jupyter labextension build`): emit @ffmpeg/core's UMD script and wasm
// unchanged in the extension's static folder, so they are served by the
// Jupyter server (under any base_url) and never come from a CDN; fill and
// check the licence report and put the core's provenance and library notices
// beside it.
const path = require('path');
const TerserPlugin = require('terser-webpack-plugin');
const { ThirdPartyLicences } = require('./webpack.licences.cjs');

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
  // Ship @ffmpeg/core's script byte for byte as its authors built it (as
  // webpack.config.js does; ffmpeg-core-SOURCE.txt gives its SHA-256).
  optimization: { minimizer: [new TerserPlugin({ exclude: /ffmpeg-core/ })] },
  plugins: [new ThirdPartyLicences()],
  ignoreWarnings: [{ module: /@ffmpeg[\\/]ffmpeg/, message: /Critical dependency/ }],
};
