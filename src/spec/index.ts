export * from './types.ts';
export * from './fields.ts';
export * from './validate.ts';
export * from './codec.ts';
export * from './presets.ts';
export * from './sweep.ts';
export * from './optimizerDefaults.ts';
