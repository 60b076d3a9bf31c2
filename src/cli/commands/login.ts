// docker login [SERVER]: checks the credentials with the daemon (POST /auth), then keeps
// them in config.json (or the configured credential helper), as docker does.
import { createInterface } from 'node:readline';
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { InvalidArgument } from '../../errdefs/index.js';
import { configPath, serverKey, storeCredentials } from '../docker-config.js';

export const spec: CommandSpec = {
  name: 'login', usage: 'login [OPTIONS] [SERVER]', description: 'Log in to a registry', maxArgs: 1,
  flags: [
    { long: 'password', short: 'p', type: 'string', help: 'Password' },
    { long: 'password-stdin', type: 'bool', help: 'Take the password from stdin' },
    { long: 'username', short: 'u', type: 'string', help: 'Username' },
  ],
};

async function readLine(ctx: CliContext, prompt: string): Promise<string> {
  if (prompt) ctx.stdout.write(prompt);
  const rl = createInterface({ input: ctx.stdin });
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return answer;
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const key = serverKey(p.args[0] ?? '');
  let username = p.flags.username as string | undefined;
  let password = p.flags.password as string | undefined;
  if (password !== undefined) ctx.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  if (p.flags['password-stdin']) {
    if (password !== undefined) throw new InvalidArgument('--password and --password-stdin are mutually exclusive');
    if (!username) throw new InvalidArgument('Must provide --username with --password-stdin');
    const chunks: Buffer[] = [];
    for await (const c of ctx.stdin) chunks.push(c as Buffer);
    password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '').replace(/\r$/, '');
  }
  const tty = (ctx.stdin as { isTTY?: boolean }).isTTY === true;
  if (!username) {
    if (!tty) throw new InvalidArgument('Error: Cannot perform an interactive login from a non TTY device');
    username = (await readLine(ctx, 'Username: ')).trim();
  }
  if (!username) throw new InvalidArgument('Error: Non-null Username Required');
  if (password === undefined) {
    if (!tty) throw new InvalidArgument('Error: Cannot perform an interactive login from a non TTY device');
    password = await readLine(ctx, 'Password: ');
    ctx.stdout.write('\n');
  }
  if (!password) throw new InvalidArgument('Error: Password Required');
  const res = await (await ctx.client()).registryLogin({ username, password, serveraddress: key });
  const clear = await storeCredentials(key, res.IdentityToken ? { username, identitytoken: res.IdentityToken } : { username, password });
  if (clear) {
    ctx.stderr.write(
      `WARNING! Your password will be stored unencrypted in ${configPath()}.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/engine/reference/commandline/login/#credentials-store\n\n`,
    );
  }
  ctx.stdout.write(`${res.Status || 'Login Succeeded'}\n`);
  return 0;
}
