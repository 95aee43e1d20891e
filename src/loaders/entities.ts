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
 *
 * Each reference is answered at its own position of the `_entities` list, as the planned path
 * answers it: Healthie's errors name the reference (`_entities.3.organization`), not the list. A
 * repeated reference is still fetched once, under the path of its first position; every other
 * position gets that same Healthie answer completed again under its own path (replayed through
 * delegation with a local executor: nothing more is sent).
 */
import DataLoader from 'dataloader';
import { delegateToSchema, type Subschema, type Transform } from '@graphql-tools/delegate';
import { GraphQLError, Kind, OperationTypeNode, type ExecutionResult, type FieldNode, type GraphQLOutputType, type GraphQLResolveInfo } from 'graphql';
import { ENTITIES, type EntityTypeName } from '../schema/federation.js';
import { subgraphRootFieldName } from '../schema/naming.js';
import { takingUnplacedErrors, unplacedErrorsOf } from '../subgraph/unplaced-errors.js';

export interface EntityLoader {
  /** The answer for the reference `id` at `position` of the `_entities` list (undefined: the list's own path). */
  load(id: string, position?: number): Promise<unknown>;
}

export interface EntityLoaders {
  /** The loader for `typeName` references selected by this `_entities` field. */
  entity(typeName: EntityTypeName, info: GraphQLResolveInfo): EntityLoader;
}

/** One fetch of a reference: its answer at its first position, and Healthie's answer to replay at the others. */
interface Fetched {
  readonly position: number | undefined;
  readonly value: unknown;
  readonly answer: ExecutionResult | undefined;
}

/** `info` of the `_entities` field, at one position of its list. */
function atPosition(info: GraphQLResolveInfo, position: number | undefined): GraphQLResolveInfo {
  return position === undefined ? info : { ...info, path: { prev: info.path, key: position, typename: undefined } };
}

/** A copy of Healthie's JSON (objects and arrays copied, anything else shared), before delegation writes its errors into it. */
function copied(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copied);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copied((value as Record<string, unknown>)[key]);
  return copy;
}

/** A transform that keeps a copy of the answer as delegation is about to read it. */
function keepingAnswer(keep: (answer: ExecutionResult) => void): Transform {
  return {
    transformResult(result: ExecutionResult) {
      // With the errors taken out to be reported beside the answer: each position reports its own.
      const errors = [...(result.errors ?? []), ...unplacedErrorsOf(result)];
      keep({ ...result, data: copied(result.data) as ExecutionResult['data'], errors });
      return result;
    },
  };
}

/** An error already placed at a path (at the first position): a replay places it at another. */
function placed(value: unknown): boolean {
  return value instanceof GraphQLError && value.path !== undefined;
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
  const loadersBySelection = new WeakMap<readonly FieldNode[], Map<EntityTypeName, EntityLoader>>();

  function createLoader(typeName: EntityTypeName, info: GraphQLResolveInfo): EntityLoader {
    const fieldName = subgraphRootFieldName(ENTITIES[typeName].rootField);
    const returnType = wrappedTypes(typeName);
    const fieldNodes = withIdSelected(info.fieldNodes);
    // Positions are registered as the references are loaded, all before the batch is sent.
    const firstPosition = new Map<string, number | undefined>();
    const repeated = new Set<string>();
    // A local executor answers synchronously, and delegation then returns its value as is.
    const delegate = async (id: string, position: number | undefined, options: { transforms?: Transform[]; schema?: typeof subschema } = {}): Promise<unknown> => {
      try {
        return await delegateToSchema({
          schema: options.schema ?? subschema,
          operation: OperationTypeNode.QUERY,
          fieldName,
          args: { id },
          returnType,
          fieldNodes,
          context,
          info: atPosition(info, position),
          ...(options.transforms ? { transforms: options.transforms } : {}),
        });
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    };

    const loader = new DataLoader<string, Fetched>((ids) =>
      Promise.all(
        ids.map(async (id): Promise<Fetched> => {
          const position = firstPosition.get(id);
          let answer: ExecutionResult | undefined;
          const transforms = repeated.has(id) ? [keepingAnswer((kept) => (answer = kept))] : undefined;
          const value = await delegate(id, position, { transforms });
          return { position, value, answer };
        }),
      ),
    );

    /** The same answer, completed by delegation again at `position`; nothing is sent. */
    const replay = (id: string, fetched: Fetched, position: number) => {
      const answer = fetched.answer!;
      const local = { schema: subschema.transformedSchema, executor: () => ({ ...answer, data: copied(answer.data) }) as ExecutionResult };
      return delegate(id, position, { schema: local as unknown as typeof subschema, transforms: [takingUnplacedErrors] });
    };

    /** The reference's answer at `position`; rejects with its error (one failed request fails references of either type). */
    const answerAt = async (id: string, fetched: Fetched, position: number | undefined) => {
      if (position === undefined || position === fetched.position) return fetched.value;
      // Not placed (Healthie was not reached): execution places it at each position itself.
      if (!fetched.answer || (fetched.value instanceof Error && !placed(fetched.value))) return fetched.value;
      return replay(id, fetched, position);
    };

    return {
      async load(id, position) {
        if (!firstPosition.has(id)) firstPosition.set(id, position);
        else if (firstPosition.get(id) !== position) repeated.add(id);
        const value = await answerAt(id, await loader.load(id), position);
        // Thrown, not returned: @apollo/subgraph marks a returned object with its type, and one
        // error object shared by references of two types cannot carry both.
        if (value instanceof Error) throw value;
        return value;
      },
    };
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
