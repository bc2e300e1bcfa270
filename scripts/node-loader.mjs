// Lets Node run the TypeScript sources directly: tsx for .ts, and Vite's `?raw`
// suffix (how the engine imports WGSL as text) handled the same way Vite does.
import { register } from 'node:module';
import 'tsx/esm';

register(new URL('./raw-hooks.mjs', import.meta.url));
