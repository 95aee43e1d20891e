/**
 * `npm start` as a user runs it: a real process, no configuration, the built-in sandbox.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';

const TSX = 'node_modules/.bin/tsx';

function start(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  // Own process group, so cleanup reaches the server process behind the tsx wrapper too.
  const child = spawn(TSX, ['src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  // 'close' waits for the output streams too, so the last lines are read before asserting.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(pattern: RegExp, output: () => string, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = output().match(pattern);
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${pattern}; output so far:\n${output()}`);
}

describe('npm start', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('boots with no configuration against the synthetic sandbox and answers healthieCurrentUser', async () => {
    const run = start({ PORT: '0' });
    children.push(run.child);
    const [, url] = await waitFor(/GraphQL and Apollo Sandbox: (http:\/\/\S+)/, run.output);
    expect(run.output()).toMatch(/SYNTHETIC/);

    const response = await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ healthieCurrentUser { id organization { name } } }' }),
    });
    const body = (await response.json()) as { data: { healthieCurrentUser: { id: string; organization: { name: string } } } };
    expect(body.data.healthieCurrentUser.id).toMatch(/^\d+$/);
    expect(body.data.healthieCurrentUser.organization.name).toEqual(expect.any(String));

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('refuses to start in production without HEALTHIE_API_URL, saying how to fix it', async () => {
    const run = start({ NODE_ENV: 'production', PORT: '0' });
    children.push(run.child);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('HEALTHIE_API_URL is required when NODE_ENV=production');
  });

  it('refuses to start with an unrecognised NODE_ENV such as Production, listing the accepted values', async () => {
    const run = start({ NODE_ENV: 'Production', PORT: '0' });
    children.push(run.child);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('NODE_ENV must be one of development, test, production');
  });

  it('refuses to start in production with a server-level key and no ROUTER_SECRET, naming ROUTER_SECRET', async () => {
    const run = start({ NODE_ENV: 'production', PORT: '0', HEALTHIE_API_URL: 'https://api.gethealthie.com/graphql', HEALTHIE_API_KEY: 'server-key-value' });
    children.push(run.child);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('ROUTER_SECRET is required');
    expect(run.output()).not.toContain('server-key-value');
  });
});
