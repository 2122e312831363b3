// What tests and benchmarks (and, later, a host product embedding Keygate) take from the API app.
export * from './create-app.js';
export * from './mcp/usage-recorder.js';
export * from './mcp/tools/builtin-tools.js';
export * from './mcp/tools/keygate-tool.js';
// For the benches: the transport that keeps one MCP server for every request (the SDK-alone floor uses it), and the
// usage events' ids (the commit-cost experiment writes uses as the recorder does).
export { RequestScopedTransport } from './mcp/request-scoped-transport.js';
export { timeOrderedIds } from './mcp/time-ordered-ids.js';
