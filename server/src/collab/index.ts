export { CollabHub, COLLAB_PATH } from './hub';
export { registerCollabRoutes } from './routes';
export { Room, SAVE_DEBOUNCE_MS, SAVE_MAX_DELAY_MS } from './room';
