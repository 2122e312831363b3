import { ApiProperty } from '@nestjs/swagger';
import { KeyView } from './key-view.js';

// The answers of the keys routes, as the OpenAPI document describes them (a client generated from it can read the
// minted token). The handlers return plain objects of these shapes.

export class AcknowledgementView {
  @ApiProperty({ description: 'Pass to POST /api/keys within expiresAt; one mint each' }) acknowledgementId!: string;
  @ApiProperty({ type: [String], description: 'The security notice the user acknowledged, one sentence each' }) notice!: string[];
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class GenericSetupView {
  @ApiProperty({ example: 'https://keygate.example.com/api/mcp' }) url!: string;
  @ApiProperty({ example: 'streamable-http' }) transport!: string;
  @ApiProperty({ example: 'Authorization: Bearer <key>' }) authentication!: string;
  @ApiProperty({ description: 'The token (this response only)' }) key!: string;
}

export class SetupSnippetsView {
  @ApiProperty({ description: 'claude mcp add … command' }) claudeCode!: string;
  @ApiProperty({ description: 'Claude Code with the key in an environment variable' }) claudeCodeEnv!: string;
  @ApiProperty({ description: '~/.codex/config.toml section (the key in an environment variable)' }) codex!: string;
  @ApiProperty({ description: '.cursor/mcp.json' }) cursor!: string;
  @ApiProperty({ description: 'Windsurf mcp_config.json' }) windsurf!: string;
  @ApiProperty({ description: '.vscode/mcp.json (the key prompted once, kept in VS Code secret storage)' }) vscode!: string;
  @ApiProperty({ type: GenericSetupView }) generic!: GenericSetupView;
  @ApiProperty({ type: [String] }) notes!: string[];
}

export class MintedKeyView {
  @ApiProperty({ type: KeyView }) key!: KeyView;
  @ApiProperty({ description: 'The API key: in this response and nowhere else, ever', example: 'kg_Ab3dE5gH7jK9_…' }) token!: string;
  @ApiProperty({ type: SetupSnippetsView }) setup!: SetupSnippetsView;
}

export class RotatedKeyView {
  @ApiProperty({ type: KeyView, description: 'The new key' }) key!: KeyView;
  @ApiProperty({ description: "The new key's token: in this response and nowhere else, ever" }) token!: string;
  @ApiProperty({ type: SetupSnippetsView }) setup!: SetupSnippetsView;
  @ApiProperty({ type: KeyView, nullable: true, description: 'The key being replaced (overlapEndsAt: when it stops working)' })
  previous!: KeyView | null;
}

export class PermissionPresetView {
  @ApiProperty({ enum: ['full', 'read-only'] }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: [String] }) permissions!: string[];
}

export class PermissionPresetsView {
  @ApiProperty({ type: [PermissionPresetView] }) presets!: PermissionPresetView[];
}

/** A key route's answer with the key as it now reads (revoke, suspend, resume). */
export class RevokedKeyView {
  @ApiProperty({ type: KeyView }) key!: KeyView;
}

export class KeysPageView {
  @ApiProperty({ type: [KeyView] }) items!: KeyView[];
  @ApiProperty({ nullable: true, type: String, description: 'Opaque; pass as cursor for the next (older) page' }) nextCursor!: string | null;
}
