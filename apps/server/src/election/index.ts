export { RoleService } from './role.service';
