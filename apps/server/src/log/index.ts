export { ReplicaController } from './replica.controller';
export { ReplicaService } from './replica.service';
