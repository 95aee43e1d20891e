/**
 * The runtime schema: Healthie's approved subset, wrapped with @graphql-tools/wrap so that every
 * root field delegates to Healthie, served as a Federation 2 subgraph.
 *
 * Both inputs are committed artifacts (no introspection of Healthie at boot):
 * - schema/healthie-approved.graphql, the subset in Healthie's names, is what gets wrapped;
 * - schema/healthie.graphql, the subgraph SDL, is what the router composes.
 * The naming transforms turn the first into the second; a start-up check proves they agree, so a
 * hand-edited or stale artifact fails at boot instead of at the first request.
 */
import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Subschema } from '@graphql-tools/delegate';
import { getResolversFromSchema, type Executor, type IResolvers } from '@graphql-tools/utils';
import { wrapSchema } from '@graphql-tools/wrap';
import { buildSchema, isObjectType, isInputObjectType, parse, type GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { ENTITIES, type EntityTypeName } from '../schema/federation.js';
import { createNamingTransforms } from '../schema/naming.js';
import type { SubgraphContext } from '../context.js';
import { inputDefaults, withInputDefaults, type InputDefaults } from './defaults.js';
import { recordBatchedRequest, withRootNulls } from './null-data.js';
import { guardEntities, representationId, representationPosition } from './representations.js';
import { DATE_LITERALS } from './date-literals.js';
import { resolvingReservedKeys, withSeparateAliases } from './colliding-aliases.js';
import { takingUnplacedErrors } from './unplaced-errors.js';
import { checkingAnswerShapes, checkingRootLists } from './answer-shapes.js';
import { bookOnce } from '../booking/book.js';
import { delegatedBooking } from '../booking/delegation.js';

type SubgraphResolvers = Extract<Parameters<typeof buildSubgraphSchema>[0], { resolvers?: unknown }>['resolvers'];

const SCHEMA_DIR = new URL('../../schema/', import.meta.url);
export const APPROVED_SDL_URL = new URL('healthie-approved.graphql', SCHEMA_DIR);
export const SUBGRAPH_SDL_URL = new URL('healthie.graphql', SCHEMA_DIR);

/**
 * Most root fields merged into one upstream request. All Healthie fields of one operation, and
 * all entity references of one `_entities` call, go out as a single request up to this many;
 * beyond it they are split into several requests, which keeps each request under Healthie's
 * complexity limit.
 */
export const MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST = 50;

export interface RuntimeSchema {
  /** The federated schema served to the router. */
  readonly schema: GraphQLSchema;
  /** The delegation target; entity loaders delegate through it too so their calls batch with the rest. */
  readonly subschema: Subschema<unknown, unknown, unknown, SubgraphContext>;
  /** The wrapped schema (subgraph names, no federation additions). */
  readonly wrapped: GraphQLSchema;
}

function fieldSignatures(schema: GraphQLSchema, typeNames: Iterable<string>): string[] {
  const signatures: string[] = [];
  for (const name of typeNames) {
    const type = schema.getType(name);
    if (!type) {
      signatures.push(`${name}: missing`);
      continue;
    }
    if (isObjectType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        const args = 'args' in field ? field.args.map((a: { name: string; type: unknown }) => `${a.name}:${String(a.type)}`).join(',') : '';
        signatures.push(`${name}.${field.name}(${args}):${String(field.type)}`);
      }
    } else signatures.push(`${name}:${type.constructor.name}`);
  }
  return signatures.sort();
}

