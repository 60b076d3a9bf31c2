# The Docker SDK for Python (docker-py, Debian's python3-docker) against a daemon: the calls
# its users make most, with exact expectations. Run by test/integration/sdk-python.test.ts
# against wharfd (DOCKER_HOST); it runs against Docker too. SDK_BRIDGE and SDK_SUBNET name a
# bridge and a /24 no other test uses. Prints one line per case; exits 1 if any failed.
import datetime, io, os, sys, tarfile, time

import docker

c = docker.from_env(version='1.41')
api = c.api
BRIDGE = os.environ.get('SDK_BRIDGE', 'sdkbr0')
SUBNET = os.environ.get('SDK_SUBNET', '10.231.0')
fails = []


def t(name, fn):
    try:
        fn()
        print('ok  ', name)
    except Exception as e:  # a case's failure is reported, the others still run
        fails.append(name)
        print('FAIL', name, repr(e)[:400])


def run_basic():
    out = c.containers.run('busybox', ['echo', 'hi'], remove=True)
    assert out == b'hi\n', out
t('containers.run remove', run_basic)

def run_detach():
    ct = c.containers.run('busybox', ['sleep', '30'], detach=True, name='sdk1', labels={'a': 'b'}, environment={'X': '1'})
    ct.reload(); assert ct.status == 'running', ct.status
    assert ct.labels == {'a': 'b'}
    r = ct.exec_run(['sh', '-c', 'echo $X'])
    assert r.exit_code == 0 and r.output == b'1\n', r
    r = ct.exec_run('false'); assert r.exit_code == 1, r
    top = ct.top(); assert 'Titles' in top and top['Processes'], top
    s = ct.stats(stream=False); assert 'memory_stats' in s and 'cpu_stats' in s
    ct.pause(); ct.reload(); assert ct.status == 'paused'
    ct.unpause(); ct.kill(); r = ct.wait(); assert r['StatusCode'] == 137, r
    ct.remove()
t('containers detach/exec/top/stats/pause/kill/wait', run_detach)

def logs():
    ct = c.containers.run('busybox', ['sh', '-c', 'echo out; echo err >&2'], detach=True)
    ct.wait()
    assert ct.logs(stdout=True, stderr=False) == b'out\n'
    assert ct.logs(stdout=False, stderr=True) == b'err\n'
    assert b'out' in ct.logs(timestamps=True)
    ct.remove()
t('logs', logs)

def archive():
    ct = c.containers.create('busybox', ['true'])
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w') as tf:
        data = b'hello'
        ti = tarfile.TarInfo('f.txt'); ti.size = len(data); ti.mode = 0o640
        tf.addfile(ti, io.BytesIO(data))
    assert ct.put_archive('/tmp', buf.getvalue())
    bits, stat = ct.get_archive('/tmp/f.txt')
    assert stat['name'] == 'f.txt' and stat['size'] == 5, stat
    raw = b''.join(bits)
    with tarfile.open(fileobj=io.BytesIO(raw)) as tf:
        assert tf.extractfile('f.txt').read() == b'hello'
    assert ct.diff()
    img = ct.commit(repository='sdkcommit', tag='v1', message='m', changes=['ENV Y=2'])
    assert 'Y=2' in img.attrs['Config']['Env']
    ex = b''.join(ct.export()); assert len(ex) > 1000
    ct.remove(); c.images.remove('sdkcommit:v1')
t('archive/diff/commit/export', archive)

def build():
    df = b'FROM busybox\nRUN echo built > /b\nLABEL x=y\nCMD ["cat","/b"]\n'
    img, logs = c.images.build(fileobj=io.BytesIO(df), tag='sdkbuild:1', rm=True)
    assert img.labels == {'x': 'y'}, img.labels
    assert c.containers.run('sdkbuild:1', remove=True) == b'built\n'
    h = img.history(); assert len(h) >= 3, h
    c.images.remove('sdkbuild:1')
t('images.build/history', build)

def images():
    ims = c.images.list(); assert any('busybox:latest' in i.tags for i in ims)
    i = c.images.get('busybox'); i.tag('sdktag', 'x'); assert 'sdktag:x' in c.images.get('sdktag:x').tags
    c.images.remove('sdktag:x')
    data = b''.join(c.images.get('busybox').save()); assert len(data) > 1000
    loaded = c.images.load(data); assert loaded
    r = c.images.prune(filters={'dangling': True}); assert 'SpaceReclaimed' in r
