// Engine API shapes of the registry endpoints (swagger: AuthConfig, SystemAuthResponse,
// and the JSONMessage lines of the /images/create and /images/{name}/push streams).

/** The X-Registry-Auth header's JSON (base64url), and the body of POST /auth. */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token from an earlier login. */
  identitytoken?: string;
  /** A bearer token sent as is. */
  registrytoken?: string;
  serveraddress?: string;
  auth?: string;
  email?: string;
}

export interface SystemAuthResponse {
  Status: string;
  IdentityToken?: string;
}

/** One line of a progress stream (moby's jsonmessage.JSONMessage). */
export interface JsonProgressMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: unknown;
  errorDetail?: { message: string };
  error?: string;
}
