/**
 * The deployable build, as the Dockerfile's runtime stage runs it: compile with
 * tsconfig.build.json, copy the output beside package files and schema/ into an empty directory,
 * `npm ci --omit=dev` there, start `node dist/main.js` (no tsx, no dev dependencies) in
 * production mode against the sandbox, query it, run the image's HEALTHCHECK command, stop it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, startSandbox, type StartedSandbox } from '../src/sandbox/index.js';

const run = promisify(execFile);
const SECRET = 'router-secret-for-the-build-test-0123456789';
const DOCKERFILE = readFileSync('Dockerfile', 'utf8');

describe('the production build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'healthie-subgraph-build-'));
  let sandbox: StartedSandbox | undefined;
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('describes a multi-stage image with production dependencies only, a non-root user and a health check', () => {
    expect(DOCKERFILE.match(/^FROM /gm)).toHaveLength(2);
    expect(DOCKERFILE).toMatch(/^RUN npm run build$/m);
    expect(DOCKERFILE).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(DOCKERFILE).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(DOCKERFILE).toMatch(/^COPY schema \.\/schema$/m);
    expect(DOCKERFILE).toMatch(/^USER node$/m);
    expect(DOCKERFILE).toMatch(/^HEALTHCHECK .*\/healthz/ms);
    expect(DOCKERFILE).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(JSON.parse(readFileSync('package.json', 'utf8')).scripts.build).toContain('tsc -p tsconfig.build.json');
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', '.git', '.env', 'test']) expect(ignored).toContain(entry);
  });

  it('runs from dist/ with production dependencies only, and answers the router', async () => {
    // Build stage: the build script's compiler step, into the image's layout.
    await run('node_modules/.bin/tsc', ['-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')]);
    // Runtime stage: package files, npm ci --omit=dev, dist/ and schema/.
    for (const file of ['package.json', 'package-lock.json', '.npmrc']) cpSync(file, join(dir, file));
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeout: 240_000 });
    cpSync('schema', join(dir, 'schema'), { recursive: true });
    expect(existsSync(join(dir, 'node_modules', '@apollo', 'server'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules', 'vitest'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules', 'typescript'))).toBe(false);

    sandbox = await startSandbox();
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HEALTHIE_API_URL: sandbox.url,
      HEALTHIE_API_KEY: DEMO_API_KEY,
      ROUTER_SECRET: SECRET,
      HOST: '127.0.0.1',
      PORT: '0',
      // The image's ENV NODE_OPTIONS: a V8 flag Node refuses would stop it from starting.
      NODE_OPTIONS: /NODE_OPTIONS=(\S+)/.exec(DOCKERFILE)?.[1] ?? '',
    };
    child = spawn('node', ['dist/main.js'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += String(chunk)));
    child.stderr!.on('data', (chunk) => (output += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child!.on('close', (code) => resolve(code)));
    let url: string | undefined;
    for (let waited = 0; !url && waited < 30_000; waited += 100) {
      url = /"url":"(http:\/\/127\.0\.0\.1:\d+\/graphql)"/.exec(output)?.[1];
      if (!url) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(url, output).toBeDefined();

    const query = (headers: Record<string, string>) =>
      fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ healthieCurrentUser { id } }' }) });
    const answered = await query({ 'router-authorization': SECRET });
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { data: { healthieCurrentUser: { id: string } } }).data.healthieCurrentUser.id).toEqual(expect.any(String));
    expect((await query({})).status).toBe(401);

    // The image's HEALTHCHECK command, as Docker would run it inside the container.
    const line = DOCKERFILE.replace(/\\\n\s*/g, '').split('\n').find((l) => l.startsWith('HEALTHCHECK '))!;
    const healthcheck = JSON.parse(/ CMD (\[.*\])$/.exec(line)![1]!) as string[];
    const port = new URL(url!).port;
    await expect(run(healthcheck[0]!, healthcheck.slice(1), { env: { PATH: env.PATH, PORT: port } })).resolves.toBeDefined();
    await expect(run(healthcheck[0]!, healthcheck.slice(1), { env: { PATH: env.PATH, PORT: '1' } })).rejects.toBeDefined();

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 300_000);
});
