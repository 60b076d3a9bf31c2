import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges } from './changes.js';
import { isKind } from '../errdefs/index.js';

test('applyChanges: table of --change lines', () => {
  const cases: Array<[string[], object]> = [
    [['CMD ["/bin/sh","-c","echo hi"]'], { Cmd: ['/bin/sh', '-c', 'echo hi'] }],
    [['CMD echo hi'], { Cmd: ['/bin/sh', '-c', 'echo hi'] }],
    [['cmd ["top"]'], { Cmd: ['top'] }],
    [['ENTRYPOINT ["/bin/app"]'], { Entrypoint: ['/bin/app'], Cmd: null }],
    [['CMD x', 'ENTRYPOINT ["/e"]'], { Cmd: ['/bin/sh', '-c', 'x'], Entrypoint: ['/e'] }],
    [['ENV A=1 B="two words"'], { Env: ['A=1', 'B=two words'] }],
    [['ENV A one two'], { Env: ['A=one two'] }],
    [['ENV A=1', 'ENV B=$A-x C=${A}y'], { Env: ['A=1', 'B=1-x', 'C=1y'] }],
    [['ENV A=1', 'ENV A=2'], { Env: ['A=2'] }],
    [['EXPOSE 80 53/udp 8000-8001'], { ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} } }],
    [['LABEL a=b "c d"=e'], { Labels: { a: 'b', 'c d': 'e' } }],
    [['USER nobody'], { User: 'nobody' }],
    [['WORKDIR /a', 'WORKDIR b/../c'], { WorkingDir: '/a/c' }],
    [['VOLUME ["/data","/logs"]'], { Volumes: { '/data': {}, '/logs': {} } }],
    [['VOLUME /x /y'], { Volumes: { '/x': {}, '/y': {} } }],
    [['STOPSIGNAL SIGKILL'], { StopSignal: 'SIGKILL' }],
    [['ONBUILD run echo hi'], { OnBuild: ['RUN echo hi'] }],
  ];
  for (const [changes, want] of cases) assert.deepEqual(applyChanges({}, changes), want, changes.join(' | '));
});

test('applyChanges: keeps the base config and does not modify it', () => {
  const base = { Env: ['PATH=/bin'], Cmd: ['sh'] };
  const out = applyChanges(base, ['ENV X=1']);
  assert.deepEqual(out, { Env: ['PATH=/bin', 'X=1'], Cmd: ['sh'] });
  assert.deepEqual(base, { Env: ['PATH=/bin'], Cmd: ['sh'] });
});

test('applyChanges: invalid instructions are InvalidArgument with moby wording', () => {
  const cases: Array<[string[], RegExp]> = [
    [['FOO bar'], /^foo is not a valid change command$/],
    [['RUN echo'], /^run is not a valid change command$/],
    [['USER'], /USER requires exactly one argument/],
    [['ENV'], /ENV requires at least one argument/],
    [['EXPOSE abc'], /invalid containerPort: abc/],
    [['ONBUILD ONBUILD x'], /isn't allowed/],
  ];
  for (const [changes, re] of cases) {
    assert.throws(() => applyChanges({}, changes), (e: unknown) => isKind(e, 'invalid-argument') && re.test((e as Error).message), changes[0]);
  }
});