/** Fields @apollo/subgraph adds; they have no Healthie counterpart. */
const FEDERATION_FIELDS = /^Query\._(service|entities)\(/;

/** Types of a schema that come from Healthie: everything but introspection and federation types. */
function healthieTypeNames(schema: GraphQLSchema): string[] {
  return Object.keys(schema.getTypeMap()).filter((name) => !name.startsWith('_') && !name.startsWith('link__') && !name.startsWith('federation__'));
}

/**
 * Throws when the wrapped Healthie subset and the subgraph SDL disagree on any type, field or
 * argument, in either direction: a field only in the SDL would fail at request time, a field only
 * in the subset would be unreachable.
 */
function assertArtifactsAgree(wrapped: GraphQLSchema, subgraph: GraphQLSchema): void {
  const names = [...new Set([...healthieTypeNames(wrapped), ...healthieTypeNames(subgraph)])];
  const fromSubset = new Set(fieldSignatures(wrapped, names));
  const fromSdl = new Set(fieldSignatures(subgraph, names).filter((signature) => !FEDERATION_FIELDS.test(signature)));
  const differences = [
    ...[...fromSubset].filter((signature) => !fromSdl.has(signature)).map((signature) => `only in the approved subset: ${signature}`),
    ...[...fromSdl].filter((signature) => !fromSubset.has(signature)).map((signature) => `only in the subgraph SDL: ${signature}`),
  ];
  if (differences.length > 0) {
    throw new Error(
      `schema/healthie.graphql does not match schema/healthie-approved.graphql (${differences.slice(0, 5).join('; ')}). ` +
        'Run `npm run schema:build` and commit both files.',
    );
  }
}

/** The two committed schema files, as text. */
export interface SchemaArtifacts {
  readonly approvedSdl: string;
  readonly subgraphSdl: string;
}

export function readSchemaArtifacts(): SchemaArtifacts {
  return { approvedSdl: readFileSync(APPROVED_SDL_URL, 'utf8'), subgraphSdl: readFileSync(SUBGRAPH_SDL_URL, 'utf8') };
}

export function createRuntimeSchema(executor: Executor<SubgraphContext>, artifacts: SchemaArtifacts = readSchemaArtifacts()): RuntimeSchema {
  const approved = buildSchema(artifacts.approvedSdl);
  let defaults: InputDefaults = new Map();
  const subschema = new Subschema<unknown, unknown, unknown, SubgraphContext>({
    schema: approved,
    // Healthie receives the subgraph's input defaults even when the client omits those fields,
    // and a client's alias that would collide with a field delegation adds under a reserved key
    // (colliding-aliases.ts); an answer with `data: null` still answers each root field (null-data.ts).
    executor: withRootNulls(withInputDefaults(withSeparateAliases(executor), approved, () => defaults), approved),
    // Errors graphql-tools could not place in the answer are reported beside it (unplaced-errors.ts;
    // last in the list, it reads each answer after the naming transforms); items of root lists of
    // the wrong type become errors there (answer-shapes.ts).
    transforms: [...createNamingTransforms(), checkingRootLists, takingUnplacedErrors],
    // Merges the root fields delegated while resolving one operation into one upstream request.
    // The batcher is memoized on the context object, which is created per request, so two
    // requests (or tenants) never share a batch.
    batch: true,
    // The reducer also records each batched request's field, for null-data.ts.
    batchingOptions: { dataLoaderOptions: { maxBatchSize: MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST }, extensionsReducer: recordBatchedRequest },
  });
  const wrapped = wrapSchema(subschema);

  // `true` keeps defaultMergedResolver on every field: delegated results are keyed by the
  // client's aliases, which the plain default resolver would not find.
  const resolvers = getResolversFromSchema(wrapped, true) as IResolvers<unknown, SubgraphContext>;
  // ...and a field sent under a reserved key is read from there (colliding-aliases.ts).
  resolvingReservedKeys(resolvers, wrapped);
  // ...and a value of the wrong shape is Healthie's bad answer, as on the planned path (answer-shapes.ts).
  checkingAnswerShapes(resolvers, wrapped);
  for (const typeName of Object.keys(ENTITIES) as EntityTypeName[]) {
    resolvers[typeName] = {
      ...(resolvers[typeName] as object),
      __resolveReference: async (reference: { id?: unknown }, context: SubgraphContext, info: GraphQLResolveInfo) =>
        context.loaders.entity(typeName, info).load(representationId(reference), representationPosition(reference)),
    };
  }

  // Bookings go through bookOnce: one Idempotency-Key, at most one appointment (src/booking).
  resolvers.Mutation = {
    ...(resolvers.Mutation as object),
    healthieCreateAppointment: (_root: unknown, args: { input?: Record<string, unknown> | null }, context: SubgraphContext, info: GraphQLResolveInfo) =>
      bookOnce(context, args.input, delegatedBooking(subschema, wrapped.getType('HealthieAppointment') as GraphQLObjectType, context, info)),
  };

  // Date literals are checked while validating; parseValue stays as it is (date-literals.ts).
  Object.assign(resolvers, DATE_LITERALS);

  const schema = buildSubgraphSchema({
    typeDefs: parse(artifacts.subgraphSdl),
    // IResolvers (graphql-tools) and Apollo's GraphQLResolverMap describe the same shape.
    resolvers: resolvers as SubgraphResolvers,
  });
  guardEntities(schema);
  assertArtifactsAgree(wrapped, schema);
  defaults = inputDefaults(approved, schema);
  return { schema, subschema, wrapped };
}
