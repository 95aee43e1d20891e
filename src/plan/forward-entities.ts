/**
 * Forwarding an `_entities` call: the request's references, each distinct one fetched once, as
 * aliased `user(id:)` / `appointment(id:)` root fields, at most MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST
 * per Healthie request, and the answers put back in reference order.
 *
 * Why apart from forward.ts: the Healthie document of an entity call depends on the request's
 * representations (how many, of which types), so it is assembled per request from templates
 * parsed once per plan and mix of types; and Healthie's paths (`e3.organization`) map to the
 * client's (`_entities.7.organization`) through the reference positions.
 */
import { GraphQLError, Kind, locatedError, parse, print, visit, type DocumentNode, type ExecutionResult, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { preparedOperation, type PreparedOperation } from '../operation/normalize.js';
import { retainDocument } from './retained.js';
import type { EntityTypeName } from '../schema/federation.js';
import { MAX_ENTITY_REFERENCES, representationId, representationProblem } from '../subgraph/representations.js';
import { MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST } from '../subgraph/schema.js';
import { badAnswer, INVALID, type Completer, type Run } from './complete.js';
import type { EntitiesPlan } from './entities.js';
import type { Forwarded, ForwardRequest, ForwardTools } from './forward.js';

/** Entity documents kept per plan, by their mix of types (most plans use one or two). */
const MAX_ENTITY_DOCUMENTS_PER_PLAN = 64;

type Reference = { type: EntityTypeName; id: string; positions: number[] };

/**
 * Marks where each reference's id goes in a template's printed text. Not a valid id a client
 * could send by accident: a template whose text holds it anywhere else is simply not used as text.
 */
const ID_MARK = `\u0000id${Math.random().toString(36).slice(2)}`;
/** Ids that print as themselves between quotes (graphql-js escapes only what this leaves out). */
const PLAIN_ID = /^[^"\\\u0000-\u001f\u007f-\u009f]*$/;
/**
 * A lone surrogate: JSON carries one, but GraphQL's lexer refuses it in a string literal (escaped
 * or not), so Healthie would refuse the whole request and every reference in it. Such requests
 * keep the delegation path, which sends ids as variables.
 */
const LONE_SURROGATE = /\p{Surrogate}/u;

interface Template {
  /** The document with ids as placeholders: what Healthie's errors are read against. */
  readonly document: DocumentNode;
  /** The printed text split around the ids, or undefined when the split is not clean. */
  readonly pieces: readonly string[] | undefined;
  /** Fields in the template, for the upstream size bound. */
  readonly fields: number;
}

function countFields(node: DocumentNode): number {
  let fields = 0;
  visit(node, { Field: () => void (fields += 1) });
  return fields;
}

/** The template with the chunk's ids as literals, for the client to print (a rare, unclean split). */
function withIds(template: DocumentNode, chunk: readonly Reference[]): DocumentNode {
  const operation = template.definitions[0] as OperationDefinitionNode;
  const selections = (operation.selectionSet.selections as FieldNode[]).map((field, i) => ({
    ...field,
    arguments: [{ ...field.arguments![0]!, value: { kind: Kind.STRING, value: chunk[i]!.id } as const }],
  }));
  return { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet: { kind: Kind.SELECTION_SET, selections } }] };
}

