/** wharf's own version, printed by `wharf --version` and `wharf version`. */
export const WHARF_VERSION = '0.1.0';
