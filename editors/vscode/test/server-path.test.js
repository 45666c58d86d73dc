// Unit tests of the server path resolution (run by tests/it/editor.rs:
// `node --test editors/vscode/test/`).
'use strict';

const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { test } = require('node:test');
const { resolveServerPath } = require('../server-path');

function sandbox() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eventsc-vscode-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  const exe = path.join(bin, 'eventsc');
  fs.writeFileSync(exe, '#!/bin/sh\n');
  fs.chmodSync(exe, 0o755);
  const plain = path.join(bin, 'not-executable');
  fs.writeFileSync(plain, '');
  fs.chmodSync(plain, 0o644);
  return { dir, bin, exe, plain };
}

test('a name is looked up on PATH', () => {
  const s = sandbox();
  assert.deepStrictEqual(resolveServerPath('eventsc', { env: { PATH: s.bin } }), { command: s.exe });
  const missing = resolveServerPath('eventsc', { env: { PATH: s.dir } });
  assert.match(missing.error, /"eventsc" was not found on PATH/);
  assert.match(missing.error, /cargo install --locked/);
});

test('an empty setting means eventsc on PATH', () => {
  const s = sandbox();
  assert.deepStrictEqual(resolveServerPath('', { env: { PATH: s.bin } }), { command: s.exe });
});

test('~ is the home directory', () => {
  const s = sandbox();
  assert.deepStrictEqual(resolveServerPath('~/bin/eventsc', { home: s.dir, env: {} }), { command: s.exe });
});

test('${workspaceFolder} and relative paths are the workspace folder', () => {
  const s = sandbox();
  const ctx = { workspaceFolder: s.dir, env: {} };
  assert.deepStrictEqual(resolveServerPath('${workspaceFolder}/bin/eventsc', ctx), { command: s.exe });
  assert.deepStrictEqual(resolveServerPath('bin/eventsc', ctx), { command: s.exe });
  assert.deepStrictEqual(resolveServerPath('./bin/eventsc', ctx), { command: s.exe });
  assert.match(resolveServerPath('bin/eventsc', { env: {} }).error, /is relative, but no folder is open/);
  assert.match(resolveServerPath('${workspaceFolder}/bin/eventsc', { env: {} }).error, /no folder is open/);
});

test('a missing, non-executable or directory path is named clearly', () => {
  const s = sandbox();
  const ctx = { workspaceFolder: s.dir, env: {} };
  assert.match(resolveServerPath(path.join(s.bin, 'nope'), ctx).error, /\(.*nope\) does not exist\.$/);
  assert.match(resolveServerPath(s.plain, ctx).error, /is not executable \(chmod \+x it\)\.$/);
  assert.match(resolveServerPath(s.bin, ctx).error, /is a directory, not the eventsc binary\.$/);
  assert.match(resolveServerPath('bin', ctx).error, /did not|was not found on PATH/);
});
