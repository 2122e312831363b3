import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ErrorCode,
  InitializeRequestSchema,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { KeyUsed } from '../../../../libs/keys/src/index.js';
import type { KeygateRuntime } from '../runtime/keygate-runtime.js';
import { contextOf, type McpRequestContext } from './mcp-request-context.js';
import { RequestScopedTransport } from './request-scoped-transport.js';
import { actorOf, type KeygateTool } from './tools/keygate-tool.js';
import type { UsageRecorder } from './usage-recorder.js';

export interface ClientInfo {
  name: string | null;
  version: string | null;
}

const CLIENT_INFO_META = 'io.modelcontextprotocol/clientInfo';

/** The KeyUsed event of one request; tool null for requests other than tools/call. */
export const keyUsed = (
  context: McpRequestContext,
  at: Date,
  tool: string | null,
  outcome: KeyUsed['data']['outcome'],
  client: ClientInfo,
): KeyUsed => ({
  type: 'KeyUsed',
  data: {
    actorUserId: context.key.userId,
    actorName: context.key.userName,
    companyId: context.key.companyId,
    keyId: context.key.keyId,
    correlationId: context.requestId,
    at: at.toISOString(),
    tool,
    outcome,
    client,
    remoteAddress: context.remoteAddress,
    requestId: context.requestId,
  },
});

/**
 * One McpServer for the process, connected once to the request-scoped transport. Per request, the
 * key's permission snapshot decides which tools exist: tools/list is filtered, tools/call refuses, and
 * every tools/call is recorded as KeyUsed before it is answered.
 */
export class KeygateMcpServer {
  readonly transport = new RequestScopedTransport();
  private readonly server = new McpServer({ name: 'keygate', version: '0.1.0' });
  private readonly permissionOf = new Map<string, string | null>();
  private allTools: Tool[] = [];
  /** The client name and version each key last announced in initialize (stateless: remembered per key). */
  private readonly clients = new Map<string, ClientInfo>();

  constructor(
    private readonly runtime: KeygateRuntime,
    private readonly usage: UsageRecorder,
    tools: readonly KeygateTool<any>[],
  ) {
    for (const tool of tools) this.register(tool);
  }

  async start(): Promise<void> {
    await this.server.connect(this.transport);
    // McpServer renders its tools' JSON Schemas on every tools/list; render once, then filter per key.
    const listed = await this.transport.dispatch({ jsonrpc: '2.0', id: 0, method: 'tools/list' }, {});
    this.allTools = (listed as unknown as { result: { tools: Tool[] } }).result.tools;
    this.server.server.setRequestHandler(ListToolsRequestSchema, (_request, extra) => {
      const { key } = contextOf(extra.authInfo);
      return { tools: this.allTools.filter((t) => this.allowed(t.name, key.permissions)) };
    });
    this.server.server.setRequestHandler(InitializeRequestSchema, async (request, extra) => {
      const { key } = contextOf(extra.authInfo);
      const info = request.params.clientInfo;
      this.clients.set(key.keyId, { name: info?.name ?? null, version: info?.version ?? null });
      // The SDK's own answer (protocol version negotiation, capabilities).
      return (this.server.server as unknown as { _oninitialize(r: unknown): Promise<object> })._oninitialize(request);
    });
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  clientOf(context: McpRequestContext, meta: Record<string, unknown> | undefined): ClientInfo {
    const fromMeta = meta?.[CLIENT_INFO_META] as { name?: string; version?: string } | undefined;
    if (fromMeta?.name) return { name: fromMeta.name, version: fromMeta.version ?? null };
    return this.clients.get(context.key.keyId) ?? { name: context.userAgent, version: null };
  }

  private allowed(toolName: string, permissions: ReadonlySet<string>): boolean {
    const needed = this.permissionOf.get(toolName);
    return needed === null || (needed !== undefined && permissions.has(needed));
  }

  private register(tool: KeygateTool<any>): void {
    if (this.permissionOf.has(tool.name)) throw new Error(`Tool ${tool.name} is registered twice`);
    this.permissionOf.set(tool.name, tool.requiredPermission);
    this.server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.inputSchema },
      async (args: unknown, extra: { authInfo?: AuthInfo; _meta?: unknown; signal: AbortSignal }): Promise<CallToolResult> => {
        const context = contextOf(extra.authInfo);
        const client = this.clientOf(context, extra._meta as Record<string, unknown> | undefined);
        const record = (outcome: KeyUsed['data']['outcome']) =>
          this.usage.record(keyUsed(context, this.runtime.clock.now(), tool.name, outcome, client));
        if (!this.allowed(tool.name, context.key.permissions)) {
          await record('denied');
          // The same answer as for a tool that does not exist: a key cannot probe for tools it lacks.
          throw new McpError(ErrorCode.InvalidParams, `Tool ${tool.name} not found`);
        }
        let result: CallToolResult;
        try {
          result = await tool.handler(args as never, {
            key: context.key,
            actor: actorOf(context.key),
            runtime: this.runtime,
            requestId: context.requestId,
            signal: extra.signal,
          });
        } catch (error) {
          await record('error');
          throw error;
        }
        // Answered only once the use is durable: no call escapes the activity feed.
        await record(result.isError ? 'error' : 'ok');
        return result;
      },
    );
  }
}
