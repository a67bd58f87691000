export { RevisionService, MAX_REVISIONS_PER_FILE, type Revision, type RevisionWithContent } from './service';
export { registerRevisionRoutes } from './routes';
