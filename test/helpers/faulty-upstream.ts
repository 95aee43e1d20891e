/**
 * A fault-injecting Healthie in front of the sandbox: it forwards every request, and for the
 * requests a test picks (e.g. createAppointment) it loses or replaces the answer after Healthie
 * acted on it:
 * - 'drop': the connection is destroyed once the sandbox has answered;
 * - 'hang': no answer at all, until the client gives up;
 * - a Replacement: this status and body instead of the sandbox's answer (a 5xx, an empty or
 *   broken GraphQL answer to a booking that was made); with `forward: false` the request never
 *   reaches the sandbox (Healthie refusing it without running it: a refused key, a rate limit).
 * It can also change the answers it passes on (`rewrite`), to serve values the sandbox never makes.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The status (default 200) and body (a string as is, anything else as JSON) to answer instead. */
export interface Replacement {
  readonly status?: number;
  /** The body, or a function of the request's GraphQL document (e.g. to name its root field). */
  readonly body: unknown;
  /** False: answer without passing the request on, so the sandbox never acts on it. Default true. */
  readonly forward?: boolean;
  /** Wait this long before answering (e.g. so that duplicates arrive while it is in flight). */
  readonly delayMs?: number;
}

export type Fault = 'drop' | 'hang' | Replacement | ((query: string) => Replacement);

export interface FaultyUpstream {
  url: string;
  /** The fault for the next requests whose body matches `pattern`, `times` times. */
  inject(fault: Fault, pattern: RegExp, times?: number): void;
  /** Every answer from now on passes through `change` (its JSON text) before it is sent. */
  rewrite(change: ((text: string) => string) | undefined): void;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function graphqlQuery(body: Buffer): string {
  try {
    return String((JSON.parse(body.toString('utf8')) as { query?: unknown }).query ?? '');
  } catch {
    return '';
  }
}

export async function startFaultyUpstream(targetUrl: string): Promise<FaultyUpstream> {
  let planned: { fault: Fault; pattern: RegExp; times: number } | undefined;
  let change: ((text: string) => string) | undefined;
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) headers[name] = value;
    }
    let fault: Fault | undefined;
    if (planned && planned.times > 0 && planned.pattern.test(body.toString('utf8'))) {
      planned.times -= 1;
      fault = planned.fault;
    }
    const replacement = fault === undefined || fault === 'drop' || fault === 'hang' ? undefined : typeof fault === 'function' ? fault(graphqlQuery(body)) : fault;
    const reply = ({ status = 200, body: replaced }: Replacement) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(typeof replaced === 'string' ? replaced : JSON.stringify(replaced));
    };
    if (replacement?.delayMs) await new Promise((resolve) => setTimeout(resolve, replacement.delayMs));
    if (replacement?.forward === false) return reply(replacement);
    const answer = await fetch(targetUrl, { method: 'POST', headers, body });
    const text = await answer.text();
    if (fault === 'drop') request.socket.destroy();
    // 'hang': never answer; close() ends the socket.
    if (fault === 'drop' || fault === 'hang') return;
    if (replacement) return reply(replacement);
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    response.end(change ? change(text) : text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    inject(fault, pattern, times = 1) {
      planned = { fault, pattern, times };
    },
    rewrite(next) {
      change = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
