/**
 * The subgraph's date scalars take only what Healthie takes. Healthie refuses a date argument that
 * is not ISO 8601, and refuses the whole request with it: every other root field of the request
 * fails too, and its message is one the subgraph withholds. Checked here, a bad date is the
 * client's own error before anything is sent: a literal fails validation
 * (GRAPHQL_VALIDATION_FAILED), a variable fails coercion (BAD_USER_INPUT). The formats are those
 * the built-in sandbox holds requests to (src/healthie.ts). Answers are not checked: what Healthie
 * returns passes through as before.
 */
import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { isIso8601Date, isIso8601DateTime } from '../healthie.js';

interface ScalarInput {
  parseValue(value: unknown): unknown;
  parseLiteral(node: ValueNode): unknown;
}

function dateInput(name: string, valid: (text: string) => boolean, example: string): ScalarInput {
  // The message names the rule and an example, not the value: the client has its value.
  const parseValue = (value: unknown) => {
    if (typeof value === 'string' && valid(value)) return value;
    throw new GraphQLError(`${name} must be ISO 8601, like ${example}; send it in that form.`);
  };
  return { parseValue, parseLiteral: (node) => parseValue(node.kind === Kind.STRING ? node.value : undefined) };
}

/** Input checks of the subgraph's scalars, by type name, for buildSubgraphSchema's resolvers. */
export const SCALAR_INPUTS: Readonly<Record<string, ScalarInput>> = {
  HealthieISO8601Date: dateInput('HealthieISO8601Date', isIso8601Date, '2026-12-01'),
  HealthieISO8601DateTime: dateInput('HealthieISO8601DateTime', isIso8601DateTime, '2026-12-01T10:00:00-05:00'),
};
