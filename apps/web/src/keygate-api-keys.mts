import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { components } from '#client/api-types';

// ------------------------------------------------------------------ the settings API's shapes

// The shapes the served OpenAPI document describes, as libs/client generates them (types only: nothing of the
// client is bundled), so the component and the API cannot drift apart unnoticed.
type Schemas = components['schemas'];
export type KeyView = Schemas['KeyView'];
export type KeyStatus = KeyView['status'];
export type SetupSnippets = Schemas['SetupSnippetsView'];
export type MintResponse = Schemas['MintedKeyView'];
export type RotateResponse = Schemas['RotatedKeyView'];
export type PermissionPreset = Schemas['PermissionPresetView'];
type PermissionPresets = Schemas['PermissionPresetsView'];
type KeyAnswer = Schemas['RevokedKeyView'];
export type AcknowledgementResponse = Schemas['AcknowledgementView'];
export type ActivityEntry = Schemas['ActivityEntryView'];
export type ActivityPage = Schemas['ActivityPageView'];
type KeysPage = Schemas['KeysPageView'];

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

/**
 * <keygate-api-keys>: the API Keys settings tab. Framework-agnostic (a custom element); the host sets
 *   - apiBaseUrl (attribute api-base-url): where the settings API lives, '' for the page's own origin;
 *   - getToken: an async function returning the signed-in user's JWT, called before each request.
 * The JWT and a freshly minted key live in memory only: never localStorage, sessionStorage or a cookie.
 * Themeable through CSS custom properties (--keygate-*, listed in :host below).
 */

type Dialog =
  | { kind: 'notice'; acknowledgementId: string; notice: string[]; presets: PermissionPreset[] }
  | {
      kind: 'label';
      acknowledgementId: string;
      label: string;
      /** The narrower-key choice: the API's presets ([] if it offers none: the key gets all of the creator's). */
      presets: PermissionPreset[];
      preset: string;
      busy: boolean;
      error: string | null;
    }
  | {
      kind: 'token';
      key: KeyView;
      token: string;
      setup: SetupSnippets;
      tab: string;
      copied: string | null;
      /** A rotation's old key (its overlapEndsAt: when it stops working); null for a mint. */
      previous: KeyView | null;
      rotated: boolean;
    }
  | { kind: 'rotate'; key: KeyView; overlapSeconds: number; busy: boolean; error: string | null }
  | { kind: 'revoke' | 'delete' | 'suspend'; key: KeyView; busy: boolean; error: string | null };

/** The overlaps offered at rotation (the API takes 0 to 7 days; 24 hours is its default). */
export const OVERLAPS: readonly { seconds: number; name: string; hint: string }[] = [
  { seconds: 0, name: 'No overlap', hint: 'The old key stops working at once.' },
  { seconds: 3600, name: '1 hour', hint: 'Enough to paste the new key into one client.' },
  { seconds: 86400, name: '24 hours', hint: 'Recommended: a day to update every client.' },
  { seconds: 604800, name: '7 days', hint: 'For clients you cannot update today.' },
];
const DEFAULT_OVERLAP = 86400;

interface SetupTab {
  id: string;
  name: string;
  snippet: string;
  note?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 24 * 60 * 60 * 1000;

/** "API Key May 10, 2026", as the API names a key whose label is left empty (UTC date). */
export const defaultLabel = (at: Date): string => `API Key ${MONTHS[at.getUTCMonth()]} ${at.getUTCDate()}, ${at.getUTCFullYear()}`;

const formatDate = (iso: string | null): string => {
  if (!iso) return 'Never';
  const d = new Date(iso);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
};

const formatTime = (iso: string): string => {
  const d = new Date(iso);
  return `${formatDate(iso)} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')} UTC`;
};

/** The role claim of a JWT, read without verifying it: it only decides which buttons show; the API decides. */
const roleOf = (jwt: string): string | null => {
  try {
    const part = jwt.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const role = (JSON.parse(json) as { role?: unknown }).role;
    return typeof role === 'string' ? role : null;
  } catch {
    return null;
  }
};

const STATUS_NAMES: Record<KeyStatus, string> = { active: 'Active', suspended: 'Suspended', revoked: 'Revoked', expired: 'Expired' };

/** "May 10, 2026 14:03 UTC": when a key being replaced stops working. */
const formatMinute = (iso: string): string => formatTime(iso).replace(/:\d{2} UTC$/, ' UTC');

const setupTabs = (setup: SetupSnippets): SetupTab[] => {
  const notes = setup.notes ?? [];
  const noteAbout = (word: RegExp) => notes.filter((n) => word.test(n)).join(' ') || undefined;
  const tabs: (SetupTab | null)[] = [
    setup.claudeCode ? { id: 'claude-code', name: 'Claude Code', snippet: setup.claudeCode } : null,
    setup.codex ? { id: 'codex', name: 'ChatGPT / Codex', snippet: setup.codex, note: noteAbout(/ChatGPT/) } : null,
    setup.cursor ? { id: 'cursor', name: 'Cursor', snippet: setup.cursor, note: noteAbout(/Cursor/) } : null,
    setup.vscode ? { id: 'vscode', name: 'VS Code', snippet: setup.vscode, note: noteAbout(/VS Code/) } : null,
    setup.windsurf ? { id: 'windsurf', name: 'Windsurf / Other', snippet: setup.windsurf, note: noteAbout(/Windsurf/) } : null,
    setup.generic
      ? {
          id: 'generic',
          name: 'Generic',
          snippet: [
            `URL: ${setup.generic.url}`,
            `Transport: ${setup.generic.transport}`,
            `Authentication: ${setup.generic.authentication}`,
            `Key: ${setup.generic.key}`,
          ].join('\n'),
        }
      : null,
  ];
  return tabs.filter((t): t is SetupTab => t !== null);
};

export class KeygateApiKeys extends LitElement {
  static override properties = {
    apiBaseUrl: { type: String, attribute: 'api-base-url' },
    getToken: { attribute: false },
    keys: { state: true },
    keysError: { state: true },
    role: { state: true },
    dialog: { state: true },
    notice: { state: true },
    activity: { state: true },
    activityCursor: { state: true },
    activityKey: { state: true },
    activityError: { state: true },
    generating: { state: true },
  };

