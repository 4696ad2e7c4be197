// Must match python/cloudreel/_version.py (MODULE_VERSION) and package.json.
export const MODULE_NAME = 'cloudreel';
export const MODULE_VERSION = '0.1.0';
