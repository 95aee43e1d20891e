/**
 * Caps the number of entity references one operation may resolve. Each reference costs a root
 * field in a Healthie request (50 per request), so an unbounded `representations` list would turn
 * one call into hundreds of Healthie requests and spend the tenant's rate budget.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, visit } from 'graphql';
import type { SubgraphContext } from '../context.js';
import { ErrorCode, subgraphError } from '../errors.js';

export const MAX_ENTITY_REFERENCES = 250;

export function entityLimitPlugin(max = MAX_ENTITY_REFERENCES): ApolloServerPlugin<SubgraphContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          let references = 0;
          visit(document, {
            Field(node) {
              if (node.name.value !== '_entities') return;
              const value = node.arguments?.find((arg) => arg.name.value === 'representations')?.value;
              if (value?.kind === Kind.LIST) references += value.values.length;
              else if (value?.kind === Kind.VARIABLE) {
                const list = request.variables?.[value.name.value];
                references += Array.isArray(list) ? list.length : 1;
              }
            },
          });
          if (references > max) {
            throw subgraphError(
              ErrorCode.QUERY_TOO_COMPLEX,
              `_entities asks for ${references} references; at most ${max} are resolved per operation. Split the references over several operations.`,
              { http: { status: 400 } },
            );
          }
        },
      };
    },
  };
}
