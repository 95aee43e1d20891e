/**
 * Healthie's date scalars as graphql-ruby serves them. ISO8601DateTime arguments are read as
 * Healthie reads them (src/healthie-dates.ts, the rule the subgraph checks them against too), and
 * anything else is refused, as Healthie refuses it, so a client that still sends the old
 * `YYYY-MM-DD HH:MM:SS` strings learns it here rather than in production. ISO8601Date is an
 * answer only in the approved schema; its arguments would be read as calendar dates.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isHealthieDateTime } from '../healthie-dates.js';
import { parseDay } from './time.js';

function scalar(name: string, valid: (text: string) => boolean, expected: string): GraphQLScalarType {
  const parse = (value: unknown): string => {
    if (typeof value === 'string' && valid(value)) return value;
    throw new GraphQLError(`${name} must be ${expected} (got ${JSON.stringify(value)?.slice(0, 40)})`, { extensions: { code: 'BAD_USER_INPUT' } });
  };
  return new GraphQLScalarType({
    name,
    serialize: (value) => value,
    parseValue: parse,
    parseLiteral: (node) => parse(node.kind === Kind.STRING ? node.value : undefined),
  });
}

export const ISO8601DateTime = scalar('ISO8601DateTime', isHealthieDateTime, 'an ISO 8601 date and time, e.g. 2026-12-01T10:00:00-05:00');
export const ISO8601Date = scalar('ISO8601Date', (text) => /^\d{4}-\d{2}-\d{2}$/.test(text) && parseDay(text) !== undefined, 'an ISO 8601 date, e.g. 2026-12-01');
