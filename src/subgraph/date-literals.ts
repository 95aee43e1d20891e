/**
 * Date and time literals are checked as Healthie reads them (src/healthie-dates.ts) while the
 * operation is validated: graphql-js's ValuesOfCorrectTypeRule calls the scalar's parseLiteral on
 * every literal, in arguments, input objects, lists and variable defaults alike, so a date Healthie
 * would refuse (refusing the whole request with it) fails validation before anything is sent.
 *
 * Only parseLiteral is replaced, never parseValue: graphql-tools reads Healthie's *answers*
 * through the subgraph scalar's parseValue on the delegation path, and a check there would turn
 * an answer it refused into null on that path alone. Variables are checked where the cost plugin
 * coerces them (src/operation/date-variables.ts).
 */
import { GraphQLError, Kind, print, type ValueNode } from 'graphql';
import { DATE_TIME_RULE, isHealthieDateTime } from '../healthie-dates.js';

/** The subgraph's name of Healthie's ISO8601DateTime. */
export const DATE_TIME_SCALAR = 'HealthieISO8601DateTime';

/** Quoted as the client wrote it, to 100 characters at most. */
export function quoted(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

function parseDateTimeLiteral(node: ValueNode): string {
  if (node.kind === Kind.STRING && isHealthieDateTime(node.value)) return node.value;
  throw new GraphQLError(
    `${quoted(print(node))} is not a ${DATE_TIME_SCALAR} Healthie accepts. Expected ${DATE_TIME_RULE}; send the value in that form (Healthie would refuse the whole request).`,
    { nodes: node },
  );
}

/** Scalar functions for buildSubgraphSchema's resolver map: the literal check alone. */
export const DATE_LITERALS = { [DATE_TIME_SCALAR]: { parseLiteral: parseDateTimeLiteral } } as const;
