export { ReplicaLifecycle } from './replica-lifecycle.service';
