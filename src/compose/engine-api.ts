// How compose reads the Engine API's "not found": as absence, where Compose v2 does the same
// (an image, volume or network to create, a container already gone).
import { isApiError } from '../client/index.js';

export async function notFoundAsUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isApiError(e) && e.statusCode === 404) return undefined;
    throw e;
  }
}
