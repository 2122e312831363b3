import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ActivityController } from './activity/activity.controller.js';
import { GetActivityHandler } from './activity/get-activity.handler.js';
import { AuditEventsHandler } from './audit/audit-events.handler.js';
import { AuditController } from './audit/audit.controller.js';
import { KeysAtHandler } from './audit/keys-at.handler.js';
import { JWT_VERIFIER, type JwtVerifier } from './auth/jwt-verifier.js';
import { SettingsAuthGuard } from './auth/settings-auth.guard.js';
import { HealthController } from './health/health.controller.js';
import { AcknowledgeNoticeHandler } from './keys/acknowledge/acknowledge-notice.handler.js';
import { DeleteKeyHandler } from './keys/delete/delete-key.handler.js';
import { KeysController } from './keys/keys.controller.js';
import { ListKeysHandler } from './keys/list/list-keys.handler.js';
import { MintKeyHandler } from './keys/mint/mint-key.handler.js';
import { RevokeKeyHandler } from './keys/revoke/revoke-key.handler.js';
import { KeyCommandRunner } from './keys/key-command-runner.js';
import { PermissionPresetsHandler } from './keys/presets/permission-presets.handler.js';
import { RotateKeyHandler } from './keys/rotate/rotate-key.handler.js';
import { SuspendKeyHandler } from './keys/suspend/suspend-key.handler.js';
import { RevokeUserKeysHandler } from './users/offboard/revoke-user-keys.handler.js';
import { UsersController } from './users/users.controller.js';
import { VerifyController } from './verify/verify.controller.js';
import { VerifyKeyHandler } from './verify/verify-key.handler.js';
import type { KeygateRuntime } from '#runtime';
import { keygateProviders } from './composition/keygate-providers.js';
import { keyUseProviders, type KeyUseParts } from './composition/key-use-providers.js';
import type { WebhookParts } from '#webhooks';
import { WebhooksController } from './webhooks/webhooks.controller.js';
import { webhookProviders } from './webhooks/webhook-providers.js';

@Module({})
export class AppModule {
  /** The stores are built outside Nest (see createKeygateApp) and handed in, so tests can inject a clock. */
  static forRuntime(runtime: KeygateRuntime, verifier: JwtVerifier, keyUse: KeyUseParts, webhooks: WebhookParts | null = null): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot()],
      controllers: [KeysController, UsersController, ActivityController, AuditController, HealthController, VerifyController, WebhooksController],
      providers: [
        ...keygateProviders(runtime),
        ...keyUseProviders(keyUse),
        ...webhookProviders(webhooks),
        { provide: JWT_VERIFIER, useValue: verifier },
        SettingsAuthGuard,
        AcknowledgeNoticeHandler,
        MintKeyHandler,
        KeyCommandRunner,
        RevokeKeyHandler,
        RotateKeyHandler,
        SuspendKeyHandler,
        RevokeUserKeysHandler,
        PermissionPresetsHandler,
        DeleteKeyHandler,
        ListKeysHandler,
        GetActivityHandler,
        AuditEventsHandler,
        KeysAtHandler,
        VerifyKeyHandler,
      ],
    };
  }
}
