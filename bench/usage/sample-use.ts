import type { NewEvent } from '#event-store';

/** A KeyUsed as the usage recorder appends it (a whoami call), for the usage experiments: event id given, i numbers it. */
export const sampleUse = (eventId: string, i: number): NewEvent => ({
  eventId,
  type: 'KeyUsed',
  data: {
    actorUserId: 'bench-user', actorName: 'Bench', companyId: 'bench-co', keyId: 'AbCdEf123456', correlationId: `r${i}`,
    at: new Date().toISOString(), tool: 'whoami', outcome: 'ok', client: { name: 'autocannon', version: '1.0.0' },
    remoteAddress: '127.0.0.1', requestId: `r${i}`,
  },
  metadata: { correlationId: `r${i}` },
});
