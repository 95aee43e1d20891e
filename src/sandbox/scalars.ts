/**
 * Healthie's date scalars as graphql-ruby serves them: ISO8601DateTime is an ISO 8601 date and
 * time with an offset, ISO8601Date a calendar date. Arguments that are not in that format are
 * refused, as Healthie refuses them, so a client that still sends the old `YYYY-MM-DD HH:MM:SS`
 * strings learns it here rather than in production.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { parseDay } from './time.js';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function scalar(name: string, valid: (text: string) => boolean, expected: string): GraphQLScalarType {
  const parse = (value: unknown): string => {
    if (typeof value === 'string' && valid(value) && parseDay(value) !== undefined) return value;
    throw new GraphQLError(`${name} must be ${expected} (got ${JSON.stringify(value)?.slice(0, 40)})`, { extensions: { code: 'BAD_USER_INPUT' } });
  };
  return new GraphQLScalarType({
    name,
    serialize: (value) => value,
    parseValue: parse,
    parseLiteral: (node) => parse(node.kind === Kind.STRING ? node.value : undefined),
  });
}

export const ISO8601DateTime = scalar('ISO8601DateTime', (text) => DATE_TIME.test(text), 'an ISO 8601 date and time, e.g. 2026-12-01T10:00:00-05:00');
export const ISO8601Date = scalar('ISO8601Date', (text) => /^\d{4}-\d{2}-\d{2}$/.test(text), 'an ISO 8601 date, e.g. 2026-12-01');
