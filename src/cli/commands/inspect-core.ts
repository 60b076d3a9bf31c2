// Shared by inspect, image inspect and container inspect: print the daemon's JSON as a
// 4-space-indented array (docker re-indents the raw bytes), or run --format per object.
import { isApiError } from '../../client/errors.js';
import { describeError, err, out, type CliContext } from '../context.js';
import { Template } from '../template.js';

export type Getter = (ref: string) => Promise<{ value: unknown; raw: string }>;

/** JSON.stringify with 4 spaces, then Go's HTML-safe escapes the daemon's bytes carry. */
export function indentJson(values: unknown[]): string {
  if (!values.length) return '[]';
  return JSON.stringify(values, null, 4).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

export async function inspectAll(ctx: CliContext, refs: string[], get: Getter, o: { format?: string; notFound: (ref: string, e: unknown) => string }): Promise<number> {
  const values: unknown[] = [];
  let failed = false;
  const tmpl = o.format && o.format !== 'json' ? new Template(o.format.replace(/\\t/g, '\t').replace(/\\n/g, '\n')) : undefined;
  for (const ref of refs) {
    try {
      const { value } = await get(ref);
      if (tmpl) out(ctx, `${tmpl.execute(value)}\n`);
      else values.push(value);
    } catch (e) {
      failed = true;
      if (isApiError(e) && e.statusCode === 404) err(ctx, `${o.notFound(ref, e)}\n`);
      else err(ctx, `${describeError(e)}\n`);
    }
  }
  if (!tmpl) {
    if (o.format === 'json') for (const v of values) out(ctx, `${JSON.stringify(v)}\n`);
    else out(ctx, `${indentJson(values)}\n`);
  }
  return failed ? 1 : 0;
}
