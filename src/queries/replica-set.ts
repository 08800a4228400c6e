import { Replica, type ReplicaSettings } from './replica.js';
import { cached } from '../core/memo.js';

/** One lazily created Replica (and pg pool) per configured instance. */
export class ReplicaSet {
  private readonly replicas = new Map<string, Replica>();
  constructor(
    private readonly config: { readonly instances: ReadonlyMap<string, ReplicaSettings> },
    private readonly onPoolError: (instanceId: string, error: Error) => void = () => {},
    private readonly make: (id: string) => Replica = (id) =>
      Replica.connect(this.config.instances.get(id)!, (error) => this.onPoolError(id, error)),
  ) {}

  get(instanceId: string): Replica {
    return cached(this.replicas, instanceId, () => this.make(instanceId));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.replicas.values()].map((r) => r.close()));
    this.replicas.clear();
  }
}
