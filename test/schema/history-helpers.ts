/** Allowlists and git repositories made for the allowlist-history tests. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An allowlist approving Query.users with the given arguments, at the given version. */
export function allowlistText(version: string | undefined, args: readonly string[], reason = 'Patients and providers.'): string {
  return [
    ...(version ? [`healthieApiVersion: "${version}"`] : []),
    'query:',
    '  users:',
    `    reason: ${reason}`,
    '    args:',
    ...args.map((arg) => `      ${arg}: Paging.`),
    'types:',
    '  User:',
    '    reason: A patient or provider.',
    '    fields:',
    '      id: Its id.',
  ].join('\n');
}

/** A git repository whose schema/approved.yaml went through `versions`, one commit each. */
export function repositoryWith(versions: ReadonlyArray<readonly [version: string | undefined, args: readonly string[]]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'healthie-allowlist-history-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '--quiet');
  git('config', 'user.email', 'schema@example.invalid');
  git('config', 'user.name', 'schema');
  mkdirSync(join(dir, 'schema'));
  versions.forEach(([version, args], index) => {
    writeFileSync(join(dir, 'schema/approved.yaml'), allowlistText(version, args));
    git('add', '.');
    git('commit', '--quiet', '-m', `allowlist ${index}`);
  });
  return dir;
}
