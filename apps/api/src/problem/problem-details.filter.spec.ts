import { conflict, limitReached, tooMany } from '#keys';
import { HttpException } from '@nestjs/common';
import type { ArgumentsHost } from '@nestjs/common';
import { StoreUnavailableError } from '#event-store';
import { IdentityProviderUnavailableError } from '../auth/identity-provider-unavailable.error.js';
import { ProblemDetailsFilter, sendProblem, toProblem } from './problem-details.filter.js';

/** Records what sendProblem does to a Fastify reply. */
const fakeReply = () => {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const reply = {
    status: (code: number) => ((sent.status = code), reply),
    header: (name: string, value: string) => ((sent.headers[name] = value), reply),
    send: (body: unknown) => (sent.body = body),
  };
  return { reply, sent };
};

describe('problem details', () => {
  it('answers too_many with 429, its own type, and Retry-After in a header, not in the body', () => {
    const problem = toProblem(tooMany('You have 3 unused acknowledgements…', 599.2), 'urn:keygate:request:r1');
    expect(problem).toEqual({
      type: 'urn:keygate:problem:too-many-acknowledgements',
      title: 'Too Many Requests',
      status: 429,
      detail: 'You have 3 unused acknowledgements…',
      instance: 'urn:keygate:request:r1',
      retryAfter: 600,
    });

    const { reply, sent } = fakeReply();
    sendProblem(reply, problem);
    expect(sent.status).toBe(429);
    expect(sent.headers).toEqual({ 'Retry-After': '600', 'Content-Type': 'application/problem+json' });
    expect(sent.body).toEqual({
      type: 'urn:keygate:problem:too-many-acknowledgements',
      title: 'Too Many Requests',
      status: 429,
      detail: 'You have 3 unused acknowledgements…',
      instance: 'urn:keygate:request:r1',
    });
  });

  it('keeps the other kinds as they were, without Retry-After', () => {
    expect(toProblem(limitReached('limit of 10')).type).toBe('urn:keygate:problem:key-limit-reached');
    const problem = toProblem(conflict('already revoked'));
    expect(problem).toMatchObject({ type: 'urn:keygate:problem:conflict', status: 409 });
    const { reply, sent } = fakeReply();
    sendProblem(reply, problem);
    expect(sent.headers['Retry-After']).toBeUndefined();
  });

  describe('anything else: 500, with nothing of the error in the answer', () => {
    const secretish = new Error('SELECT * FROM events WHERE stream_id = "keyring-acme" failed at /work/main/libs/x.ts:12');

    it.each([
      ['an Error', secretish],
      ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'verifier')")],
      ['a thrown string', 'boom'],
      ['undefined', undefined],
      ['null', null],
      ['a 5xx statusCode (not a client error)', Object.assign(new Error('upstream'), { statusCode: 502 })],
      ['a SQLite error that is not a storage failure', Object.assign(new Error('UNIQUE constraint failed: events.event_id'), { code: 'SQLITE_CONSTRAINT_UNIQUE' })],
      ['SQLITE_CORRUPT (a retry does not help)', Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' })],
    ])('given %s, then a generic 500 problem naming the request, not the error', (_, error) => {
      const problem = toProblem(error, 'urn:keygate:request:r9');

      expect(problem).toEqual({
        type: 'urn:keygate:problem:internal',
        title: 'Internal Server Error',
        status: 500,
        detail: 'An unexpected error occurred; it has been logged with this request id.',
        instance: 'urn:keygate:request:r9',
      });
    });

    it('through the Nest filter: logs the error with the request id, answers problem+json without Retry-After', () => {
      const logged: unknown[][] = [];
      const logger = { error: (...args: unknown[]) => logged.push(args) };
      const { reply, sent } = fakeReply();
      const host = {
        switchToHttp: () => ({ getRequest: () => ({ id: 'req-1', url: '/api/keys' }), getResponse: () => reply }),
      } as unknown as ArgumentsHost;

      new ProblemDetailsFilter(logger as never).catch(secretish, host);

      expect(sent.status).toBe(500);
      expect(sent.headers).toEqual({ 'Content-Type': 'application/problem+json' });
      expect(JSON.stringify(sent.body)).not.toMatch(/SELECT|stream_id|libs/);
      expect(sent.body).toMatchObject({ type: 'urn:keygate:problem:internal', instance: 'urn:keygate:request:req-1' });
      expect(logged).toEqual([[{ err: secretish, reqId: 'req-1' }, 'request failed']]);
    });

    it('keeps an HttpException of its own status (not the 500 branch)', () => {
      expect(toProblem(new HttpException('gone', 410))).toMatchObject({ status: 410, detail: 'gone' });
    });
  });

  describe('storage failures: 503 naming storage, with Retry-After (issue 10)', () => {
    const STORAGE = 'The key store cannot write right now (disk full?); nothing was recorded. Try again later.';
    const sqlite = (code: string) => Object.assign(new Error(`${code.toLowerCase()} happened`), { code, name: 'SqliteError' });

    it.each([
      ['StoreUnavailableError (SQLITE_FULL)', new StoreUnavailableError('append', 'SQLITE_FULL', { cause: sqlite('SQLITE_FULL') })],
      ['a raw SQLITE_FULL', sqlite('SQLITE_FULL')],
      ['SQLITE_IOERR_WRITE', sqlite('SQLITE_IOERR_WRITE')],
      ['SQLITE_IOERR_FSYNC', sqlite('SQLITE_IOERR_FSYNC')],
      ['SQLITE_READONLY', sqlite('SQLITE_READONLY')],
      ['SQLITE_READONLY_DBMOVED', sqlite('SQLITE_READONLY_DBMOVED')],
      ['SQLITE_CANTOPEN', sqlite('SQLITE_CANTOPEN')],
      ['SQLITE_BUSY (busy_timeout passed)', sqlite('SQLITE_BUSY')],
      ['a storage failure as the cause of another error', new Error('projection failed', { cause: sqlite('SQLITE_FULL') })],
      ['KurrentDB UnavailableError', Object.assign(new Error('14 UNAVAILABLE: No connection established'), { name: 'UnavailableError', type: 'unavailable' })],
    ])('given %s', (_, error) => {
      const problem = toProblem(error, 'urn:keygate:request:r2');
      expect(problem).toEqual({
        type: 'urn:keygate:problem:storage-unavailable',
        title: 'Service Unavailable',
        status: 503,
        detail: STORAGE,
        instance: 'urn:keygate:request:r2',
        retryAfter: 30,
      });

      const { reply, sent } = fakeReply();
      sendProblem(reply, problem);
      expect(sent.status).toBe(503);
      expect(sent.headers).toEqual({ 'Retry-After': '30', 'Content-Type': 'application/problem+json' });
      expect(JSON.stringify(sent.body)).not.toMatch(/SQLITE|UNAVAILABLE:/);
    });
  });

  describe("the identity provider's keys cannot be fetched: 503, not 401 (issue 14)", () => {
    const outage = new IdentityProviderUnavailableError('http_status', 'JWKS https://idp.internal.example/jwks: HTTP 500, expected 200 with a JSON Web Key Set');

    it('answers 503 problem+json saying so, with Retry-After, without the URL or the fetch error', () => {
      const problem = toProblem(outage, 'urn:keygate:request:r3');
      expect(problem).toEqual({
        type: 'urn:keygate:problem:identity-provider-unavailable',
        title: 'Service Unavailable',
        status: 503,
        detail: "The identity provider's keys cannot be fetched, so your token cannot be checked right now (your token may well be fine). Try again shortly.",
        instance: 'urn:keygate:request:r3',
        retryAfter: 30,
      });
      const { reply, sent } = fakeReply();
      sendProblem(reply, problem);
      expect(sent.headers).toEqual({ 'Retry-After': '30', 'Content-Type': 'application/problem+json' });
      expect(JSON.stringify(sent.body)).not.toMatch(/idp\.internal|HTTP 500/);
    });

    it('through the Nest filter: not logged per request (the JWKS monitor logs the outage, rate-limited)', () => {
      const logged: unknown[][] = [];
      const { reply, sent } = fakeReply();
      const host = {
        switchToHttp: () => ({ getRequest: () => ({ id: 'req-2', url: '/api/keys' }), getResponse: () => reply }),
      } as unknown as ArgumentsHost;

      new ProblemDetailsFilter({ error: (...args: unknown[]) => logged.push(args) } as never).catch(outage, host);

      expect(sent.status).toBe(503);
      expect(logged).toEqual([]);
    });
  });
});
