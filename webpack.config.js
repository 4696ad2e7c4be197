// Builds dist/cloudreel.mjs, an ES module that finds its ffmpeg.wasm worker and
// core next to itself (publicPath "auto" resolves against import.meta.url).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import TerserPlugin from 'terser-webpack-plugin';
import licences from './webpack.licences.cjs';

// JupyterLab's licence report plugin, so dist/third-party-licenses.json has
// the labextension's format (both are filled and checked by webpack.licences.cjs).
const { WPPlugin } = createRequire(import.meta.url)('@jupyterlab/builder/lib/webpack-plugins.js');

const root = path.dirname(fileURLToPath(import.meta.url));

/** Copies the runner page (src/runner: plain HTML and JS importing ./cloudreel.mjs) into dist/ as it is. */
class RunnerPage {
  apply(compiler) {
    const folder = path.join(root, 'src/runner');
    compiler.hooks.thisCompilation.tap('RunnerPage', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'RunnerPage', stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        for (const name of fs.readdirSync(folder)) {
          const file = path.join(folder, name);
          compilation.fileDependencies.add(file);
          compilation.emitAsset(name, new compiler.webpack.sources.RawSource(fs.readFileSync(file)));
        }
      });
    });
  }
}
const ffmpegCore = path.join(root, 'node_modules/@ffmpeg/core/dist/umd');

export default {
  entry: { cloudreel: './src/index.ts' },
  target: 'web',
  devtool: 'source-map',
  experiments: { outputModule: true },
  output: {
    path: path.join(root, 'dist'),
    filename: '[name].mjs',
    // The ffmpeg.wasm worker chunk must be a classic script: the UMD core is
    // loaded with importScripts (see src/core/encode/ffmpeg-host.ts).
    chunkFormat: 'module',
    workerChunkLoading: 'import-scripts',
    // The only async chunk is @ffmpeg/ffmpeg's worker; a fixed name, so the wheel can ship it
    // (pyproject.toml's force-include). A second async chunk would make webpack fail on the name clash.
    chunkFilename: 'cloudreel-worker-ffmpeg.js',
    library: { type: 'module' },
    publicPath: 'auto',
    clean: { keep: /^types\// },
  },
  resolve: {
    extensions: ['.ts', '.js'],
    extensionAlias: { '.js': ['.ts', '.js'] },
    alias: {
      // @ffmpeg/core's package exports give the ESM core to `import`; under
      // webpack the classic worker needs the UMD build (measured-facts.md).
      'cloudreel-ffmpeg-core.js$': path.join(ffmpegCore, 'ffmpeg-core.js'),
      'cloudreel-ffmpeg-core.wasm$': path.join(ffmpegCore, 'ffmpeg-core.wasm'),
    },
  },
  module: {
    rules: [
      { test: /\.ts$/, loader: 'ts-loader', options: { configFile: 'tsconfig.json' } },
      {
        include: [path.join(ffmpegCore, 'ffmpeg-core.js'), path.join(ffmpegCore, 'ffmpeg-core.wasm')],
        type: 'asset/resource',
        generator: { filename: '[name][ext]' },
      },
    ],
  },
  optimization: {
    // Ship @ffmpeg/core's script byte for byte as its authors built it.
    minimizer: [new TerserPlugin({ exclude: /ffmpeg-core|^runner\./ })],
  },
  plugins: [
    new WPPlugin.JSONLicenseWebpackPlugin({ excludedPackageTest: (name) => name === 'cloudreel' }),
    new licences.ThirdPartyLicences(),
    new RunnerPage(),
  ],
  performance: { hints: false },
  // @ffmpeg/ffmpeg imports its worker and a user-given core by URL expressions;
  // we pass both explicitly (src/core/encode/ffmpeg-host.ts), so these are moot.
  ignoreWarnings: [{ module: /@ffmpeg[\\/]ffmpeg/, message: /Critical dependency/ }],
};
