import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/** RFC 9457 problem details: every error this API answers (problem/problem-details.filter.ts builds them). */
export class ProblemView {
  @ApiProperty({ example: 'urn:keygate:problem:key-limit-reached', description: 'A stable URN a client can switch on' }) type!: string;
  @ApiProperty({ example: 'Conflict' }) title!: string;
  @ApiProperty({ example: 409 }) status!: number;
  @ApiProperty({ description: 'What happened and what to do, for a person' }) detail!: string;
  @ApiPropertyOptional({ example: 'urn:keygate:request:2f1c…', description: 'The request id (X-Request-Id), for the logs' }) instance?: string;
  @ApiPropertyOptional({ type: [String], description: 'Validation problems, one per field' }) errors?: string[];
}

const WHEN: Record<number, string> = {
  400: 'Invalid body or query (unknown fields and parameters too)',
  401: 'No valid credential',
  403: 'Not allowed to this caller',
  404: 'No such key visible to this caller (never 403: nothing leaks)',
  408: 'The body did not arrive in time',
  409: 'A limit is reached, or the key is not in a state that allows it',
  413: 'Body too large',
  415: 'Not JSON',
  429: 'Too many requests; Retry-After says when to try again',
  503: 'A store or the identity provider cannot be reached; nothing was recorded',
};

/** The problem+json answers a route gives, each with its schema, so a generated client can read them. */
export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    ApiExtraModels(ProblemView),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: WHEN[status] ?? 'Error',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemView) } } },
      }),
    ),
  );
