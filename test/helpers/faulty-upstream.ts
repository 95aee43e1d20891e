/**
 * A fault-injecting Healthie in front of the sandbox: it forwards every request, and for the
 * requests a test picks (e.g. createAppointment) it loses or replaces the answer after Healthie
 * acted on it:
 * - 'drop': the connection is destroyed once the sandbox has answered;
 * - 'hang': no answer at all, until the client gives up;
 * - a Replacement: this status and body instead of the sandbox's answer (a 5xx, an empty or
 *   broken GraphQL answer to a booking that was made).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The status (default 200) and body (a string as is, anything else as JSON) to answer instead. */
export interface Replacement {
  readonly status?: number;
  /** The body, or a function of the request's GraphQL document (e.g. to name its root field). */
  readonly body: unknown;
}

export type Fault = 'drop' | 'hang' | Replacement | ((query: string) => Replacement);

export interface FaultyUpstream {
  url: string;
  /** The fault for the next requests whose body matches `pattern`, `times` times. */
  inject(fault: Fault, pattern: RegExp, times?: number): void;
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
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) headers[name] = value;
    }
    const answer = await fetch(targetUrl, { method: 'POST', headers, body });
    const text = await answer.text();
    if (planned && planned.times > 0 && planned.pattern.test(body.toString('utf8'))) {
      planned.times -= 1;
      const fault = planned.fault;
      if (fault === 'drop') request.socket.destroy();
      // 'hang': never answer; close() ends the socket.
      if (fault === 'drop' || fault === 'hang') return;
      const { status = 200, body: replaced } = typeof fault === 'function' ? fault(graphqlQuery(body)) : fault;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(typeof replaced === 'string' ? replaced : JSON.stringify(replaced));
      return;
    }
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    response.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    inject(fault, pattern, times = 1) {
      planned = { fault, pattern, times };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
