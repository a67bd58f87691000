export { ClassroomService, type Assignment, type AssignmentStatus, type RosterEntry } from './service';
export { registerClassroomRoutes } from './routes';
