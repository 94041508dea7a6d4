import { Inject, Injectable } from '@nestjs/common';
import { STATUS_CALL_TIMEOUT_MS } from '../constants';
import { notReady } from '../problems';
import { REPLICA_GATEWAY, type ReplicaGateway } from '../replicas/replica-gateway';

export interface Liveness {
  status: 'ok';
}
export interface Readiness {
  status: 'ready';
  leader: string;
  epoch: number;
}

/**
 * Live: the process answers. Ready: a leader is known and says it is leading and healthy, so a
 * write sent now would be taken (apps/api README, "Calls"). Not ready is a 503 problem.
 */
@Injectable()
export class HealthService {
  constructor(@Inject(REPLICA_GATEWAY) private readonly gateway: ReplicaGateway) {}

  live(): Liveness {
    return { status: 'ok' };
  }

  async ready(): Promise<Readiness> {
    const leader = this.gateway.leader();
    if (leader === null) {
      throw notReady('No leader is elected yet, so writes cannot be taken.', null);
    }
    let status;
    try {
      status = await this.gateway.status(leader, Date.now() + STATUS_CALL_TIMEOUT_MS);
    } catch {
      throw notReady(`The leader ${leader.id} does not answer.`, leader.id);
    }
    if (status.role !== 'leader') {
      throw notReady(
        `The replica ${leader.id} is not leading yet (it says it is ${status.role || 'unknown'}).`,
        leader.id,
      );
    }
    if (status.problem) {
      throw notReady(`The leader ${leader.id} refuses to serve: ${status.problem}`, leader.id);
    }
    return { status: 'ready', leader: leader.id, epoch: status.epoch };
  }
}
