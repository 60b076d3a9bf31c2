// Volume names: Docker's local driver rule and wording, and anonymous names.
import { randomBytes } from 'node:crypto';
import { InvalidArgument } from '../errdefs/index.js';

/** moby volume/local `volumeNameRegex`: two characters at least. */
const VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function validateVolumeName(name: string): string {
  if (name.length < 2 && /^[a-zA-Z0-9]?$/.test(name)) {
    throw new InvalidArgument('volume name is too short, names should be at least two alphanumeric characters');
  }
  if (!VALID_NAME.test(name)) {
    throw new InvalidArgument(
      `"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
  return name;
}

/** Docker names anonymous volumes with 64 random hex digits, like container IDs. */
export function anonymousVolumeName(): string {
  return randomBytes(32).toString('hex');
}
