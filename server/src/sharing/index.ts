export { SharingProjectService, type ProjectShare, type ShareRole } from './service';
export { registerSharingRoutes } from './routes';
export { renderNotebook, renderFile, CONTENT_SECURITY_POLICY } from './render';
