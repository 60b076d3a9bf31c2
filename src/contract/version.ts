// API versions: docker CLI 28 speaks 1.50 and negotiates down from the daemon's
// `API-Version` header; the minimum is what Docker 28 still accepts.
export const API_VERSION = '1.50';
export const MIN_API_VERSION = '1.24';
export const ENGINE_VERSION = '28.2.2-wharf';
export const WHARF_VERSION = '0.1.0';
