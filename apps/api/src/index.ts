// What tests and benchmarks (and, later, a host product embedding Keygate) take from the API app.
export * from './create-app.js';
export * from './mcp/usage-recorder.js';
export * from './mcp/tools/builtin-tools.js';
export * from './mcp/tools/keygate-tool.js';
// The transport that keeps one MCP server for every request (the bench's SDK-alone floor uses it too).
export { RequestScopedTransport } from './mcp/request-scoped-transport.js';
export { timeOrderedIds } from './mcp/time-ordered-ids.js';
