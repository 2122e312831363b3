import { conflict, limitReached, tooMany } from '#keys';
import { sendProblem, toProblem } from './problem-details.filter.js';

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
});
