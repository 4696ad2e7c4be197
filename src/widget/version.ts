// The widget's module name and version, read from package.json: the one version source, which the wheel's build
// reads too (hatch-nodejs-version) and python/cloudreel/_version.py at run time, so the kernel asks for this module.
import packageJson from '../../package.json';

export const MODULE_NAME = packageJson.name;
export const MODULE_VERSION = packageJson.version;
