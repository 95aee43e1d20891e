/**
 * The HTTP surface: /healthz, /readyz, Apollo Sandbox and introspection, in development and
 * production modes.
 */
import { readFileSync } from 'node:fs';
import { getIntrospectionQuery, Kind, parse, print, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY } from '../src/sandbox/index.js';
import { startStack, type Stack } from './helpers/stack.js';

/** `Type.field(arg: T): T` for every object and input field of an SDL document, federation additions aside. */
function sdlCoordinates(sdl: string): string[] {
  const coordinates: string[] = [];
  for (const definition of parse(sdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INPUT_OBJECT_TYPE_DEFINITION) continue;
    if (definition.name.value.startsWith('_')) continue;
    for (const field of definition.fields ?? []) {
      if (field.name.value.startsWith('_')) continue;
      const args = 'arguments' in field ? (field.arguments ?? []).map((a) => `${a.name.value}: ${print(a.type)}`).join(', ') : '';
      coordinates.push(`${definition.name.value}.${field.name.value}(${args}): ${print(field.type)}`);
    }
  }
  return coordinates.sort();
}

const COMMITTED = sdlCoordinates(readFileSync('schema/healthie.graphql', 'utf8'));

describe('outside production', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('answers /healthz and /readyz when Healthie is reachable', async () => {
    const base = stack.url.replace('/graphql', '');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('shows the Apollo Sandbox landing page to a browser', async () => {
    const page = await fetch(stack.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('embeddable-sandbox');
  });

  it('answers introspection with only the Healthie types of the committed SDL', async () => {
    const result = await stack.query(getIntrospectionQuery());
    expect(result.body.errors).toBeUndefined();
    const names = (result.body.data!.__schema.types as Array<{ name: string }>).map((t) => t.name).filter((n) => n.startsWith('Healthie'));
    const scalars = [...readFileSync('schema/healthie.graphql', 'utf8').matchAll(/^scalar (\w+)/gm)].map((match) => match[1]!);
    const committed = [...new Set([...COMMITTED.map((c) => c.slice(0, c.indexOf('.'))), ...scalars])].filter((n) => n.startsWith('Healthie'));
    expect(names.sort()).toEqual(committed.sort());
    // Eight types, three connections and their edges, page info, and the cursor and date scalars.
    expect(names).toHaveLength(18);
  });

  it('serves _service { sdl } without any key, as the router needs', async () => {
    const result = await stack.query('{ _service { sdl } }');
    expect(result.body.data!._service.sdl).toMatch(/type HealthieUser\s+@key\(fields: "id"\)/);
  });

  it('serves exactly the committed subgraph schema: same fields, arguments and types', async () => {
    const result = await stack.query('{ _service { sdl } }');
    expect(sdlCoordinates(result.body.data!._service.sdl)).toEqual(COMMITTED);
    expect(COMMITTED.length).toBeGreaterThan(50);
  });

  it('introspects to exactly the committed fields, nothing more', async () => {
    const result = await stack.query<IntrospectionQuery>(getIntrospectionQuery());
    const live: string[] = [];
    for (const type of result.body.data!.__schema.types) {
      if (type.name.startsWith('_') || !('fields' in type || 'inputFields' in type)) continue;
      const fields = type.kind === 'INPUT_OBJECT' ? type.inputFields : type.kind === 'OBJECT' ? type.fields : [];
      for (const field of fields ?? []) {
        if (!field.name.startsWith('_')) live.push(`${type.name}.${field.name}`);
      }
    }
    expect(live.sort()).toEqual(COMMITTED.map((c) => c.slice(0, c.indexOf('('))).sort());
  });

  it('includes stack traces in errors outside production, for developers', async () => {
    const result = await stack.query('{ nope }', {}, { 'x-healthie-api-key': DEMO_API_KEY });
    expect(result.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.body.errors?.[0]?.extensions?.stacktrace).toEqual(expect.arrayContaining([expect.stringContaining('GraphQLError')]));
  });
});

describe('in production', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { NODE_ENV: 'production' } });
  });
  afterAll(() => stack.close());

  it('serves no Sandbox landing page', async () => {
    const page = await fetch(stack.url, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(html).not.toContain('embeddable-sandbox');
  });

  it('refuses introspection but still serves _service for the router', async () => {
    const introspection = await stack.query('{ __schema { types { name } } }');
    expect(introspection.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const service = await stack.query('{ _service { sdl } }');
    expect(service.body.data!._service.sdl).toContain('HealthieUser');
  });

  it('never sends stack traces to clients', async () => {
    const result = await stack.query('{ nope }');
    expect(result.body.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
    const failed = await stack.query('{ healthieCurrentUser { id } }', {}, { 'x-healthie-api-key': 'wrong' });
    expect(failed.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(failed.body.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
  });
});

describe('browser access for Apollo Sandbox', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  const preflight = (origin: string) =>
    fetch(stack.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-healthie-api-key' },
    });

  it('lets Apollo Sandbox send x-healthie-api-key from the browser', async () => {
    const response = await preflight('https://sandbox.embed.apollographql.com');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://sandbox.embed.apollographql.com');
    expect(response.headers.get('access-control-allow-headers')).toContain('x-healthie-api-key');

    const result = await fetch(stack.url, {
      method: 'POST',
      headers: { origin: 'https://sandbox.embed.apollographql.com', 'content-type': 'application/json', 'x-healthie-api-key': DEMO_API_KEY },
      body: JSON.stringify({ query: '{ healthieCurrentUser { id } }' }),
    });
    expect(((await result.json()) as { data: { healthieCurrentUser: { id: string } } }).data.healthieCurrentUser.id).toEqual(expect.any(String));
    expect(stack.sandbox.requests.at(-1)!.headers.authorization).toBe(`Basic ${DEMO_API_KEY}`);
  });

  it('gives other web pages no CORS access', async () => {
    const response = await preflight('https://attacker.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
