import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { KeygateModule } from '#client/nest';
import { OrdersController } from './orders.controller.js';

/**
 * An example host product (the tests' adopter): a NestJS app on Fastify whose own routes accept Keygate keys through
 * the client's guard. It knows Keygate's URL and one service token, nothing else of Keygate.
 */
export const startHostApp = async (keygateUrl: string, serviceToken: string): Promise<{ url: string; close(): Promise<void> }> => {
  @Module({
    imports: [KeygateModule.forRoot({ url: keygateUrl, serviceToken, userAgent: 'host-app/1.0', realm: 'host-app' })],
    controllers: [OrdersController],
  })
  class HostAppModule {}

  const app = await NestFactory.create<NestFastifyApplication>(HostAppModule, new FastifyAdapter(), { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { address, port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://${address}:${port}`, close: () => app.close() };
};
