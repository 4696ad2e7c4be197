// The licence notices of both builds (the npm bundle and the labextension):
// fills third-party-licenses.json with the texts of bundled packages whose npm
// tarball has no licence file, fails the build if any bundled package is still
// without one, and emits third-party/ffmpeg-core-SOURCE.txt (the GPL core's
// provenance and written offer; checked to describe the core in node_modules)
// and third-party/ffmpeg-core-NOTICES.txt (the copyright notices and licence
// texts of the libraries linked into the core) beside ffmpeg-core.wasm.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const { WebpackInnerModuleIterator } = require('license-webpack-plugin/dist/WebpackInnerModuleIterator');

// license-webpack-plugin 4.0.2 finds modules that webpack concatenated (scope
// hoisting) through their identifiers, which webpack 5 writes `javascript/esm|<path>`
// for ES-module packages, and it does not strip that prefix: without this the npm
// bundle's report missed three and mediabunny (xz64/license-webpack-plugin#116).
// @jupyterlab/builder patches the same method for `provide module` identifiers.
const getActualFilename = WebpackInnerModuleIterator.prototype.getActualFilename;
WebpackInnerModuleIterator.prototype.getActualFilename = function (filename) {
  const typed = typeof filename === 'string' ? /^javascript\/[a-z]+\|(.*)$/.exec(filename) : null;
  return getActualFilename.call(this, typed ? typed[1] : filename);
};

const NAME = 'ThirdPartyLicences';
// The name JupyterLab's license-webpack-plugin report has (and jupyterlab_server reads).
const LICENCE_REPORT = 'third-party-licenses.json';
const CORE_SOURCE_NOTICE = 'ffmpeg-core-SOURCE.txt';
const CORE_LIBRARY_NOTICES = 'ffmpeg-core-NOTICES.txt';
const coreDir = path.join(__dirname, 'node_modules/@ffmpeg/core');

const read = (file) => fs.readFileSync(path.join(__dirname, file), 'utf8');

// @ffmpeg/ffmpeg and @ffmpeg/core publish only dist/ (no LICENSE file), so the
// plugin's licence-file lookup (/^licen[cs]e/ in the package folder) finds nothing.
const MISSING_TEXTS = {
  // The MIT licence of the ffmpeg.wasm repository at the tag @ffmpeg/ffmpeg 0.12.15 was released from (v12.15).
  '@ffmpeg/ffmpeg': () => read('third-party/ffmpeg.wasm-LICENSE'),
  '@ffmpeg/core': () =>
    'ffmpeg-core.wasm and ffmpeg-core.js (FFmpeg built by ffmpeg.wasm with --enable-gpl, x264 and x265) are\n' +
    'licensed under the GNU General Public License, version 2 or (at your option) any later version.\n' +
    `Their provenance, the libraries in them and a written offer for their source code: ${CORE_SOURCE_NOTICE}\n` +
    `beside ffmpeg-core.wasm; those libraries' copyright notices and licence texts: ${CORE_LIBRARY_NOTICES}.\n\n` +
    read('LICENSE'),
};

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

// Problems that make third-party/ffmpeg-core-SOURCE.txt wrong for the installed core.
function coreNoticeProblems(notice) {
  const { version } = JSON.parse(fs.readFileSync(path.join(coreDir, 'package.json'), 'utf8'));
  const problems = [];
  if (!notice.includes(`@ffmpeg/core ${version}`)) problems.push(`it does not name @ffmpeg/core ${version}`);
  for (const file of ['ffmpeg-core.wasm', 'ffmpeg-core.js']) {
    const digest = sha256(path.join(coreDir, 'dist/umd', file));
    if (!notice.includes(digest)) problems.push(`it does not give ${file}'s SHA-256 ${digest}`);
  }
  return problems;
}

class ThirdPartyLicences {
  apply(compiler) {
    const { Compilation, WebpackError, sources } = compiler.webpack;
    compiler.hooks.thisCompilation.tap(NAME, (compilation) => {
      const fail = (message) => compilation.errors.push(new WebpackError(`${NAME}: ${message}`));
      // license-webpack-plugin writes its report at PROCESS_ASSETS_STAGE_REPORT + 1.
      const stage = Compilation.PROCESS_ASSETS_STAGE_REPORT + 2;
      compilation.hooks.processAssets.tap({ name: NAME, stage }, () => {
        const notice = read(`third-party/${CORE_SOURCE_NOTICE}`);
        const problems = coreNoticeProblems(notice);
        if (problems.length > 0) {
          fail(`third-party/${CORE_SOURCE_NOTICE} does not describe node_modules/@ffmpeg/core: ${problems.join('; ')}. Update its provenance and offer.`);
        }
        compilation.emitAsset(CORE_SOURCE_NOTICE, new sources.RawSource(notice));
        compilation.emitAsset(CORE_LIBRARY_NOTICES, new sources.RawSource(read(`third-party/${CORE_LIBRARY_NOTICES}`)));

        const asset = compilation.getAsset(LICENCE_REPORT);
        if (!asset) return; // development builds of the labextension write no report
        const report = JSON.parse(asset.source.source().toString());
        const filled = new Set();
        for (const pkg of report.packages) {
          if (!pkg.extractedText && MISSING_TEXTS[pkg.name]) {
            pkg.extractedText = MISSING_TEXTS[pkg.name]();
            filled.add(pkg.name);
          }
        }
        // Drop license-webpack-plugin's "could not find any license file for X" warnings for what was filled.
        compilation.warnings = compilation.warnings.filter((warning) => {
          const found = /could not find any license file for (\S+)\./.exec(String(warning.message ?? warning));
          return !(found && filled.has(found[1]));
        });
        const without = report.packages.filter((pkg) => !pkg.extractedText || !pkg.licenseId).map((pkg) => pkg.name);
        if (without.length > 0) {
          fail(`no licence text or licence id for ${without.join(', ')} in ${LICENCE_REPORT}: add the text to MISSING_TEXTS in webpack.licences.cjs`);
        }
        compilation.updateAsset(LICENCE_REPORT, new sources.RawSource(JSON.stringify(report, null, 2)));
      });
    });
  }
}

module.exports = { ThirdPartyLicences, LICENCE_REPORT, CORE_SOURCE_NOTICE, CORE_LIBRARY_NOTICES };
