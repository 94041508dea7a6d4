export { RoleService } from './role.service';
export { ElectionHolds, type EligibilityHold } from './election-holds';
