import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { checkedKeyEvent, isReadPermission, type KeyUsed } from '#keys';
import type { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Clock } from '#runtime';
import { clientInfoOf, toolNameOf, type ClientInfo } from './client-info.js';
import { contextOf, type InsufficientScope, type McpRequestContext } from './mcp-request-context.js';
import { RequestScopedTransport, type RequestInterceptor } from './request-scoped-transport.js';
import { actorOf, type KeygateTool, type ToolKey } from './tools/keygate-tool.js';
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
 * The JSON-RPC error code of a tools/call refused for want of permissions (a server error code of JSON-RPC's
 * reserved -32000..-32099; MCP defines none for it). Its data carries what the HTTP 403's challenge does.
 */
export const INSUFFICIENT_SCOPE_CODE = -32003;

/** The JSON-RPC error of a tools/call the key lacks permissions for: in a batch, and the 403's fallback. */
export const insufficientScopeError = (refused: InsufficientScope) => ({
  code: INSUFFICIENT_SCOPE_CODE,
  message: refused.readOnlyKey
    ? `Insufficient scope: the tool ${refused.tool} changes data, and this API key is read only.`
    : `Insufficient scope: the tool ${refused.tool} needs the permission(s) ${refused.missing.join(', ')}, which this API key lacks.`,
  data: refused.readOnlyKey
    ? { error: 'insufficient_scope', readOnlyKey: true, missing: [], tool: refused.tool }
    : { error: 'insufficient_scope', scope: refused.missing.join(' '), missing: refused.missing, tool: refused.tool },
});

/** What a tool asks of a key: the permission it declares (or none), and whether it may write (not readOnlyHint: true). */
interface ToolRule {
  permission: string | null;
  writes: boolean;
}

/**
 * A read-only key: one acting as a plain user (a root user's own full key keeps root's reach, which is a role, not
 * a permission; a root user's narrowed key acts as a plain user) whose every permission is a read one, by the
 * presets' naming rule (permission-presets.ts). Such a key is refused tools that write, so "read only" means what
 * a person choosing it expects, whatever permission a tool names.
 */
const isReadOnlyKey = (key: ToolKey): boolean => {
  if (key.creatorRole === 'root') return false;
  for (const permission of key.permissions) if (!isReadPermission(permission)) return false;
  return true;
};

/**
 * One McpServer for the process, connected once to the request-scoped transport. Per request, the
 * key's permission snapshot decides which tools exist: tools/list is filtered, tools/call refused before
 * the SDK sees it, and every tools/call is recorded as KeyUsed before it is answered.
 */
export class KeygateMcpServer {
  readonly transport = new RequestScopedTransport();
  private readonly server = new McpServer({ name: 'keygate', version: '0.1.0' });
  private readonly ruleOf = new Map<string, ToolRule>();
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
      return { tools: this.allTools.filter((t) => this.refusalOf(t.name, key) === undefined) };
    });
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  /**
   * Why a key may not call a tool the server has (undefined: it may): the permission the tool declares that the
   * key lacks, or, for a tool that writes, that the key is read only.
   */
  private refusalOf(toolName: string, key: ToolKey): InsufficientScope | undefined {
    const rule = this.ruleOf.get(toolName);
    if (rule === undefined) return undefined;
    if (rule.permission !== null && !key.permissions.has(rule.permission)) return { tool: toolName, missing: [rule.permission] };
    if (rule.writes && isReadOnlyKey(key)) return { tool: toolName, missing: [], readOnlyKey: true };
    return undefined;
  }

  /**
   * Every tools/call passes here before the SDK sees it: the permission check comes first (so a key
   * cannot learn a tool's arguments from a validation error), and the use is recorded after the SDK's
   * answer, whatever it was: ok, a tool error, bad arguments, or an unknown tool.
   *
   * A tool the key lacks a permission for is refused as the MCP authorization spec says for insufficient
   * scope (issue 15): the endpoint answers HTTP 403 with error="insufficient_scope" and the permissions needed
   * (mcp-endpoint.ts), from the JSON-RPC error returned here, which is what a batch gets. That tells the key's
   * holder the tool exists; a name no tool has is still "not found", word for word the SDK's answer.
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
    if (!this.ruleOf.has(name)) {
      await record('error');
      // The SDK's own words for a tool that does not exist.
      return {
        jsonrpc: '2.0',
        id: request.id,
        result: { content: [{ type: 'text', text: `MCP error -32602: Tool ${name} not found` }], isError: true },
      };
    }
    const refused = this.refusalOf(name, context.key);
    if (refused !== undefined) {
      await record('denied');
      context.insufficientScope = refused;
      return { jsonrpc: '2.0', id: request.id, error: insufficientScopeError(refused) };
    }
    const response = await next();
    const failed = 'error' in response || (response as { result?: { isError?: boolean } }).result?.isError === true;
    // Answered only once the use is durable: no call escapes the activity feed.
    await record(failed ? 'error' : 'ok');
    return response;
  };

  private register(tool: KeygateTool<any>): void {
    if (this.ruleOf.has(tool.name)) throw new Error(`Tool ${tool.name} is registered twice`);
    // MCP's default: a tool not saying readOnlyHint: true may change something (so a read-only key is refused it).
    this.ruleOf.set(tool.name, { permission: tool.requiredPermission, writes: tool.annotations?.readOnlyHint !== true });
    this.server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.inputSchema, annotations: tool.annotations },
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
