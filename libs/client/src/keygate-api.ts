// Generated from the OpenAPI document Keygate serves at /api/docs-json, by openapi-typescript.
// Do not edit: run `npm run client:generate` (test/client/keygate-api-types.e2e-spec.ts checks it is current).

export interface paths {
    "/api/keys/acknowledgements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Acknowledge the security notice; valid 15 minutes for one mint. At most 3 unused at a time: a 4th answers 429 with Retry-After. */
        post: operations["KeysController_acknowledge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List keys, newest first (all of the company for root and settings:edit, else your own)
         * @description Filtered by status and creator; pages of `limit` (default and most 100), the next one by `cursor` = nextCursor.
         */
        get: operations["KeysController_list"];
        put?: never;
        /** Mint a key; the token is in this response and nowhere else, ever */
        post: operations["KeysController_mint"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/keys/permission-presets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Narrower keys you may mint: presets computed from your permissions (pass one's permissions to POST /api/keys) */
        get: operations["KeysController_presets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/keys/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke a key; effective at once. A second revoke answers 409. */
        post: operations["KeysController_revoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/keys/{id}/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate a key: a new key (token shown once) while the old one keeps working for overlapSeconds
         * @description The new key has the old one's label and permission snapshot and a fresh expiry; the old key is revoked by the system when the overlap ends (never later than its own expiry), and until then the MCP endpoint answers it with Keygate-Key-Replaced-By and Sunset headers. The owner only (the new token acts as them: anyone else gets 403), and at the limits: the key being replaced stops counting while its replacement works. A key whose predecessor is still in its overlap answers 409.
         */
        post: operations["KeysController_rotate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/keys/{id}/suspend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Suspend a key: refused at once, reversibly (resume). It still counts against the limits and still expires. */
        post: operations["KeysController_suspend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/keys/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a suspended key: it works again at once (unless it expired meanwhile: 409) */
        post: operations["KeysController_resume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a revoked or expired key (root users only); its history stays */
        delete: operations["KeysController_remove"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users/{userId}/keys/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Offboarding: revoke every working or suspended key of one user of your company (root users)
         * @description One KeyRevoked per key, all under this request's correlation id, effective at once. A user with no such key left answers 200 with an empty list, so the step can be repeated. Deactivating a user in the product does not revoke their keys by itself: this is the explicit step.
         */
        post: operations["UsersController_offboard"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/activity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Activity feed, newest first, with the same visibility as the keys list
         * @description One entry per lifecycle event, and one per minute, key, tool and client for uses (type KeyUsed, with count, firstAt, lastAt, outcomes). A roll-up moves to the top when it grows. Paging with nextCursor never repeats an entry nor goes out of order; a roll-up that grows while you page moves above the pages already read (read the first page again to see it).
         */
        get: operations["ActivityController_activity"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The company's history as NDJSON, with the digests that cover it (root users)
         * @description One event a line in log order (position, stream, revision, eventId, type, recordedAt, data, metadata), never a token or a verifier (KeyMinted's verifier is replaced by its SHA-256). Each signed digest (type AuditDigest) covering an exported event follows it, so the file can be verified on its own: `npm run audit -- verify --input file --public-key key.pem`. Streamed: a failure after the first line ends the body early, which a verifier sees as events no digest covers.
         */
        get: operations["AuditController_events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The company's keys as they stood at an instant, from the history alone (root users) */
        get: operations["AuditController_keys"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness (it answers) and readiness (store readable and writable, projections caught up); status "degraded" (200) lists events a projection parked, or reports that the identity provider's JWKS cannot be fetched */
        get: operations["HealthController_health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Verify an API key for one of your own routes (host backends, with a service token)
         * @description Runs the checks /api/mcp runs (format, status, expiry, secret, the key's rate limit: a verify counts against it) and records the use (KeyUsed, with `route` as its tool). Always 200 once the service token is accepted: `valid` and `code` say whether to admit the request. A suspended key is SUSPENDED (it may be resumed); a rotated key is VALID during its overlap with `replacedBy` and `overlapEndsAt` set (tell its holder), and REVOKED from overlapEndsAt on.
         */
        post: operations["VerifyController_verify"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The company's endpoints, oldest first, each with its latest attempt (root users); never a secret */
        get: operations["WebhooksController_list"];
        put?: never;
        /**
         * Register an endpoint for the company's key lifecycle events (root users); the signing secret is in this response only
         * @description Every lifecycle event (not each use) from now on is POSTed to the URL in the Standard Webhooks format (headers webhook-id, webhook-timestamp, webhook-signature), at least once, in log order, retried with backoff. At most 10 endpoints per company (409).
         */
        post: operations["WebhooksController_register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove an endpoint and its delivery log (root users) */
        delete: operations["WebhooksController_remove"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An endpoint's latest delivery attempts, newest first (root users) */
        get: operations["WebhooksController_deliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/mcp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The MCP endpoint (Streamable HTTP, stateless): tools act with the key creator's permissions, snapshotted at mint
         * @description Send JSON-RPC 2.0 messages (initialize, tools/list, tools/call, ping…) with `Accept: application/json, text/event-stream`. Every use is recorded as a KeyUsed (durable before the answer). A tool the key lacks the permission for is absent from tools/list, and a tools/call of it is refused: 403 with `WWW-Authenticate: Bearer error="insufficient_scope", scope="<the permissions it needs>"` (in a batch: a JSON-RPC error, code -32003, with the same in its data). A key being replaced by a rotation says so on every answer: `Keygate-Key-Replaced-By` (the new key id) and `Sunset` (RFC 8594: when it stops working). Limits: KEYGATE_RATE_LIMIT_PER_MINUTE per key, KEYGATE_MAX_REQUEST_BYTES per request.
         */
        post: operations["mcp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ProblemView: {
            /**
             * @description A stable URN a client can switch on
             * @example urn:keygate:problem:key-limit-reached
             */
            type: string;
            /** @example Conflict */
            title: string;
            /** @example 409 */
            status: number;
            /** @description What happened and what to do, for a person */
            detail: string;
            /**
             * @description The request id (X-Request-Id), for the logs
             * @example urn:keygate:request:2f1c…
             */
            instance?: string;
            /** @description Validation problems, one per field */
            errors?: string[];
        };
        AcknowledgementView: {
            /** @description Pass to POST /api/keys within expiresAt; one mint each */
            acknowledgementId: string;
            /** @description The security notice the user acknowledged, one sentence each */
            notice: string[];
            /** Format: date-time */
            expiresAt: string;
        };
        MintKeyBody: {
            /**
             * @description From POST /api/keys/acknowledgements, less than 15 minutes old
             * @example ack_3kTq…
             */
            acknowledgementId: string;
            /**
             * @description 1 to 100 characters after trimming; empty gives "API Key <Mon D, YYYY>"
             * @example Cursor on my laptop
             */
            label?: string;
            /**
             * @description A narrower key: a subset of your permissions (see GET /api/keys/permission-presets). Absent: all of them. A permission you do not have answers 400.
             * @example [
             *       "orders:read"
             *     ]
             */
            permissions?: string[];
        };
        KeyView: {
            /**
             * @description Public key id (the list's "Key ID")
             * @example Ab3dE5gH7jK9
             */
            id: string;
            label: string;
            /**
             * @description The token's public beginning
             * @example kg_Ab3dE5gH7jK9
             */
            prefix: string;
            /** @description The key's owner: its creator, whose permissions it carries */
            userId: string;
            userName: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            lastUsedAt: string | null;
            /** Format: date-time */
            expiresAt: string;
            /** @enum {string} */
            status: "active" | "suspended" | "revoked" | "expired";
            /** @description The permissions the key acts with: its creator's at mint, or the subset chosen */
            permissions: string[];
            /** @description Working (or suspended) and within the first expiry warning (14 days by default): renew it by rotating */
            expiresSoon: boolean;
            /** @description The key this one replaced (a rotation) */
            rotatedFrom: string | null;
            /** @description The key replacing this one (a rotation); null again if that key stopped working (revoked or expired) while this one still works (it still stops at overlapEndsAt) */
            replacedBy: string | null;
            /**
             * Format: date-time
             * @description When a key being replaced stops working (then it is revoked by the system); null if not rotated
             */
            overlapEndsAt: string | null;
            /**
             * @description Why the system revoked it, if it did
             * @enum {string|null}
             */
            revocationReason: "rotated" | "offboarded" | null;
            /** @description The caller may rotate it: their own working key not already being replaced (a key whose predecessor is still in its overlap answers 409 all the same) */
            canRotate: boolean;
        };
        GenericSetupView: {
            /** @example https://keygate.example.com/api/mcp */
            url: string;
            /** @example streamable-http */
            transport: string;
            /** @example Authorization: Bearer <key> */
            authentication: string;
            /** @description The token (this response only) */
            key: string;
        };
        SetupSnippetsView: {
            /** @description claude mcp add … command */
            claudeCode: string;
            /** @description Claude Code with the key in an environment variable */
            claudeCodeEnv: string;
            /** @description ~/.codex/config.toml section (the key in an environment variable) */
            codex: string;
            /** @description .cursor/mcp.json */
            cursor: string;
            /** @description Windsurf mcp_config.json */
            windsurf: string;
            /** @description .vscode/mcp.json (the key prompted once, kept in VS Code secret storage) */
            vscode: string;
            generic: components["schemas"]["GenericSetupView"];
            notes: string[];
        };
        MintedKeyView: {
            key: components["schemas"]["KeyView"];
            /**
             * @description The API key: in this response and nowhere else, ever
             * @example kg_Ab3dE5gH7jK9_…
             */
            token: string;
            setup: components["schemas"]["SetupSnippetsView"];
        };
        PermissionPresetView: {
            /** @enum {string} */
            id: "full" | "read-only";
            name: string;
            description: string;
            permissions: string[];
        };
        PermissionPresetsView: {
            presets: components["schemas"]["PermissionPresetView"][];
        };
        KeysPageView: {
            items: components["schemas"]["KeyView"][];
            /** @description Opaque; pass as cursor for the next (older) page */
            nextCursor: string | null;
        };
        RevokedKeyView: {
            key: components["schemas"]["KeyView"];
        };
        RotateKeyBody: {
            /**
             * @description How long the old key keeps working beside the new one: 0 (stops at once) to 604800 (7 days); default 86400
             * @example 86400
             */
            overlapSeconds?: number;
        };
        RotatedKeyView: {
            /** @description The new key */
            key: components["schemas"]["KeyView"];
            /** @description The new key's token: in this response and nowhere else, ever */
            token: string;
            setup: components["schemas"]["SetupSnippetsView"];
            /** @description The key being replaced (overlapEndsAt: when it stops working) */
            previous: components["schemas"]["KeyView"] | null;
        };
        RevokedUserKeysView: {
            /** @description The keys this request revoked */
            revoked: components["schemas"]["KeyView"][];
        };
        UseOutcomesView: {
            ok: number;
            error: number;
            denied: number;
        };
        UseClientView: {
            name: string | null;
            version: string | null;
        };
        ActivityEntryView: {
            /** @description The event id; for a roll-up of uses, its own id (stable as it grows) */
            id: string;
            /**
             * Format: date-time
             * @description When it happened; for a roll-up, its last use
             */
            at: string;
            /** @enum {string} */
            type: "KeyAcknowledged" | "KeyMinted" | "KeyRotated" | "KeyRevoked" | "KeySuspended" | "KeyResumed" | "KeyExpiring" | "KeyExpired" | "KeyDeleted" | "KeyUsed";
            keyId: string;
            keyLabel: string | null;
            actorUserId: string;
            actorName: string;
            /**
             * @description One sentence for a person
             * @example Used API key "laptop" to call whoami 37 times from claude-code 2.1 (35 ok, 2 error) between 12:00:03 and 12:00:58 UTC
             */
            detail: string;
            /** @description Roll-ups only: how many uses */
            count?: number;
            /**
             * Format: date-time
             * @description Roll-ups only: the first use
             */
            firstAt?: string;
            /**
             * Format: date-time
             * @description Roll-ups only: the last use
             */
            lastAt?: string;
            /** @description Roll-ups only: uses per outcome */
            outcomes?: components["schemas"]["UseOutcomesView"];
            /** @description Roll-ups only: the tool called (null: initialize, tools/list…) */
            tool?: string | null;
            /** @description Roll-ups only: the MCP client, as it named itself */
            client?: components["schemas"]["UseClientView"];
        };
        ActivityPageView: {
            items: components["schemas"]["ActivityEntryView"][];
            /** @description Opaque; pass as cursor for the next (older) page */
            nextCursor: string | null;
        };
        PersonView: {
            userId: string;
            name: string;
        };
        PersonAtView: {
            userId: string;
            name: string;
            /** Format: date-time */
            at: string;
        };
        KeyAtInstantView: {
            keyId: string;
            label: string;
            prefix: string;
            /**
             * @description At the instant (a key past its expiry is expired; a rotated key past its overlap is revoked)
             * @enum {string}
             */
            status: "active" | "suspended" | "revoked" | "expired" | "deleted";
            /** @description The creator's permissions at mint time */
            permissions: string[];
            /** @enum {string} */
            creatorRole: "root" | "user";
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            expiresAt: string;
            mintedBy: components["schemas"]["PersonView"];
            /** @description Whose key it is: its minter, or the old key's owner when someone else rotated it */
            owner: components["schemas"]["PersonView"];
            /** @description The key this one replaced (a rotation) */
            rotatedFrom: string | null;
            /** @description The key replacing this one, at the instant */
            rotatedTo: string | null;
            /**
             * Format: date-time
             * @description When a key being replaced stops working
             */
            overlapEndsAt: string | null;
            revokedBy: components["schemas"]["PersonAtView"] | null;
            /**
             * @description Why the system revoked it, if it did
             * @enum {string|null}
             */
            revocationReason: "rotated" | "offboarded" | null;
            deletedBy: components["schemas"]["PersonAtView"] | null;
            /** Format: date-time */
            lastUsedAt: string | null;
            /** @description Uses at or before the instant */
            useCount: number;
        };
        KeysAtView: {
            /** Format: date-time */
            at: string;
            companyId: string;
            keys: components["schemas"]["KeyAtInstantView"][];
        };
        VerifyKeyBody: {
            /**
             * @description The API key the host received (kg_…), as its client sent it
             * @example kg_Ab3dE5gH7jK9_…
             */
            key: string;
            /**
             * @description Permissions the route requires; every one must be among the key's, else INSUFFICIENT_PERMISSIONS
             * @example [
             *       "orders:read"
             *     ]
             */
            permissions?: string[];
            /**
             * @description A label for the route being protected, recorded as the use's "tool" in the activity feed (A-Z a-z 0-9 _ . / -, at most 128)
             * @example orders.list
             */
            route?: string;
            /**
             * @description The address of the client that sent the key, as the host saw it. Failed secrets are then budgeted per that address, as on /api/mcp; without it, per key id. Recorded as the use's address.
             * @example 203.0.113.7
             */
            clientAddress?: string;
        };
        /** @enum {string} */
        VerifyCode: "VALID" | "INVALID" | "REVOKED" | "EXPIRED" | "SUSPENDED" | "RATE_LIMITED" | "INSUFFICIENT_PERMISSIONS";
        VerifyRateLimitView: {
            /** @description Requests per minute allowed for this key on this replica (MCP and verify together) */
            limit: number;
            /** @description Requests left in the current window */
            remaining: number;
            /**
             * Format: date-time
             * @description When the window resets
             */
            resetAt: string;
        };
        VerifyKeyView: {
            /** @description true only with code VALID */
            valid: boolean;
            code: components["schemas"]["VerifyCode"];
            /** @description One sentence for a person (the reason of a refusal) */
            detail: string;
            /** @description The key id (VALID, INSUFFICIENT_PERMISSIONS; REVOKED, EXPIRED and SUSPENDED: the id the key names) */
            keyId: string | null;
            /** @description The key's creator: the key acts as this user */
            userId: string | null;
            userName: string | null;
            companyId: string | null;
            /** @description The key's permissions (its creator's at mint) */
            permissions: string[] | null;
            /** Format: date-time */
            expiresAt: string | null;
            /** @description The key's rate limit after this verify (known once the key is identified) */
            ratelimit: components["schemas"]["VerifyRateLimitView"] | null;
            /** @description RATE_LIMITED only: seconds before trying again */
            retryAfterSeconds: number | null;
            /** @description A key being replaced (rotated, in its overlap): the id of the key replacing it; it works until overlapEndsAt. Else null */
            replacedBy: string | null;
            /**
             * Format: date-time
             * @description With replacedBy: the instant the key stops working (refused as REVOKED from then on). Else null
             */
            overlapEndsAt: string | null;
        };
        RegisterWebhookBody: {
            /**
             * @description Where deliveries are POSTed: https:// (http:// to a loopback host where KEYGATE_WEBHOOK_ALLOW_HTTP_LOOPBACK allows), at most 2048 characters, no credentials
             * @example https://hooks.example.com/keygate
             */
            url: string;
        };
        RegisteredWebhookView: {
            /** @example wh_3kTqA9zR0pLm2nXc */
            id: string;
            /** @example https://hooks.example.com/keygate */
            url: string;
            /**
             * @description The signing secret (Standard Webhooks): in this response and nowhere else, ever. Verify each delivery with it.
             * @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
             */
            secret: string;
            /** Format: date-time */
            createdAt: string;
        };
        DeliveryView: {
            /** @description The event id: the webhook-id header, the same on every attempt */
            eventId: string;
            /** @example key.revoked */
            type: string;
            /** @description The event's position in the log */
            position: number;
            /** @description 1 for the first attempt at this event */
            attempt: number;
            /** Format: date-time */
            at: string;
            durationMs: number;
            /** @description The receiver's HTTP status; null when it did not answer */
            statusCode: number | null;
            /** @example timeout */
            error: string | null;
            /** @description True when the receiver answered 2xx */
            delivered: boolean;
            /**
             * Format: date-time
             * @description When the event is tried again (a failure)
             */
            nextRetryAt: string | null;
        };
        WebhookView: {
            id: string;
            url: string;
            /** Format: date-time */
            createdAt: string;
            /** @description The latest attempt, or null before the first */
            lastDelivery: components["schemas"]["DeliveryView"] | null;
            /**
             * Format: date-time
             * @description Set while an event is waiting to be retried
             */
            nextRetryAt: string | null;
        };
        WebhooksView: {
            items: components["schemas"]["WebhookView"][];
        };
        DeliveriesView: {
            /** @description Newest first; the latest 100 attempts are kept */
            items: components["schemas"]["DeliveryView"][];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    KeysController_acknowledge: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AcknowledgementView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description Too many requests; Retry-After says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    KeysController_list: {
        parameters: {
            query?: {
                /** @description Page size (the route says its default) */
                limit?: number;
                /** @description nextCursor of the previous page */
                cursor?: string;
                /** @description Only keys of this status (effective: a lapsed key is expired at once, a rotated key past its overlap revoked) */
                status?: "active" | "suspended" | "revoked" | "expired";
                /** @description Only keys created by this user (within what you may see) */
                userId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeysPageView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    KeysController_mint: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MintKeyBody"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MintedKeyView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description A limit is reached, or the key is not in a state that allows it */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    KeysController_presets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PermissionPresetsView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    KeysController_revoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RevokedKeyView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No such key visible to this caller (never 403: nothing leaks) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description A limit is reached, or the key is not in a state that allows it */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    KeysController_rotate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RotateKeyBody"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RotatedKeyView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description Not allowed to this caller */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No such key visible to this caller (never 403: nothing leaks) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description A limit is reached, or the key is not in a state that allows it */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    KeysController_suspend: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RevokedKeyView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No such key visible to this caller (never 403: nothing leaks) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description A limit is reached, or the key is not in a state that allows it */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    KeysController_resume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RevokedKeyView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No such key visible to this caller (never 403: nothing leaks) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description A limit is reached, or the key is not in a state that allows it */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    KeysController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description Not allowed to this caller */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No such key visible to this caller (never 403: nothing leaks) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description A limit is reached, or the key is not in a state that allows it */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    UsersController_offboard: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RevokedUserKeysView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description Not allowed to this caller */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    ActivityController_activity: {
        parameters: {
            query?: {
                /** @description Page size (the route says its default) */
                limit?: number;
                /** @description nextCursor of the previous page */
                cursor?: string;
                keyId?: string;
                /** @description Only entries by this actor */
                userId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ActivityPageView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    AuditController_events: {
        parameters: {
            query?: {
                /** @description Only this key's events */
                keyId?: string;
                /** @description Only events the log recorded at or after this time (ISO 8601 with a zone, a date, or now) */
                from?: string;
                /** @description Only events the log recorded at or before this time (ISO 8601 with a zone, a date, or now) */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description NDJSON: one AuditRecord a line (position, stream, revision, eventId, type, recordedAt, data, metadata) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": string;
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description Not allowed to this caller */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    AuditController_keys: {
        parameters: {
            query: {
                /** @description The instant (ISO 8601 with a zone, a date, or now) */
                at: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeysAtView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description Not allowed to this caller */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    HealthController_health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    VerifyController_verify: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VerifyKeyBody"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VerifyKeyView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description Verify is off on this Keygate: KEYGATE_SERVICE_TOKENS is not set */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description A store or the identity provider cannot be reached; nothing was recorded */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    WebhooksController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhooksView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description Not allowed to this caller */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description A store or the identity provider cannot be reached; nothing was recorded */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    WebhooksController_register: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegisterWebhookBody"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RegisteredWebhookView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description Not allowed to this caller */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description A limit is reached, or the key is not in a state that allows it */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description A store or the identity provider cannot be reached; nothing was recorded */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    WebhooksController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description Not allowed to this caller */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No such key visible to this caller (never 403: nothing leaks) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description A store or the identity provider cannot be reached; nothing was recorded */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    WebhooksController_deliveries: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeliveriesView"];
                };
            };
            /** @description Invalid body or query (unknown fields and parameters too) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No valid credential */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description Not allowed to this caller */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No such key visible to this caller (never 403: nothing leaks) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description A store or the identity provider cannot be reached; nothing was recorded */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
    mcp: {
        parameters: {
            query?: never;
            header?: {
                "mcp-protocol-version"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description The JSON-RPC response (JSON), or a stream of messages (SSE) */
            200: {
                headers: {
                    /** @description Only for a key in its rotation's overlap: the id of the key replacing it */
                    "Keygate-Key-Replaced-By"?: string;
                    /** @description With Keygate-Key-Replaced-By (RFC 8594): when this key stops working, an HTTP date */
                    Sunset?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                    "text/event-stream": string;
                };
            };
            /** @description A notification or response was accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not JSON-RPC, or JSON nested too deep */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description No key, or a key that is invalid, revoked, expired or suspended (WWW-Authenticate: Bearer error="invalid_token") */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description An Origin that is not allowed; or a tools/call of a tool the key lacks permissions for (WWW-Authenticate: Bearer error="insufficient_scope", scope="<permissions needed>") */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description Accept must allow application/json and text/event-stream */
            406: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description Request larger than KEYGATE_MAX_REQUEST_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description Not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
            /** @description The key's rate limit, or too many failed secrets from this client (Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemView"];
                };
            };
        };
    };
}
