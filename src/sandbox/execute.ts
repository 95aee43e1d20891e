/**
 * One GraphQL request, Healthie-style: parse, validate, enforce depth and complexity, execute.
 * Every outcome here is HTTP 200 with `errors`, as graphql-ruby answers; only transport problems
 * (auth, malformed JSON, size) get other statuses, and those are decided by the server.
 */
import {
  GraphQLError,
  Kind,
  execute,
  getOperationAST,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { MAX_COMPLEXITY, MAX_DEPTH, fragmentsOf, queryComplexity, queryDepth } from './limits.js';
import type { SandboxContext } from './resolvers.js';

/** Parsing is the one step that runs before any limit; a token cap keeps it cheap whatever is sent. */
const MAX_TOKENS = 20_000;

export interface GraphQLRequestBody {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly operationName?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The request body, or a message saying why it is not a GraphQL request. */
export function readRequestBody(raw: string): GraphQLRequestBody | { readonly problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { problem: 'The request body is not valid JSON' };
  }
  if (!isRecord(parsed)) return { problem: 'The request body must be a JSON object' };
  const { query, variables, operationName } = parsed;
  if (typeof query !== 'string' || query.trim() === '') return { problem: 'The request body needs a "query" string' };
  if (variables !== undefined && variables !== null && !isRecord(variables)) return { problem: '"variables" must be an object' };
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return { problem: '"operationName" must be a string' };
  }
  return {
    query,
    ...(isRecord(variables) ? { variables } : {}),
    ...(typeof operationName === 'string' ? { operationName } : {}),
  };
}

function limitError(message: string, code: string): ExecutionResult {
  return { errors: [new GraphQLError(message, { extensions: { code } })] };
}

/** The operation that will run; all of them when the name does not pick one (execution then reports why). */
function operationsToMeasure(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode[] {
  const chosen = getOperationAST(document, operationName);
  if (chosen) return [chosen];
  return document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
}

export async function runGraphQL(schema: GraphQLSchema, request: GraphQLRequestBody, context: SandboxContext): Promise<ExecutionResult> {
  let document: DocumentNode;
  try {
    document = parse(request.query, { maxTokens: MAX_TOKENS });
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    throw error;
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) return { errors: invalid };

  const fragments = fragmentsOf(document);
  const operations = operationsToMeasure(document, request.operationName);
  const depth = Math.max(0, ...operations.map((operation) => queryDepth(operation, fragments)));
  if (depth > MAX_DEPTH) {
    return limitError(`Query has depth of ${depth}, which exceeds max depth of ${MAX_DEPTH}`, 'MAX_DEPTH_EXCEEDED');
  }
  const variables = request.variables ?? {};
  const complexity = Math.max(0, ...operations.map((operation) => queryComplexity(schema, operation, fragments, variables)));
  if (complexity > MAX_COMPLEXITY) {
    return limitError(
      `Query has complexity of ${complexity}, which exceeds max complexity of ${MAX_COMPLEXITY}`,
      'MAX_COMPLEXITY_EXCEEDED',
    );
  }

  return execute({
    schema,
    document,
    variableValues: request.variables,
    operationName: request.operationName,
    contextValue: context,
  });
}
