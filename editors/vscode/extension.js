// The eventsc extension: highlighting comes from the TextMate grammar declared in
// package.json; this file only starts the language server, `eventsc lsp`, over
// stdio when the binary can be found (setting `eventsc.server.path`, default
// `eventsc` on PATH). Without it, highlighting still works.
'use strict';

const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

let client;

/** The absolute path of `command` if it is a file or is found on PATH. */
function resolveBinary(command) {
  if (path.isAbsolute(command) || command.includes(path.sep)) {
    return fs.existsSync(command) ? command : undefined;
  }
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    for (const ext of exts) {
      const candidate = path.join(dir, command + ext);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      } catch (_) {
        // not here
      }
    }
  }
  return undefined;
}

async function activate(context) {
  const config = vscode.workspace.getConfiguration('eventsc');
  if (!config.get('server.enabled', true)) return;
  const command = resolveBinary(config.get('server.path', 'eventsc'));
  if (!command) {
    vscode.window.showInformationMessage(
      'eventsc was not found on PATH: .events files are highlighted, but there are no ' +
        'diagnostics. Install it (`cargo install --path .`) or set `eventsc.server.path`.'
    );
    return;
  }
  const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
  const server = { command, args: ['lsp'], transport: TransportKind.stdio };
  client = new LanguageClient(
    'eventsc',
    'eventsc',
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: 'file', language: 'events' }],
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher('**/*.events'),
      },
    }
  );
  context.subscriptions.push(client);
  await client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
