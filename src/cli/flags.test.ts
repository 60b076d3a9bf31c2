import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArityError, checkArity, FlagError, parseArgs, type CommandSpec } from './flags.js';
import { spec as runSpec } from './commands/run.js';
import { spec as stopSpec } from './commands/stop.js';
import { spec as psSpec } from './commands/ps.js';

test('combined short bools and a value-taking short at the end', () => {
  const p = parseArgs(runSpec, ['-itd', '--name', 'x', 'busybox', 'sh']);
  assert.equal(p.flags.interactive, true);
  assert.equal(p.flags.tty, true);
  assert.equal(p.flags.detach, true);
  assert.equal(p.flags.name, 'x');
  assert.deepEqual(p.args, ['busybox', 'sh']);
});

test('repeated list flags, --flag=value, attached short values', () => {
  const p = parseArgs(runSpec, ['-e', 'A=1', '--env=B=2', '-eC=3', '-e=D=4', 'img']);
  assert.deepEqual(p.flags.env, ['A=1', 'B=2', 'C=3', 'D=4']);
});

test('bool flags take =false', () => {
  assert.equal(parseArgs(runSpec, ['--rm=false', 'img']).flags.rm, false);
  assert.equal(parseArgs(runSpec, ['--rm', 'img']).flags.rm, true);
  assert.throws(() => parseArgs(runSpec, ['--rm=maybe', 'img']), /invalid argument "maybe" for "--rm" flag: strconv.ParseBool/);
});

test('run stops parsing flags at the first positional', () => {
  const p = parseArgs(runSpec, ['--rm', 'busybox', 'ls', '-l', '--rm']);
  assert.deepEqual(p.args, ['busybox', 'ls', '-l', '--rm']);
});

test('ps intersperses flags and positionals; -- ends flags', () => {
  const spec: CommandSpec = { name: 'x', usage: 'x', description: '', flags: [{ long: 'all', short: 'a', type: 'bool' }] };
  assert.deepEqual(parseArgs(spec, ['a1', '-a', 'a2']).args, ['a1', 'a2']);
  assert.deepEqual(parseArgs(spec, ['--', '-a']).args, ['-a']);
});

test('docker wording for unknown and incomplete flags', () => {
  assert.throws(() => parseArgs(runSpec, ['--foo', 'busybox']), (e: Error) => e instanceof FlagError && e.message === 'unknown flag: --foo');
  assert.throws(() => parseArgs(runSpec, ['-x', 'busybox']), { message: "unknown shorthand flag: 'x' in -x" });
  assert.throws(() => parseArgs(runSpec, ['-e']), { message: "flag needs an argument: 'e' in -e" });
  assert.throws(() => parseArgs(runSpec, ['--name']), { message: 'flag needs an argument: --name' });
});

test('int flags', () => {
  assert.equal(parseArgs(stopSpec, ['-t', '5', 'c']).flags.time, 5);
  assert.equal(parseArgs(psSpec, ['-n=2']).flags.last, 2);
  assert.throws(() => parseArgs(stopSpec, ['-t', 'x', 'c']), /strconv.ParseInt/);
});

test('arity errors as docker 28 prints them', () => {
  assert.throws(() => checkArity(stopSpec, 'docker', 0), (e: Error) => e instanceof ArityError && e.message === "docker: 'docker stop' requires at least 1 argument");
  const rename: CommandSpec = { name: 'rename', usage: '', description: '', flags: [], minArgs: 2, maxArgs: 2 };
  assert.throws(() => checkArity(rename, 'docker', 1), { message: "docker: 'docker rename' requires 2 arguments" });
});
