import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contains6, formatCidr6, formatIPv6, overlaps6, parseCidr6, parseIPv6, size6 } from './cidr6.js';

test('parseIPv6 / formatIPv6: RFC 5952 text both ways', () => {
  const cases: [string, string][] = [
    ['::', '::'],
    ['::1', '::1'],
    ['fd00::2', 'fd00::2'],
    ['FD12:3456:789A:0001:0000:0000:0000:0002', 'fd12:3456:789a:1::2'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of two equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group is not `::`
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['fe80::1:2', 'fe80::1:2'],
  ];
  for (const [text, canonical] of cases) {
    const n = parseIPv6(text);
    assert.notEqual(n, undefined, text);
    assert.equal(formatIPv6(n!), canonical, text);
  }
  for (const bad of ['', ':', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '::1.2.3.256', '10.0.0.1', '1:2:3:4:5:6:7:8::']) {
    assert.equal(parseIPv6(bad), undefined, bad);
  }
});

test('parseCidr6: host bits cleared, Go wording on errors; contains, overlaps, size', () => {
  const c = parseCidr6('fd12:3456:789a:1::99/64');
  assert.equal(formatCidr6(c), 'fd12:3456:789a:1::/64');
  assert.equal(size6(c), 1n << 64n);
  assert.ok(contains6(c, parseIPv6('fd12:3456:789a:1:ffff::1')!));
  assert.ok(!contains6(c, parseIPv6('fd12:3456:789a:2::1')!));
  assert.ok(overlaps6(parseCidr6('fd12:3456:789a::/48'), c));
  assert.ok(!overlaps6(parseCidr6('fd12:3456:789a:2::/64'), c));
  assert.equal(formatCidr6(parseCidr6('::/0')), '::/0');
  assert.equal(formatCidr6(parseCidr6('fd00::1/128')), 'fd00::1/128');
  for (const bad of ['fd00::/129', 'fd00::', 'fd00::/x', '10.0.0.0/8', 'fd00:::/64']) {
    assert.throws(() => parseCidr6(bad), { name: 'InvalidArgument', message: `invalid CIDR address: ${bad}` });
  }
});
