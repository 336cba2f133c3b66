// The bundle the browser tests load: the SDK and the same yjs instance it uses.
export * from '../../src/index.js';
export * as Y from 'yjs';
