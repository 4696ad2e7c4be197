// The example's static server (examples/headless.mjs serveStatic) on 127.0.0.1
// with real files: it serves what lies under its root and nothing beside it, not
// a sibling folder named like the root plus a suffix, not through `..` in any
// encoding, not through a symbolic link that points outside. No browser.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { serveStatic } from '../../examples/headless.mjs';

const SECRET = 'secret beside the served folder';
let base;
let server;

/** GET with the path sent exactly as written (fetch and URL would normalise it). */
function get(rawPath) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method: 'GET' }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    // A guard against a hang (a server whose handler threw never answers), not a timing check.
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${rawPath}: no answer in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudreel-static-'));
  const root = path.join(base, 'main');
  fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
  fs.mkdirSync(path.join(base, 'main-other'));
  fs.writeFileSync(path.join(root, 'index.html'), '<p>served</p>');
  fs.writeFileSync(path.join(root, 'sub', 'page.js'), 'export {};');
  fs.writeFileSync(path.join(base, 'main-other', 'secret.txt'), SECRET);
  fs.writeFileSync(path.join(base, 'secret.txt'), SECRET);
  fs.symlinkSync(path.join(base, 'main-other', 'secret.txt'), path.join(root, 'link-out.txt'));
  fs.symlinkSync(path.join(base, 'main-other'), path.join(root, 'dir-out'));
  fs.symlinkSync('index.html', path.join(root, 'link-in.html'));
  server = await serveStatic(root);
});

after(async () => {
  await server?.close();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

test('a sibling folder named like the root plus a suffix is not served, however .. is encoded', async () => {
  for (const rawPath of [
    '/..%2Fmain-other/secret.txt',
    '/..%2fmain-other/secret.txt',
    '/%2e%2e%2Fmain-other/secret.txt',
    '/%2E%2E%2fmain-other%2fsecret.txt',
    '/sub/..%2F..%2Fmain-other/secret.txt',
    '/..%2Fsecret.txt',
    '/..%2F..%2F..%2F..%2F..%2F..%2Fetc/hostname',
  ]) {
    const { status, body } = await get(rawPath);
    assert.equal(status, 403, `${rawPath} answered ${status}: ${body}`);
  }
  // What lies under the root is still served, also where .. stays inside it.
  assert.deepEqual(await get('/index.html'), { status: 200, body: '<p>served</p>' });
  assert.deepEqual(await get('/sub/page.js'), { status: 200, body: 'export {};' });
  assert.deepEqual(await get('/sub/..%2Findex.html'), { status: 200, body: '<p>served</p>' });
  assert.equal((await get('/missing.html')).status, 404);
  assert.equal((await get('/sub')).status, 404, 'a folder is not a file');
});

test('a link under the root that points outside it is not followed; one that stays inside is', async () => {
  for (const rawPath of ['/link-out.txt', '/dir-out/secret.txt']) {
    const { status, body } = await get(rawPath);
    assert.equal(status, 403, `${rawPath} answered ${status}: ${body}`);
  }
  assert.deepEqual(await get('/link-in.html'), { status: 200, body: '<p>served</p>' });
});

test('a path that does not decode, or holds a NUL, is a bad request and the server stays up', async () => {
  assert.equal((await get('/%E0%A4%A')).status, 400);
  assert.equal((await get('/index.html%00.txt')).status, 400);
  assert.equal((await get('/index.html')).status, 200);
});
