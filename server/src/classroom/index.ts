export { ClassroomService, type Assignment, type AssignmentStatus, type RosterEntry } from './service';
export { ClassroomProjectService } from './projects';
export { registerClassroomRoutes } from './routes';
