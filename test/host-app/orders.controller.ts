import { Body, Controller, Get, Post } from '@nestjs/common';
import { KeygateKey, RequireKeygateKey } from '#client/nest';
import type { KeygateIdentity } from '#client';

/** A host product's own REST routes, each one decorator away from accepting Keygate keys. */
@Controller('v1/orders')
export class OrdersController {
  @Get()
  @RequireKeygateKey({ permissions: ['orders:read'] })
  list(@KeygateKey() key: KeygateIdentity) {
    return { orders: [{ id: 'o-1', total: 42 }], actingAs: { userId: key.userId, companyId: key.companyId, keyId: key.keyId, replacedBy: key.replacedBy } };
  }

  @Post()
  @RequireKeygateKey({ permissions: ['orders:write'], route: 'orders.create' })
  create(@KeygateKey() key: KeygateIdentity, @Body() body: { total?: number }) {
    return { created: { id: 'o-2', total: body?.total ?? 0, by: key.userId } };
  }
}
