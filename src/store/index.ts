export { writeFileAtomic, writeJsonAtomic, readJson, sweepTemp, fsyncDir, fsyncPath, tempPathFor, TEMP_MARK } from './atomic.js';
export { KeyedMutex } from './lock.js';
export { failpoint } from './failpoint.js';
export { markTopDirectory } from './spread.js';
