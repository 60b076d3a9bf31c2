// Compose v2's labels (docker/compose pkg/api/labels.go): how a container, network or
// volume is known to belong to a project, so either tool recognises the other's objects.
export const PROJECT = 'com.docker.compose.project';
export const SERVICE = 'com.docker.compose.service';
export const CONTAINER_NUMBER = 'com.docker.compose.container-number';
export const CONFIG_HASH = 'com.docker.compose.config-hash';
/** "True" for `compose run` containers, "False" otherwise (Python's spelling, kept by v2). */
export const ONEOFF = 'com.docker.compose.oneoff';
export const WORKING_DIR = 'com.docker.compose.project.working_dir';
export const CONFIG_FILES = 'com.docker.compose.project.config_files';
export const ENVIRONMENT_FILE = 'com.docker.compose.project.environment_file';
export const VERSION = 'com.docker.compose.version';
export const IMAGE = 'com.docker.compose.image';
export const DEPENDS_ON = 'com.docker.compose.depends_on';
export const NETWORK = 'com.docker.compose.network';
export const VOLUME = 'com.docker.compose.volume';
export const REPLACE = 'com.docker.compose.replace';
/** The random ID of a `compose run` container (its name carries the first 12 hex digits). */
export const SLUG = 'com.docker.compose.slug';
/** The Compose version wharf's compose claims in com.docker.compose.version. */
export const COMPOSE_VERSION = '2.29.0';

export const projectFilter = (project: string): string => `${PROJECT}=${project}`;
