/**
 * Ready-to-paste client configuration, returned once with the token. Shapes follow each client's own
 * documentation. Codex reads the key from an environment variable, so it stays out of its config file; the
 * Cursor and Windsurf files hold it in plain text (the notes say so); Claude Code takes it on the command line.
 */
export interface SetupSnippets {
  claudeCode: string;
  codex: string;
  cursor: string;
  windsurf: string;
  generic: { url: string; transport: string; authentication: string; key: string };
  notes: string[];
}

const SERVER_NAME = 'keygate';
const CODEX_ENV = 'KEYGATE_API_KEY';

export const setupSnippets = (publicUrl: string, token: string): SetupSnippets => {
  const url = `${publicUrl}/api/mcp`;
  const headers = { Authorization: `Bearer ${token}` };
  return {
    claudeCode: `claude mcp add --transport http ${SERVER_NAME} ${url} --header "Authorization: Bearer ${token}"`,
    codex: [
      `# ~/.codex/config.toml — the key stays out of the file: export ${CODEX_ENV}=${token}`,
      `[mcp_servers.${SERVER_NAME}]`,
      `url = "${url}"`,
      `bearer_token_env_var = "${CODEX_ENV}"`,
    ].join('\n'),
    cursor: JSON.stringify({ mcpServers: { [SERVER_NAME]: { url, headers } } }, null, 2),
    windsurf: JSON.stringify({ mcpServers: { [SERVER_NAME]: { serverUrl: url, headers } } }, null, 2),
    generic: { url, transport: 'Streamable HTTP', authentication: 'Bearer token in the Authorization header', key: token },
    notes: [
      'Windsurf reads ~/.codeium/windsurf/mcp_config.json only and cannot substitute environment variables: the key sits there in plain text. Protect that file.',
      'Cursor: put the JSON in ~/.cursor/mcp.json (all projects) or .cursor/mcp.json (one project; keep it out of version control).',
      'ChatGPT web connectors accept only OAuth or no authentication: a static API key cannot be used there.',
    ],
  };
};