export function createEntityForwarder(tools: ForwardTools, completer: Completer) {
  const entityTemplates = new WeakMap<EntitiesPlan, Map<string, Template>>();

  function templateFor(plan: EntitiesPlan, types: readonly EntityTypeName[]): Template {
    let templates = entityTemplates.get(plan);
    if (!templates) entityTemplates.set(plan, (templates = new Map()));
    const key = types.join(',');
    let template = templates.get(key);
    if (!template) {
      const used = [...new Set(types.flatMap((t) => plan.types.get(t)!.variables))].map((v) => plan.variableDefinitions.get(v)!);
      const fields = types.map((t, i) => `e${i}: ${plan.types.get(t)!.rootField}(id: ${JSON.stringify(ID_MARK)}) ${plan.types.get(t)!.selection}`).join(' ');
      const document = parse(`query${used.length > 0 ? `(${used.join(' ')})` : ''} { ${fields} }`, { noLocation: true });
      const pieces = print(document).split(print({ kind: Kind.STRING, value: ID_MARK }));
      template = {
        document,
        pieces: pieces.length === types.length + 1 ? pieces : undefined,
        fields: countFields(document),
      };
      if (templates.size < MAX_ENTITY_DOCUMENTS_PER_PLAN) {
        templates.set(key, template);
        retainDocument(plan.retained, document);
      }
    }
    return template;
  }

  /**
   * The Healthie request for one chunk: the template for its mix of types (built once per plan)
   * with each reference's id as a string literal, so Healthie receives what a client fetching
   * those users by id would send. Only the ids are new per request: the text is the template's
   * with the ids put in (escaped as graphql-js prints them), and Healthie's errors are read
   * against the template itself, whose paths and names are the request's. Nothing else of the
   * document is built per request.
   */
  function entityRequest(plan: EntitiesPlan, chunk: readonly Reference[]): { document: DocumentNode; prepared?: PreparedOperation } {
    const template = templateFor(plan, chunk.map((entry) => entry.type));
    const pieces = template.pieces;
    if (!pieces) return { document: withIds(template.document, chunk) };
    let text = pieces[0]!;
    for (let i = 0; i < chunk.length; i += 1) {
      const id = chunk[i]!.id;
      text += (PLAIN_ID.test(id) ? `"${id}"` : print({ kind: Kind.STRING, value: id })) + pieces[i + 1]!;
    }
    return { document: template.document, prepared: preparedOperation(text, template.fields, template.document) };
  }

  return async function forwardEntities(plan: EntitiesPlan, request: ForwardRequest): Promise<Forwarded | undefined> {
    const variables = tools.variablesFor(plan.variables, request);
    if (!variables) return undefined;
    const representations = variables.coerced[plan.representations] as unknown[];
    if (representations.length > MAX_ENTITY_REFERENCES || representations.some((r) => representationProblem(r) !== undefined)) return undefined;
    if (representations.some((r) => LONE_SURROGATE.test(representationId(r as { id: unknown })))) return undefined;

    // One fetch per distinct reference, grouped by type so that documents repeat across requests.
    const distinct = new Map<string, Reference>();
    representations.forEach((representation, position) => {
      const type = (representation as { __typename: EntityTypeName }).__typename;
      const id = representationId(representation as { id: unknown });
      const key = `${type}\u0000${id}`;
      const entry = distinct.get(key);
      if (entry) entry.positions.push(position);
      else distinct.set(key, { type, id, positions: [position] });
    });
    const ordered = [...distinct.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
    const items: unknown[] = new Array(representations.length).fill(null);
    const run: Run = { errors: [], variables: variables.coerced };
    const errors = run.errors;
    const chunks: Reference[][] = [];
    for (let i = 0; i < ordered.length; i += MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST) chunks.push(ordered.slice(i, i + MAX_ROOT_FIELDS_PER_UPSTREAM_REQUEST));

    await Promise.all(
      chunks.map(async (chunk) => {
        const sent: Record<string, unknown> = {};
        for (const type of new Set(chunk.map((e) => e.type))) {
          for (const name of plan.types.get(type)!.variables) if (Object.hasOwn(variables.sent, name)) sent[name] = variables.sent[name];
        }
        let result: ExecutionResult;
        try {
          // The document is anonymous: the client's operation name names nothing in it.
          const { document, prepared } = entityRequest(plan, chunk);
          result = await tools.send(document, sent, request, undefined, prepared);
        } catch (error) {
          for (const entry of chunk) for (const position of entry.positions) errors.push(locatedError(error, plan.nodes, [plan.key, position]));
          return;
        }
        const data = (result.data ?? {}) as Record<string, unknown>;
        for (const error of result.errors ?? []) {
          const [alias, ...rest] = error.path ?? [];
          // Only a path under one of the aliases sent names a reference; any other is the request's.
          const entry = typeof alias === 'string' && /^e\d+$/.test(alias) ? chunk[Number(alias.slice(1))] : undefined;
          for (const position of entry?.positions ?? [undefined]) {
            errors.push(new GraphQLError(error.message, { path: position === undefined ? error.path ?? [plan.key] : [plan.key, position, ...rest], extensions: error.extensions, originalError: error.originalError ?? error }));
          }
        }
        chunk.forEach((entry, i) => {
          const typePlan = plan.types.get(entry.type)!;
          const raw = typePlan.empty && data[`e${i}`] != null ? {} : data[`e${i}`];
          if (raw != null && (typeof raw !== 'object' || Array.isArray(raw))) {
            const error = badAnswer();
            for (const position of entry.positions) errors.push(locatedError(error, plan.nodes, [plan.key, position]));
            return;
          }
          // A reference repeated in the request gets its own copy (taken before any is completed),
          // completed at its own path.
          const copies = entry.positions.map((_, n) => (n === 0 ? raw : structuredClone(raw)));
          entry.positions.forEach((position, n) => {
            const completed = completer.completeObject(typePlan.shape, copies[n], { prev: { prev: undefined, key: plan.key }, key: position }, run);
            items[position] = completed === INVALID ? null : completed;
          });
        });
      }),
    );
    // In reference order (GraphQL gives the order of errors no meaning; this one is stable).
    const position = (error: GraphQLError) => (typeof error.path?.[1] === 'number' ? error.path[1] : -1);
    return { data: { [plan.key]: items }, errors: errors.sort((a, b) => position(a) - position(b)) };
  };
}
