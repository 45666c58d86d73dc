#!/usr/bin/env node
// Tokenizes `.events` files with the real TextMate engine (vscode-textmate on
// vscode-oniguruma, as VS Code does) and prints, as JSON, every token of every
// line with its scopes: {"file": [[{"text": "...", "scopes": [...]}, ...], ...]}.
//
// Usage: node tokenize.js GRAMMAR.json FILE...
// Driven by tests/editor.rs, which snapshots the output and checks it.
'use strict';

const fs = require('fs');
const path = require('path');

let vsctm;
let oniguruma;
try {
  vsctm = require('vscode-textmate');
  oniguruma = require('vscode-oniguruma');
} catch (e) {
  process.stderr.write(
    'tests/editor/node_modules is missing: run scripts/setup.sh (or `npm ci` in tests/editor)\n'
  );
  process.exit(3);
}

async function main() {
  const [grammarPath, ...files] = process.argv.slice(2);
  if (!grammarPath) {
    process.stderr.write('usage: node tokenize.js GRAMMAR.json FILE...\n');
    process.exit(2);
  }
  const wasmPath = path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm');
  const wasm = fs.readFileSync(wasmPath).buffer;
  await oniguruma.loadWASM(wasm);
  const onigLib = Promise.resolve({
    createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
    createOnigString: (s) => new oniguruma.OnigString(s),
  });
  const registry = new vsctm.Registry({
    onigLib,
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.events') return null;
      const text = fs.readFileSync(grammarPath, 'utf8');
      return vsctm.parseRawGrammar(text, grammarPath);
    },
  });
  const grammar = await registry.loadGrammar('source.events');
  if (!grammar) throw new Error('the grammar did not load');

  const out = {};
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    let stack = vsctm.INITIAL;
    const tokenized = [];
    for (const line of lines) {
      const r = grammar.tokenizeLine(line, stack);
      tokenized.push(
        r.tokens.map((t) => ({
          text: line.substring(t.startIndex, t.endIndex),
          scopes: t.scopes,
        }))
      );
      stack = r.ruleStack;
    }
    out[file] = tokenized;
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
