// The registry client as the engine sees it (RegistryOps), over the image store.
import type { ImageIngest, ImageService } from '../image/types.js';
import type { DistributionDeps } from './deps.js';
import { login } from './login.js';
import { DistributionMeta } from './meta.js';
import { pull } from './pull.js';
import { push } from './push.js';
import type { AuthConfig, LoginResult, PullOptions, PushOptions, RegistryOps, RegistrySettings } from './types.js';

export class DistributionService implements RegistryOps {
  private readonly deps: DistributionDeps;
  private collecting: Promise<void> | undefined;

  constructor(opts: {
    root: string;
    images: ImageIngest & Pick<ImageService, 'resolve' | 'list'>;
    settings: RegistrySettings;
    defaultPlatform: { os: string; architecture: string; variant?: string };
  }) {
    this.deps = { images: opts.images, meta: new DistributionMeta(opts.root), settings: opts.settings, defaultPlatform: opts.defaultPlatform };
  }

  /** Call after the image store's init: drops what interrupted pulls and deleted images left. */
  async init(): Promise<void> {
    await this.deps.meta.init();
    await this.collect();
  }

  /** Frees manifests and compressed blobs of images that are gone (call after deletes). */
  collect(): Promise<void> {
    this.collecting ??= this.deps.meta.collect(new Set(this.deps.images.list().map((i) => i.id))).finally(() => {
      this.collecting = undefined;
    });
    return this.collecting;
  }

  pull(opts: PullOptions): Promise<void> {
    return pull(this.deps, opts);
  }

  push(opts: PushOptions): Promise<void> {
    return push(this.deps, opts);
  }

  login(auth: AuthConfig, signal?: AbortSignal): Promise<LoginResult> {
    return login(this.deps.settings, auth, signal);
  }
}
