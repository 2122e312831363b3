import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { checkedKeyEvent, type KeyUsed } from '#keys';
import type { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Clock } from '#runtime';
import { clientInfoOf, toolNameOf, type ClientInfo } from './client-info.js';
import { contextOf, type McpRequestContext } from './mcp-request-context.js';
import { RequestScopedTransport, type RequestInterceptor } from './request-scoped-transport.js';
import { actorOf, type KeygateTool } from './tools/keygate-tool.js';
import type { UsageRecorder } from './usage-recorder.js';

/**
 * The KeyUsed event of one request; tool null for requests other than tools/call. Checked against its schema
 * here, where it is built: every value in it came from a request, bounded on the way in (client-info.ts).
 */
export const keyUsed = (
  context: McpRequestContext,
  at: Date,
  tool: string | null,
  outcome: KeyUsed['data']['outcome'],
  client: ClientInfo,
): KeyUsed => checkedKeyEvent({
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
} satisfies KeyUsed);

/**
 * One McpServer for the process, connected once to the request-scoped transport. Per request, the
 * key's permission snapshot decides which tools exist: tools/list is filtered, tools/call refused before
 * the SDK sees it, and every tools/call is recorded as KeyUsed before it is answered.
 */
export class KeygateMcpServer {
  readonly transport = new RequestScopedTransport();
  private readonly server = new McpServer({ name: 'keygate', version: '0.1.0' });
  private readonly permissionOf = new Map<string, string | null>();
  private allTools: Tool[] = [];

  constructor(
    private readonly parts: { clock: Clock; usage: UsageRecorder; commands: CommandBus; queries: QueryBus },
    tools: readonly KeygateTool<any>[],
  ) {
    for (const tool of tools) this.register(tool);
  }

  async start(): Promise<void> {
    this.transport.intercept = this.gateToolCall;
    await this.server.connect(this.transport);
    // McpServer renders its tools' JSON Schemas on every tools/list; render once, then filter per key.
    const listed = await this.transport.dispatch({ jsonrpc: '2.0', id: 0, method: 'tools/list' }, {});
    this.allTools = (listed as unknown as { result: { tools: Tool[] } }).result.tools;
    this.server.server.setRequestHandler(ListToolsRequestSchema, (_request, extra) => {
      const { key } = contextOf(extra.authInfo);
      return { tools: this.allTools.filter((t) => this.allowed(t.name, key.permissions)) };
    });
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  private allowed(toolName: string, permissions: ReadonlySet<string>): boolean {
    const needed = this.permissionOf.get(toolName);
    return needed === null || (needed !== undefined && permissions.has(needed));
  }

  /**
   * Every tools/call passes here before the SDK sees it: the permission check comes first (so a key
   * cannot learn a tool's existence or arguments from a validation error), and the use is recorded
   * after the SDK's answer, whatever it was: ok, a tool error, bad arguments, or an unknown tool.
   */
  private readonly gateToolCall: RequestInterceptor = async (request, extra, next) => {
    const context = contextOf(extra.authInfo);
    // What the request's own initialize announced is what its "last used" touch records (mcp-endpoint.ts).
    if (request.method === 'initialize') context.client ??= clientInfoOf(request.method, request.params, context.userAgent);
    if (request.method !== 'tools/call') return next();
    const client = clientInfoOf(request.method, request.params, context.userAgent);
    // A name that could not be a tool's (not a string, too long, odd characters) is recorded as none.
    const tool = toolNameOf(request.params);
    const name = tool ?? '';
    const record = (outcome: KeyUsed['data']['outcome']) => {
      context.usageRecorded = true;
      return this.parts.usage.record(keyUsed(context, this.parts.clock.now(), tool, outcome, client));
    };
    if (!this.allowed(name, context.key.permissions)) {
      await record(this.permissionOf.has(name) ? 'denied' : 'error');
      // The SDK's own words for a tool that does not exist: a key cannot probe for tools it lacks.
      return {
        jsonrpc: '2.0',
        id: request.id,
        result: { content: [{ type: 'text', text: `MCP error -32602: Tool ${name} not found` }], isError: true },
      };
    }
    const response = await next();
    const failed = 'error' in response || (response as { result?: { isError?: boolean } }).result?.isError === true;
    // Answered only once the use is durable: no call escapes the activity feed.
    await record(failed ? 'error' : 'ok');
    return response;
  };

  private register(tool: KeygateTool<any>): void {
    if (this.permissionOf.has(tool.name)) throw new Error(`Tool ${tool.name} is registered twice`);
    this.permissionOf.set(tool.name, tool.requiredPermission);
    this.server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.inputSchema },
      (args: unknown, extra: { authInfo?: AuthInfo; signal: AbortSignal }): Promise<CallToolResult> => {
        const context = contextOf(extra.authInfo);
        return tool.handler(args as never, {
          key: context.key,
          actor: actorOf(context.key),
          commands: this.parts.commands,
          queries: this.parts.queries,
          requestId: context.requestId,
          signal: extra.signal,
        });
      },
    );
  }
}
