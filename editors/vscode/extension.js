// The VS Code extension: starts `avenant lsp` for policy files. Highlighting
// needs no server (syntaxes/avenant.tmLanguage.json); everything else
// (diagnostics, hover, definitions, rename, example lenses) comes from it.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("avenant").get("path", "avenant");
  client = new LanguageClient(
    "avenant",
    "avenant",
    { command, args: ["lsp"] },
    { documentSelector: [{ scheme: "file", language: "avenant" }] },
  );
  // Evaluate a profile file against the policy being edited: asks for the file, shows the outcome.
  context.subscriptions.push(
    vscode.commands.registerCommand("avenant.evaluateProfile", async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return;
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Profiles: ["toml", "json", "yaml", "yml"] } });
      if (!picked) return;
      const outcome = await client.sendRequest("workspace/executeCommand", {
        command: "avenant.evaluate",
        arguments: [editor.document.uri.toString(), picked[0].toString()],
      });
      const document = await vscode.workspace.openTextDocument({ language: "json", content: JSON.stringify(outcome, null, 2) });
      await vscode.window.showTextDocument(document, vscode.ViewColumn.Beside);
    }),
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
