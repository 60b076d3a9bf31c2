// Docker's wording for the errors users see most, so scripts that match on them keep
// working. Taken from the messages the Docker Engine returns for the same cases.

export const msg = {
  noSuchContainer: (ref: string) => `No such container: ${ref}`,
  noSuchImage: (ref: string) => `No such image: ${ref}`,
  noSuchExec: (id: string) => `No such exec instance: ${id}`,
  ambiguousContainer: (ref: string) => `multiple IDs found with provided prefix: ${ref}`,
  nameInUse: (name: string, id: string) =>
    `Conflict. The container name "/${name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
  containerNotRunning: (id: string) => `Container ${id} is not running`,
  containerPaused: (id: string) => `Container ${id} is paused, unpause the container before stopping or killing`,
  containerNotPaused: (id: string) => `Container ${id} is not paused`,
  containerAlreadyPaused: (id: string) => `Container ${id} is already paused`,
  removeRunning: (id: string) =>
    `cannot remove container "/${id}": container is running: stop the container before removing or force remove`,
  invalidReference: (ref: string) => `invalid reference format: ${ref}`,
} as const;
