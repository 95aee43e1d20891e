/**
 * A programmable stand-in for Healthie on an ephemeral loopback port: by default it executes the
 * approved schema (Healthie's names) over fixed data; a test swaps in a `reply` to fail in any
 * way (status, body, delay, hang) and reads what was received.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql, Kind, parse, type OperationDefinitionNode } from 'graphql';

export const approvedSchema = buildSchema(readFileSync('schema/healthie-approved.graphql', 'utf8'));

export interface ReceivedRequest {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly headers: IncomingMessage['headers'];
}

/** What to answer: a status and a body (string as is, anything else as JSON), or 'hang'. */
export type Reply = { status?: number; body: unknown; delayMs?: number } | 'hang';

export type ReplyFn = (request: ReceivedRequest, index: number) => Reply | undefined | Promise<Reply | undefined>;

export interface Upstream {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Most requests in progress at once, per Authorization header value. */
  readonly maxConcurrent: Map<string, number>;
  /** Replace the answer; undefined (or a function returning undefined) executes the schema. */
  setReply(reply: ReplyFn | undefined): void;
  close(): Promise<void>;
}

/** The fixed data the stand-in answers from (Healthie's names). */
const ROOT = {
  currentUser: () => ({ id: '1', first_name: 'Casey', organization: { id: '9', name: 'Clinic' } }),
  user: ({ id }: { id: string }) => ({ id, first_name: `User ${id}` }),
  users: () => Array.from({ length: 3 }, (_, i) => ({ id: String(1000 + i), first_name: `P${i}` })),
};

/** What the stand-in answers by default: `request` executed over the approved schema and ROOT (or `rootValue`). */
export async function executeApproved(request: ReceivedRequest, rootValue: object = ROOT): Promise<{ data?: Record<string, unknown> | null; errors?: readonly unknown[] }> {
  return (await graphql({ schema: approvedSchema, source: request.query, variableValues: request.variables, rootValue })) as never;
}

export async function startUpstream(options: { latencyMs?: number } = {}): Promise<Upstream> {
  let reply: ReplyFn | undefined;
  const received: ReceivedRequest[] = [];
  const current = new Map<string, number>();
  const maxConcurrent = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const who = String(req.headers.authorization ?? '');
    current.set(who, (current.get(who) ?? 0) + 1);
    maxConcurrent.set(who, Math.max(maxConcurrent.get(who) ?? 0, current.get(who)!));
    let done = false;
    const finished = () => {
      if (!done) current.set(who, current.get(who)! - 1);
      done = true;
    };
    res.on('close', finished);
    let text = '';
    req.on('data', (chunk) => (text += String(chunk)));
    req.on('end', async () => {
      let parsed: { query?: string; variables?: Record<string, unknown> } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        // recorded with an empty query
      }
      const request: ReceivedRequest = { query: parsed.query ?? '', variables: parsed.variables, headers: req.headers };
      const index = received.push(request) - 1;
      if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
      const answer = await reply?.(request, index);
      if (answer === 'hang') return;
      if (answer?.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      const body =
        answer !== undefined
          ? answer.body
          : await executeApproved(request);
      if (res.destroyed) return;
      res.writeHead(answer?.status ?? 200, { 'content-type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    received,
    maxConcurrent,
    setReply: (next) => (reply = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The response key of the first root field of a received request (delegation aliases root fields). */
export function rootKey(request: ReceivedRequest): string {
  const operation = parse(request.query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const field = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD)!;
  return field.kind === Kind.FIELD ? (field.alias?.value ?? field.name.value) : '';
}
