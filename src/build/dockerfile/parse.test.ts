import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from './parse.js';
import { readInstruction } from './instructions.js';
import { processWord, processWords, splitRawWords } from './shell-lex.js';
import { IgnoreMatcher } from '../dockerignore.js';

const env = new Map([['A', 'a'], ['E', ''], ['SP', 'x y']]);
const word = (s: string, escape = '\\') => processWord(s, env, { escape });

test('directives, comments, continuations (comments and blank lines inside dropped)', () => {
  const df = parseDockerfile('# syntax=docker/dockerfile:1\n# escape=`\n\nFROM busybox\n# c\nRUN echo a `\n  # inside\n\n  b\n');
  assert.equal(df.escape, '`');
  assert.equal(df.syntax, 'docker/dockerfile:1');
  assert.deepEqual(df.instructions.map((i) => [i.cmd, i.rest, i.original, i.line]), [
    ['from', 'busybox', 'FROM busybox', 4],
    ['run', 'echo a   b', 'RUN echo a   b', 6],
  ]);
});

test('a directive after a blank line is a comment', () => {
  const df = parseDockerfile('\n# escape=`\nFROM x\n');
  assert.equal(df.escape, '\\');
});

test('flags split off; JSON and shell forms', () => {
  const [copy, run, cmd] = parseDockerfile('COPY --from=b --chown=1:2 a b /c/\nRUN ["echo", "hi"]\nCMD echo [x\n').instructions.map((r) => readInstruction(r, 'Dockerfile', '\\'));
  assert.deepEqual(copy.kind === 'copy' && [copy.from, copy.chown, copy.srcs, copy.dest], ['b', '1:2', ['a', 'b'], '/c/']);
  assert.deepEqual(run.kind === 'run' && run.cmd, { json: true, args: ['echo', 'hi'] });
  assert.deepEqual(cmd.kind === 'cmd' && cmd.cmd, { json: false, args: ['echo [x'] });
});

test('heredocs: several, <<- strips tabs, quoted words are not expanded', () => {
  const df = parseDockerfile('RUN <<A cat - <<-"B"\nline $X\nA\n\tb\nB\nCOPY <<EOF /f\nx\nEOF\n');
  assert.deepEqual(df.instructions[0].heredocs, [
    { name: 'A', content: 'line $X\n', expand: true, chomp: false },
    { name: 'B', content: 'b\n', expand: false, chomp: true },
  ]);
  assert.equal(df.instructions[1].heredocs[0].content, 'x\n');
  assert.throws(() => parseDockerfile('RUN <<EOF\nnever closed\n'), /unterminated heredoc EOF/);
});

test('ENV/LABEL pairs and legacy form; errors name file and line', () => {
  const [e1, e2] = parseDockerfile('ENV a=1 b="x y"\nENV key some value\n').instructions.map((r) => readInstruction(r, 'Dockerfile', '\\'));
  assert.deepEqual(e1.kind === 'env' && e1.pairs, [{ key: 'a', value: '1' }, { key: 'b', value: '"x y"' }]);
  assert.deepEqual(e2.kind === 'env' && e2.pairs, [{ key: 'key', value: 'some value' }]);
  assert.throws(() => readInstruction(parseDockerfile('\nFOO x\n').instructions[0], 'my.Dockerfile', '\\'), /dockerfile parse error line 2 of my.Dockerfile: unknown instruction: FOO/);
  assert.throws(() => readInstruction(parseDockerfile('FROM a AS 1x\n').instructions[0], 'Dockerfile', '\\'), /invalid name for build stage/);
  assert.throws(() => readInstruction(parseDockerfile('SHELL sh -c\n').instructions[0], 'Dockerfile', '\\'), /SHELL requires the arguments to be in JSON form/);
});

test('variable substitution as Docker does it', () => {
  assert.equal(word('$A ${A} ${A}b'), 'a a ab');
  assert.equal(word('${NOPE:-def} ${E:-def} ${E-def} ${A:+alt} ${NOPE:+alt}|'), 'def def  alt |');
  assert.equal(word("'$A' \"$A\" \\$A"), '$A a $A');
  assert.equal(word('"a\\"b"'), 'a"b');
  assert.equal(word('`$A', '`'), '$A');
  assert.throws(() => word('${NOPE:?must be set}'), /NOPE: must be set/);
  assert.deepEqual(processWords('$SP "$SP" z', env, { escape: '\\' }), ['x', 'y', 'x y', 'z']);
  assert.deepEqual(splitRawWords('a="b c" d', '\\'), ['a="b c"', 'd']);
});

test('.dockerignore rules: globs, **, directories, exceptions, last match wins', () => {
  const m = IgnoreMatcher.parse('# comment\n*.log\n!keep.log\nbuild/\n**/tmp\n/abs/x\n');
  assert.equal(m.ignores('a.log'), true);
  assert.equal(m.ignores('keep.log'), false);
  assert.equal(m.ignores('dir/a.log'), false); // `*` does not cross "/"
  assert.equal(m.ignores('build/out/file'), true);
  assert.equal(m.ignores('x/y/tmp'), true);
  assert.equal(m.ignores('tmp/z'), true);
  assert.equal(m.ignores('abs/x'), true);
  assert.equal(m.ignores('src/main.ts'), false);
});