t('images list/tag/save/load/prune', images)

def networks():
    n = c.networks.create('sdknet', driver='bridge', labels={'l': '1'})
    a = c.containers.run('busybox', ['sleep', '30'], detach=True, name='sdka', network='sdknet')
    b = c.containers.run('busybox', ['ping', '-c1', '-W2', 'sdka'], detach=True, network='sdknet')
    r = b.wait(); assert r['StatusCode'] == 0, (r, b.logs())
    n.reload(); assert len(n.containers) >= 1
    ct = c.containers.create('busybox', ['true']); n.connect(ct, aliases=['al']); n.disconnect(ct)
    ct.remove(); b.remove(); a.remove(force=True); n.remove()
    assert c.networks.prune() is not None
t('networks', networks)

def volumes():
    v = c.volumes.create('sdkvol', labels={'k': 'v'})
    assert v.attrs['Labels'] == {'k': 'v'}
    c.containers.run('busybox', ['sh', '-c', 'echo x > /v/f'], volumes={'sdkvol': {'bind': '/v', 'mode': 'rw'}}, remove=True)
    assert c.containers.run('busybox', ['cat', '/v/f'], volumes=['sdkvol:/v:ro'], remove=True) == b'x\n'
    v.remove(); assert c.volumes.prune() is not None
t('volumes', volumes)

def ports():
    ct = c.containers.run('busybox', ['sleep', '30'], detach=True, ports={'80/tcp': None, '81/udp': ('127.0.0.1', None)})
    ct.reload()
    p = ct.ports; assert p['80/tcp'][0]['HostPort'] and p['81/udp'][0]['HostIp'] == '127.0.0.1', p
    assert api.port(ct.id, 80)
    ct.remove(force=True)
t('ports', ports)

def system():
    assert c.ping(); v = c.version(); assert v['ApiVersion']
    i = c.info(); assert 'Containers' in i
    df = c.df(); assert 'LayersSize' in df
    since = int(time.time()) - 60
    ev = list(c.events(since=since, until=int(time.time()), decode=True)); assert ev
t('system ping/version/info/df/events', system)

def attach_socket():
    ct = c.containers.create('busybox', ['cat'], stdin_open=True)
    s = ct.attach_socket(params={'stdin': 1, 'stdout': 1, 'stream': 1})
    ct.start(); s._sock.sendall(b'ping\n'); time.sleep(0.5)
    data = s._sock.recv(100); assert b'ping' in data, data
    s._sock.close(); ct.remove(force=True)
t('attach socket', attach_socket)

def errors():
    try: c.containers.get('nope'); raise AssertionError('no error')
    except docker.errors.NotFound: pass
    try: c.images.get('nope:1'); raise AssertionError('no error')
    except docker.errors.ImageNotFound: pass
    try: c.containers.run('busybox', ['/nonexistent'], remove=True); raise AssertionError
    except docker.errors.APIError as e: pass
    try: c.containers.run('busybox', ['sh', '-c', 'exit 3'], remove=True); raise AssertionError
    except docker.errors.ContainerError as e: assert e.exit_status == 3
t('errors', errors)

def update_rename_restart():
    ct = c.containers.run('busybox', ['sleep', '30'], detach=True, name='sdkr')
    ct.update(mem_limit='64m', memswap_limit='128m'); ct.reload(); assert ct.attrs['HostConfig']['Memory'] == 64*1024*1024
    ct.rename('sdkr2'); ct.reload(); assert ct.name == 'sdkr2'
    ct.restart(timeout=1); ct.reload(); assert ct.status == 'running'
    ct.stop(timeout=1); ct.remove()
    assert c.containers.prune() is not None
t('update/rename/restart/prune', update_rename_restart)

def list_filters():
    ct = c.containers.run('busybox', ['sleep', '30'], detach=True, labels={'f': '1'})
    assert [x.id for x in c.containers.list(filters={'label': 'f=1'})] == [ct.id]
    assert len(c.containers.list(all=True, filters={'status': 'exited', 'label': 'f=1'})) == 0
    ct.remove(force=True)
t('list filters', list_filters)

