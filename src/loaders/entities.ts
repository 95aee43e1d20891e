/**
 * Entity loaders: resolve `HealthieUser` and `HealthieAppointment` references from other
 * subgraphs by id, many references at a time.
 *
 * Loaders are created per request, inside the request's context, and are keyed by the
 * `_entities` selection they serve (the field nodes of that request's document). Nothing here
 * outlives the request: a loader map shared across requests would hand one request's cached
 * results, possibly another tenant's patients, to the next.
 *
 * Why `user(id:)` per reference rather than `users(ids:)`: Healthie's `users` lists patients only
 * and pages at 10, so providers and large batches would silently come back incomplete. Each
 * reference becomes an aliased root field; the subschema's batching merges every root field
 * delegated in the same tick into one upstream request (up to MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST).
 */
import DataLoader from 'dataloader';
import { delegateToSchema, type Subschema } from '@graphql-tools/delegate';
import { Kind, OperationTypeNode, type FieldNode, type GraphQLOutputType, type GraphQLResolveInfo } from 'graphql';
import { ENTITIES, type EntityTypeName } from '../schema/federation.js';
import { subgraphRootFieldName } from '../schema/naming.js';

export interface EntityLoaders {
  /** The loader for `typeName` references selected by this `_entities` field. */
  entity(typeName: EntityTypeName, info: GraphQLResolveInfo): DataLoader<string, unknown>;
}

const ID_FIELD: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'id' } };

/** The `_entities` field nodes with `id` added to their selection, so every fetch includes the key. */
function withIdSelected(fieldNodes: readonly FieldNode[]): FieldNode[] {
  return fieldNodes.map((node) => ({
    ...node,
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [ID_FIELD, ...(node.selectionSet?.selections ?? [])],
    },
  }));
}

export function createEntityLoaders<TContext extends Record<string, unknown>>(
  subschema: Subschema<unknown, unknown, unknown, TContext>,
  wrappedTypes: (typeName: EntityTypeName) => GraphQLOutputType,
  context: TContext,
): EntityLoaders {
  const loadersBySelection = new WeakMap<readonly FieldNode[], Map<EntityTypeName, DataLoader<string, unknown>>>();

  function createLoader(typeName: EntityTypeName, info: GraphQLResolveInfo): DataLoader<string, unknown> {
    const fieldName = subgraphRootFieldName(ENTITIES[typeName].rootField);
    const returnType = wrappedTypes(typeName);
    const fieldNodes = withIdSelected(info.fieldNodes);
    return new DataLoader<string, unknown>((ids) =>
      Promise.all(
        ids.map((id) =>
          delegateToSchema({
            schema: subschema,
            operation: OperationTypeNode.QUERY,
            fieldName,
            args: { id },
            returnType,
            fieldNodes,
            context,
            info,
          }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
        ),
      ),
    );
  }

  return {
    entity(typeName, info) {
      let byType = loadersBySelection.get(info.fieldNodes);
      if (!byType) {
        byType = new Map();
        loadersBySelection.set(info.fieldNodes, byType);
      }
      let loader = byType.get(typeName);
      if (!loader) {
        loader = createLoader(typeName, info);
        byType.set(typeName, loader);
      }
      return loader;
    },
  };
}
