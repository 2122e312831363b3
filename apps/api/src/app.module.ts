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
import { VerifyController } from './verify/verify.controller.js';
import { VerifyKeyHandler } from './verify/verify-key.handler.js';
import type { KeygateRuntime } from '#runtime';
import { keygateProviders } from './composition/keygate-providers.js';
import { keyUseProviders, type KeyUseParts } from './composition/key-use-providers.js';

@Module({})
export class AppModule {
  /** The stores are built outside Nest (see createKeygateApp) and handed in, so tests can inject a clock. */
  static forRuntime(runtime: KeygateRuntime, verifier: JwtVerifier, keyUse: KeyUseParts): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot()],
      controllers: [KeysController, ActivityController, AuditController, HealthController, VerifyController],
      providers: [
        ...keygateProviders(runtime),
        ...keyUseProviders(keyUse),
        { provide: JWT_VERIFIER, useValue: verifier },
        SettingsAuthGuard,
        AcknowledgeNoticeHandler,
        MintKeyHandler,
        RevokeKeyHandler,
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