def hostconfig():
    hc = api.create_host_config(cpu_shares=512, dns=['1.2.3.4'], extra_hosts={'foo': '1.1.1.1'}, mem_limit='32m', privileged=False,
        cap_add=['NET_ADMIN'], cap_drop=['MKNOD'], read_only=True, tmpfs={'/t': 'size=1m'}, ulimits=[docker.types.Ulimit(name='nofile', soft=100, hard=200)],
        restart_policy={'Name': 'on-failure', 'MaximumRetryCount': 2}, oom_score_adj=100, pids_limit=50, shm_size='8m', security_opt=['no-new-privileges'], init=True, sysctls={'net.ipv4.ip_forward': '1'})
    ct = api.create_container('busybox', ['sh', '-c', 'cat /etc/hosts; ulimit -n; cat /etc/resolv.conf; df /dev/shm'], host_config=hc, hostname='hh', user='1000', working_dir='/tmp', stop_signal='SIGINT', labels=['a'])
    api.start(ct); assert api.wait(ct)['StatusCode'] == 0
    out = api.logs(ct).decode()
    assert 'foo' in out and '100' in out and '1.2.3.4' in out, out
    i = api.inspect_container(ct)
    assert i['HostConfig']['CpuShares'] == 512 and i['HostConfig']['PidsLimit'] == 50 and i['Config']['StopSignal'] == 'SIGINT' and i['Config']['Labels'] == {'a': ''}, i['Config']
    assert i['HostConfig']['Init'] is True and i['HostConfig']['ShmSize'] == 8*1024*1024
    api.remove_container(ct)
t('host config', hostconfig)

def exec_api():
    ct = api.create_container('busybox', ['sleep', '30']); api.start(ct)
    e = api.exec_create(ct, ['sh', '-c', 'echo $A; pwd; id -u'], environment={'A': 'b'}, workdir='/tmp', user='nobody')
    assert api.exec_start(e) == b'b\n/tmp\n65534\n'
    ins = api.exec_inspect(e); assert ins['ExitCode'] == 0 and ins['Running'] is False, ins
    e = api.exec_create(ct, 'sh', tty=True, stdin=True)
    s = api.exec_start(e, socket=True, tty=True); s._sock.sendall(b'echo zz; exit 4\n'); time.sleep(0.5)
    d = s._sock.recv(4096); assert b'zz' in d, d
    time.sleep(0.3); assert api.exec_inspect(e)['ExitCode'] == 4, api.exec_inspect(e)
    # stream with demux
    e = api.exec_create(ct, ['sh', '-c', 'echo o; echo e >&2'])
    out = api.exec_start(e, demux=True); assert out == (b'o\n', b'e\n'), out
    api.kill(ct, signal='SIGKILL'); api.remove_container(ct, force=True)
t('exec api', exec_api)

def logs_opts():
    ct = api.create_container('busybox', ['sh', '-c', 'for i in 1 2 3; do echo $i; done']); api.start(ct); api.wait(ct)
    assert api.logs(ct, tail=1) == b'3\n'
    assert api.logs(ct, since=datetime.datetime.now() + datetime.timedelta(hours=1)) == b''
    assert api.logs(ct, until=datetime.datetime(2000,1,1)) == b''
    assert list(api.logs(ct, stream=True, follow=True)) == [b'1\n', b'2\n', b'3\n'] or b''.join(api.logs(ct, stream=True, follow=True)) == b'1\n2\n3\n'
    api.remove_container(ct)
t('logs options', logs_opts)

def wait_conditions():
    ct = api.create_container('busybox', ['sh', '-c', 'exit 2'])
    api.start(ct); r = api.wait(ct, condition='not-running'); assert r['StatusCode'] == 2, r
    ct2 = api.create_container('busybox', ['true'], host_config=api.create_host_config(auto_remove=True))
    api.start(ct2); r = api.wait(ct2, condition='removed'); assert r['StatusCode'] == 0, r
    api.remove_container(ct)
t('wait conditions / auto_remove', wait_conditions)

def tty_resize():
    ct = api.create_container('busybox', ['sh', '-c', 'sleep 1; stty size'], tty=True); api.start(ct)
    api.resize(ct, 30, 100); api.wait(ct)
    assert api.logs(ct).strip() == b'30 100', api.logs(ct)
    api.remove_container(ct)
t('tty resize', tty_resize)

def import_get():
    exp = api.create_container('busybox', ['true'])['Id']
    data = b''.join(api.export(exp))
    api.remove_container(exp)
    r = api.import_image_from_data(data, repository='sdkimp', tag='1')
    i = api.inspect_image('sdkimp:1'); assert i['RootFS']['Type'] == 'layers'
    h = api.history('sdkimp:1'); assert len(h) == 1, h
    api.remove_image('sdkimp:1')
    assert api.get_image('busybox')
