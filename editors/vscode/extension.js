// The eventsc extension: highlighting comes from the TextMate grammar declared in
// package.json; this file only starts the language server, `eventsc lsp`, over
// stdio when the binary can be found (setting `eventsc.server.path`, default
// `eventsc` on PATH; see server-path.js). Without it, highlighting still works.
//
// In a workspace that is not trusted (Restricted Mode) the extension runs with
// `eventsc.server.path` restricted: VS Code then ignores the workspace's value
// of it, so a repository cannot make the editor run a binary of its choosing.
'use strict';

const vscode = require('vscode');
const { resolveServerPath } = require('./server-path');

let client;

async function activate(context) {
  const config = vscode.workspace.getConfiguration('eventsc');
  if (!config.get('server.enabled', true)) return;
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  const resolved = resolveServerPath(config.get('server.path', 'eventsc'), {
    workspaceFolder: folder && folder.uri.fsPath,
  });
  if (resolved.error) {
    vscode.window.showWarningMessage(resolved.error);
    return;
  }
  const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
  const server = { command: resolved.command, args: ['lsp'], transport: TransportKind.stdio };
  // The server registers the file watching it needs (.events files and
  // eventsc.toml) and works out each file's plan itself.
  client = new LanguageClient(
    'eventsc',
    'eventsc',
    { run: server, debug: server },
    { documentSelector: [{ scheme: 'file', language: 'events' }] }
  );
  context.subscriptions.push(client);
  await client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
