// Validation of one compose file against the compose spec's JSON schema (schema-source.ts),
// as compose-go does: each file on its own, after interpolation, before merging. The
// message is compose-go's: the most specific failing key path, then what was expected
// (`services.web.ports must be a list`, `services.web Additional property foo is not
// allowed`, `(root) Additional property bar is not allowed`).
import Ajv2019Import, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js';
import { durationNs } from './convert.js';
import { SchemaError } from './normalize.js';
import { composeSpecSchema } from './schema-source.js';

// ajv is CommonJS: Node's ESM loader hands over module.exports, a bundler may hand over
// its `default`; both are the class.
const Ajv2019 = ((Ajv2019Import as unknown as { default?: unknown }).default ?? Ajv2019Import) as typeof Ajv2019Import.default;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  // coerceTypes: compose-go casts interpolated strings to the schema's type
  // (`read_only: "${RO}"` → true, `replicas: "2"` → 2); coercion works on a copy.
  // Compiling is the cost every compose command pays (~140 ms with ajv's defaults on this
  // machine); without the generated code's optimiser and inlined $refs it is ~65 ms, and
  // validating a file either way takes well under a millisecond.
  const ajv = new Ajv2019({ allErrors: true, strict: false, coerceTypes: true, validateSchema: false, logger: false, inlineRefs: false, code: { optimize: false } });
  ajv.addFormat('duration', { type: 'string', validate: isDuration });
  ajv.addFormat('ports', true);
  ajv.addFormat('expose', true);
  ajv.addFormat('subnet_ip_address', true);
  const v = ajv.compile(composeSpecSchema());
  compiled = v;
  return v;
}

function isDuration(s: string): boolean {
  try {
    return durationNs(s) !== undefined;
  } catch {
    return false;
  }
}

/** Throws a SchemaError naming `file`, the key path and what was expected. */
export function validateSchema(doc: unknown, file: string): void {
  const validate = validator();
  if (validate(structuredClone(doc))) return;
  throw new SchemaError(`validating ${file}: ${describe(validate.errors ?? [])}`);
}

/** The key path as compose prints it: dotted, `(root)` for the top. */
export function field(e: ErrorObject): string {
  const parts = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.length ? parts.join('.') : '(root)';
}

const depth = (e: ErrorObject): number => (e.instancePath === '' ? 0 : e.instancePath.split('/').length - 1);

function humanType(t: string): string {
  return t === 'object' ? 'mapping' : t === 'array' ? 'list' : t;
}

/** `a`, `a or b`, `a, b or c`. */
function alternatives(types: string[]): string {
  const h = [...new Set(types.map(humanType))];
  return h.length === 1 ? (h[0] as string) : `${h.slice(0, -1).join(', ')} or ${h[h.length - 1]}`;
}

/**
 * The most specific error (deepest key path), in compose's words. At one path, an error
 * other than a type mismatch comes from a oneOf branch whose type did match (a mapping
 * with an unknown key), so it says more than "must be a string" from the branch that
 * did not; compose-go gets the same by reporting only the best branch.
 */
export function describe(errors: ErrorObject[]): string {
  // oneOf/anyOf/if only summarise their branches, which are reported on their own.
  const real = errors.filter((e) => !['oneOf', 'anyOf', 'if', 'allOf'].includes(e.keyword));
  const pool = real.length ? real : errors;
  const max = Math.max(...pool.map(depth));
  const deepest = pool.filter((e) => depth(e) === max);
  const types = deepest.filter((e) => e.keyword === 'type');
  const other = deepest.find((e) => e.keyword !== 'type');
  if (other) return `${field(other)} ${message(other)}`;
  // Every branch of a oneOf that failed on type: "must be a string or mapping".
  const expected = types.flatMap((e) => String(e.params.type).split(','));
  return `${field(types[0] as ErrorObject)} must be a ${alternatives(expected)}`;
}

function message(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': return `Additional property ${String(p.additionalProperty)} is not allowed`;
    case 'required': return `${String(p.missingProperty)} is required`;
    case 'enum': return `must be one of the following: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern': return `Does not match pattern '${String(p.pattern)}'`;
    case 'format': return `Does not match format '${String(p.format)}'`;
    case 'minimum': return `Must be greater than or equal to ${String(p.limit)}`;
    case 'maximum': return `Must be less than or equal to ${String(p.limit)}`;
    case 'uniqueItems': return `array items[${String(p.j)},${String(p.i)}] must be unique`;
    case 'oneOf': return 'Must validate one and only one schema (oneOf)';
    case 'anyOf': return 'Must validate at least one schema (anyOf)';
    default: return e.message ?? 'is invalid';
  }
}
