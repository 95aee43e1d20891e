/**
 * Date and time variables are checked as Healthie reads them (src/healthie-dates.ts), once the
 * cost plugin has coerced the request's variables and before anything is sent.
 *
 * Why here and not in the scalar: graphql-js coerces variables through the scalar's parseValue,
 * but graphql-tools reads Healthie's *answers* through that same parseValue on the delegation
 * path, so a check there would turn an answer it refused into null on that path alone. Literals
 * are checked by the scalar's parseLiteral during validation (src/subgraph/date-literals.ts).
 *
 * The coerced values are walked along each variable's declared type (variable-leaves.ts), so a
 * date nested in an input object or a list is checked wherever it sits. A null, an omitted
 * optional variable, and a default (a literal, already validated) pass as graphql-js lets them.
 */
import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { ErrorCode, subgraphError } from '../errors.js';
import { DATE_TIME_RULE, isHealthieDateTime } from '../healthie-dates.js';
import { DATE_TIME_SCALAR, quoted } from '../subgraph/date-literals.js';
import { describeLeaf, leafFinder } from './variable-leaves.js';

const firstRefusedDate = leafFinder(DATE_TIME_SCALAR, (value) => typeof value !== 'string' || !isHealthieDateTime(value));

/**
 * A BAD_USER_INPUT error for the first date variable (or date within a variable) Healthie would
 * refuse, naming where it is, the rule and the fix; undefined when there is none.
 */
export function refusedDateVariable(schema: GraphQLSchema, operation: OperationDefinitionNode, coerced: Readonly<Record<string, unknown>>) {
  const refused = firstRefusedDate(schema, operation, coerced);
  if (refused === undefined) return undefined;
  const { value } = refused;
  const shown = typeof value === 'string' ? quoted(JSON.stringify(value)) : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  return subgraphError(
    ErrorCode.BAD_USER_INPUT,
    `${describeLeaf(refused)} got ${shown}, which is not a ${DATE_TIME_SCALAR} Healthie accepts. Expected ${DATE_TIME_RULE}; send the value in that form (Healthie would refuse the whole request).`,
    { http: { status: 400 } },
  );
}
