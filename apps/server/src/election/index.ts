export { RoleService } from './role.service';
export { ReplicaLifecycle } from './replica-lifecycle.service';
