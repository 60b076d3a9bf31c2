import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Template, sprintf } from './template.js';
import { render } from './format.js';
import { tabulate } from './tabwriter.js';
import { containerContext, PS_HEADERS } from './container-format.js';

const x = (src: string, dot: unknown): string => new Template(src).execute(dot);

const inspect = { Name: '/web', State: { Pid: 5670, Running: true }, Config: { Labels: { a: 'b' }, Env: ['A=1', 'B=2'], Cmd: ['sleep', '1000'] } };

test('fields, nested fields, json, index (docker inspect --format, captured)', () => {
  // docker inspect --format '{{.State.Pid}} {{json .Config.Labels}} {{index .Config.Labels "a"}} {{.Name}}' web
  assert.equal(x('{{.State.Pid}} {{json .Config.Labels}} {{index .Config.Labels "a"}} {{.Name}}', inspect), '5670 {"a":"b"} b /web');
  assert.equal(x('{{index .Config.Labels "missing"}}', inspect), '');
  assert.equal(x('{{.Nope}}', inspect), '<no value>');
});

test('range, if/else if/else, variables, pipelines', () => {
  assert.equal(x('{{range .Config.Env}}[{{.}}]{{end}}', inspect), '[A=1][B=2]');
  assert.equal(x('{{range $i, $e := .Config.Cmd}}{{$i}}={{$e}} {{end}}', inspect), '0=sleep 1=1000 ');
  assert.equal(x('{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}}{{end}}', inspect), 'a:b');
  assert.equal(x('{{if .State.Running}}up{{else}}down{{end}}', inspect), 'up');
  assert.equal(x('{{if eq .State.Pid 1}}one{{else if gt .State.Pid 100}}big{{else}}small{{end}}', inspect), 'big');
  assert.equal(x('{{$n := .Name}}{{$n}}', inspect), '/web');
  assert.equal(x('{{.Name | upper}}', inspect), '/WEB');
  assert.equal(x('{{with .State}}{{.Pid}}{{end}}', inspect), '5670');
  assert.equal(x('{{range .Nothing}}x{{else}}empty{{end}}', inspect), 'empty');
  assert.equal(x('{{- " a " -}}  b', {}), ' a b');
});

test('docker functions', () => {
  assert.equal(x('{{join .Config.Cmd ","}}', inspect), 'sleep,1000');
  assert.equal(x('{{lower "AbC"}} {{upper "abc"}} {{title "hello world"}}', {}), 'abc ABC Hello World');
  assert.equal(x('{{len .Config.Env}}', inspect), '2');
  assert.equal(x('{{printf "%s-%d" .Name .State.Pid}}', inspect), '/web-5670');
  assert.equal(x('{{json .Config.Cmd}}', inspect), '["sleep","1000"]');
  assert.equal(x('{{.Config.Cmd}}', inspect), '[sleep 1000]');
  assert.equal(x('{{.Config.Labels}}', inspect), 'map[a:b]');
  assert.equal(x('{{split "a:b" ":"}}', {}), '[a b]');
  assert.equal(sprintf('%5s|%-4d|%q', 'ab', 7, 'x'), '   ab|7   |"x"');
});

test('tabwriter: minwidth 10, padding 3, last cell unpadded (docker images, captured)', () => {
  const t = tabulate('REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\nbusybox\tlatest\tfc352bc4d4df\t31 seconds ago\t1.98MB');
  assert.equal(t, 'REPOSITORY   TAG       IMAGE ID       CREATED          SIZE\nbusybox      latest    fc352bc4d4df   31 seconds ago   1.98MB');
});

test('ps table with a Label method column (docker ps --format, captured)', () => {
  const c = { Id: 'cf1a8a689defc8b8451305225878572fe2a12fd046d16739409c1f2a73beb86e', Names: ['/web'], Image: 'busybox', ImageID: 'sha256:fc35', Command: 'sleep 1000', Created: 0, Ports: [], Labels: { a: 'b' }, State: 'running', Status: 'Up', Mounts: [] };
  const outText = render({ format: 'table {{.ID}}\\t{{.Names}}\\t{{.Label "a"}}', headers: PS_HEADERS }, [containerContext(c, { trunc: true })]);
  assert.equal(outText, 'CONTAINER ID   NAMES     a\ncf1a8a689def   web       b\n');
  const long = containerContext({ ...c, Command: "sh -c 'echo out; echo err >&2; exit 3'" }, { trunc: true });
  assert.equal(long.Command, '"sh -c \'echo out; ec…"');
});

test('json: maps come out with sorted keys, structs in field order (Go encoding)', () => {
  const cfg = { User: 'u', ExposedPorts: { '8080/tcp': {}, '53/udp': {} }, Labels: { z: '1', 'c d': '2', a: '3' }, Env: ['B=1', 'A=2'] };
  assert.equal(x('{{json .}}', cfg), '{"User":"u","ExposedPorts":{"53/udp":{},"8080/tcp":{}},"Labels":{"a":"3","c d":"2","z":"1"},"Env":["B=1","A=2"]}');
  assert.equal(x('{{json .ExposedPorts}}', cfg), '{"53/udp":{},"8080/tcp":{}}');
});