  declare apiBaseUrl: string;
  declare getToken: (() => Promise<string>) | null;
  declare keys: KeyView[] | null;
  declare keysError: string | null;
  declare role: string | null;
  declare dialog: Dialog | null;
  /** A polite message for screen readers and everyone ("Key revoked."). */
  declare notice: string;
  declare activity: ActivityEntry[] | null;
  declare activityCursor: string | null;
  declare activityKey: KeyView | null;
  declare activityError: string | null;
  declare generating: boolean;

  /** The control that opened the dialog: focus goes back there when it closes. */
  private opener: HTMLElement | null = null;
  /** The key whose row the opener was on: if the opener is gone when the dialog closes, focus goes to that row. */
  private openerKeyId: string | null = null;
  private shownKind: Dialog['kind'] | null = null;

  constructor() {
    super();
    this.apiBaseUrl = '';
    this.getToken = null;
    this.keys = null;
    this.keysError = null;
    this.role = null;
    this.dialog = null;
    this.notice = '';
    this.activity = null;
    this.activityCursor = null;
    this.activityKey = null;
    this.activityError = null;
    this.generating = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.getToken) void this.refresh();
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('getToken') || !this.hasUpdated) return;
    if (this.getToken) {
      void this.refresh();
    } else {
      // Signed out: nothing of the previous user stays on screen or in memory.
      this.keys = null;
      this.activity = null;
      this.activityCursor = null;
      this.activityKey = null;
      this.dialog = null;
      this.role = null;
    }
  }

  /** Reloads the keys and the activity feed. */
  async refresh(): Promise<void> {
    await Promise.all([this.loadKeys(), this.loadActivity(false)]);
  }

  // ------------------------------------------------------------------ HTTP

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.getToken) throw new ApiError(401, 'Not signed in.');
    const jwt = await this.getToken();
    this.role = roleOf(jwt);
    const headers: Record<string, string> = { authorization: `Bearer ${jwt}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.apiBaseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'Keygate could not be reached. Check your connection and try again.');
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const detail = typeof json?.detail === 'string' ? json.detail : `The request failed (HTTP ${res.status}).`;
      throw new ApiError(res.status, detail);
    }
    return json as T;
  }

  private async loadKeys(): Promise<void> {
    try {
      // The list pages by 100; a person's tab shows every key they may see, so follow the cursor to the end.
      const keys: KeyView[] = [];
      let cursor: string | null = null;
      do {
        const path: string = cursor ? `/api/keys?cursor=${encodeURIComponent(cursor)}` : '/api/keys';
        const page: KeysPage = await this.request('GET', path);
        keys.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      this.keys = keys;
      this.keysError = null;
    } catch (e) {
      this.keysError = (e as Error).message;
    }
  }

  private async loadActivity(more: boolean): Promise<void> {
    const params = new URLSearchParams({ limit: '20' });
    if (this.activityKey) params.set('keyId', this.activityKey.id);
    if (more && this.activityCursor) params.set('cursor', this.activityCursor);
    try {
      const page = await this.request<ActivityPage>('GET', `/api/activity?${params}`);
      this.activity = more && this.activity ? [...this.activity, ...page.items] : page.items;
      this.activityCursor = page.nextCursor;
      this.activityError = null;
    } catch (e) {
      this.activityError = (e as Error).message;
    }
  }

  // ------------------------------------------------------------------ actions

  private rememberOpener(e: Event): void {
    this.opener = (e.currentTarget as HTMLElement) ?? null;
    this.openerKeyId = this.opener?.closest<HTMLElement>('tr[data-key-id]')?.dataset['keyId'] ?? null;
  }

  private async startGenerate(e: Event): Promise<void> {
    this.rememberOpener(e);
    this.generating = true;
    try {
      // The presets come with the notice, so the label dialog can offer them at once. Without them (an API that
      // offers none, or a failure) the dialog says the key gets all of the creator's permissions, as the API does.
      const [ack, presets] = await Promise.all([
        this.request<AcknowledgementResponse>('POST', '/api/keys/acknowledgements'),
        this.request<PermissionPresets>('GET', '/api/keys/permission-presets').then(
          (p) => p.presets ?? [],
          () => [] as PermissionPreset[],
        ),
      ]);
      this.dialog = { kind: 'notice', acknowledgementId: ack.acknowledgementId, notice: ack.notice, presets };
    } catch (err) {
      this.announce((err as Error).message);
    } finally {
      this.generating = false;
    }
  }

  private continueToLabel(): void {
    if (this.dialog?.kind !== 'notice') return;
    const { acknowledgementId, presets } = this.dialog;
    const preset = presets.find((p) => p.id === 'full')?.id ?? presets[0]?.id ?? '';
    this.dialog = { kind: 'label', acknowledgementId, label: defaultLabel(new Date()), presets, preset, busy: false, error: null };
  }

  private async mint(e: Event): Promise<void> {
    e.preventDefault();
    const d = this.dialog;
    if (d?.kind !== 'label' || d.busy) return;
    const input = this.renderRoot.querySelector<HTMLInputElement>('#key-label');
    const label = input?.value ?? d.label;
    const chosen = d.presets.find((p) => p.id === d.preset);
    this.dialog = { ...d, label, busy: true, error: null };
    try {
      // "Everything" is sent as no list at all (the API's "all of your permissions, as they are now"); a narrower
      // preset as its permissions, which the API checks are the creator's own.
      const body = chosen && chosen.id !== 'full' ? { acknowledgementId: d.acknowledgementId, label, permissions: chosen.permissions } : { acknowledgementId: d.acknowledgementId, label };
      const minted = await this.request<MintResponse>('POST', '/api/keys', body);
      const tabs = setupTabs(minted.setup ?? {});
      this.dialog = {
        kind: 'token',
        key: minted.key,
        token: minted.token,
        setup: minted.setup ?? {},
        tab: tabs[0]?.id ?? '',
        copied: null,
        previous: null,
        rotated: false,
      };
      this.dispatchEvent(new CustomEvent('keygate-key-created', { detail: { key: minted.key }, bubbles: true, composed: true }));
      void this.refresh();
    } catch (err) {
      if (this.dialog?.kind === 'label') this.dialog = { ...this.dialog, busy: false, error: (err as Error).message };
    }
  }

  private async copy(text: string, what: string): Promise<void> {
    let ok = true;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      ok = false;
    }
    if (this.dialog?.kind === 'token') this.dialog = { ...this.dialog, copied: ok ? what : null };
    this.announce(ok ? `${what} copied to the clipboard.` : 'Copying failed: select the text and copy it yourself.');
  }

  private confirm(kind: 'revoke' | 'delete' | 'suspend', key: KeyView, e: Event): void {
    this.rememberOpener(e);
    this.dialog = { kind, key, busy: false, error: null };
  }

  private async confirmed(): Promise<void> {
    const d = this.dialog;
    if ((d?.kind !== 'revoke' && d?.kind !== 'delete' && d?.kind !== 'suspend') || d.busy) return;
    this.dialog = { ...d, busy: true, error: null };
    const id = encodeURIComponent(d.key.id);
    try {
      let key: KeyView | undefined;
      if (d.kind === 'revoke') key = (await this.request<KeyAnswer>('POST', `/api/keys/${id}/revoke`)).key;
      else if (d.kind === 'suspend') key = (await this.request<KeyAnswer>('POST', `/api/keys/${id}/suspend`)).key;
      else await this.request('DELETE', `/api/keys/${id}`);
      // The row the opener lived on may be gone: focus returns to the Generate button then (see closeDialog).
      this.closeDialog();
      const done = { revoke: 'revoked', delete: 'deleted', suspend: 'suspended: it is refused until you resume it' }[d.kind];
      this.announce(`Key "${d.key.label}" ${done}.`);
      const event = { revoke: 'keygate-key-revoked', delete: 'keygate-key-deleted', suspend: 'keygate-key-suspended' }[d.kind];
      this.dispatchEvent(new CustomEvent(event, { detail: key ? { keyId: d.key.id, key } : { keyId: d.key.id }, bubbles: true, composed: true }));
      if (d.kind === 'delete' && this.activityKey?.id === d.key.id) this.activityKey = null;
      await this.refresh();
    } catch (err) {
      if (this.dialog?.kind === d.kind) this.dialog = { ...this.dialog, busy: false, error: (err as Error).message };
    }
  }

  /** Resume needs no confirmation: it only undoes a suspension. The row's button stays focused (it reads Suspend again). */
  private async resume(key: KeyView, e: Event): Promise<void> {
    const button = e.currentTarget as HTMLButtonElement;
    button.disabled = true;
    try {
      const { key: resumed } = await this.request<KeyAnswer>('POST', `/api/keys/${encodeURIComponent(key.id)}/resume`);
      this.announce(`Key "${key.label}" resumed: it works again.`);
      this.dispatchEvent(new CustomEvent('keygate-key-resumed', { detail: { keyId: key.id, key: resumed }, bubbles: true, composed: true }));
      await this.refresh();
    } catch (err) {
      this.announce((err as Error).message);
      await this.loadKeys();
    } finally {
      button.disabled = false;
      await this.updateComplete;
      if (button.isConnected) button.focus();
    }
  }

  private openRotate(key: KeyView, e: Event): void {
    this.rememberOpener(e);
    this.dialog = { kind: 'rotate', key, overlapSeconds: DEFAULT_OVERLAP, busy: false, error: null };
  }

  private async rotate(e: Event): Promise<void> {
    e.preventDefault();
    const d = this.dialog;
    if (d?.kind !== 'rotate' || d.busy) return;
    this.dialog = { ...d, busy: true, error: null };
    try {
      const rotated = await this.request<RotateResponse>('POST', `/api/keys/${encodeURIComponent(d.key.id)}/rotate`, { overlapSeconds: d.overlapSeconds });
      const tabs = setupTabs(rotated.setup ?? {});
      // The new token is shown once, exactly as a mint's; its old row now reads "Being replaced".
      this.dialog = {
        kind: 'token',
        key: rotated.key,
        token: rotated.token,
        setup: rotated.setup ?? {},
        tab: tabs[0]?.id ?? '',
        copied: null,
        previous: rotated.previous ?? null,
        rotated: true,
      };
      this.dispatchEvent(
        new CustomEvent('keygate-key-rotated', {
          detail: { key: rotated.key, previous: rotated.previous ?? null, keyId: d.key.id },
          bubbles: true,
          composed: true,
        }),
      );
      void this.refresh();
    } catch (err) {
      if (this.dialog?.kind === 'rotate') this.dialog = { ...this.dialog, busy: false, error: (err as Error).message };
    }
  }

  /** Closes whatever dialog is open; a minted token is dropped from memory with it. */
  private closeDialog(): void {
    this.dialog = null;
  }

  private showActivity(key: KeyView | null, e?: Event): void {
    this.activityKey = key;
    this.activity = null;
    this.activityCursor = null;
    void this.loadActivity(false).then(() => {
      if (e) this.renderRoot.querySelector<HTMLElement>('#activity-heading')?.focus();
    });
  }

  private announce(message: string): void {
    this.notice = '';
    queueMicrotask(() => (this.notice = message));
  }

  // ------------------------------------------------------------------ dialog focus

  protected override updated(): void {
    const dialog = this.renderRoot.querySelector<HTMLDialogElement>('dialog');
    if (!dialog) return;
    if (this.dialog && !dialog.open) {
      dialog.showModal();
    } else if (!this.dialog && dialog.open) {
      dialog.close();
      const row = this.openerKeyId ? [...this.renderRoot.querySelectorAll<HTMLElement>('tr[data-key-id]')].find((r) => r.dataset['keyId'] === this.openerKeyId) : undefined;
      const back =
        this.opener && this.opener.isConnected
          ? this.opener
          : (row?.querySelector<HTMLElement>('.actions button') ?? this.renderRoot.querySelector<HTMLElement>('#generate'));
      back?.focus();
      this.opener = null;
      this.openerKeyId = null;
    }
    const kind = this.dialog?.kind ?? null;
    if (kind !== this.shownKind) {
      this.shownKind = kind;
      if (kind) dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
  }

  private onCancel(e: Event): void {
    // Escape: close it ourselves, so the state and the element agree (and focus returns).
    e.preventDefault();
    if (this.dialog && 'busy' in this.dialog && this.dialog.busy) return;
    this.closeDialog();
  }

  /** Tab and Shift+Tab cycle inside the dialog (a modal dialog alone would let focus leave for the browser's UI). */
  private trapFocus(e: KeyboardEvent): void {
    if (e.key !== 'Tab') return;
    const dialog = e.currentTarget as HTMLDialogElement;
    // A radio group is one stop (its checked radio, or its first when none is): the others are not in the Tab order.
    const isTabStop = (el: HTMLElement): boolean => {
      if (!(el instanceof HTMLInputElement) || el.type !== 'radio' || el.checked) return true;
      const group = [...dialog.querySelectorAll<HTMLInputElement>('input[type="radio"]')].filter((r) => r.name === el.name && !r.disabled);
      return !group.some((r) => r.checked) && group[0] === el;
    };
    const focusable = [
      ...dialog.querySelectorAll<HTMLElement>('button:not(:disabled), input:not(:disabled), textarea, [tabindex="0"], a[href]'),
    ].filter((el) => (el.offsetParent !== null || el === this.shadowRoot?.activeElement) && isTabStop(el));
    if (focusable.length === 0) return;
    const first = focusable[0]!;
    const last = focusable[focusable.length - 1]!;
    const active = this.shadowRoot?.activeElement;
    if (e.shiftKey && (active === first || !dialog.contains(active ?? null))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !dialog.contains(active ?? null))) {
      e.preventDefault();
      first.focus();
    }
  }

  // ------------------------------------------------------------------ rendering

  override render(): TemplateResult {
    return html`
      <section class="keys" aria-labelledby="keys-heading">
        <div class="bar">
          <h2 id="keys-heading">API Keys</h2>
          <button id="generate" class="primary" ?disabled=${this.generating || !this.getToken} aria-busy=${this.generating ? 'true' : 'false'} @click=${this.startGenerate}>
            Generate New API Key
          </button>
        </div>
        <p class="hint">Keys let AI assistants (MCP clients) act as you. Each key expires after 90 days.</p>
        ${this.keysError ? html`<p class="error" role="alert">${this.keysError}</p>` : nothing}
        ${this.renderKeys()}
      </section>
      <section class="activity" aria-labelledby="activity-heading">${this.renderActivity()}</section>
      <div class="sr-only" role="status" aria-live="polite">${this.notice}</div>
      <dialog aria-labelledby="dialog-title" @cancel=${this.onCancel} @keydown=${this.trapFocus}>${this.renderDialog()}</dialog>
    `;
  }

  private renderKeys(): TemplateResult {
    if (this.keys === null) return html`<p class="muted">${this.getToken ? 'Loading keys…' : 'Sign in to see your API keys.'}</p>`;
    if (this.keys.length === 0) {
      return html`<div class="empty">
        <p><strong>No API keys yet.</strong></p>
        <p>Generate your first key to connect Claude Code, Cursor, Codex or another MCP client.</p>
      </div>`;
    }
    return html`<table>
      <caption class="sr-only">Your API keys, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Label</th>
          <th scope="col">Key ID</th>
          <th scope="col">User</th>
          <th scope="col">Created</th>
          <th scope="col">Last Used</th>
          <th scope="col">Expires</th>
          <th scope="col">Permissions</th>
          <th scope="col">Status</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        ${repeat(
          this.keys,
          (k) => k.id,
          (k) => this.renderRow(k),
        )}
      </tbody>
    </table>`;
  }

  /** How buttons and dialogs name a key: its label, with its prefix when another listed key has the same label (a rotation's pair). */
  private nameOf(k: KeyView): string {
    const twins = (this.keys ?? []).some((o) => o.id !== k.id && o.label === k.label);
    return twins ? `${k.label} (${k.prefix})` : k.label;
  }

  private keyById(id: string | null): KeyView | undefined {
    return id ? (this.keys ?? []).find((k) => k.id === id) : undefined;
  }

  /** "“Laptop” (kg_Ab3dE5gH7jK9)", or the bare id of a key this user cannot see. */
  private refTo(id: string): TemplateResult {
    const k = this.keyById(id);
    return k ? html`“${k.label}” (<code>${k.prefix}</code>)` : html`<code>${id}</code>`;
  }

  private renderRow(k: KeyView): TemplateResult {
    const expiresIn = Math.ceil((new Date(k.expiresAt).getTime() - Date.now()) / DAY_MS);
    const live = k.status === 'active' || k.status === 'suspended';
    // The API decides what "soon" is (the first expiry warning): a key being replaced is not flagged, its successor is fresh.
    const soon = k.expiresSoon && live;
    const expires = soon && expiresIn > 0 ? `expires in ${expiresIn} ${expiresIn === 1 ? 'day' : 'days'}` : formatDate(k.expiresAt);
    const name = this.nameOf(k);
    const beingReplaced = live && k.replacedBy !== null;
    // Rotated, but its replacement stopped working during the overlap (revoked or expired, perhaps deleted since): it still stops at the overlap's end.
    const retiringAlone = live && k.replacedBy === null && k.overlapEndsAt !== null;
    // A key whose predecessor still works cannot be rotated yet (the API answers 409): at most two tokens of a lineage.
    const predecessorLive = (this.keys ?? []).some((o) => o.replacedBy === k.id && (o.status === 'active' || o.status === 'suspended'));
    // The API says whether the caller may (their own working key, not being replaced): only the owner rotates.
    const canRotate = k.canRotate && !beingReplaced && !predecessorLive;
    return html`<tr data-key-id=${k.id} class=${`status-${k.status}`}>
      <td data-label="Label" class="label">${k.label}</td>
      <td data-label="Key ID"><code>${k.prefix}</code></td>
      <td data-label="User">${k.userName}</td>
      <td data-label="Created">${formatDate(k.createdAt)}</td>
      <td data-label="Last Used">${formatDate(k.lastUsedAt)}</td>
      <td data-label="Expires">
        <div>
          <span class=${soon ? 'soon' : ''}>${expires}</span>
          ${soon
            ? html`<span class="badge soon-badge">Expires soon</span>
                <span class="note">${k.status === 'active' ? 'Rotate it to renew it: the new key gets a fresh 90 days.' : 'Resume and rotate it to renew it.'}</span>`
            : nothing}
        </div>
      </td>
      <td data-label="Permissions" class="permissions">
        ${k.permissions.length === 0
          ? html`<span class="muted">None</span>`
          : html`<ul class="perms" aria-label=${`Permissions of ${name}`}>
              ${k.permissions.map((p) => html`<li><code>${p}</code></li>`)}
            </ul>`}
      </td>
      <td data-label="Status" class="status">
        <div>
          <span class=${`badge ${k.status}`}>${STATUS_NAMES[k.status] ?? k.status}</span>
          ${beingReplaced
            ? html`<span class="note replacing"
                >Being replaced — ${k.status === 'active' ? 'works until' : 'suspended, and retired at'}
                ${k.overlapEndsAt ? formatMinute(k.overlapEndsAt) : 'the end of its overlap'}${k.status === 'active' ? ', then stops' : ''}. Replaced by
                ${this.refTo(k.replacedBy!)}.</span
              >`
            : retiringAlone
              ? html`<span class="note replacing"
                  >Retiring — ${k.status === 'active' ? 'works until' : 'suspended, and retired at'} ${formatMinute(k.overlapEndsAt!)}${k.status === 'active'
                    ? ', then stops'
                    : ''}. The key that was to replace it no longer works: mint a new key before then.</span
                >`
              : nothing}
          ${k.status === 'revoked' && k.revocationReason === 'rotated'
            ? html`<span class="note reason"
                >Revoked: rotated${k.replacedBy ? html` — replaced by ${this.refTo(k.replacedBy)}` : nothing}; it stopped when its overlap ended.</span
              >`
            : k.status === 'revoked' && k.revocationReason === 'offboarded'
              ? html`<span class="note reason">Revoked: its owner was offboarded.</span>`
              : !live && k.replacedBy
                ? html`<span class="note reason">Replaced by ${this.refTo(k.replacedBy)}.</span>`
                : nothing}
          ${k.rotatedFrom ? html`<span class="note">Replaces ${this.refTo(k.rotatedFrom)}.</span>` : nothing}
        </div>
      </td>
      <td data-label="Actions" class="actions">
        <div>
          <button class="link" aria-label=${`Activity of ${name}`} @click=${(e: Event) => this.showActivity(k, e)}>Activity</button>
          ${canRotate ? html`<button aria-label=${`Rotate ${name}`} @click=${(e: Event) => this.openRotate(k, e)}>Rotate</button>` : nothing}
          ${live
            ? // One template for both, so the focused button stays the same element when the key changes state.
              html`<button
                aria-label=${`${k.status === 'active' ? 'Suspend' : 'Resume'} ${name}`}
                @click=${(e: Event) => (k.status === 'active' ? this.confirm('suspend', k, e) : this.resume(k, e))}
              >
                ${k.status === 'active' ? 'Suspend' : 'Resume'}
              </button>`
            : nothing}
          ${live
            ? html`<button class="danger" aria-label=${`Revoke ${name}`} @click=${(e: Event) => this.confirm('revoke', k, e)}>Revoke</button>`
            : this.role === 'root'
              ? html`<button class="danger" aria-label=${`Delete ${name}`} @click=${(e: Event) => this.confirm('delete', k, e)}>Delete</button>`
              : nothing}
        </div>
      </td>
    </tr>`;
  }

  private renderActivity(): TemplateResult {
    const title = this.activityKey ? `Activity of "${this.activityKey.label}"` : 'Recent activity';
    return html`
      <div class="bar">
        <h2 id="activity-heading" tabindex="-1">${title}</h2>
        ${this.activityKey ? html`<button class="link" @click=${(e: Event) => this.showActivity(null, e)}>Show all activity</button>` : nothing}
      </div>
      ${this.activityError ? html`<p class="error" role="alert">${this.activityError}</p>` : nothing}
      ${this.activity === null
        ? html`<p class="muted">${this.getToken ? 'Loading activity…' : ''}</p>`
        : this.activity.length === 0
          ? html`<p class="muted">No activity yet.</p>`
          : html`<ol class="feed">
              ${this.activity.map((a) => this.renderEntry(a))}
            </ol>`}
      ${this.activityCursor ? html`<button class="secondary" @click=${() => this.loadActivity(true)}>Show older activity</button>` : nothing}
    `;
  }

  private renderEntry(a: ActivityEntry): TemplateResult {
    const rollUp = a.type === 'KeyUsed' && a.count !== undefined;
    return html`<li class=${rollUp ? 'entry uses' : 'entry'} data-type=${a.type}>
      <p class="detail">${a.detail}</p>
      <p class="meta">
        ${rollUp
          ? html`<span class="count">${a.count} ${a.count === 1 ? 'use' : 'uses'}</span>
              ${a.outcomes ? html`<span>${a.outcomes.ok} ok, ${a.outcomes.error} error, ${a.outcomes.denied} denied</span>` : nothing}
              <span>${a.firstAt && a.firstAt !== a.lastAt ? `${formatTime(a.firstAt)} – ${formatTime(a.lastAt ?? a.at)}` : formatTime(a.at)}</span>`
          : html`<span>${formatTime(a.at)}</span><span>${a.actorName}</span>`}
      </p>
    </li>`;
  }

  private renderDialog(): TemplateResult | typeof nothing {
    const d = this.dialog;
    if (!d) return nothing;
    switch (d.kind) {
      case 'notice':
        return html`<h2 id="dialog-title">Security &amp; Compliance Notice</h2>
          <p>Before you create an API key, please read and acknowledge:</p>
          <ol class="notice">
            ${d.notice.map((n) => html`<li>${n}</li>`)}
          </ol>
          <div class="buttons">
            <button class="secondary" @click=${this.closeDialog}>Cancel</button>
            <button class="primary" data-autofocus @click=${this.continueToLabel}>I Understand – Continue</button>
          </div>`;
      case 'label':
        return html`<h2 id="dialog-title">Name Your API Key</h2>
          <form @submit=${this.mint}>
            <label for="key-label">Label</label>
            <input
              id="key-label"
              name="label"
              data-autofocus
              maxlength="100"
              autocomplete="off"
              .value=${d.label}
              ?disabled=${d.busy}
              aria-describedby="label-hint${d.error ? ' label-error' : ''}"
            />
            <p id="label-hint" class="muted">A name that tells you where the key is used, e.g. "Cursor on my laptop".</p>
            ${this.renderPresets(d)}
            ${d.error ? html`<p id="label-error" class="error" role="alert">${d.error}</p>` : nothing}
            <div class="buttons">
              <button type="button" class="secondary" ?disabled=${d.busy} @click=${this.closeDialog}>Cancel</button>
              <button type="submit" class="primary" ?disabled=${d.busy} aria-busy=${d.busy ? 'true' : 'false'}>
                ${d.busy ? 'Generating…' : 'Generate Key'}
              </button>
            </div>
          </form>`;
      case 'token':
        return this.renderToken(d);
      case 'rotate':
        return this.renderRotate(d);
      case 'suspend':
        return html`<h2 id="dialog-title">Suspend API Key?</h2>
          <p>
            Suspending "<strong>${d.key.label}</strong>" (<code>${d.key.prefix}</code>) stops it at once: every client using it is refused until you
            resume it. It keeps its place in your key limit and still expires on ${formatDate(d.key.expiresAt)}.
          </p>
          ${d.error ? html`<p class="error" role="alert">${d.error}</p>` : nothing}
          <div class="buttons">
            <button class="secondary" data-autofocus ?disabled=${d.busy} @click=${this.closeDialog}>Cancel</button>
            <button class="danger" ?disabled=${d.busy} aria-busy=${d.busy ? 'true' : 'false'} @click=${this.confirmed}>Suspend Key</button>
          </div>`;
      case 'revoke':
      case 'delete': {
        const revoke = d.kind === 'revoke';
        return html`<h2 id="dialog-title">${revoke ? 'Revoke API Key?' : 'Delete API Key?'}</h2>
          <p>
            ${revoke
              ? html`Revoking "<strong>${d.key.label}</strong>" (<code>${d.key.prefix}</code>) is immediate and cannot be undone: every client using it
                  stops working at once.`
              : html`Deleting "<strong>${d.key.label}</strong>" (<code>${d.key.prefix}</code>) removes it from the list. This cannot be undone; its history
                  stays in the activity log.`}
          </p>
          ${d.error ? html`<p class="error" role="alert">${d.error}</p>` : nothing}
          <div class="buttons">
            <button class="secondary" data-autofocus ?disabled=${d.busy} @click=${this.closeDialog}>Cancel</button>
            <button class="danger" ?disabled=${d.busy} aria-busy=${d.busy ? 'true' : 'false'} @click=${this.confirmed}>
              ${revoke ? 'Revoke Key' : 'Delete Key'}
            </button>
          </div>`;
      }
    }
  }

  /** The narrower-key choice at mint: one radio per preset, each listing the permissions it gives the key. */
  private renderPresets(d: Extract<Dialog, { kind: 'label' }>): TemplateResult {
    if (d.presets.length === 0) return html`<p class="muted">The key gets all of your permissions.</p>`;
    const choose = (id: string) => {
      if (this.dialog?.kind === 'label') this.dialog = { ...this.dialog, preset: id };
    };
    return html`<fieldset class="choices" ?disabled=${d.busy}>
      <legend>Permissions</legend>
      ${d.presets.map(
        (p) => html`<div class="choice">
          <input
            type="radio"
            name="preset"
            id=${`preset-${p.id}`}
            value=${p.id}
            .checked=${d.preset === p.id}
            aria-describedby=${`preset-${p.id}-description preset-${p.id}-permissions`}
            @change=${() => choose(p.id)}
          />
          <label for=${`preset-${p.id}`}>${p.name}</label>
          <p id=${`preset-${p.id}-description`} class="muted">${p.description}</p>
          <p id=${`preset-${p.id}-permissions`} class="perm-list">
            ${p.permissions.length === 0
              ? html`<span class="muted">No permissions: the key could call only tools that need none.</span>`
              : html`<span class="sr-only">Includes: </span>${p.permissions.map((perm, i) => html`${i ? ', ' : ''}<code>${perm}</code>`)}`}
          </p>
        </div>`,
      )}
    </fieldset>`;
  }

  private renderRotate(d: Extract<Dialog, { kind: 'rotate' }>): TemplateResult {
    const expiresAt = new Date(d.key.expiresAt).getTime();
    const choose = (seconds: number) => {
      if (this.dialog?.kind === 'rotate') this.dialog = { ...this.dialog, overlapSeconds: seconds };
    };
    const cappedAt = Date.now() + d.overlapSeconds * 1000 > expiresAt;
    return html`<h2 id="dialog-title">Rotate API Key?</h2>
      <p>
        Rotating "<strong>${d.key.label}</strong>" (<code>${d.key.prefix}</code>) creates a new key with the same label and permissions and a fresh
        90-day expiry. Its token is shown once. The old key keeps working for the overlap you choose, then stops.
      </p>
      <form @submit=${this.rotate}>
        <fieldset class="choices" ?disabled=${d.busy}>
          <legend>How long the old key keeps working</legend>
          ${OVERLAPS.map(
            (o) => html`<div class="choice">
              <input
                type="radio"
                name="overlap"
                id=${`overlap-${o.seconds}`}
                value=${String(o.seconds)}
                .checked=${d.overlapSeconds === o.seconds}
                ?data-autofocus=${d.overlapSeconds === o.seconds}
                aria-describedby=${`overlap-${o.seconds}-hint`}
                @change=${() => choose(o.seconds)}
              />
              <label for=${`overlap-${o.seconds}`}>${o.name}</label>
              <p id=${`overlap-${o.seconds}-hint`} class="muted">${o.hint}</p>
            </div>`,
          )}
        </fieldset>
        ${cappedAt && d.overlapSeconds > 0
          ? html`<p class="muted">The old key expires on ${formatDate(d.key.expiresAt)}: it stops then at the latest.</p>`
          : nothing}
        ${d.error ? html`<p class="error" role="alert">${d.error}</p>` : nothing}
        <div class="buttons">
          <button type="button" class="secondary" ?disabled=${d.busy} @click=${this.closeDialog}>Cancel</button>
          <button type="submit" class="primary" ?disabled=${d.busy} aria-busy=${d.busy ? 'true' : 'false'}>
            ${d.busy ? 'Rotating…' : 'Rotate Key'}
          </button>
        </div>
      </form>`;
  }

  private renderToken(d: Extract<Dialog, { kind: 'token' }>): TemplateResult {
    const tabs = setupTabs(d.setup);
    const current = tabs.find((t) => t.id === d.tab) ?? tabs[0];
    const select = (id: string) => {
      if (this.dialog?.kind === 'token') this.dialog = { ...this.dialog, tab: id };
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${id}`)?.focus());
    };
    const onTabKey = (e: KeyboardEvent) => {
      const i = tabs.findIndex((t) => t.id === current?.id);
      const to = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : null;
      if (to === null) return;
      e.preventDefault();
      select(tabs[(to + tabs.length) % tabs.length]!.id);
    };
    // The API's status of the old key says whether it still works (not this browser's clock).
    const previous = d.previous;
    return html`<h2 id="dialog-title">${d.rotated ? 'Your New API Key' : 'Your API Key'}</h2>
      <p class="warning" role="note"><strong>Copy this key now.</strong> It will not be shown again: Keygate keeps only a one-way verifier.</p>
      ${previous
        ? html`<p class="replacing-note">
            ${previous.overlapEndsAt && (previous.status === 'active' || previous.status === 'suspended')
              ? html`The old key "${previous.label}" (<code>${previous.prefix}</code>) keeps working until
                  <strong>${formatMinute(previous.overlapEndsAt)}</strong>: put the new key in every client before then.`
              : html`The old key "${previous.label}" (<code>${previous.prefix}</code>) has stopped working: put the new key in your clients now.`}
          </p>`
        : nothing}
      <div class="token-row">
        <code id="token" class="token" aria-label="Your new API key">${d.token}</code>
        <button class="primary" data-autofocus @click=${() => this.copy(d.token, 'API key')}>${d.copied === 'API key' ? 'Copied' : 'Copy'}</button>
      </div>
      ${tabs.length
        ? html`<h3>Quick Setup</h3>
            <div role="tablist" aria-label="Quick Setup" @keydown=${onTabKey}>
              ${tabs.map(
                (t) =>
                  html`<button
                    role="tab"
                    id=${`tab-${t.id}`}
                    aria-selected=${t.id === current?.id ? 'true' : 'false'}
                    aria-controls="setup-panel"
                    tabindex=${t.id === current?.id ? '0' : '-1'}
                    @click=${() => select(t.id)}
                  >
                    ${t.name}
                  </button>`,
              )}
            </div>
            ${current
              ? html`<div id="setup-panel" role="tabpanel" aria-labelledby=${`tab-${current.id}`}>
                  <pre tabindex="0" aria-label=${`${current.name} configuration`}><code>${current.snippet}</code></pre>
                  ${current.note ? html`<p class="muted">${current.note}</p>` : nothing}
                  <button class="secondary" aria-label=${`Copy the ${current.name} configuration`} @click=${() => this.copy(current.snippet, `${current.name} configuration`)}>
                    ${d.copied === `${current.name} configuration` ? 'Copied' : 'Copy'}
                  </button>
                </div>`
              : nothing}`
        : nothing}
      <div class="buttons">
        <button class="primary" @click=${this.closeDialog}>Done – I have Saved My Key</button>
      </div>`;
  }

  static override styles = css`
    :host {
      --_fg: var(--keygate-color-text, #1c1f24);
      --_muted: var(--keygate-color-muted, #555c66);
      --_bg: var(--keygate-color-background, #ffffff);
      --_surface: var(--keygate-color-surface, #f5f6f8);
      --_border: var(--keygate-color-border, #d5d8dd);
      --_accent: var(--keygate-color-accent, #1f5fbf);
      --_on-accent: var(--keygate-color-on-accent, #ffffff);
      --_danger: var(--keygate-color-danger, #b3261e);
      --_warning-bg: var(--keygate-color-warning-background, #fff4d6);
      --_radius: var(--keygate-radius, 6px);
      --_font: var(--keygate-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
      --_mono: var(--keygate-font-family-mono, ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace);
      display: block;
      container-type: inline-size;
      color: var(--_fg);
      background: var(--_bg);
      font-family: var(--_font);
      font-size: var(--keygate-font-size, 1rem);
      line-height: 1.45;
    }
    * {
      box-sizing: border-box;
    }
    h2 {
      font-size: 1.25em;
      margin: 0;
    }
    h3 {
      font-size: 1.05em;
      margin: 1em 0 0.5em;
    }
    .bar {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5em 1em;
      align-items: center;
      justify-content: space-between;
      margin: 1em 0 0.5em;
    }
    .hint,
    .muted {
      color: var(--_muted);
    }
    button {
      font: inherit;
      border-radius: var(--_radius);
      border: 1px solid var(--_border);
      background: var(--_surface);
      color: var(--_fg);
      padding: 0.4em 0.9em;
      cursor: pointer;
      min-height: 2.25em;
    }
    button.primary {
      background: var(--_accent);
      border-color: var(--_accent);
      color: var(--_on-accent);
    }
    button.danger {
      color: var(--_danger);
      border-color: var(--_danger);
      background: var(--_bg);
    }
    button.link {
      background: none;
      border-color: transparent;
      color: var(--_accent);
      text-decoration: underline;
    }
    button[disabled] {
      opacity: 0.6;
      cursor: not-allowed;
    }
    button:focus-visible,
    input:focus-visible,
    input[type='radio']:focus,
    pre:focus-visible,
    h2:focus-visible {
      outline: 3px solid var(--keygate-color-focus, #2b7de9);
      outline-offset: 2px;
    }
    table {
      width: 100%;
      border-collapse: collapse;
    }
    th,
    td {
      text-align: left;
      padding: 0.5em;
      border-bottom: 1px solid var(--_border);
      vertical-align: top;
      overflow-wrap: anywhere;
    }
    th {
      font-weight: 600;
      color: var(--_muted);
    }
    tr.status-revoked,
    tr.status-expired {
      color: var(--_muted);
    }
    .badge {
      display: inline-block;
      border: 1px solid currentColor;
      border-radius: 999px;
      padding: 0 0.6em;
      font-size: 0.875em;
    }
    .badge.active {
      color: #1b6b35;
    }
    .badge.suspended {
      color: #8a4b00;
      border-style: dashed;
    }
    .badge.soon-badge {
      color: var(--_danger);
      margin-left: 0.25em;
    }
    tr.status-suspended {
      background: var(--_surface);
    }
    .note {
      display: block;
      font-size: 0.875em;
      color: var(--_muted);
      margin-top: 0.25em;
    }
    .note.replacing {
      color: #8a4b00;
      font-weight: 600;
    }
    .perms {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-wrap: wrap;
      gap: 0.2em;
    }
    .perms code {
      white-space: nowrap;
      font-size: 0.8em;
      background: var(--_surface);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: 0 0.3em;
    }
    fieldset.choices {
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      margin: 1em 0 0;
      padding: 0.5em 0.75em;
    }
    fieldset.choices legend {
      font-weight: 600;
      padding: 0 0.25em;
    }
    .choice {
      display: grid;
      grid-template-columns: auto 1fr;
      gap: 0 0.5em;
      align-items: baseline;
      padding: 0.3em 0;
    }
    .choice input {
      width: auto;
      margin: 0;
    }
    .choice label {
      margin: 0;
    }
    .choice p {
      grid-column: 2;
      margin: 0;
      font-size: 0.9em;
      overflow-wrap: anywhere;
    }
    .replacing-note {
      border-left: 4px solid var(--_accent);
      padding-left: 0.6em;
    }
    .soon {
      color: var(--_danger);
      font-weight: 600;
    }
    /* Wide: room for the words in the short columns; the notes and the buttons wrap instead. */
    td.label {
      min-width: 8em;
    }
    td[data-label='User'] {
      min-width: 4.5em;
    }
    td[data-label='Key ID'],
    td[data-label='Created'],
    td[data-label='Last Used'] {
      min-width: 6.5em;
    }
    td[data-label='Expires'],
    td.permissions {
      min-width: 7.5em;
    }
    td.status {
      min-width: 10em;
    }
    td.status .note {
      max-width: 15em;
    }
    .actions {
      min-width: 10em;
    }
    .actions > div {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25em;
    }
    code,
    pre {
      font-family: var(--_mono);
      font-size: 0.9em;
    }
    .empty {
      border: 1px dashed var(--_border);
      border-radius: var(--_radius);
      padding: 1em;
      text-align: center;
    }
    .error {
      color: var(--_danger);
      font-weight: 600;
    }
    .feed {
      list-style: none;
      padding: 0;
      margin: 0;
    }
    .entry {
      border-bottom: 1px solid var(--_border);
      padding: 0.5em 0;
    }
    .entry p {
      margin: 0;
      overflow-wrap: anywhere;
    }
    .entry .meta {
      color: var(--_muted);
      font-size: 0.875em;
      display: flex;
      flex-wrap: wrap;
      gap: 0 1em;
    }
    .entry.uses .count {
      font-weight: 600;
    }
    dialog {
      width: min(40rem, calc(100vw - 1rem));
      max-height: calc(100vh - 1rem);
      overflow: auto;
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      color: var(--_fg);
      background: var(--_bg);
      padding: 1.25em;
    }
    dialog::backdrop {
      background: var(--keygate-backdrop, rgb(0 0 0 / 0.45));
    }
    .notice li {
      margin-bottom: 0.4em;
    }
    .buttons {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5em;
      justify-content: flex-end;
      margin-top: 1em;
    }
    label {
      display: block;
      font-weight: 600;
      margin-bottom: 0.25em;
    }
    input {
      font: inherit;
      width: 100%;
      padding: 0.4em 0.5em;
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      color: var(--_fg);
      background: var(--_bg);
    }
    .warning {
      background: var(--_warning-bg);
      border-radius: var(--_radius);
      padding: 0.6em 0.8em;
    }
    .token-row {
      display: flex;
      gap: 0.5em;
      align-items: flex-start;
    }
    .token {
      flex: 1;
      min-width: 0;
      display: block;
      padding: 0.5em;
      background: var(--_surface);
      border-radius: var(--_radius);
      word-break: break-all;
    }
    [role='tablist'] {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25em;
    }
    [role='tab'][aria-selected='true'] {
      background: var(--_accent);
      border-color: var(--_accent);
      color: var(--_on-accent);
    }
    pre {
      background: var(--_surface);
      border-radius: var(--_radius);
      padding: 0.6em;
      white-space: pre-wrap;
      word-break: break-all;
      margin: 0.5em 0;
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
    /* Narrow: each key becomes a card, its cells labelled, so nothing scrolls sideways. */
    @container (max-width: 40rem) {
      table,
      tbody,
      tr,
      td {
        display: block;
      }
      thead {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
      }
      tr {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        margin-bottom: 0.75em;
        padding: 0.25em 0.5em;
      }
      td {
        border: none;
        padding: 0.2em 0;
        display: grid;
        grid-template-columns: 7em 1fr;
        gap: 0.5em;
      }
      td::before {
        content: attr(data-label);
        font-weight: 600;
        color: var(--_muted);
      }
      td.label,
      td.status,
      td.actions,
      td[data-label] {
        min-width: 0;
      }
      .perms code {
        white-space: normal;
      }
    }
  `;
}

if (!customElements.get('keygate-api-keys')) customElements.define('keygate-api-keys', KeygateApiKeys);

declare global {
  interface HTMLElementTagNameMap {
    'keygate-api-keys': KeygateApiKeys;
  }
}
