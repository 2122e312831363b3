/**
 * Ready-to-paste client configuration, returned once with the token. Shapes follow each client's own
 * documentation. Codex reads the key from an environment variable, so it stays out of its config file; the
 * Cursor and Windsurf files hold it in plain text (the notes say so); Claude Code takes it on the command line.
 */
export interface SetupSnippets {
  claudeCode: string;
  /** Claude Code with the key out of shell history and out of the file: .mcp.json expands ${KEYGATE_API_KEY}. */
  claudeCodeEnv: string;
  codex: string;
  cursor: string;
  windsurf: string;
  /** VS Code (.vscode/mcp.json): the key is prompted once and kept in VS Code's secret storage, not in the file. */
  vscode: string;
  generic: { url: string; transport: string; authentication: string; key: string };
  notes: string[];
}

const SERVER_NAME = 'keygate';
const CODEX_ENV = 'KEYGATE_API_KEY';
const VSCODE_INPUT = 'keygate-api-key';

export const setupSnippets = (publicUrl: string, token: string): SetupSnippets => {
  const url = `${publicUrl}/api/mcp`;
  const headers = { Authorization: `Bearer ${token}` };
  return {
    claudeCode: `claude mcp add --transport http ${SERVER_NAME} ${url} --header "Authorization: Bearer ${token}"`,
    claudeCodeEnv: [
      `# .mcp.json in your project: Claude Code expands \${${CODEX_ENV}} when it connects, so the key is in neither`,
      `# this file nor your shell history. Put the key in ${CODEX_ENV} through your secret manager or a .env you never commit.`,
      JSON.stringify({ mcpServers: { [SERVER_NAME]: { type: 'http', url, headers: { Authorization: `Bearer \${${CODEX_ENV}}` } } } }, null, 2),
    ].join('\n'),
    codex: [
      `# ~/.codex/config.toml — the key stays out of the file: export ${CODEX_ENV}=${token}`,
      `[mcp_servers.${SERVER_NAME}]`,
      `url = "${url}"`,
      `bearer_token_env_var = "${CODEX_ENV}"`,
    ].join('\n'),
    cursor: JSON.stringify({ mcpServers: { [SERVER_NAME]: { url, headers } } }, null, 2),
    windsurf: JSON.stringify({ mcpServers: { [SERVER_NAME]: { serverUrl: url, headers } } }, null, 2),
    vscode: JSON.stringify(
      {
        servers: { [SERVER_NAME]: { type: 'http', url, headers: { Authorization: `Bearer \${input:${VSCODE_INPUT}}` } } },
        inputs: [{ id: VSCODE_INPUT, type: 'promptString', description: 'Keygate API key', password: true }],
      },
      null,
      2,
    ),
    generic: { url, transport: 'Streamable HTTP', authentication: 'Bearer token in the Authorization header', key: token },
    notes: [
      'Windsurf reads ~/.codeium/windsurf/mcp_config.json only and cannot substitute environment variables: the key sits there in plain text. Protect that file.',
      'Cursor: put the JSON in ~/.cursor/mcp.json (all projects) or .cursor/mcp.json (one project; keep it out of version control).',
      'VS Code: put the JSON in .vscode/mcp.json; VS Code asks for the key once and keeps it in its secret storage.',
      'ChatGPT web connectors accept only OAuth or no authentication: a static API key cannot be used there.',
    ],
  };
};
