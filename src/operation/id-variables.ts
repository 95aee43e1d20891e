/**
 * ID variables sent as JSON numbers that JSON cannot read exactly are refused before anything is
 * sent. JSON.parse reads every number as a double: above 2^53 − 1 in size its last digits are
 * lost (12345678901234567890 is read as 12345678901234567000), and graphql-js's ID, which takes
 * any whole number and prints it, would then send Healthie another id: another patient's record.
 * A literal in the document is not affected (ID keeps an integer literal's text as written), nor
 * is a number with a fraction (ID refuses it: BAD_USER_INPUT from coercion). Representations are
 * checked by the `_entities` guard (src/subgraph/representations.ts), per reference.
 *
 * The variables are read as sent (the coerced ones are already strings), along each variable's
 * declared type (variable-leaves.ts), once coercion has accepted them, so their shape is the type's.
 */
import { GraphQLID, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { ErrorCode, subgraphError } from '../errors.js';
import { describeLeaf, leafFinder } from './variable-leaves.js';

/** A whole number JSON did not read as sent (Infinity is refused by ID itself). */
const inexact = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value);

const firstInexactId = leafFinder(GraphQLID.name, inexact);

/**
 * A BAD_USER_INPUT error (HTTP 400) for the first ID variable, or ID within a variable, sent as a
 * number JSON could not read exactly: where it is, the rule, the kind of number (never the number)
 * and the fix. Undefined when there is none. `variables` are the request's, as sent.
 */
export function refusedIdVariable(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>>) {
  const refused = firstInexactId(schema, operation, variables);
  if (refused === undefined) return undefined;
  return subgraphError(
    ErrorCode.BAD_USER_INPUT,
    `${describeLeaf(refused)} got a number larger than 2^53 − 1 in size, which JSON reads with digits lost, so another id would be fetched. ` +
      `An ID sent as a number must be a whole number of at most 2^53 − 1 (${Number.MAX_SAFE_INTEGER}) in size; send the id as a string.`,
    { http: { status: 400 } },
  );
}