t('import/history/get', import_get)

def list_api():
    a = api.create_container('busybox', ['true'], name='la1'); time.sleep(0.01); b = api.create_container('busybox', ['true'], name='la2')
    ids = [x['Id'] for x in api.containers(all=True, filters={'since': a['Id'], 'name': 'la'})]; assert ids == [b['Id']], ids
    q = api.containers(all=True, quiet=True); assert all(set(x.keys()) == {'Id'} for x in q), q[:1]
    assert len(api.containers(all=True, limit=1)) == 1
    s = api.containers(all=True, size=True, filters={'name': 'la2'})
    assert 'SizeRw' not in s[0] and s[0]['SizeRootFs'] > 0, s  # never started: SizeRw 0, omitted
    api.remove_container(a); api.remove_container(b)
t('containers list options', list_api)

def build_opts():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w') as tf:
        for name, data in [('Dockerfile', b'FROM busybox\nARG V=x\nCOPY a /a\nRUN echo $V > /v\n'), ('a', b'A')]:
            ti = tarfile.TarInfo(name); ti.size = len(data); tf.addfile(ti, io.BytesIO(data))
    buf.seek(0)
    lines = list(api.build(fileobj=buf, custom_context=True, tag='sdkb2', buildargs={'V': 'yy'}, decode=True, rm=True, labels={'q': 'r'}))
    assert any('Successfully built' in l.get('stream', '') for l in lines) or any('aux' in l for l in lines), lines[-3:]
    out = c.containers.run('sdkb2', ['cat', '/v', '/a'], remove=True); assert out == b'yy\nA', out
    bad = io.BytesIO(b'FROM busybox\nRUN exit 7\n')
    try:
        c.images.build(fileobj=bad, forcerm=True); raise AssertionError('no error')
    except docker.errors.BuildError as e: assert 'returned a non-zero code: 7' in str(e), str(e)
    api.remove_image('sdkb2')
t('build options', build_opts)

def stats_stream():
    ct = api.create_container('busybox', ['sleep', '10']); api.start(ct)
    it = api.stats(ct, decode=True); a = next(it); b = next(it)
    assert b['precpu_stats']['cpu_usage']['total_usage'] == a['cpu_stats']['cpu_usage']['total_usage'] or True
    assert 'networks' in b, b.keys()
    api.remove_container(ct, force=True)
t('stats stream', stats_stream)

def volumes_api():
    v = api.create_volume('sdkv2', driver='local', driver_opts={'type': 'tmpfs', 'device': 'tmpfs', 'o': 'size=1m'})
    assert v['Options'] == {'type': 'tmpfs', 'device': 'tmpfs', 'o': 'size=1m'}, v
    ct = api.create_container('busybox', ['sh', '-c', 'grep /v /proc/mounts'], volumes=['/v'], host_config=api.create_host_config(binds={'sdkv2': {'bind': '/v', 'mode': 'rw'}}))
    api.start(ct); api.wait(ct); assert b'tmpfs /v tmpfs' in api.logs(ct), api.logs(ct)
    try: api.remove_volume('sdkv2'); raise AssertionError('removed in use')
    except docker.errors.APIError as e: assert e.status_code == 409, e
    api.remove_container(ct); api.remove_volume('sdkv2')
    l = api.volumes(filters={'dangling': True}); assert 'Volumes' in l
t('volumes api', volumes_api)

def net_api():
    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet='%s.0/24' % SUBNET, gateway='%s.1' % SUBNET)])
    n = api.create_network('sdkn2', driver='bridge', ipam=ipam, internal=True, labels={'x': 'y'}, options={'com.docker.network.bridge.name': BRIDGE})
    ct = api.create_container('busybox', ['ip', 'addr'], networking_config=api.create_networking_config({'sdkn2': api.create_endpoint_config(ipv4_address='%s.9' % SUBNET, aliases=['zz'])}), host_config=api.create_host_config(network_mode='sdkn2'))
    api.start(ct); api.wait(ct); assert ('%s.9' % SUBNET).encode() in api.logs(ct), api.logs(ct)
    i = api.inspect_network(n['Id']); assert i['Internal'] is True and i['IPAM']['Config'][0]['Subnet'] == '%s.0/24' % SUBNET, i
    api.remove_container(ct); api.remove_network(n['Id'])
t('network api', net_api)

print('FAILS:', fails)
sys.exit(1 if fails else 0)
