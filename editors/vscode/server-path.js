// Where the eventsc binary is, from the setting `eventsc.server.path`: a name
// looked up on PATH (`eventsc`), an absolute path, a path starting with `~/`
// (the home directory) or `${workspaceFolder}`, or a path relative to the
// first workspace folder. No dependency on VS Code, so that it is unit-tested
// with node (test/server-path.test.js).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

/**
 * Resolves the setting. Returns `{ command }` with the absolute path of an
 * executable file, or `{ error }`: a message that says what is wrong with the
 * setting and how to fix it.
 *
 * @param {string} setting the value of `eventsc.server.path`
 * @param {{ workspaceFolder?: string, home?: string, env?: object, platform?: string }} context
 */
function resolveServerPath(setting, context = {}) {
  const env = context.env || process.env;
  const platform = context.platform || process.platform;
  const home = context.home || os.homedir();
  const folder = context.workspaceFolder;
  const raw = (setting || 'eventsc').trim();
  let p = raw;
  if (p.includes('${workspaceFolder}')) {
    if (!folder) {
      return { error: `eventsc.server.path "${raw}" names \${workspaceFolder}, but no folder is open.` };
    }
    p = p.split('${workspaceFolder}').join(folder);
  }
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) {
    p = path.join(home, p.slice(1));
  }
  const isName = !p.includes('/') && !p.includes('\\');
  if (isName) {
    const exts = platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
    for (const dir of (env.PATH || '').split(path.delimiter)) {
      if (!dir) continue;
      for (const ext of exts) {
        const candidate = path.join(dir, p + ext);
        if (check(candidate) === undefined) return { command: candidate };
      }
    }
    return {
      error:
        `eventsc.server.path "${raw}" was not found on PATH: .events files are highlighted, ` +
        'but there are no diagnostics. Install eventsc (`cargo install --locked --path .` in its ' +
        'repository) or set eventsc.server.path to the binary.',
    };
  }
  if (!path.isAbsolute(p)) {
    if (!folder) {
      return { error: `eventsc.server.path "${raw}" is relative, but no folder is open to resolve it from.` };
    }
    p = path.resolve(folder, p);
  }
  const problem = check(p);
  if (problem) return { error: `eventsc.server.path "${raw}" (${p}) ${problem}.` };
  return { command: p };
}

/** Why `file` cannot be run, or undefined when it can. */
function check(file) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch (_) {
    return 'does not exist';
  }
  if (stat.isDirectory()) return 'is a directory, not the eventsc binary';
  if (!stat.isFile()) return 'is not a regular file';
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch (_) {
    return 'is not executable (chmod +x it)';
  }
  return undefined;
}

module.exports = { resolveServerPath };
