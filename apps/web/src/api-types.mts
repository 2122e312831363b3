/** The settings API's shapes, as README "Settings API" states them (the component reads nothing else). */
export type KeyStatus = 'active' | 'revoked' | 'expired';

export interface KeyView {
  id: string;
  label: string;
  prefix: string;
  userId: string;
  userName: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  status: KeyStatus;
}

export interface SetupSnippets {
  claudeCode?: string;
  codex?: string;
  cursor?: string;
  vscode?: string;
  windsurf?: string;
  generic?: { url: string; transport: string; authentication: string; key: string };
  notes?: string[];
}

export interface MintResponse {
  key: KeyView;
  token: string;
  setup: SetupSnippets;
}

export interface AcknowledgementResponse {
  acknowledgementId: string;
  notice: string[];
  expiresAt: string;
}

export interface ActivityEntry {
  id: string;
  at: string;
  type: string;
  keyId: string;
  keyLabel: string | null;
  actorUserId: string;
  actorName: string;
  detail: string;
  count?: number;
  firstAt?: string;
  lastAt?: string;
  outcomes?: { ok: number; error: number; denied: number };
  tool?: string | null;
  client?: { name: string | null; version: string | null };
}

export interface ActivityPage {
  items: ActivityEntry[];
  nextCursor: string | null;
}

/** An answer other than 2xx: the problem+json `detail` when there is one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}
